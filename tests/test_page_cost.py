"""Pages cost what their data costs (issue 32): the statements each page the residents and
clerks open most sends, whatever the length of what it lists — the cooperative's setting,
the signed-in person, and the page's data in one statement (``iok_saas.db.rowsets``)."""

from __future__ import annotations

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

ZW = "zielone-wzgorza.localhost"


def _signed_in(app, household):
    client = client_for(app, ZW)
    assert client.login(household.identifier, household.password).status_code == 302
    return client


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
