"""The office's pages of the general meeting (issue 36): the meetings and a new one, a meeting's
parts (and the bad ones: a building already in another part, a past day, no building), its
agenda and its notice (too late: the earliest day the first part may sit), the members' drafts
decided and registered from paper, the register of proxies checked against art. 8³ through the
page (each kind of holder, late, without the statement, a holder already taken, a member of
another cooperative), each part's attendance and votes (more than attended, more than present
in person on an election, before the part sat), the totals and their CSV, the register's CSV,
the attendance list as a PDF; convening giving notice (the announcement, the members' notices
delivered by the job) and the paper list's CSV; documents published and laid out (bad files,
no title, the minutes before the results refused; a late one marked); a draft's case with its
attachments, answered and noted, its text laid out once accepted; a proxy's scan. Residents
and anonymous visitors find nothing; another cooperative's meeting is not found.

The pages are checked by what they keep and show of the data: their wording is translated
separately."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from iok_saas.auth.models import ADMIN, CLERK, User
from iok_saas.db import db
from iok_saas.meetings import rules as law
from iok_saas.meetings import services
from iok_saas.meetings.models import (
    ACCEPTED,
    ADOPTED,
    ADVOCATE,
    CLOSE_PERSON,
    CLOSED_MEETING,
    COHABITANT,
    CONVENED,
    NOT_ADOPTED,
    OTHER_MEMBER,
    PREPARED,
    REFUSED,
    TWO_THIRDS,
    Meeting,
    MeetingDraft,
    MeetingItem,
    MeetingPart,
    MeetingProxy,
)
from iok_saas.web.formatting import WARSAW, local_today
from tests.factories import make_household, pdf_bytes
from tests.helpers import client_for, detached, in_tenant, queries_for
from tests.meeting_data import hold_parts, make_meeting, starts

BASE = "/panel/walne-zgromadzenie"
HOST = "zielone-wzgorza.localhost"
TOKEN = re.compile(r'name="([^"]*csrf_token)" type="hidden" value="([^"]+)"')


# --- helpers ------------------------------------------------------------------------------------


def _signed_in(app, host: str, household):
    client = client_for(app, host)
    assert client.login(household.identifier, household.password).status_code == 302
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


def _token(client, path: str) -> str:
    found = TOKEN.search(_text(client.get(path)))
    assert found, f"no form on {path}"
    return found.group(2)


def _post(client, page: str, action: str, fields: dict, prefix: str = "", **kwargs):
    """POST a form of ``page`` to ``action`` with the page's CSRF token (under the form's
    prefix)."""
    token = _token(client, page)
    data = {f"{prefix}csrf_token": token, **{f"{prefix}{k}": v for k, v in fields.items()}}
    return client.post(action, data=data, **kwargs)


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{re.escape(field)}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown for {field}"
    return found.group(1)


def _flash_errors(page: str) -> list[str]:
    return re.findall(r'<div class="flash flash-error" role="alert">(.*?)</div>', page, re.S)


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _meeting(tenant, meeting_id: int) -> Meeting:
    [found] = detached(tenant, select(Meeting).where(Meeting.id == meeting_id))
    return found


def _parts(tenant, meeting_id: int) -> list[MeetingPart]:
    return detached(tenant, select(MeetingPart).where(MeetingPart.meeting_id == meeting_id)
                    .order_by(MeetingPart.number))


def _proxies(tenant, meeting_id: int) -> list[MeetingProxy]:
    return detached(tenant, select(MeetingProxy).where(MeetingProxy.meeting_id == meeting_id)
                    .order_by(MeetingProxy.id))


def _move_first_part(tenant, setup, first: date) -> None:
    """Move the parts so that the first sits on ``first`` (one a day after it)."""
    with in_tenant(tenant):
        for n, part_id in enumerate(sorted(setup.part_ids)):
            db.session.execute(update(MeetingPart).where(MeetingPart.id == part_id).values(
                starts_at=starts(first + timedelta(days=n))))


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(_text(response).lstrip("\ufeff")), delimiter=";"))


@pytest.fixture
def setup(zw):
    """A meeting in two parts, convened today, its first part 30 days away."""
    return make_meeting(zw)


@pytest.fixture
def office(app, setup):
    """The meeting's clerk, signed in on Zielone Wzgórza's host."""
    return _signed_in(app, HOST, setup.staff)


# --- who may see the pages ----------------------------------------------------------------------


def _pages(setup) -> list[str]:
    m = f"{BASE}/{setup.meeting_id}"
    part = setup.part_ids[0]
    return [f"{BASE}/", m, f"{m}/projekty", f"{m}/pelnomocnictwa", f"{m}/wyniki",
            f"{m}/pelnomocnictwa.csv", f"{m}/wyniki.csv", f"{m}/czesc/{part}/lista-obecnosci.pdf"]


def test_each_page_opens_for_the_clerk_and_the_admin(app, zw, setup, office):
    for path in _pages(setup)[:5]:
        answer = office.get(path)
        assert answer.status_code == 200, path
        assert "Walne Zgromadzenie Członków 2027" in _text(answer), path
    admin = _signed_in(app, HOST, make_household(zw, units=0, role=ADMIN))
    for path in _pages(setup):
        assert admin.get(path).status_code == 200, path
    page = _text(office.get(f"{BASE}/{setup.meeting_id}"))
    dates = law.deadlines(setup.first_day, _rules(zw))
    for shown in (dates.notice_by, dates.documents_by, dates.drafts_by, dates.proxies_by):
        assert _day(shown) in page
    assert f'href="{BASE}/"' in _text(office.get("/panel/"))  # the menu's link


def _rules(tenant):
    from iok_saas.tenancy.info import get_tenant_info
    return get_tenant_info(tenant.id).settings.general_meeting


def test_residents_and_anonymous_visitors_are_turned_away(app, zw, setup):
    resident = _signed_in(app, HOST, setup.members[0])
    anonymous = client_for(app, HOST)
    for path in _pages(setup):
        assert resident.get(path).status_code == 404, path
        answer = anonymous.get(path)
        assert answer.status_code == 302 and "/logowanie" in answer.location, path
    token = resident.csrf_token("/")
    refused = resident.post(f"{BASE}/{setup.meeting_id}/porzadek",
                            data={"csrf_token": token, "title": "Uchwała mieszkańca"})
    assert refused.status_code == 404
    with in_tenant(zw):
        assert db.session.scalar(select(func.count()).select_from(MeetingItem).where(
            MeetingItem.meeting_id == setup.meeting_id)) == 3


def test_another_cooperatives_meeting_is_not_found(app, zw, baltyk, setup):
    other = _signed_in(app, "baltyk.localhost", make_household(baltyk, units=0, role=ADMIN))
    for path in _pages(setup)[1:]:
        answer = other.get(path)
        assert answer.status_code == 404, path
        assert "Walne Zgromadzenie Członków 2027" not in _text(answer)
    assert f'href="{BASE}/{setup.meeting_id}"' not in _text(other.get(f"{BASE}/"))
    m = f"{BASE}/{setup.meeting_id}"
    token = other.csrf_token(f"{BASE}/")
    for path, data in ((f"{m}/porzadek", {"title": "Obca uchwała"}),
                       (f"{m}/pelnomocnictwa", {"member": setup.members[0].identifier}),
                       (f"{m}/czesc/{setup.part_ids[0]}/obecnosc", {"present": "1"})):
        assert other.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    assert _proxies(zw, setup.meeting_id) == []


def test_unknown_ids_are_not_found(setup, office):
    m = f"{BASE}/{setup.meeting_id}"
    for path in (f"{BASE}/999999", f"{BASE}/{2 ** 40}", f"{m}/czesc/999999/lista-obecnosci.pdf",
                 f"{BASE}/999999/wyniki.csv"):
        assert office.get(path).status_code == 404, path


# --- the meeting, its parts and agenda ----------------------------------------------------------


def test_the_clerk_creates_a_meeting_and_adds_its_parts(app, zw):
    clerk = make_household(zw, units=0, role=CLERK)
    a, b = make_household(zw), make_household(zw)
    client = _signed_in(app, HOST, clerk)
    empty = _post(client, f"{BASE}/", f"{BASE}/", {"title": "  "})
    assert empty.status_code == 200 and _error(_text(empty), "title")
    made = _post(client, f"{BASE}/", f"{BASE}/", {"title": "Walne Zgromadzenie 2028"})
    assert made.status_code == 303
    meeting_id = int(made.location.rstrip("/").rsplit("/", 1)[1])
    assert _meeting(zw, meeting_id).status == PREPARED
    page = f"{BASE}/{meeting_id}"
    day = local_today() + timedelta(days=40)
    part = {"name": "Część I", "on": day.isoformat(), "at": "17:30", "place": "świetlica",
            "buildings": [str(a.building_id)]}
    added = _post(client, page, f"{page}/czesci", part)
    assert added.status_code == 303
    [first] = _parts(zw, meeting_id)
    assert first.starts_at == datetime.combine(day, time(17, 30), tzinfo=WARSAW)
    assert first.number == 1 and first.place == "świetlica"

    clash = _post(client, page, f"{page}/czesci", {**part, "name": "Część II",
                                                   "buildings": [str(a.building_id)]})
    assert clash.status_code == 200 and a.street in _error(_text(clash), "buildings")
    past = _post(client, page, f"{page}/czesci", {
        **part, "name": "Część II", "on": (local_today() - timedelta(days=1)).isoformat(),
        "buildings": [str(b.building_id)]})
    assert past.status_code == 200 and _error(_text(past), "on")
    none = _post(client, page, f"{page}/czesci", {**part, "name": "Część II", "buildings": []})
    assert none.status_code == 200 and _error(_text(none), "buildings")
    assert len(_parts(zw, meeting_id)) == 1

    item = _post(client, page, f"{page}/porzadek", {
        "title": "Zmiana statutu", "resolution": "yes", "elects": "no",
        "majority": TWO_THIRDS, "source": "board"})
    assert item.status_code == 303
    [found] = detached(zw, select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
    assert found.resolution and found.majority == TWO_THIRDS and not found.elects
    assert found.number == f"1/{day.year}"
    no_title = _post(client, page, f"{page}/porzadek", {"title": "", "resolution": "yes",
                                                        "elects": "no", "majority": "simple",
                                                        "source": "board"})
    assert _error(_text(no_title), "title")
    shown = _text(client.get(page))
    assert "Zmiana statutu" in shown and "1/" in shown
    assert _day(day - timedelta(days=22)) in shown  # the notice's deadline: 21 whole days


def test_convening_too_late_names_the_earliest_day(app, zw):
    setup = make_meeting(zw, convened=False, first_in_days=10)
    client = _signed_in(app, HOST, setup.staff)
    page = f"{BASE}/{setup.meeting_id}"
    earliest = _day(local_today() + timedelta(days=22))
    shown = _text(client.get(page))
    assert earliest in shown and "disabled" in shown
    answer = _post(client, page, f"{page}/zwolanie", {})
    assert answer.status_code == 303
    [message] = _flash_errors(_text(client.get(answer.location)))
    assert earliest in message
    assert _meeting(zw, setup.meeting_id).status == PREPARED


def test_convening_in_time(app, zw):
    setup = make_meeting(zw, convened=False, first_in_days=30)
    client = _signed_in(app, HOST, setup.staff)
    page = f"{BASE}/{setup.meeting_id}"
    assert _post(client, page, f"{page}/zwolanie", {}).status_code == 303
    found = _meeting(zw, setup.meeting_id)
    assert found.status == CONVENED and found.notice_on == local_today()
    # convened: the parts' dates are fixed
    refused = _post(client, page, f"{page}/czesci", {
        "name": "Część III", "on": (local_today() + timedelta(days=40)).isoformat(),
        "at": "17:00", "place": "sala", "buildings": [str(make_household(zw).building_id)]})
    assert refused.status_code == 200 and _flash_errors(_text(refused))
    assert len(_parts(zw, setup.meeting_id)) == 2


def test_a_member_in_several_parts_is_placed_in_one(app, zw):
    setup = make_meeting(zw, convened=False)
    with in_tenant(zw):
        from iok_saas.estate.models import Unit, UnitTitle
        unit = db.session.scalar(select(Unit).where(
            Unit.building_id == setup.members[1].building_id).limit(1))
        extra = Unit(building_id=setup.members[1].building_id, number="99")
        db.session.add(extra)
        db.session.flush()
        db.session.add(UnitTitle(unit_id=extra.id, user_id=setup.members[0].user_id))
        assert unit is not None
    client = _signed_in(app, HOST, setup.staff)
    page = f"{BASE}/{setup.meeting_id}"
    shown = _text(client.get(page))
    assert setup.members[0].identifier in shown
    member = setup.members[0].user_id
    answer = _post(client, page, f"{page}/czlonek/{member}/czesc",
                   {"member": str(member), "part": str(setup.part_ids[1])}, prefix=f"s{member}-")
    assert answer.status_code == 303
    assert f"{page}/czlonek/{member}/czesc" not in _text(client.get(page))


# --- members' drafts ----------------------------------------------------------------------------


def test_paper_drafts_are_registered_decided_and_counted_on_the_start_page(setup, office, zw):
    page = f"{BASE}/{setup.meeting_id}/projekty"
    assert f'href="{BASE}/"' not in _text(office.get("/panel/")).split("<main", 1)[1]
    unknown = _post(office, page, f"{page}/papierowy", {
        "member": "NIEMA1", "title": "Projekt", "text": "Treść",
        "received_on": local_today().isoformat()})
    assert _error(_text(unknown), "member")
    too_few = _post(office, page, f"{page}/papierowy", {
        "member": setup.members[0].identifier, "title": "Projekt", "text": "Treść",
        "supporters": "9", "received_on": local_today().isoformat()})
    assert _error(_text(too_few), "supporters")
    for title in ("Obniżenie opłat", "Nowy plac zabaw"):
        done = _post(office, page, f"{page}/papierowy", {
            "member": setup.members[0].identifier, "title": title, "text": "Treść projektu.",
            "supporters": "11", "received_on": local_today().isoformat()})
        assert done.status_code == 303
    drafts = detached(zw, select(MeetingDraft).where(MeetingDraft.meeting_id == setup.meeting_id)
                      .order_by(MeetingDraft.id))
    assert [d.subject for d in drafts] == ["Obniżenie opłat", "Nowy plac zabaw"]
    assert all(d.in_time and d.is_open for d in drafts)
    shown = _text(office.get(page))
    assert drafts[0].registry_number in shown and drafts[0].registry_number.startswith("KO/")
    assert f'href="{BASE}/"' in _text(office.get("/panel/")).split("<main", 1)[1]

    first, second = drafts
    accepted = _post(office, page, f"{page}/{first.id}/przyjecie", {})
    assert accepted.status_code == 303
    [item] = detached(zw, select(MeetingItem).where(MeetingItem.draft_case_id == first.id))
    assert item.title == "Obniżenie opłat" and item.source == "members"
    no_reason = _post(office, page, f"{page}/{second.id}/odmowa", {"reason": ""},
                      prefix=f"r{second.id}-")
    assert _error(_text(no_reason), f"r{second.id}-reason")
    refused = _post(office, page, f"{page}/{second.id}/odmowa",
                    {"reason": "Sprawa nie należy do walnego zgromadzenia."},
                    prefix=f"r{second.id}-")
    assert refused.status_code == 303
    [second] = detached(zw, select(MeetingDraft).where(MeetingDraft.id == second.id))
    assert not second.is_open and "walnego" in second.close_reason


def test_a_late_paper_draft_is_refused_with_the_dates(setup, office, zw):
    _move_first_part(zw, setup, local_today() + timedelta(days=10))
    page = f"{BASE}/{setup.meeting_id}/projekty"
    done = _post(office, page, f"{page}/papierowy", {
        "member": setup.members[0].identifier, "title": "Spóźniony projekt", "text": "Treść.",
        "supporters": "10", "received_on": local_today().isoformat()})
    assert done.status_code == 303
    [draft] = detached(zw, select(MeetingDraft).where(
        MeetingDraft.meeting_id == setup.meeting_id))
    assert not draft.in_time and not draft.is_open
    assert _day(local_today() - timedelta(days=5)) in draft.close_reason
    shown = _text(office.get(page))
    assert draft.registry_number in shown and "przyjecie" not in shown


# --- the register of proxies --------------------------------------------------------------------


def _proxy(client, setup, **fields):
    page = f"{BASE}/{setup.meeting_id}/pelnomocnictwa"
    data = {"member": setup.members[0].identifier, "holder_kind": ADVOCATE,
            "holder_name": "mec. Jan Adwokat", "holder_identifier": "",
            "received_on": local_today().isoformat(), "note": "", **fields}
    return _post(client, page, page, data, content_type="multipart/form-data")


def test_proxies_of_each_kind_are_checked_through_the_page(zw, setup, office):
    b = setup.members[1]
    extra = make_household(zw)  # a member sitting in no part yet
    holder = make_household(zw)  # a member who holds a proxy
    assert _proxy(office, setup).status_code == 303  # an advocate: stands
    assert _proxy(office, setup, member=b.identifier, holder_kind=CLOSE_PERSON,
                  holder_name="Anna Córka").status_code == 303  # no statement
    assert _proxy(office, setup, member=b.identifier, holder_kind=COHABITANT,
                  holder_name="Piotr Partner").status_code == 303
    assert _proxy(office, setup, member=b.identifier, holder_kind=CLOSE_PERSON,
                  holder_name="Anna Córka", statement="y",
                  scan=(io.BytesIO(pdf_bytes("Pełnomocnictwo")), "skan.pdf")).status_code == 303
    assert _proxy(office, setup, member=extra.identifier, holder_kind=OTHER_MEMBER,
                  holder_name="", holder_identifier=holder.identifier).status_code == 303
    assert _proxy(office, setup, member=holder.identifier, holder_kind=OTHER_MEMBER,
                  holder_name="", holder_identifier=extra.identifier).status_code == 303
    made = make_household(zw)
    assert _proxy(office, setup, member=made.identifier, holder_kind=OTHER_MEMBER,
                  holder_name="", holder_identifier=holder.identifier).status_code == 303
    found = _proxies(zw, setup.meeting_id)
    assert [(p.status, p.reasons) for p in found] == [
        (ACCEPTED, []), (REFUSED, [law.NO_STATEMENT]), (REFUSED, [law.NOT_ALLOWED]),
        (ACCEPTED, []), (ACCEPTED, []), (ACCEPTED, []), (REFUSED, [law.HOLDER_TAKEN])]
    assert found[0].part_id == setup.part_ids[0] and found[4].part_id is None
    assert found[3].filename == "skan.pdf" and found[3].file_id is not None
    shown = _text(office.get(f"{BASE}/{setup.meeting_id}/pelnomocnictwa"))
    assert shown.count('class="badge badge-warn"') == 3
    # the desk: part 1 has the advocate, the resolutions the holders do not vote on
    desk = shown.split('id="stolik"', 1)[1]
    assert "mec. Jan Adwokat" in desk and "Piotr Partner" not in desk
    [election] = detached(zw, select(MeetingItem).where(MeetingItem.id == setup.item_ids[2]))
    assert election.number in desk


def test_a_late_proxy_and_a_member_of_another_cooperative(zw, baltyk, setup, office):
    stranger = make_household(baltyk)
    answer = _proxy(office, setup, member=stranger.identifier)
    assert answer.status_code == 200 and _error(_text(answer), "member")
    assert _proxies(zw, setup.meeting_id) == []
    _move_first_part(zw, setup, local_today() + timedelta(days=2))
    assert _proxy(office, setup).status_code == 303
    [late] = _proxies(zw, setup.meeting_id)
    assert late.status == REFUSED and late.reasons == [law.LATE]
    shown = _text(office.get(f"{BASE}/{setup.meeting_id}/pelnomocnictwa"))
    assert _day(local_today() - timedelta(days=1)) in shown  # by when it had to come
    future = _proxy(office, setup, received_on=(local_today() + timedelta(days=1)).isoformat())
    assert _error(_text(future), "received_on")
    assert len(_proxies(zw, setup.meeting_id)) == 1


def test_the_register_as_csv_and_a_proxy_withdrawn(zw, setup, office):
    _proxy(office, setup)
    _proxy(office, setup, member=setup.members[1].identifier, holder_kind=COHABITANT,
           holder_name="=Piotr Partner")
    rows = _csv(office.get(f"{BASE}/{setup.meeting_id}/pelnomocnictwa.csv"))
    assert [r["identyfikator"] for r in rows] == [m.identifier for m in setup.members]
    assert rows[0]["pelnomocnik"] == "mec. Jan Adwokat" and rows[0]["status"]
    assert rows[0]["powody"] == "" and rows[0]["czesc"] == "1"
    assert rows[1]["pelnomocnik"] == "'=Piotr Partner"  # not a formula
    assert rows[1]["powody"] == law.reason_text(law.NOT_ALLOWED)
    assert rows[0]["wplynelo"] == _day(local_today())
    first = _proxies(zw, setup.meeting_id)[0]
    page = f"{BASE}/{setup.meeting_id}/pelnomocnictwa"
    assert _post(office, page, f"{page}/{first.id}/wycofanie", {}).status_code == 303
    assert _proxies(zw, setup.meeting_id)[0].withdrawn_at is not None
    rows = _csv(office.get(f"{BASE}/{setup.meeting_id}/pelnomocnictwa.csv"))
    assert [r["identyfikator"] for r in rows] == [setup.members[1].identifier]


# --- attendance and results ---------------------------------------------------------------------


def _attendance(client, setup, part_id: int, present, by_proxy):
    page = f"{BASE}/{setup.meeting_id}/wyniki"
    return _post(client, page, f"{BASE}/{setup.meeting_id}/czesc/{part_id}/obecnosc",
                 {"present": str(present), "by_proxy": str(by_proxy)}, prefix=f"a{part_id}-")


def _votes(client, setup, part_id: int, item_id: int, yes, no, abstained=0,
           page: str | None = None):
    page = page or f"{BASE}/{setup.meeting_id}/wyniki"
    return _post(client, page, f"{BASE}/{setup.meeting_id}/czesc/{part_id}/glosy/{item_id}",
                 {"votes_for": str(yes), "against": str(no), "abstained": str(abstained)},
                 prefix=f"v{part_id}-{item_id}-")


def test_attendance_is_refused_before_the_part_sat(zw, setup, office):
    answer = _attendance(office, setup, setup.part_ids[0], 1, 0)
    assert answer.status_code == 200 and _flash_errors(_text(answer))
    assert all(p.present is None for p in _parts(zw, setup.meeting_id))


def test_attendance_votes_totals_and_their_publication(zw, setup, office):
    one, two = setup.part_ids
    _report, resolution, election = setup.item_ids
    _proxy(office, setup)  # the member of part 1 is represented by an advocate
    hold_parts(zw, setup)
    too_many = _attendance(office, setup, one, 2, 0)
    assert _error(_text(too_many), f"a{one}-present")
    not_a_number = _attendance(office, setup, one, "dwa", 0)
    assert _error(_text(not_a_number), f"a{one}-present")
    assert _attendance(office, setup, one, 0, 1).status_code == 303
    assert _attendance(office, setup, two, 1, 0).status_code == 303
    assert [(p.present, p.by_proxy) for p in _parts(zw, setup.meeting_id)] == [(0, 1), (1, 0)]

    exceeds = _votes(office, setup, one, resolution, 2, 0)
    assert "2" in _error(_text(exceeds), f"v{one}-{resolution}-votes_for")
    in_person = _votes(office, setup, one, election, 1, 0)
    assert "16" in _error(_text(in_person), f"v{one}-{election}-votes_for")
    assert _votes(office, setup, one, resolution, 1, 0).status_code == 303
    before = _csv(office.get(f"{BASE}/{setup.meeting_id}/wyniki.csv"))
    assert [r["czesci_glosowaly"] for r in before] == ["1", "0"]
    assert _votes(office, setup, two, resolution, 0, 1).status_code == 303
    assert _votes(office, setup, one, election, 0, 0).status_code == 303
    assert _votes(office, setup, two, election, 1, 0).status_code == 303

    rows = _csv(office.get(f"{BASE}/{setup.meeting_id}/wyniki.csv"))
    by_number = {r["numer"]: r for r in rows}
    items = {i.id: i for i in detached(zw, select(MeetingItem).where(
        MeetingItem.meeting_id == setup.meeting_id))}
    first, second = by_number[items[resolution].number], by_number[items[election].number]
    assert (first["za"], first["przeciw"], first["czesci_glosowaly"]) == ("1", "1", "2")
    assert first["czesc_1"] == "1/0/0" and first["czesc_2"] == "0/1/0"
    assert first["powod"] and second["powod"] == ""
    assert len(rows) == 2  # the report is not voted on
    shown = _text(office.get(f"{BASE}/{setup.meeting_id}/wyniki"))
    assert items[election].title in shown

    page = f"{BASE}/{setup.meeting_id}/wyniki"
    assert _post(office, page, f"{BASE}/{setup.meeting_id}/publikacja", {}).status_code == 303
    assert _meeting(zw, setup.meeting_id).status == CLOSED_MEETING
    items = {i.id: i for i in detached(zw, select(MeetingItem).where(
        MeetingItem.meeting_id == setup.meeting_id))}
    assert items[resolution].outcome == NOT_ADOPTED and items[election].outcome == ADOPTED
    closed = _votes(office, setup, one, resolution, 1, 0, page=f"{BASE}/")
    assert closed.status_code == 200 and _flash_errors(_text(closed))


def test_results_are_not_published_before_every_part_voted(zw, setup, office):
    hold_parts(zw, setup)
    page = f"{BASE}/{setup.meeting_id}/wyniki"
    answer = _post(office, page, f"{BASE}/{setup.meeting_id}/publikacja", {})
    assert answer.status_code == 303
    assert _flash_errors(_text(office.get(answer.location)))
    assert _meeting(zw, setup.meeting_id).status == CONVENED


def test_the_attendance_list_downloads_as_a_pdf(zw, setup, office):
    _proxy(office, setup)
    answer = office.get(f"{BASE}/{setup.meeting_id}/czesc/{setup.part_ids[0]}"
                        "/lista-obecnosci.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF")
    assert "lista-obecnosci" in answer.headers["Content-Disposition"]


# --- the notice given on convening --------------------------------------------------------------


def test_convening_through_the_page_announces_the_meeting_and_delivers_the_notices(app, zw):
    from iok_saas.announcements.models import MEETING, Announcement
    from iok_saas.delivery.models import UnitDocument
    from tests.fixtures.mail import run_burst_worker

    setup = make_meeting(zw, convened=False, first_in_days=30)
    client = _signed_in(app, HOST, setup.staff)
    page = f"{BASE}/{setup.meeting_id}"
    assert _post(client, page, f"{page}/zwolanie", {}).status_code == 303
    assert _meeting(zw, setup.meeting_id).status == CONVENED
    [announcement] = detached(zw, select(Announcement).where(Announcement.kind == MEETING))
    assert "Walne Zgromadzenie Członków 2027" in announcement.title
    result = run_burst_worker(app.config)
    assert result.returncode == 0, result.stderr
    notices = detached(zw, select(UnitDocument).where(UnitDocument.kind == "meeting_notice"))
    assert sorted(d.person_id for d in notices) == sorted(m.user_id for m in setup.members)


def test_a_refused_convening_gives_no_notice(app, zw):
    from iok_saas.announcements.models import Announcement

    setup = make_meeting(zw, convened=False, first_in_days=10)
    client = _signed_in(app, HOST, setup.staff)
    page = f"{BASE}/{setup.meeting_id}"
    assert _post(client, page, f"{page}/zwolanie", {}).status_code == 303
    assert _meeting(zw, setup.meeting_id).status == PREPARED
    assert detached(zw, select(Announcement)) == []


# --- the paper list of the notice ---------------------------------------------------------------


def test_there_is_no_paper_list_before_the_notice(app, zw):
    waiting = make_meeting(zw, convened=False)
    client = _signed_in(app, HOST, waiting.staff)
    path = f"{BASE}/{waiting.meeting_id}/zawiadomienia-papierowe.csv"
    assert path not in _text(client.get(f"{BASE}/{waiting.meeting_id}"))
    assert client.get(path).status_code == 404


def test_the_paper_list_of_the_notice_downloads_once_convened(setup, office):
    client = office
    path = f"{BASE}/{setup.meeting_id}/zawiadomienia-papierowe.csv"
    shown = _text(client.get(f"{BASE}/{setup.meeting_id}"))
    assert f'href="{path}"' in shown
    assert "(2)" in shown.split(path, 1)[1][:200]  # neither member consented to e-delivery
    answer = client.get(path)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    text = _text(answer)
    assert text.startswith("\ufeff")
    assert all(m.identifier in text for m in setup.members)
    assert setup.staff.identifier not in text


# --- the meeting's documents --------------------------------------------------------------------


def _document(client, setup, **fields):
    page = f"{BASE}/{setup.meeting_id}"
    data = {"title": "Sprawozdanie zarządu za 2026 r.", "number": "", "role": "report",
            "file": (io.BytesIO(pdf_bytes("Sprawozdanie")), "sprawozdanie.pdf"), **fields}
    return _post(client, page, f"{page}/dokumenty", data, content_type="multipart/form-data")


def _documents(tenant, meeting_id: int):
    from iok_saas.meetings.models import MeetingDocument
    return detached(tenant, select(MeetingDocument).where(
        MeetingDocument.meeting_id == meeting_id).order_by(MeetingDocument.id))


def test_a_document_is_published_and_laid_out_for_the_meeting(zw, setup, office):
    from iok_saas.documents.models import Document

    answer = _document(office, setup, number="S/2026")
    assert answer.status_code == 303 and answer.location.endswith("#dokumenty")
    [link] = _documents(zw, setup.meeting_id)
    assert link.role == "report"
    [document] = detached(zw, select(Document).where(Document.id == link.document_id))
    assert (document.title, document.number) == ("Sprawozdanie zarządu za 2026 r.", "S/2026")
    shown = _text(office.get(f"{BASE}/{setup.meeting_id}")).split('id="dokumenty"', 1)[1]
    assert "Sprawozdanie zarządu za 2026 r." in shown.split("</ul>", 1)[0]
    assert "badge-warn" not in shown.split("</ul>", 1)[0]  # laid out in time


def test_bad_documents_are_refused_and_nothing_is_kept(zw, setup, office):
    from iok_saas.documents.models import Document

    not_pdf = _document(office, setup, file=(io.BytesIO(b"just text"), "sprawozdanie.pdf"))
    assert not_pdf.status_code == 200 and _error(_text(not_pdf), "file")
    renamed = _document(office, setup, file=(io.BytesIO(b"just text"), "notatka.txt"))
    assert renamed.status_code == 200 and _error(_text(renamed), "file")
    no_file = _document(office, setup, file=(io.BytesIO(b""), ""))
    assert no_file.status_code == 200 and _error(_text(no_file), "file")
    no_title = _document(office, setup, title="  ")
    assert no_title.status_code == 200 and _error(_text(no_title), "title")
    minutes = _document(office, setup, title="Protokół", role="minutes")
    assert minutes.status_code == 200 and _error(_text(minutes), "role")
    assert _documents(zw, setup.meeting_id) == []
    assert detached(zw, select(Document)) == []


def test_a_document_laid_out_after_the_deadline_is_marked(zw, setup, office):
    _move_first_part(zw, setup, local_today() + timedelta(days=10))
    assert _document(office, setup, title="Projekt uchwały nr 1",
                     role="draft").status_code == 303
    shown = _text(office.get(f"{BASE}/{setup.meeting_id}")).split('id="dokumenty"', 1)[1]
    listed = shown.split("</ul>", 1)[0]
    by = law.deadlines(local_today() + timedelta(days=10), _rules(zw)).documents_by
    assert "Projekt uchwały nr 1" in listed and "badge-warn" in listed and _day(by) in listed


def test_the_minutes_are_laid_out_after_the_results(zw, setup, office):
    with in_tenant(zw):
        db.session.execute(update(Meeting).where(Meeting.id == setup.meeting_id).values(
            status=CLOSED_MEETING))
    report = _document(office, setup)  # a report no longer
    assert report.status_code == 200 and _error(_text(report), "role")
    assert _document(office, setup, title="Protokół walnego zgromadzenia",
                     role="minutes").status_code == 303
    [link] = _documents(zw, setup.meeting_id)
    assert link.role == "minutes"


# --- a member's draft: its case, its attachments, its text laid out -----------------------------


def _member_draft(tenant, setup):
    from iok_saas.auth.models import User
    from iok_saas.cases.kinds import Upload
    from iok_saas.meetings import services

    with in_tenant(tenant):
        draft = services.submit_draft(
            services.meeting(setup.meeting_id),
            db.session.get(User, setup.members[0].user_id),
            title="W sprawie zieleni osiedlowej", text="Walne Zgromadzenie postanawia posadzić "
            "dęby.", supporters=12, uploads=[Upload("lista.pdf", pdf_bytes("Lista"))],
            submission="s-1", rules=_rules(tenant))
        return draft.id


def _attachment_url(page: str) -> str:
    found = re.search(rf'href="({BASE}/projekty/\d+/zalaczniki/\d+)"', page)
    assert found, "no attachment link"
    return found.group(1)


def test_the_office_reads_a_drafts_case_with_its_attachment_and_notes_on_it(zw, setup, office):
    from iok_saas.cases.models import CaseEvent

    draft_id = _member_draft(zw, setup)
    case = f"{BASE}/projekty/{draft_id}"
    assert f'href="{case}"' in _text(office.get(f"{BASE}/{setup.meeting_id}/projekty"))
    shown = _text(office.get(case))
    assert "posadzić dęby" in shown and "W sprawie zieleni osiedlowej" in shown
    attachment = office.get(_attachment_url(shown))
    assert attachment.status_code == 200 and attachment.data.startswith(b"%PDF")
    noted = _post(office, case, case, {"answer": "", "note": "Sprawdzić podpisy na liście.",
                                       "status": "", "assign_to": "", "close_reason": ""},
                  content_type="multipart/form-data")
    assert noted.status_code == 302
    answered = _post(office, case, case, {
        "answer": "Prosimy o uzupełnienie adresów popierających.", "note": "", "status": "",
        "assign_to": "", "close_reason": ""}, content_type="multipart/form-data")
    assert answered.status_code == 302
    events = detached(zw, select(CaseEvent).where(CaseEvent.case_id == draft_id)
                      .order_by(CaseEvent.id))
    assert [(e.kind, e.public) for e in events if e.kind in ("note", "reply")] == [
        ("note", False), ("reply", True)]
    shown = _text(office.get(case))
    assert "Sprawdzić podpisy" in shown and "uzupełnienie adresów" in shown


def test_a_drafts_case_is_not_found_elsewhere(app, zw, baltyk, setup, office):
    draft_id = _member_draft(zw, setup)
    case = f"{BASE}/projekty/{draft_id}"
    attachment = _attachment_url(_text(office.get(case)))
    other = _signed_in(app, "baltyk.localhost", make_household(baltyk, units=0, role=ADMIN))
    for path in (case, attachment):
        answer = other.get(path)
        assert answer.status_code == 404, path
        assert "zieleni" not in _text(answer)
    resident = _signed_in(app, HOST, setup.members[1])
    assert resident.get(case).status_code == 404
    assert resident.get(attachment).status_code == 404
    assert office.get(f"{BASE}/projekty/999999").status_code == 404


def test_accepting_a_draft_lays_its_text_out_for_members(zw, setup, office):
    from iok_saas.documents.models import Document

    draft_id = _member_draft(zw, setup)
    page = f"{BASE}/{setup.meeting_id}/projekty"
    assert _post(office, page, f"{page}/{draft_id}/przyjecie", {}).status_code == 303
    [item] = detached(zw, select(MeetingItem).where(MeetingItem.draft_case_id == draft_id))
    assert item.document_id is not None
    [link] = _documents(zw, setup.meeting_id)
    assert (link.document_id, link.role) == (item.document_id, "draft")
    [document] = detached(zw, select(Document).where(Document.id == item.document_id))
    assert document.title == "W sprawie zieleni osiedlowej"
    assert document.number.startswith("KO/")
    shown = _text(office.get(f"{BASE}/{setup.meeting_id}")).split('id="dokumenty"', 1)[1]
    assert "W sprawie zieleni osiedlowej" in shown.split("</ul>", 1)[0]


# --- the proxy's scan ---------------------------------------------------------------------------


def test_the_office_opens_a_proxys_scan(app, zw, baltyk, setup, office):
    assert _proxy(office, setup, scan=(io.BytesIO(pdf_bytes("Pełnomocnictwo")),
                                       "skan.pdf")).status_code == 303
    assert _proxy(office, setup, member=setup.members[1].identifier).status_code == 303
    with_scan, without = _proxies(zw, setup.meeting_id)
    path = f"{BASE}/{setup.meeting_id}/pelnomocnictwa/{with_scan.id}/skan"
    assert f'href="{path}"' in _text(office.get(f"{BASE}/{setup.meeting_id}/pelnomocnictwa"))
    answer = office.get(path)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF") and "skan.pdf" in answer.headers[
        "Content-Disposition"]
    assert office.get(f"{BASE}/{setup.meeting_id}/pelnomocnictwa/{without.id}/skan"
                      ).status_code == 404
    assert _signed_in(app, HOST, setup.members[0]).get(path).status_code == 404
    other = _signed_in(app, "baltyk.localhost", make_household(baltyk, units=0, role=ADMIN))
    assert other.get(path).status_code == 404


# --- what the pages cost ------------------------------------------------------------------------


def _grow(zw, setup, members: int) -> None:
    """More members (in no part's building: to be placed), each with a proxy in the register
    and a draft handed in on paper."""
    for _ in range(members):
        make_household(zw, units=1)
    with in_tenant(zw):
        meeting = db.session.get(Meeting, setup.meeting_id)
        clerk = db.session.get(User, setup.staff.user_id)
        rules = _rules(zw)
        taken = {p.member_id for p in services.proxies_of(meeting)}
        for n, member in enumerate(db.session.scalars(select(User).where(
                User.role == "resident").order_by(User.id))):
            if member.id not in taken and services.is_member(member.id, rules):
                services.register_proxy(meeting, services.ProxyInput(
                    member=member.identifier, holder_kind="advocate",
                    holder_name=f"adw. Pełnomocnik {member.id}", received_on=local_today(),
                    note=str(n)), clerk, rules)
                services.register_paper_draft(
                    meeting, member, title=f"Projekt {n}", text="Treść projektu.",
                    supporters=10, received_on=local_today(), actor=clerk, rules=rules)


@pytest.mark.parametrize("path", ["", "/pelnomocnictwa", "/wyniki", "/projekty"])
def test_the_office_pages_cost_the_same_for_few_members_and_many(app, zw, path):
    """The register, the results and the meeting's page: their statements do not grow with
    the members and the proxies (a cooperative of 2 000 members opens them as fast)."""
    setup = make_meeting(zw, parts=2)
    page = f"{BASE}/{setup.meeting_id}{path}"
    client = _signed_in(app, HOST, setup.staff)
    _grow(zw, setup, 1)  # one of everything: a proxy, a member to place
    few = queries_for(client, page)
    _grow(zw, setup, 12)
    assert queries_for(client, page) == few
