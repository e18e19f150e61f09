"""Pages cost what their data costs (issue 32): the statements each page the residents and
clerks open most sends, whatever the length of what it lists — the cooperative's setting,
the signed-in person, and the page's data in one statement (``iok_saas.db.rowsets``)."""

from __future__ import annotations

import re

from sqlalchemy import select

from iok_saas.db import db
from iok_saas.db.rowsets import ordered, together
from iok_saas.estate.models import Unit
from tests.factories import (
    make_announcement,
    make_document,
    make_fault,
    make_household,
    make_ledger,
)
from tests.helpers import client_for, in_tenant, queries_for
from tests.test_request_cost import Statements


def _signed_in(app, household):
    return _signed_in_at(app, household)


def test_the_home_page_is_three_statements_for_one_of_everything_or_many(app, zw):
    """The setting, the person, and every tile with the units in one statement."""
    small = make_household(zw, units=1)
    make_ledger(zw, small.unit_ids[0], 1)
    make_announcement(zw, small), make_document(zw, small), make_fault(zw, small)
    big = make_household(zw, units=6)
    for unit_id in big.unit_ids:
        make_ledger(zw, unit_id, 2)
    for _ in range(8):
        make_announcement(zw, big), make_document(zw, big), make_fault(zw, big)
    few = queries_for(_signed_in(app, small), "/")
    many = queries_for(_signed_in(app, big), "/")
    assert few == many == 3


def test_the_home_page_of_a_person_with_no_units_still_answers_in_three(app, zw):
    nobody = make_household(zw, units=0)
    client = _signed_in(app, nobody)
    page = client.get("/").get_data(as_text=True)
    assert "Do konta nie przypisano jeszcze żadnego lokalu" in page
    assert queries_for(client, "/") == 3


def test_row_sets_come_back_in_each_parts_order_and_limit_with_its_own_names(app, zw):
    home = make_household(zw, units=4)
    with in_tenant(zw):
        with Statements() as sql:
            rows = together({
                "first": ordered(select(Unit.id, Unit.number), Unit.number.desc(), limit=2),
                "all": ordered(select(Unit.number.label("label")), Unit.id),
                "none": ordered(select(Unit.id).where(Unit.id < 0), Unit.id),
            })
        assert sql.count == 2  # the cooperative's setting and the one statement
        assert [r.number for r in rows["first"]] == ["4", "3"]
        assert [r.label for r in rows["all"]] == ["1", "2", "3", "4"]
        assert rows["none"] == [] and rows["first"][0].id == max(home.unit_ids)
        assert together({}) == {}
        db.session.rollback()


def test_row_sets_see_only_the_current_cooperative(app, zw, baltyk):
    mine = make_household(zw, units=2)
    theirs = make_household(baltyk, units=3)
    with in_tenant(zw):
        rows = together({"units": ordered(select(Unit.id), Unit.id)})
    assert {r.id for r in rows["units"]} >= set(mine.unit_ids)
    assert not {r.id for r in rows["units"]} & set(theirs.unit_ids)


def test_the_financial_record_is_three_statements_for_one_year_or_ten(app, zw):
    """Balances, years, the year's entries, this month's charges and 24 months: one statement
    after the setting and the person, whatever the history; its downloads and code alike."""
    short, long = make_household(zw, units=1), make_household(zw, units=1)
    make_ledger(zw, short.unit_ids[0], 1)
    accounts = [make_ledger(zw, long.unit_ids[0], 10, name=name)
                for name in ("Opłaty", "Fundusz remontowy", "Media")]
    one = _signed_in(app, short)
    ten = _signed_in(app, long)
    path = f"/lokale/{long.unit_ids[0]}"
    assert queries_for(one, f"/lokale/{short.unit_ids[0]}") == queries_for(ten, path) == 3
    assert queries_for(ten, f"{path}?rok=2019") == 3
    for download in ("wyciag.csv", "wyciag.pdf", "kod-platnosci.svg"):
        assert queries_for(ten, f"{path}/{download}?konto={accounts[1]}") == 3


def test_a_record_not_ones_own_or_past_any_id_is_not_found(app, zw, baltyk):
    mine, theirs = make_household(zw, units=1), make_household(zw, units=1)
    elsewhere = make_household(baltyk, units=1)
    for household in (mine, theirs, elsewhere):
        make_ledger(zw if household is not elsewhere else baltyk, household.unit_ids[0], 1)
    client = _signed_in(app, mine)
    for unit_id in (theirs.unit_ids[0], elsewhere.unit_ids[0], 99999999999, 0):
        for path in ("", "/wyciag.csv", "/wyciag.pdf", "/kod-platnosci.svg"):
            assert client.get(f"/lokale/{unit_id}{path}").status_code == 404, (unit_id, path)
    assert client.get(f"/lokale/{mine.unit_ids[0]}?rok=99999999999&konto=0").status_code == 200


def test_the_readings_queue_is_three_statements_for_two_waiting_or_a_full_page(
        app, zw, monkeypatch):
    """How many wait, the page's readings with their meters, units, the last accepted value
    and the photo mark: one statement, whatever the page's length."""
    from iok_saas.auth.models import CLERK
    from iok_saas.meters import services
    from tests.factories import make_meter, make_pending_reading

    monkeypatch.setattr(services, "QUEUE_PAGE", 10)
    clerk = make_household(zw, units=0, role=CLERK)
    client = _signed_in(app, clerk)
    waiting = []
    for count in (2, 25):
        while len(waiting) < count:
            home = make_household(zw, units=1)
            waiting.append(make_pending_reading(zw, home, make_meter(zw, home.unit_ids[0])))
        assert queries_for(client, "/panel/odczyty/") == 3
        assert queries_for(client, "/panel/odczyty/?strona=2") == 3 or count == 2
    last = client.get("/panel/odczyty/?strona=99").get_data(as_text=True)  # past the end
    assert "Na tej stronie: 21–25, od najstarszych." in last
    assert [i for i in waiting if f'id="r{i}"' in last] == waiting[20:]
    assert client.get("/panel/odczyty/?strona=99999999999").status_code == 200


def test_the_resident_lists_cost_the_same_for_one_item_or_many(app, zw):
    """Announcements (with their attachments and unread marks), fault reports, letters and
    meters (with their last and waiting readings): the setting, the person, one statement; the
    library one more — the visit it records."""
    few, many = make_household(zw, units=1), make_household(zw, units=1)
    make_announcement(zw, few), make_document(zw, few), make_fault(zw, few)
    for _ in range(12):
        make_announcement(zw, many), make_document(zw, many), make_fault(zw, many)
    from tests.factories import make_meter

    make_meter(zw, few.unit_ids[0])
    for _ in range(6):
        make_meter(zw, many.unit_ids[0])
    one, twelve = _signed_in(app, few), _signed_in(app, many)
    for path, statements in (("/ogloszenia", 3), ("/awarie", 3), ("/sprawy", 3),
                             ("/liczniki", 3), ("/dokumenty", 4)):
        assert queries_for(one, path) == queries_for(twelve, path) == statements, path


def test_statements_built_once_still_answer_each_person_and_cooperative_their_own(
        app, zw, baltyk):
    """The home page and the record send one statement built once per process: asked in turn
    by people of both cooperatives, each page shows its own person's units and nobody else's."""
    people = [make_household(zw, street="ul. Zielona"), make_household(zw, street="ul. Modra"),
              make_household(baltyk, street="ul. Morska"),
              make_household(baltyk, street="ul. Portowa")]
    for household in people:
        make_ledger(zw if household.slug == zw.slug else baltyk, household.unit_ids[0], 1)
    clients = [(household, _signed_in_at(app, household)) for household in people]
    for _ in range(2):
        for household, client in clients:
            home = client.get("/").get_data(as_text=True)
            record = client.get(f"/lokale/{household.unit_ids[0]}").get_data(as_text=True)
            for other in people:
                mine = other is household
                assert (other.street in home) == mine, (household.street, other.street)
                assert (other.street in record) == mine, (household.street, other.street)


def _signed_in_at(app, household):
    client = client_for(app, f"{household.slug}.localhost")
    assert client.login(household.identifier, household.password).status_code == 302
    return client


def test_the_case_queues_are_three_statements_and_their_filters_fall_back_as_the_form_does(
        app, zw, baltyk):
    """The buildings and staff the filters offer, how many cases match and the page with
    places and names: one statement. A building or member of staff not of the cooperative (or
    no longer staff) narrows nothing, and the form shows "all", as before."""
    from iok_saas.auth.models import CLERK
    from iok_saas.cases.queue import PAGE_SIZE
    from iok_saas.faults.models import FaultReport

    clerk = make_household(zw, units=0, role=CLERK)
    other_clerk = make_household(baltyk, units=0, role=CLERK)
    homes = [make_household(zw, units=1) for _ in range(3)]
    reports = [make_fault(zw, home)[0] for home in homes]
    with in_tenant(zw):
        db.session.get(FaultReport, reports[0]).assigned_to_id = clerk.user_id
    client = _signed_in(app, clerk)
    for path in ("/panel/awarie/", "/panel/sprawy/"):
        assert queries_for(client, path) == 3
    for _ in range(PAGE_SIZE):  # a second page
        make_fault(zw, homes[0])
    assert queries_for(client, "/panel/awarie/?strona=2") == 3

    def shown(query: str) -> set[int]:
        page = client.get(f"/panel/awarie/?status=all{query}").get_data(as_text=True)
        return {r for r in reports if f'href="/panel/awarie/{r}"' in page}

    assert shown("") == set(reports)
    assert shown(f"&building={homes[1].building_id}") == {reports[1]}
    assert shown(f"&building={other_clerk.building_id}") == set(reports)  # not ours: all
    assert shown("&building=99999999999") == set(reports)
    assert shown("&assigned=me") == {reports[0]}
    assert shown(f"&assigned={clerk.user_id}") == {reports[0]}
    assert shown("&assigned=nobody") == set(reports[1:])
    assert shown(f"&assigned={other_clerk.user_id}") == set(reports)  # not ours: anyone
    assert shown(f"&assigned={homes[0].user_id}") == set(reports)  # a resident: anyone
    page = client.get(f"/panel/awarie/?building={other_clerk.building_id}"
                      f"&assigned={other_clerk.user_id}").get_data(as_text=True)
    for name in ("building", "assigned"):  # the form shows the fallback too
        chosen = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert re.search(r'<option selected value="">', chosen.group(1)), name
    last = client.get("/panel/awarie/?strona=99").get_data(as_text=True)  # past the end
    assert "Strona 2 z 2" in last


def test_a_transaction_that_only_read_ends_with_commit_and_one_that_wrote_is_rolled_back(
        app, zw):
    """psycopg forgets its prepared statements at every ROLLBACK: a read-only transaction ends
    with COMMIT, so a page's statement is prepared once per connection. Anything written and
    not committed is still thrown away, however it was written."""
    from sqlalchemy import event, text, update

    from iok_saas.estate.models import Building
    from iok_saas.tenancy import tenant_context

    home = make_household(zw, units=1, street="ul. Przed")
    ended = []
    listeners = {"commit": lambda conn: ended.append("commit"),
                 "rollback": lambda conn: ended.append("rollback")}
    for name, listener in listeners.items():
        event.listen(db.engine, name, listener)
    try:
        def closed(work) -> list[str]:
            ended.clear()
            db.session.remove()
            with tenant_context(zw.id):
                work()
                db.session.close()
            return list(ended)

        assert closed(lambda: db.session.scalars(select(Unit.id)).all()) == ["commit"]
        renamed = update(Building).where(Building.id == home.building_id).values(street="X")
        assert closed(lambda: db.session.execute(renamed)) == ["rollback"]
        assert closed(lambda: db.session.execute(text(
            "UPDATE building SET street = 'Y' WHERE id = :id"), {"id": home.building_id})) \
            == ["rollback"]

        def added_and_flushed() -> None:
            db.session.add(Building(street="ul. Nowa", number="1", postal_code="00-001",
                                    city="Testowo"))
            db.session.flush()

        assert closed(added_and_flushed) == ["rollback"]
        assert closed(lambda: db.session.add(Building(
            street="ul. Nowa", number="2", postal_code="00-001", city="Testowo"))) == []
    finally:
        for name, listener in listeners.items():
            event.remove(db.engine, name, listener)
    with in_tenant(zw):
        streets = set(db.session.scalars(select(Building.street)))
    assert "ul. Przed" in streets and not streets & {"X", "Y", "ul. Nowa"}
