"""The office's side of settlements (issue 35): the list per building with what became of each
settlement (delivered, opened — the delivery's proof —, questioned), one settlement version
with its units and its versions, one unit's line as the resident reads it (kept as a look at
their data), and the questions about settlements: the queue, its export, the case page where
the office answers. Residents and anonymous visitors find nothing; another cooperative's ids
are not found; the list pages cost the same number of queries for few settlements and many.

The pages are checked by what they show of the data (numbers, dates, addresses, links): their
wording is translated separately."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from iok_saas.audit.models import DataView
from iok_saas.auth.models import ADMIN, CLERK, User
from iok_saas.cases import files as case_files
from iok_saas.cases import services as cases
from iok_saas.cases.kinds import Upload
from iok_saas.cases.models import CaseEvent
from iok_saas.db import db, utcnow
from iok_saas.delivery import services as delivery
from iok_saas.estate.models import Building, Unit
from iok_saas.mail.models import OutboxMessage
from iok_saas.settlements import services
from iok_saas.settlements.models import (
    CLOSED,
    HEATING,
    IN_PROGRESS,
    RECEIVED,
    WAITING,
    Settlement,
    SettlementLine,
    SettlementQuestion,
)
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import WARSAW
from tests.factories import make_household, pdf_bytes
from tests.helpers import client_for, detached, in_tenant, queries_for
from tests.settlement_data import (
    heating_rows,
    import_settlements,
    make_settled_estate,
    water_rows,
)

BASE = "/panel/rozliczenia"
QUEUE = f"{BASE}/pytania/"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# --- data ---------------------------------------------------------------------------------------


def _settled(tenant, tmp_path, *, water: bool = True):
    """A settled estate with its 2025 heating (and water) settlements imported."""
    estate = make_settled_estate(tenant)
    report = import_settlements(tenant, tmp_path,
                                heating_rows(estate) + (water_rows(estate) if water else []))
    assert report.ok, "\n".join(report.lines())
    return estate


def _settlement_id(tenant, estate, medium: str = HEATING, version: int | None = None) -> int:
    with in_tenant(tenant):
        stmt = select(Settlement.id).where(Settlement.building_id == estate.building_id,
                                           Settlement.medium == medium)
        if version is None:
            stmt = stmt.where(Settlement.replaced_at.is_(None))
        else:
            stmt = stmt.where(Settlement.version == version)
        return db.session.scalar(stmt)


def _line_ids(tenant, settlement_id: int) -> dict[int, int]:
    """unit id → line id of one settlement."""
    with in_tenant(tenant):
        return dict(db.session.execute(select(SettlementLine.unit_id, SettlementLine.id).where(
            SettlementLine.settlement_id == settlement_id)).all())


def _line(tenant, estate, letter: str, medium: str = HEATING) -> int:
    return _line_ids(tenant, _settlement_id(tenant, estate, medium))[estate.unit_ids[letter]]


def _deliver(tenant, line_id: int, *, opened_by: int | None = None) -> int:
    """Deliver the line's settlement to its unit as the import's job does (a PDF, proof per
    person holding the unit), optionally opened by one of them; the document's id."""
    with in_tenant(tenant):
        line = db.session.get(SettlementLine, line_id)
        unit = db.session.get(Unit, line.unit_id)
        document, _new = delivery.deliver(
            delivery.Parcel(unit_id=unit.id, kind="settlement",
                            title=services.title_of(line.settlement)),
            pdf_bytes(f"Rozliczenie {line_id}"), f"rozliczenie-{line_id}.pdf", unit=unit,
            tenant=get_tenant_info(tenant.id), actor="test")
        line.document_id, line.delivered_at = document.id, document.made_available_at
        if opened_by is not None:
            delivery.opened(document, db.session.get(User, opened_by))
        return document.id


def _ask(tenant, line_id: int, user_id: int, text: str = "Proszę o wyjaśnienie zużycia.",
         files: tuple[Upload, ...] = ()) -> int:
    """A question about the line, as the resident's page files it."""
    with in_tenant(tenant):
        line = services.staff_line(line_id)
        rules = get_tenant_info(tenant.id).settings.settlements
        return services.ask(line, db.session.get(User, user_id), text, files,
                            cases.new_submission(), rules).id


def _plain_settlement(tenant, units: int, *, year: int = 2024) -> tuple[int, list[int]]:
    """A building of ``units`` units with a heating settlement of one line each (saved as it
    stands, not through the import: only the office's list is read from it)."""
    with in_tenant(tenant):
        building = Building(street=f"ul. Liczna {units}-{year}", number="1",
                            postal_code="00-002", city="Testowo")
        building.units = [Unit(number=str(i)) for i in range(1, units + 1)]
        db.session.add(building)
        db.session.flush()
        settlement = Settlement(
            building_id=building.id, medium=HEATING, period_start=date(year, 1, 1),
            period_end=date(year, 12, 31), cost=Decimal(units * 10), fixed_cost=Decimal(0),
            variable_cost=Decimal(units * 10), difference_cost=Decimal(0), digest="x" * 64,
            imported_at=utcnow())
        db.session.add(settlement)
        db.session.flush()
        lines = [SettlementLine(settlement_id=settlement.id, unit_id=unit.id,
                                fixed_cost=Decimal(0), variable_cost=Decimal(10),
                                difference_cost=Decimal(0), cost=Decimal(10),
                                advances=Decimal(5 if i % 2 else 15),
                                result=Decimal(5 if i % 2 else -5), digest="y" * 64)
                 for i, unit in enumerate(building.units)]
        db.session.add_all(lines)
        db.session.flush()
        return settlement.id, [line.id for line in lines]


def _question(tenant, case_id: int) -> SettlementQuestion:
    [found] = detached(tenant, select(SettlementQuestion).where(SettlementQuestion.id == case_id))
    return found


def _events(tenant, case_id: int) -> list[str]:
    with in_tenant(tenant):
        return list(db.session.scalars(select(CaseEvent.kind).where(
            CaseEvent.case_id == case_id).order_by(CaseEvent.id)))


def _mails(tenant, template: str) -> list[OutboxMessage]:
    return detached(tenant, select(OutboxMessage).where(OutboxMessage.template == template)
                    .order_by(OutboxMessage.created_at))


class _Tables(HTMLParser):
    """The body rows of a page's tables: each row's cells as text, and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[list[str], list[str]]] = []
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append(([], []))
        elif tag in ("td", "th") and self._in_body and self.rows:
            self._cell = []
        elif tag == "a" and self._in_body and self.rows:
            self.rows[-1][1].append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1][0].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _rows(page: str) -> list[tuple[list[str], list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.rows


def _row_with(page: str, href: str) -> list[str]:
    """The cells of the table row that links to ``href``."""
    [cells] = [cells for cells, links in _rows(page) if href in links]
    return cells


def _links_of_row(page: str, href: str) -> list[str]:
    """The links of the table row that links to ``href``."""
    [links] = [links for _cells, links in _rows(page) if href in links]
    return links


def _text(response) -> str:
    return response.get_data(as_text=True)


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown for {field}"
    return found.group(1)


def _post_case(client, case_id: int, fields: dict, files=None):
    """POST the case page's form with its CSRF token (multipart, as the page sends it)."""
    path = f"{QUEUE}{case_id}"
    token = CSRF.search(_text(client.get(path))).group(1)
    data = {"csrf_token": token, "answer": "", "note": "", "status": "", "assign_to": "",
            "close_reason": "", **fields}
    if files:
        data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(path, data=data, content_type="multipart/form-data")


def _signed_in(app, host: str, household):
    client = client_for(app, host)
    assert client.login(household.identifier, household.password).status_code == 302
    return client


@pytest.fixture
def clerk(zw):
    return make_household(zw, units=0, role=CLERK, last_name="Rozliczająca")


@pytest.fixture
def office(app, clerk):
    """The clerk, signed in on Zielone Wzgórza's host."""
    return _signed_in(app, "zielone-wzgorza.localhost", clerk)


@pytest.fixture
def admin_client(app, zw):
    return _signed_in(app, "zielone-wzgorza.localhost", make_household(zw, units=0, role=ADMIN))


# --- services -----------------------------------------------------------------------------------


def test_the_office_list_counts_delivered_opened_and_questioned_lines(zw, tmp_path, clerk):
    estate = _settled(zw, tmp_path)
    a, b = _line(zw, estate, "A"), _line(zw, estate, "B")
    _deliver(zw, a, opened_by=estate.user_id)
    _deliver(zw, b)
    first = _ask(zw, a, estate.user_id)
    _ask(zw, a, estate.user_id, "Druga sprawa.")
    with in_tenant(zw):
        cases.close(db.session.get(SettlementQuestion, first),
                    db.session.get(User, clerk.user_id), "Wyjaśnione.")
    heating = _settlement_id(zw, estate)
    with in_tenant(zw):
        rows = {r.settlement.id: r for r in services.building_settlements(estate.building_id)}
        row = rows[heating]
        assert (row.lines, row.delivered, row.questions, row.open_questions) == (3, 2, 2, 1)
        assert (row.surcharges, row.refunds) == (Decimal("20.00"), Decimal("-200.00"))
        assert services.opened_counts(list(rows.values())) == {heating: 1}
        opened = services.first_opened(heating)
        assert list(opened) == [a] and opened[a] <= utcnow()
        assert services.line_opened(services.staff_line(a)) == opened[a]
        assert services.line_opened(services.staff_line(b)) is None
        asked = services.settlement_questions(services.staff_settlement(heating))
        assert list(asked) == [estate.unit_ids["A"]]
        assert [(q.id, version) for q, version in asked[estate.unit_ids["A"]]] == [
            (q.id, version) for q, version in services.line_questions(services.staff_line(a))
        ] == [(first, 1), (first + 1, 1)]
        assert services.question_counts(list(rows.values())) == {heating: (1, 2)}
        assert [b.id for b in services.settled_buildings()] == [estate.building_id]


def test_a_question_keeps_the_deadline_it_came_by(zw, tmp_path):
    estate = _settled(zw, tmp_path, water=False)
    a = _line(zw, estate, "A")
    on_time = _ask(zw, a, estate.user_id)
    with in_tenant(zw):
        question = db.session.get(SettlementQuestion, on_time)
        assert question.in_time and question.deadline_on is not None
        question.deadline_on = date(2020, 1, 1)  # asked after it
    assert _question(zw, on_time).in_time is False


# --- the list, a settlement, a line -------------------------------------------------------------


def test_the_clerk_reads_the_list_per_building(zw, tmp_path, office):
    estate = _settled(zw, tmp_path)
    a = _line(zw, estate, "A")
    _deliver(zw, a, opened_by=estate.user_id)
    _ask(zw, a, estate.user_id)
    other = make_settled_estate(zw)  # another building, its settlement a year older
    assert import_settlements(zw, tmp_path, heating_rows(other, 2024)).ok
    heating, water = _settlement_id(zw, estate), _settlement_id(zw, estate, "cold_water")

    page = _text(office.get(f"{BASE}/"))
    links = [href for _cells, hrefs in _rows(page) for href in hrefs
             if re.fullmatch(rf"{BASE}/\d+", href)]
    older = _settlement_id(zw, other)
    assert links[2] == f"{BASE}/{older}"  # the newest period first
    assert set(links[:2]) == {f"{BASE}/{heating}", f"{BASE}/{water}"}
    cells = _row_with(page, f"{BASE}/{heating}")
    assert "ul. Rozliczeniowa" in cells[0] and "2025" in cells[1]
    # building, settlement (and version); units, delivered, opened, questions (open / all),
    # surcharges, overpayments
    assert cells[2:] == ["3", "1", "1", "1 / 1", "20,00 zł", "200,00 zł"]
    [queue_link, _all] = [h for h in _links_of_row(page, f"{BASE}/{heating}")
                          if h.startswith(QUEUE)]
    assert f"building={estate.building_id}" in queue_link and "status=open" in queue_link
    assert _row_with(page, f"{BASE}/{water}")[2:] == [
        "3", "0", "0", "0 / 0", "50,00 zł", "10,00 zł"]
    assert f'href="{QUEUE}"' in page
    assert 'href="/panel/import/"' not in page  # the import is the admin's

    only = _text(office.get(f"{BASE}/?budynek={other.building_id}"))
    assert [h for _c, hs in _rows(only) for h in hs if re.fullmatch(rf"{BASE}/\d+", h)] == [
        f"{BASE}/{older}"]
    odd = _text(office.get(f"{BASE}/?budynek=x9"))  # anything odd: every building
    assert len([h for _c, hs in _rows(odd) for h in hs if re.fullmatch(rf"{BASE}/\d+", h)]) == 3


def test_the_admin_is_shown_the_way_to_the_import(zw, admin_client):
    page = _text(admin_client.get(f"{BASE}/"))
    assert 'href="/panel/import/"' in page
    assert "<table" not in page and 'class="card notice"' in page  # nothing imported yet


def test_a_settlement_shows_each_unit_and_its_versions(zw, tmp_path, office):
    estate = _settled(zw, tmp_path)
    first = _settlement_id(zw, estate, "cold_water")
    a = _line(zw, estate, "A", "cold_water")
    _deliver(zw, a, opened_by=estate.user_id)
    asked = _ask(zw, a, estate.user_id)
    # A correction: unit A's water was 2 m³ less, unit C's 2 m³ more.
    corrected = water_rows(estate, A={"zuzycie": "38", "koszt_zmienny": "570,00",
                                      "koszt": "620,00", "wynik": "20,00"},
                           A1={"stan_koncowy": "138", "zuzycie": "38"},
                           C={"zuzycie": "52", "koszt_zmienny": "780,00", "koszt": "840,00",
                              "wynik": "30,00", "termin": "2027-03-31"},
                           C1={"stan_koncowy": "57", "zuzycie": "52"})
    report = import_settlements(zw, tmp_path, corrected)
    assert report.ok and report.changed == 2, "\n".join(report.lines())
    second = _settlement_id(zw, estate, "cold_water")
    assert second != first
    today = utcnow().astimezone(WARSAW).strftime("%d.%m.%Y")

    old = _text(office.get(f"{BASE}/{first}"))
    assert f'href="{BASE}/{second}"' in old  # the version in force
    cells = _row_with(old, f"{BASE}/lokal/{a}")
    assert "50,00 zł" in cells[1] and today in cells[2] and today in cells[3]
    number = _question(zw, asked).registry_number
    assert number in cells[4]
    assert f'href="{QUEUE}{asked}"' in old
    unopened = _row_with(old, f"{BASE}/lokal/{_line_ids(zw, first)[estate.unit_ids['B']]}")
    assert "10,00 zł" in unopened[1] and today not in unopened[2] + unopened[3]
    assert number not in unopened[4]

    new = _text(office.get(f"{BASE}/{second}"))
    assert f'href="{BASE}/{first}"' in new
    new_a = _row_with(new, f"{BASE}/lokal/{_line(zw, estate, 'A', 'cold_water')}")
    # the question about the version before is shown with the unit's corrected line
    assert "20,00 zł" in new_a[1] and number in new_a[4]
    # the line left as it was keeps its delivered document
    kept = _row_with(new, f"{BASE}/lokal/{_line(zw, estate, 'B', 'cold_water')}")
    assert "10,00 zł" in kept[1]

    listed = _text(office.get(f"{BASE}/"))
    assert f"{BASE}/{first}" not in listed  # only the version in force is listed
    in_force = _row_with(listed, f"{BASE}/{second}")
    assert today in in_force[1] and in_force[5] == "1 / 1"  # asked about the version before


def test_a_line_is_shown_as_the_resident_reads_it_and_the_look_is_kept(zw, tmp_path, office,
                                                                      clerk):
    estate = _settled(zw, tmp_path, water=False)
    a = _line(zw, estate, "A")
    _deliver(zw, a, opened_by=estate.user_id)
    asked = _ask(zw, a, estate.user_id)
    page = _text(office.get(f"{BASE}/lokal/{a}"))
    assert "ul. Rozliczeniowa" in page and "200,00\xa0zł" in page
    assert f'href="{QUEUE}{asked}"' in page and _question(zw, asked).registry_number in page
    assert f'href="/panel/doreczenia/lokal/{estate.unit_ids["A"]}"' in page
    assert f'href="{BASE}/{_settlement_id(zw, estate)}"' in page
    assert "Rozliczana" in page  # who asked
    with in_tenant(zw):
        views = db.session.execute(select(DataView.subject_id, DataView.viewer_id)).all()
    assert [tuple(v) for v in views] == [(estate.user_id, clerk.user_id)]
    office.get(f"{BASE}/lokal/{a}")  # the same look again soon after: kept once
    with in_tenant(zw):
        assert db.session.scalar(select(func.count()).select_from(DataView)) == 1


def test_unknown_ids_are_not_found(zw, office):
    for path in (f"{BASE}/999999", f"{BASE}/lokal/999999", f"{QUEUE}999999",
                 f"{BASE}/{2 ** 40}", f"{BASE}/lokal/{2 ** 40}", f"{QUEUE}{2 ** 40}",
                 f"{QUEUE}1/zalaczniki/{2 ** 40}"):
        assert office.get(path).status_code == 404, path


# --- who may see the pages ----------------------------------------------------------------------


def test_residents_and_anonymous_visitors_are_turned_away(app, zw, tmp_path):
    estate = _settled(zw, tmp_path, water=False)
    a = _line(zw, estate, "A")
    asked = _ask(zw, a, estate.user_id)
    paths = (f"{BASE}/", f"{BASE}/{_settlement_id(zw, estate)}", f"{BASE}/lokal/{a}", QUEUE,
             f"{QUEUE}eksport.csv", f"{QUEUE}{asked}")
    resident = _signed_in(app, "zielone-wzgorza.localhost", make_household(zw))
    anonymous = client_for(app, "zielone-wzgorza.localhost")
    for path in paths:
        assert resident.get(path).status_code == 404, path
        answer = anonymous.get(path)
        assert answer.status_code == 302 and "/logowanie" in answer.location, path
    token = resident.csrf_token("/")
    refused = resident.post(f"{QUEUE}{asked}", data={"csrf_token": token, "answer": "Nie."})
    assert refused.status_code == 404
    assert _events(zw, asked) == ["created"]


def test_another_cooperatives_settlements_are_not_found(app, zw, baltyk, tmp_path):
    estate = _settled(zw, tmp_path, water=False)
    a = _line(zw, estate, "A")
    asked = _ask(zw, a, estate.user_id, files=(Upload("skan.pdf", pdf_bytes("Skan")),))
    with in_tenant(zw):
        [attachment] = case_files.by_event(
            cases.history(db.session.get(SettlementQuestion, asked))).popitem()[1]
        attachment_id = attachment.id
    own = make_household(baltyk, units=0, role=ADMIN)
    client = _signed_in(app, "baltyk.localhost", own)
    for path in (f"{BASE}/{_settlement_id(zw, estate)}", f"{BASE}/lokal/{a}",
                 f"{QUEUE}{asked}", f"{QUEUE}{asked}/zalaczniki/{attachment_id}"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert b"Rozliczeniowa" not in answer.data
    for path in (f"{BASE}/", QUEUE, f"{QUEUE}eksport.csv",
                 f"{BASE}/?budynek={estate.building_id}"):
        answer = client.get(path)
        assert answer.status_code == 200 and b"Rozliczeniowa" not in answer.data, path
        assert b"RR/" not in answer.data


# --- the questions: queue, export, answers -----------------------------------------------------


def test_the_queue_lists_questions_and_the_export_names_the_deadline(zw, tmp_path, office):
    estate = _settled(zw, tmp_path)
    heating = _ask(zw, _line(zw, estate, "A"), estate.user_id)
    water = _ask(zw, _line(zw, estate, "A", "cold_water"), estate.user_id)
    page = _text(office.get(QUEUE))
    for case_id in (heating, water):
        assert f'href="{QUEUE}{case_id}"' in page
        assert _question(zw, case_id).registry_number in page
    medium = _question(zw, water).category
    only_water = _text(office.get(QUEUE, query_string={"category": medium}))
    assert f'href="{QUEUE}{water}"' in only_water
    assert f'href="{QUEUE}{heating}"' not in only_water

    export = office.get(f"{QUEUE}eksport.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")),
                               delimiter=";"))
    question = _question(zw, heating)
    [row] = [r for r in rows if r["numer"] == question.registry_number]
    assert row["termin"] == question.deadline_on.strftime("%d.%m.%Y")
    assert "ul. Rozliczeniowa" in row["lokal"] and row["rozliczenie"] == question.subject


def test_the_start_page_tells_of_questions_waiting_for_the_office(zw, tmp_path, office):
    estate = _settled(zw, tmp_path, water=False)
    assert f'href="{QUEUE}"' not in _text(office.get("/panel/"))
    _ask(zw, _line(zw, estate, "A"), estate.user_id)
    assert f'href="{QUEUE}"' in _text(office.get("/panel/"))


def test_the_clerk_answers_and_the_resident_is_told(zw, tmp_path, office, clerk):
    estate = _settled(zw, tmp_path, water=False)
    a = _line(zw, estate, "A")
    asked = _ask(zw, a, estate.user_id)
    page = _text(office.get(f"{QUEUE}{asked}"))
    assert f'href="{BASE}/lokal/{a}"' in page  # the settlement it is about
    question = _question(zw, asked)
    assert question.deadline_on.strftime("%d.%m.%Y") in page
    assert "Proszę o wyjaśnienie zużycia." in page

    answer = _post_case(office, asked, {
        "answer": "Zużycie wynika z odczytów podzielników.", "status": WAITING,
        "note": "Sprawdzono w systemie firmy.", "assign_to": str(clerk.user_id)},
        files=[("odczyty.pdf", pdf_bytes("Odczyty"))])
    assert answer.status_code == 302
    question = _question(zw, asked)
    assert question.status == WAITING and question.first_answer_at is not None
    assert question.assigned_to_id == clerk.user_id
    assert _events(zw, asked) == ["created", "assigned", "note", "status", "reply"]
    [mail] = _mails(zw, "case_answer")
    assert mail.recipient == f"r{estate.serial.lower()}@example.org"
    assert mail.context["number"] == question.registry_number
    assert mail.context["link"].endswith(f"/rozliczenia/pytania/{asked}")
    assert mail.context["attachments"] == 1
    shown = _text(office.get(f"{QUEUE}{asked}"))
    assert "Sprawdzono w systemie firmy." in shown
    [file_link] = re.findall(rf'href="({QUEUE}{asked}/zalaczniki/\d+)"', shown)
    assert office.get(file_link).data.startswith(b"%PDF")

    closed = _post_case(office, asked, {"status": IN_PROGRESS})
    assert closed.status_code == 302 and _question(zw, asked).status == IN_PROGRESS
    closed = _post_case(office, asked, {"close": "y", "close_reason": "Rozliczenie poprawne."})
    assert closed.status_code == 302
    question = _question(zw, asked)
    assert (question.status, question.close_reason) == (CLOSED, "Rozliczenie poprawne.")
    assert question.closed_at is not None
    [told] = _mails(zw, "case_closed")
    assert told.context["reason"] == "Rozliczenie poprawne."
    lines = _text(office.get(f"{BASE}/{_settlement_id(zw, estate)}"))
    assert question.registry_number in _row_with(lines, f"{BASE}/lokal/{a}")[4]


@pytest.mark.parametrize(("fields", "field"), [
    ({}, None),  # nothing written, nothing chosen
    ({"answer": "   "}, None),
    ({"status": "nieznany"}, "status"),
    ({"status": CLOSED}, "status"),  # closing is done with a reason, not by a status
    ({"close": "y", "close_reason": ""}, "close_reason"),
    ({"close": "y", "close_reason": "   "}, "close_reason"),
    ({"answer": "x" * 10_001}, "answer"),
    ({"assign_to": "999999"}, "assign_to"),
], ids=["empty", "blank-answer", "unknown-status", "closed-status", "close-without-reason",
        "close-with-spaces", "too-long", "unknown-assignee"])
def test_bad_answers_are_refused_and_nothing_is_saved(zw, tmp_path, office, fields, field):
    estate = _settled(zw, tmp_path, water=False)
    asked = _ask(zw, _line(zw, estate, "A"), estate.user_id)
    refused = _post_case(office, asked, fields)
    assert refused.status_code == 200
    page = _text(refused)
    if field is None:
        assert 'class="flash flash-error"' in page
    else:
        assert _error(page, field)
    assert _events(zw, asked) == ["created"]
    assert _question(zw, asked).status == RECEIVED
    assert _mails(zw, "case_answer") == [] and _mails(zw, "case_closed") == []


def test_attachments_need_an_answer(zw, tmp_path, office):
    estate = _settled(zw, tmp_path, water=False)
    asked = _ask(zw, _line(zw, estate, "A"), estate.user_id)
    refused = _post_case(office, asked, {}, files=[("odczyty.pdf", pdf_bytes("Odczyty"))])
    assert refused.status_code == 200 and _error(_text(refused), "attachments")
    assert _events(zw, asked) == ["created"]


# --- cost -------------------------------------------------------------------------------------


def test_the_list_pages_cost_the_same_for_few_settlements_and_many(zw, tmp_path, office):
    estate = _settled(zw, tmp_path, water=False)
    small, _lines = _plain_settlement(zw, 2)
    _ask(zw, _line(zw, estate, "A"), estate.user_id)
    few = [queries_for(office, path) for path in (f"{BASE}/", f"{BASE}/{small}", QUEUE)]

    for year in range(2015, 2020):
        _plain_settlement(zw, 4, year=year)
    big, lines = _plain_settlement(zw, 25, year=2023)
    for line_id in lines[:4]:
        _deliver(zw, line_id, opened_by=estate.user_id)
    _deliver(zw, lines[5])
    for line_id in (*lines[:3], _line(zw, estate, "B"), _line(zw, estate, "C")):
        _ask(zw, line_id, estate.user_id)
    many = [queries_for(office, path) for path in (f"{BASE}/", f"{BASE}/{big}", QUEUE)]
    assert many == few
