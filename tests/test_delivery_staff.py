"""The office's side of documents delivered to units (issue 34): the unit's page and its proof
sheet (PDF and CSV), a bulk delivery's page and proof, one document delivered by hand with the
legal dates of a fee change, withdrawal and correction, the paper list and its printing, the
consent recorded from paper on the staff account page; residents and other cooperatives find
nothing. A browser check of the unit's page and the paper list at 1280 px.

The pages are checked by what they show of the data (identifiers, dates, addresses, links):
their wording is translated separately."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from iok_saas.audit.models import (
    DELIVERY_CONSENT_CHANGED,
    UNIT_DOCUMENT_REDELIVERED,
    UNIT_DOCUMENT_WITHDRAWN,
    UNIT_DOCUMENTS_DELIVERED,
    UNIT_DOCUMENTS_PRINTED,
    AuditEvent,
    DataView,
)
from iok_saas.auth.models import User
from iok_saas.db import db, utcnow
from iok_saas.delivery import office, rules, services
from iok_saas.delivery.models import (
    PRINTED,
    STAFF,
    WITHDRAWN,
    DeliveryConsent,
    DocumentRecipient,
    ProofEvent,
    UnitDocument,
)
from iok_saas.estate.models import Unit, UnitTitle
from iok_saas.files.models import StoredFile
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import WARSAW, local_today
from tests import test_browser as browser
from tests.factories import (
    make_household,
    make_import_run,
    make_unit_document,
    pdf_bytes,
    scripted_pdf_bytes,
)
from tests.helpers import client_for, in_tenant

BASE = "/panel/doreczenia"


@pytest.fixture
def office_client(zw, zw_client):
    """A signed-in clerk of Zielone Wzgórza and a household of two units on ul. Doręczeń."""
    clerk = make_household(zw, role="clerk", units=0)
    home = make_household(zw, street="ul. Doręczeń", units=2)
    assert zw_client.login(clerk.identifier, clerk.password).status_code == 302
    zw_client.home, zw_client.clerk = home, clerk
    return zw_client


def _text(response) -> str:
    return response.get_data(as_text=True)


def _token(client) -> str:
    return client.csrf_token(f"{BASE}/")


def _co_holder(tenant, unit_id: int, identifier: str = "WSP001", email: str | None = None
               ) -> int:
    """A second person holding the unit, without consent to electronic delivery."""
    with in_tenant(tenant):
        person = User(identifier=identifier, first_name="Anna", last_name="Współwłaścicielka",
                      email=email, password_hash="!")
        db.session.add(person)
        db.session.flush()
        db.session.add(UnitTitle(unit_id=unit_id, user_id=person.id))
        return person.id


def _mail_accepted(tenant, document_id: int, user_id: int) -> str:
    """The outbox tells the proof that the mail server took the e-mail (as on sending)."""
    with in_tenant(tenant):
        row = db.session.scalar(select(DocumentRecipient).where(
            DocumentRecipient.document_id == document_id, DocumentRecipient.user_id == user_id))
        services.mail_accepted(SimpleNamespace(context={"document": document_id},
                                               user_id=user_id, sent_at=utcnow(),
                                               id=row.outbox_id))
        return row.outbox_id


def _document(tenant, document_id: int) -> UnitDocument:
    with in_tenant(tenant):
        found = db.session.get(UnitDocument, document_id)
        db.session.expunge(found)
    return found


def _count(tenant, model, *where) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(tenant, document_id: int, kind: str) -> list[ProofEvent]:
    with in_tenant(tenant):
        rows = list(db.session.scalars(select(ProofEvent).where(
            ProofEvent.document_id == document_id, ProofEvent.kind == kind)))
        db.session.expunge_all()
    return rows


def _pdf_text(response) -> str:
    assert response.status_code == 200, _text(response)[:500]
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.is_streamed and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


# --- the unit's page and its proof ---------------------------------------------------------------


def test_the_units_page_shows_each_document_with_its_proof_per_person(zw, office_client):
    home = office_client.home
    unit = home.unit_ids[0]
    other = _co_holder(zw, unit)
    first = make_unit_document(zw, home, title="Rozliczenie wody za 2025 r.", opened=False)
    second = make_unit_document(zw, home, title="Rozliczenie ciepła za 2025 r.", opened=True)
    outbox_id = _mail_accepted(zw, second, home.user_id)
    page = _text(office_client.get(f"{BASE}/lokal/{unit}"))

    assert "ul. Doręczeń" in page
    assert page.index("Rozliczenie ciepła") < page.index("Rozliczenie wody")  # newest first
    for document_id in (first, second):
        found = _document(zw, document_id)
        assert f'id="dok-{document_id}"' in page and found.sha256 in page
        assert f"{BASE}/dokument/{document_id}/plik.pdf" in page
        assert f"{BASE}/dokument/{document_id}/wycofaj" in page
        assert f"{BASE}/dokument/{document_id}/popraw" in page
    section = page[page.index(f'id="dok-{second}"'):page.index(f'id="dok-{first}"')]
    assert home.identifier in section and "WSP001" in section
    assert outbox_id in section
    assert office.moment(_events(zw, second, "opened")[0].at) in section
    assert "@example.org" not in page  # the proof names accounts, never e-mail addresses
    assert f"/panel/konta/{other}" in page
    # both people see in their log that the office looked at their documents
    assert _count(zw, DataView, DataView.subject_id.in_([home.user_id, other])) == 2
    # the other unit of the household has nothing
    assert 'id="dok-' not in _text(office_client.get(f"{BASE}/lokal/{home.unit_ids[1]}"))


def test_the_units_proof_sheet_as_pdf_states_the_document_and_each_person(zw, office_client):
    home = office_client.home
    unit = home.unit_ids[0]
    _co_holder(zw, unit)
    document_id = make_unit_document(zw, home, title="Rozliczenie wody za 2025 r.", opened=True)
    outbox_id = _mail_accepted(zw, document_id, home.user_id)
    found = _document(zw, document_id)
    text = _pdf_text(office_client.get(f"{BASE}/lokal/{unit}/dowod.pdf"))
    flat = re.sub(r"\s+", "", text)

    assert found.sha256 in flat
    assert outbox_id in flat
    assert home.identifier in text and "WSP001" in text
    assert "Zielone Wzgórza" in text and "ul. Doręczeń" in text
    assert "Rozliczenie wody za 2025 r." in text and found.filename in text
    assert office.moment(found.made_available_at) in text
    assert office.moment(_events(zw, document_id, "opened")[0].at) in text
    assert "@example.org" not in text

    one = _pdf_text(office_client.get(f"{BASE}/dokument/{document_id}/dowod.pdf"))
    assert found.sha256 in re.sub(r"\s+", "", one)


def test_the_units_proof_as_csv_has_a_line_per_person_and_no_email_address(zw, office_client):
    home = office_client.home
    unit = home.unit_ids[0]
    _co_holder(zw, unit, email="wspol@example.org")
    first = make_unit_document(zw, home, title="=SUMA(A1) Rozliczenie", opened=True)
    make_unit_document(zw, home, title="Zaświadczenie", kind="certificate", opened=False)
    rows = _csv_rows(office_client.get(f"{BASE}/lokal/{unit}/dowod.csv"))

    assert tuple(rows[0]) == office.CSV_COLUMNS
    assert len(rows) == 1 + 2 * 2  # two documents, two people each
    by_column = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {row["identyfikator konta"] for row in by_column} == {home.identifier, "WSP001"}
    line = next(row for row in by_column if row["id dokumentu"] == str(first)
                and row["identyfikator konta"] == home.identifier)
    assert line["SHA-256 pliku"] == _document(zw, first).sha256
    assert line["zgoda na doręczenie elektroniczne w dniu doręczenia"] == "tak"
    assert line["pierwsze otwarcie"] and line["tytuł"] == "'=SUMA(A1) Rozliczenie"
    other = next(row for row in by_column if row["identyfikator konta"] == "WSP001")
    assert other["zgoda na doręczenie elektroniczne w dniu doręczenia"] == "nie"
    assert "@" not in "".join("".join(row) for row in rows)


# --- a bulk delivery -----------------------------------------------------------------------------


def _bulk(tenant, homes, **counts) -> int:
    """A finished bulk delivery (an import run of kind documents) of one PDF to the first unit
    of each household."""
    run_id = make_import_run(tenant, kind="documents", filename="zawiadomienia.zip",
                             actor="Jan Urzędnik (U00001)", status="done", ok=True, **counts)
    with in_tenant(tenant):
        info = get_tenant_info(tenant.id)
        for home in homes:
            unit = db.session.get(Unit, home.unit_ids[0])
            services.deliver(services.Parcel(unit_id=unit.id, kind="settlement",
                                             title="Rozliczenie roczne 2025"),
                             pdf_bytes(f"rozliczenie {home.street}"), "rozliczenie.pdf",
                             unit=unit, tenant=info, actor="Test", run_id=run_id)
    return run_id


def test_the_bulk_delivery_lists_its_buildings_and_proof_and_gives_it_as_csv_and_pdf(
        zw, office_client, monkeypatch):
    homes = [office_client.home, make_household(zw, street="ul. Wysyłkowa", units=1)]
    run_id = _bulk(zw, homes, rows=5, added=2, changed=2, problem_count=1)
    make_import_run(zw, kind="ledger", filename="ksiega.csv")
    index = _text(office_client.get(f"{BASE}/"))
    assert f"{BASE}/wysylka/{run_id}" in index and "zawiadomienia.zip" in index

    page = _text(office_client.get(f"{BASE}/wysylka/{run_id}"))
    assert "ul. Doręczeń" in page and "ul. Wysyłkowa" in page
    assert re.search(r"<dd>2\b", page)  # delivered
    assert f"{BASE}/wysylka/{run_id}/dowod.pdf?budynek={homes[1].building_id}" in page
    for home in homes:
        assert home.identifier in page

    rows = _csv_rows(office_client.get(f"{BASE}/wysylka/{run_id}/dowod.csv"))
    assert len(rows) == 3 and {r[9] for r in rows[1:]} == {h.identifier for h in homes}

    whole = _pdf_text(office_client.get(f"{BASE}/wysylka/{run_id}/dowod.pdf"))
    assert homes[0].identifier in whole and homes[1].identifier in whole
    one = _pdf_text(office_client.get(
        f"{BASE}/wysylka/{run_id}/dowod.pdf?budynek={homes[1].building_id}"))
    assert homes[1].identifier in one and homes[0].identifier not in one

    monkeypatch.setattr(office, "PDF_ROWS", 1)  # more lines than a sheet holds: per building
    answer = office_client.get(f"{BASE}/wysylka/{run_id}/dowod.pdf")
    assert answer.status_code == 302 and answer.location.endswith(f"/wysylka/{run_id}")
    assert f"{BASE}/wysylka/{run_id}/dowod.pdf?budynek=" in _text(
        office_client.get(f"{BASE}/wysylka/{run_id}"))


def test_an_import_that_is_not_a_bulk_delivery_is_not_found(zw, office_client):
    ledger = make_import_run(zw, kind="ledger", filename="ksiega.csv")
    for path in ("", "/dowod.pdf", "/dowod.csv"):
        assert office_client.get(f"{BASE}/wysylka/{ledger}{path}").status_code == 404


# --- one document delivered by hand --------------------------------------------------------------


def _deliver_form(client, unit_id: int, data: bytes, **fields):
    token = client.csrf_token(f"{BASE}/nowy?lokal={unit_id}")
    return client.post(f"{BASE}/nowy", data={
        "csrf_token": token, "unit": str(unit_id), "kind": "settlement",
        "title": "Rozliczenie wody za 2025 r.",
        "file": (io.BytesIO(data), "rozliczenie.pdf"), **fields},
        content_type="multipart/form-data")


def test_the_form_shows_the_earliest_lawful_date_of_a_fee_change_delivered_today(
        zw, office_client):
    page = _text(office_client.get(f"{BASE}/nowy?lokal={office_client.home.unit_ids[0]}"))
    today = local_today()
    payment_day = get_tenant_info(zw.id).settings.delivery.payment_day
    for kind in (rules.FEE_CHANGE, rules.FEE_CHANGE_INDEPENDENT):
        assert f"{rules.earliest_effective(kind, today, payment_day):%d.%m.%Y}" in page
    assert "ul. Doręczeń" in page and f'value="{office_client.home.unit_ids[0]}"' in page


def test_a_letter_asking_for_a_certificate_leads_to_its_delivery_filled_in(zw, office_client):
    from tests.test_cross_tenant import _case_and_attachment

    home = office_client.home
    case_id, _ = _case_and_attachment(home)
    letter = _text(office_client.get(f"/panel/sprawy/{case_id}"))
    link = re.search(r'href="(/panel/doreczenia/nowy\?[^"]+)"', letter).group(1).replace(
        "&amp;", "&")
    page = _text(office_client.get(link))
    assert f'value="{home.unit_ids[0]}"' in page and f'value="{home.identifier}"' in page
    assert re.search(r'<option[^>]*value="certificate"[^>]*selected', page) or re.search(
        r'<option[^>]*selected[^>]*value="certificate"', page)


def test_a_fee_change_notice_that_comes_too_late_is_refused_naming_the_dates(zw, office_client):
    unit = office_client.home.unit_ids[0]
    today = local_today()
    too_soon = (today.replace(day=1) + timedelta(days=32)).replace(day=1)  # next month
    earliest = rules.earliest_fee_change(today)
    answer = _deliver_form(office_client, unit, pdf_bytes("podwyżka"), kind=rules.FEE_CHANGE,
                           title="Zawiadomienie o zmianie opłat",
                           effective_on=too_soon.isoformat())
    page = _text(answer)
    assert answer.status_code == 422
    assert f"{too_soon:%d.%m.%Y}" in page and f"{earliest:%d.%m.%Y}" in page
    assert 'aria-invalid="true"' in page
    assert _count(zw, UnitDocument) == 0

    lawful = _deliver_form(office_client, unit, pdf_bytes("podwyżka"), kind=rules.FEE_CHANGE,
                           title="Zawiadomienie o zmianie opłat",
                           effective_on=earliest.isoformat())
    assert lawful.status_code == 302
    with in_tenant(zw):
        document = db.session.scalar(select(UnitDocument))
        assert document.effective_on == earliest and document.kind == rules.FEE_CHANGE


@pytest.mark.parametrize("data", [scripted_pdf_bytes(), b"To nie jest PDF, tylko tekst.",
                                  b"%PDF-1.7 " + b"0" * (20 << 20)],
                         ids=["script", "not-a-pdf", "too-large"])
def test_a_bad_pdf_is_refused_and_nothing_is_delivered(zw, office_client, data):
    files_before = _count(zw, StoredFile)
    answer = _deliver_form(office_client, office_client.home.unit_ids[0], data)
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in _text(answer)
    assert _count(zw, UnitDocument) == 0 and _count(zw, StoredFile) == files_before
    assert _count(zw, AuditEvent, AuditEvent.action == UNIT_DOCUMENTS_DELIVERED) == 0


def test_a_document_delivered_by_hand_reaches_the_unit_by_building_and_number(zw, office_client):
    home = office_client.home
    token = office_client.csrf_token(f"{BASE}/nowy")
    answer = office_client.post(f"{BASE}/nowy", data={
        "csrf_token": token, "building": str(home.building_id), "unit_number": "2",
        "kind": "certificate", "title": "Zaświadczenie o braku zaległości",
        "person": home.identifier.lower(), "file": (io.BytesIO(pdf_bytes("z")), "z.pdf")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    assert answer.location.startswith(f"{BASE}/lokal/{home.unit_ids[1]}")
    with in_tenant(zw):
        document = db.session.scalar(select(UnitDocument))
        assert document.unit_id == home.unit_ids[1] and document.person_id == home.user_id
        assert document.actor and document.run_id is None
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == UNIT_DOCUMENTS_DELIVERED))
        assert event.detail["document"] == document.id
    # the same PDF again: refused, not delivered twice
    again = office_client.post(f"{BASE}/nowy", data={
        "csrf_token": token, "building": str(home.building_id), "unit_number": "2",
        "kind": "certificate", "title": "Zaświadczenie o braku zaległości",
        "person": home.identifier, "file": (io.BytesIO(pdf_bytes("z")), "z.pdf")},
        content_type="multipart/form-data")
    assert again.status_code == 422 and _count(zw, UnitDocument) == 1
    # a unit that is not there, a person who does not hold the unit
    wrong = office_client.post(f"{BASE}/nowy", data={
        "csrf_token": token, "building": str(home.building_id), "unit_number": "99",
        "kind": "certificate", "title": "Z", "file": (io.BytesIO(pdf_bytes("y")), "y.pdf")},
        content_type="multipart/form-data")
    assert wrong.status_code == 422
    stranger = make_household(zw, units=1)
    nobody = _deliver_form(office_client, home.unit_ids[0], pdf_bytes("x"),
                           person=stranger.identifier)
    assert nobody.status_code == 422 and _count(zw, UnitDocument) == 1


# --- withdrawal and correction -------------------------------------------------------------------


def test_a_withdrawal_needs_its_reason_and_keeps_the_proof(zw, office_client):
    home = office_client.home
    document_id = make_unit_document(zw, home, opened=True)
    token = _token(office_client)
    path = f"{BASE}/dokument/{document_id}/wycofaj"
    empty = office_client.post(path, data={"csrf_token": token,
                                           f"wycofaj-{document_id}-reason": "  "})
    assert empty.status_code == 422 and 'aria-invalid="true"' in _text(empty)
    assert _events(zw, document_id, WITHDRAWN) == []

    done = office_client.post(path, data={"csrf_token": token,
                                          f"wycofaj-{document_id}-reason": "Błędny lokal"})
    assert done.status_code == 302
    [event] = _events(zw, document_id, WITHDRAWN)
    assert event.note == "Błędny lokal"
    page = _text(office_client.get(f"{BASE}/lokal/{home.unit_ids[0]}"))
    assert "Błędny lokal" in page and _document(zw, document_id).sha256 in page
    assert f"{BASE}/dokument/{document_id}/wycofaj" not in page  # nothing more to withdraw
    assert _count(zw, DocumentRecipient, DocumentRecipient.document_id == document_id) == 1
    assert _count(zw, AuditEvent, AuditEvent.action == UNIT_DOCUMENT_WITHDRAWN) == 1
    again = office_client.post(path, data={"csrf_token": token,
                                           f"wycofaj-{document_id}-reason": "Jeszcze raz"})
    assert again.status_code == 422 and len(_events(zw, document_id, WITHDRAWN)) == 1


def test_a_corrected_pdf_replaces_the_wrong_one_which_stays_withdrawn(zw, office_client):
    home = office_client.home
    wrong = make_unit_document(zw, home, title="Rozliczenie wody za 2025 r.", opened=True)
    token = _token(office_client)
    path = f"{BASE}/dokument/{wrong}/popraw"
    bad = office_client.post(path, data={
        "csrf_token": token, f"popraw-{wrong}-reason": "Zła kwota",
        f"popraw-{wrong}-file": (io.BytesIO(scripted_pdf_bytes()), "r.pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and _events(zw, wrong, WITHDRAWN) == []

    answer = office_client.post(path, data={
        "csrf_token": token, f"popraw-{wrong}-reason": "Zła kwota",
        f"popraw-{wrong}-file": (io.BytesIO(pdf_bytes("poprawione")), "r2.pdf")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    with in_tenant(zw):
        corrected = db.session.scalar(select(UnitDocument).where(
            UnitDocument.replaces_id == wrong))
        assert corrected.title == "Rozliczenie wody za 2025 r." and corrected.filename == "r2.pdf"
        corrected_id = corrected.id
    assert answer.location.endswith(f"#dok-{corrected_id}")
    assert _events(zw, wrong, WITHDRAWN)[0].note == "Zła kwota"
    assert _count(zw, AuditEvent, AuditEvent.action == UNIT_DOCUMENT_REDELIVERED) == 1
    page = _text(office_client.get(f"{BASE}/lokal/{home.unit_ids[0]}"))
    assert f'id="dok-{wrong}"' in page and f'id="dok-{corrected_id}"' in page
    assert "Zła kwota" in page and f'href="#dok-{corrected_id}"' in page


# --- the paper list ------------------------------------------------------------------------------


def test_the_paper_list_has_at_once_those_without_consent_and_later_those_who_did_not_open(
        zw, office_client):
    paper = make_household(zw, street="ul. Papierowa", last_name="Bezzgody", units=1)
    online = make_household(zw, street="ul. Cyfrowa", last_name="Zezgodą", units=1)
    without = make_unit_document(zw, paper, consent=False, opened=False)
    unopened = make_unit_document(zw, online, consent=True, opened=False)
    make_unit_document(zw, office_client.home, consent=True, opened=True)  # read: never

    page = _text(office_client.get(f"{BASE}/papier"))
    assert "Bezzgody" in page and "Zezgodą" not in page
    assert f"dok-{without}" in page and f"dok-{unopened}" not in page
    filtered = _text(office_client.get(f"{BASE}/papier?budynek={online.building_id}"))
    assert "Bezzgody" not in filtered

    info = get_tenant_info(zw.id)
    days = info.settings.delivery.paper_after_days["settlement"]
    with in_tenant(zw):
        later = utcnow() + timedelta(days=days, minutes=1)
        rows = services.paper_rows(None, info, now=later)
        assert {(row.document_id, row.reason) for row in rows} == {
            (without, "no_consent"), (unopened, "not_opened")}
        assert services.paper_rows(None, info, now=later - timedelta(minutes=2)) == [
            row for row in rows if row.reason == "no_consent"]


def test_printing_marks_the_lines_printed_and_they_leave_the_list(zw, office_client):
    paper = make_household(zw, street="ul. Papierowa", last_name="Bezzgody", units=1)
    _co_holder(zw, paper.unit_ids[0], identifier="WSP777")
    document_id = make_unit_document(zw, paper, consent=False, opened=False,
                                     title="Zawiadomienie o walnym")
    assert office_client.get(f"{BASE}/papier.pdf").status_code == 405  # printing is a POST
    rows = _csv_rows(office_client.get(f"{BASE}/papier.csv"))
    assert tuple(rows[0]) == office.PAPER_COLUMNS and len(rows) == 3
    assert _events(zw, document_id, PRINTED) == []  # the CSV marks nothing

    answer = office_client.post(f"{BASE}/papier.pdf", data={
        "csrf_token": _token(office_client), "budynek": str(paper.building_id)})
    text = _pdf_text(answer)
    assert "Bezzgody" in text and "WSP777" in text and "Zawiadomienie o walnym" in text
    assert len(PdfReader(io.BytesIO(answer.get_data())).pages) >= 3  # the list, two copies
    printed = _events(zw, document_id, PRINTED)
    assert {event.user_id for event in printed} == {paper.user_id, _user_id(zw, "WSP777")}
    assert _count(zw, AuditEvent, AuditEvent.action == UNIT_DOCUMENTS_PRINTED) == 1

    assert "Bezzgody" not in _text(office_client.get(f"{BASE}/papier"))
    shown = _text(office_client.get(f"{BASE}/papier?wydrukowane=1"))
    assert "Bezzgody" in shown
    assert printed[0].at.astimezone(WARSAW).strftime("%d.%m.%Y %H:%M") in shown
    again = office_client.post(f"{BASE}/papier.pdf", data={"csrf_token": _token(office_client)})
    assert again.status_code == 302  # nothing left to print
    assert len(_events(zw, document_id, PRINTED)) == 2


def _user_id(tenant, identifier: str) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(User.id).where(User.identifier == identifier))


# --- consent on the staff account page -----------------------------------------------------------


def test_a_paper_consent_is_recorded_with_its_date_and_a_future_date_refused(zw, office_client):
    home = office_client.home
    account = _text(office_client.get(f"/panel/konta/{home.user_id}"))
    assert f"{BASE}/zgoda/{home.user_id}" in account and 'name="zgoda-on"' in account
    token = _token(office_client)
    path = f"{BASE}/zgoda/{home.user_id}"

    future = office_client.post(path, data={"csrf_token": token, "zgoda-given": "1",
                                            "zgoda-on": (local_today() + timedelta(days=1))
                                            .isoformat()})
    assert future.status_code == 302 and future.location.endswith("#zgoda-na-doreczenia")
    assert _count(zw, DeliveryConsent) == 0

    signed = local_today() - timedelta(days=10)
    done = office_client.post(path, data={"csrf_token": token, "zgoda-given": "1",
                                          "zgoda-on": signed.isoformat()})
    assert done.status_code == 302
    with in_tenant(zw):
        row = db.session.scalar(select(DeliveryConsent))
        assert (row.given, row.on, row.way) == (True, signed, STAFF)
        assert row.actor_id == office_client.clerk.user_id and row.rules_sha256
    assert _count(zw, AuditEvent, AuditEvent.action == DELIVERY_CONSENT_CHANGED) == 1
    account = _text(office_client.get(f"/panel/konta/{home.user_id}"))
    assert f"{signed:%d.%m.%Y}" in account
    assert re.search(r'name="zgoda-given"[^>]*value="0"', account)  # next: a withdrawal

    twice = office_client.post(path, data={"csrf_token": token, "zgoda-given": "1",
                                           "zgoda-on": signed.isoformat()})
    assert twice.status_code == 302 and _count(zw, DeliveryConsent) == 1
    withdrawn = office_client.post(path, data={"csrf_token": token, "zgoda-given": "0",
                                               "zgoda-on": local_today().isoformat()})
    assert withdrawn.status_code == 302
    assert [c.given for c in _consents(zw, home.user_id)] == [False, True]


def _consents(tenant, user_id: int) -> list[DeliveryConsent]:
    with in_tenant(tenant):
        rows = services.consent_history(user_id)
        db.session.expunge_all()
    return rows


def test_a_staff_account_has_no_consent_section_and_cannot_get_one(zw, office_client):
    admin = make_household(zw, role="admin", units=0)
    answer = office_client.post(f"{BASE}/zgoda/{admin.user_id}", data={
        "csrf_token": _token(office_client), "zgoda-given": "1",
        "zgoda-on": local_today().isoformat()})
    assert answer.status_code == 404


# --- who may open the pages ----------------------------------------------------------------------


def _paths(home, document_id: int, run_id: int) -> list[str]:
    unit = home.unit_ids[0]
    return [f"{BASE}/", f"{BASE}/lokal/{unit}", f"{BASE}/lokal/{unit}/dowod.pdf",
            f"{BASE}/lokal/{unit}/dowod.csv", f"{BASE}/wysylka/{run_id}",
            f"{BASE}/wysylka/{run_id}/dowod.pdf", f"{BASE}/wysylka/{run_id}/dowod.csv",
            f"{BASE}/nowy", f"{BASE}/papier", f"{BASE}/papier.csv",
            f"{BASE}/dokument/{document_id}/plik.pdf",
            f"{BASE}/dokument/{document_id}/dowod.pdf"]


def test_a_resident_opens_no_office_page(zw, app):
    home = make_household(zw, street="ul. Mieszkańca", units=1)
    document_id = make_unit_document(zw, home)
    run_id = _bulk(zw, [])
    client = client_for(app, "zielone-wzgorza.localhost")
    assert client.login(home.identifier, home.password).status_code == 302
    for path in _paths(home, document_id, run_id):
        assert client.get(path).status_code == 404, path
    token = client.csrf_token("/")
    for path in (f"{BASE}/dokument/{document_id}/wycofaj", f"{BASE}/papier.pdf",
                 f"{BASE}/zgoda/{home.user_id}"):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    assert _events(zw, document_id, WITHDRAWN) == []


def test_another_cooperatives_units_runs_documents_and_people_are_not_found(
        zw, baltyk, office_client):
    theirs = make_household(baltyk, street="ul. Bałtycka Obca", units=1)
    document_id = make_unit_document(baltyk, theirs)
    run_id = _bulk(baltyk, [theirs])
    for path in _paths(theirs, document_id, run_id)[1:]:
        if "/lokal/" in path or "/wysylka/" in path or "/dokument/" in path:
            answer = office_client.get(path)
            assert answer.status_code == 404, path
    token = _token(office_client)
    assert office_client.post(f"{BASE}/dokument/{document_id}/wycofaj", data={
        "csrf_token": token, f"wycofaj-{document_id}-reason": "x"}).status_code == 404
    assert office_client.post(f"{BASE}/zgoda/{theirs.user_id}", data={
        "csrf_token": token, "zgoda-given": "1",
        "zgoda-on": local_today().isoformat()}).status_code == 404
    assert office_client.post(f"{BASE}/nowy", data={
        "csrf_token": token, "unit": str(theirs.unit_ids[0]), "kind": "settlement",
        "title": "X", "file": (io.BytesIO(pdf_bytes("x")), "x.pdf")},
        content_type="multipart/form-data").status_code == 404
    search = _text(office_client.get(f"{BASE}/?q=Bałtycka"))
    assert "Obca" not in search.split("<main", 1)[1].split("name=\"q\"")[1]
    paper = _text(office_client.get(f"{BASE}/papier"))
    assert "Obca" not in paper
    assert _events(baltyk, document_id, WITHDRAWN) == []


def test_the_unit_search_finds_a_unit_by_its_address(zw, office_client):
    home = office_client.home
    found = _text(office_client.get(f"{BASE}/", query_string={"q": "Doręczeń m. 2"}))
    assert f"{BASE}/lokal/{home.unit_ids[1]}" in found
    assert f"{BASE}/lokal/{home.unit_ids[0]}\"" not in found
    none = _text(office_client.get(f"{BASE}/", query_string={"q": "100%_"}))
    assert f"{BASE}/lokal/" not in none


# --- a browser at 1280 px ------------------------------------------------------------------------


chromium, kept_pages, live_server = browser.chromium, browser.kept_pages, browser.live_server


@pytest.mark.browser
def test_a_clerk_opens_a_units_documents_and_the_paper_list_in_a_browser(
        ctx, zw, chromium, live_server, artifacts):
    from axe_playwright_python.sync_playwright import Axe

    clerk = make_household(zw, role="clerk", units=0)
    home = make_household(zw, street="ul. Przeglądowa", units=1)
    _co_holder(zw, home.unit_ids[0], identifier="WSP321")
    first = make_unit_document(zw, home, title="Rozliczenie wody za 2025 r.", opened=True)
    _mail_accepted(zw, first, home.user_id)
    make_unit_document(zw, home, kind="certificate", title="Zaświadczenie o braku zaległości",
                       opened=False)
    with in_tenant(zw):
        services.withdraw(db.session.get(UnitDocument, first), db.session.get(
            User, clerk.user_id), "Błędna kwota w tabeli")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    page = context.new_page()
    browser.sign_in(page, "zielone-wzgorza", live_server, clerk.identifier, clerk.password)
    page.goto(browser._url("zielone-wzgorza", live_server, f"{BASE}/lokal/{home.unit_ids[0]}"))
    assert page.locator(f"#dok-{first}").is_visible()
    assert page.get_by_text("Błędna kwota w tabeli").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(artifacts / "delivery-staff-unit.png"), full_page=True)
    assert browser.wcag_problems(page, Axe()) == []

    page.goto(browser._url("zielone-wzgorza", live_server, f"{BASE}/papier"))
    assert page.get_by_text("WSP321").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(artifacts / "delivery-staff-paper.png"), full_page=True)
    assert browser.wcag_problems(page, Axe()) == []
    context.close()
