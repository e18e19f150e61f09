"""Staff panel — accounts: residents from paper applications, documents, resets, locks, units."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from iok_saas.auth.models import User
from iok_saas.auth.passwords import verify_password
from iok_saas.db import db
from iok_saas.estate.models import UnitTitle
from iok_saas.tenancy import tenant_context
from tests.factories import make_household


@pytest.fixture
def clerk(baltyk, baltyk_client):
    """A signed-in clerk of Bałtyk (the paper path) and a building with units."""
    staff = make_household(baltyk, role="clerk", units=0)
    building = make_household(baltyk, street="ul. Morska", units=3)
    assert baltyk_client.login(staff.identifier, staff.password).status_code == 302
    baltyk_client.building = building
    return baltyk_client


def _form(client, path):
    return {"csrf_token": client.csrf_token(path)}


def _create(client, **fields):
    data = _form(client, "/panel/mieszkancy/nowy") | {
        "first_name": "Halina", "last_name": "Bursztynowa", "email": "h.b@example.org",
        "phone": "500 600 700", "building": client.building.building_id, "unit_number": "2",
        "title_kind": "cooperative_ownership"} | fields
    return client.post("/panel/mieszkancy/nowy", data=data)


def _sheet_value(body: str, label: str) -> str:
    match = re.search(rf"<th scope=\"row\">{label}</th><td[^>]*>([^<]+)</td>", body)
    assert match, f"no {label} on the document"
    return match.group(1)


def test_clerk_creates_a_resident_and_gets_the_document(clerk, baltyk):
    answer = _create(clerk)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Dokument dostępu" in body
    identifier = _sheet_value(body, "Identyfikator użytkownika")
    password = _sheet_value(body, "Hasło początkowe")
    assert re.fullmatch(r"B-\d{6}", identifier) and len(password) == 12
    assert "Spółdzielnia Mieszkaniowa „Bałtyk”" in body and "ul. Morska" in body
    assert "Podpis mieszkańca" in body and "Hasło musi mieć co najmniej 8 znaków" in body
    with tenant_context(baltyk.id):
        user = db.session.scalar(select(User).where(User.identifier == identifier))
        assert user.must_change_password and verify_password(user.password_hash, password)
        assert len(db.session.scalars(select(UnitTitle).where(
            UnitTitle.user_id == user.id)).all()) == 1


def test_the_pdf_carries_the_same_document(clerk):
    body = _create(clerk).get_data(as_text=True)
    identifier = _sheet_value(body, "Identyfikator użytkownika")
    password = _sheet_value(body, "Hasło początkowe")
    user_id = re.search(r'/panel/konta/(\d+)/dokument.pdf', body).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    pdf = clerk.post(f"/panel/konta/{user_id}/dokument.pdf",
                     data={"csrf_token": token, "password": password})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert identifier in text and password in text and "Bałtyk" in text
    forged = clerk.post(f"/panel/konta/{user_id}/dokument.pdf",
                        data={"csrf_token": token, "password": "Wymyslone123"})
    assert forged.status_code == 404  # only the account's real initial password


@pytest.mark.parametrize(("fields", "message"), [
    ({"first_name": ""}, "Prosimy wpisać imię."),
    ({"email": "nie-adres"}, "To nie jest poprawny adres e-mail."),
    ({"phone": "abc"}, "Prosimy wpisać numer telefonu samymi cyframi."),
    ({"unit_number": "999"}, "W tym budynku nie ma lokalu o takim numerze."),
    ({"building": "0"}, "Prosimy wybrać budynek."),
    ({"last_name": "<script>"}, "Zawiera niedozwolone znaki."),
])
def test_bad_input_creates_nothing(clerk, baltyk, fields, message):
    answer = _create(clerk, **fields)
    assert message in answer.get_data(as_text=True)
    with tenant_context(baltyk.id):
        assert db.session.scalar(select(User).where(User.last_name == "Bursztynowa")) is None


def test_reset_password_issues_a_new_document_and_lifts_the_lock(clerk, baltyk):
    resident = make_household(baltyk)
    with tenant_context(baltyk.id):
        user = db.session.get(User, resident.user_id)
        user.locked_at, user.failed_logins = user.updated_at, 5
        db.session.commit()
    db.session.remove()
    path = f"/panel/konta/{resident.user_id}"
    page = clerk.get(path).get_data(as_text=True)
    assert "zablokowane" in page
    body = clerk.post(f"{path}/nowe-haslo", data=_form(clerk, path)).get_data(as_text=True)
    password = _sheet_value(body, "Hasło początkowe")
    assert clerk.get(path).status_code == 200
    with tenant_context(baltyk.id):
        user = db.session.get(User, resident.user_id)
        assert not user.is_locked and user.must_change_password
        assert verify_password(user.password_hash, password)


def test_unlock_deactivate_and_reactivate(clerk, baltyk, app):
    resident = make_household(baltyk)
    path = f"/panel/konta/{resident.user_id}"
    for change in ("odblokuj", "dezaktywuj"):
        assert clerk.post(f"{path}/{change}", data=_form(clerk, path)).status_code == 302
    from tests.helpers import client_for

    assert "Identyfikator lub hasło" in client_for(app, "baltyk.localhost").login(
        resident.identifier, resident.password).get_data(as_text=True)
    clerk.post(f"{path}/aktywuj", data=_form(clerk, path))
    assert client_for(app, "baltyk.localhost").login(
        resident.identifier, resident.password).status_code == 302


def test_add_and_remove_units(clerk, baltyk):
    resident = make_household(baltyk, units=1)
    path = f"/panel/konta/{resident.user_id}"
    added = clerk.post(f"{path}/lokale", data=_form(clerk, path) | {
        "building": clerk.building.building_id, "unit_number": "3", "title_kind": "lease"})
    assert added.status_code == 302
    again = clerk.post(f"{path}/lokale", data=_form(clerk, path) | {
        "building": clerk.building.building_id, "unit_number": "3", "title_kind": "lease"})
    assert "Ten lokal jest już przypisany do konta." in again.get_data(as_text=True)
    removed = clerk.post(f"{path}/lokale/{resident.title_ids[0]}/usun", data=_form(clerk, path))
    assert removed.status_code == 302
    page = clerk.get(path).get_data(as_text=True)
    assert page.count(" m. ") == 1 and " m. 3, " in page  # only the Morska unit is left


def test_search_finds_residents(clerk, baltyk):
    make_household(baltyk, last_name="Szukana")
    page = clerk.get("/panel/mieszkancy?q=szukan").get_data(as_text=True)
    assert "Szukana" in page
    assert "Nie znaleziono kont." in clerk.get("/panel/mieszkancy?q=zzzz").get_data(as_text=True)


def test_clerks_cannot_manage_staff_admins_can(clerk, baltyk, baltyk_client):
    admin = make_household(baltyk, role="admin", units=0)
    assert clerk.get("/panel/pracownicy").status_code == 404
    assert clerk.get(f"/panel/konta/{admin.user_id}").status_code == 404
    clerk.post("/wyloguj", data=_form(clerk, "/panel/"))
    baltyk_client.login(admin.identifier, admin.password)
    data = _form(baltyk_client, "/panel/pracownicy/nowy") | {
        "identifier": "b.nowak", "role": "clerk", "first_name": "Bogdan", "last_name": "Nowak"}
    body = baltyk_client.post("/panel/pracownicy/nowy", data=data).get_data(as_text=True)
    assert _sheet_value(body, "Identyfikator użytkownika") == "b.nowak"
    again = baltyk_client.post("/panel/pracownicy/nowy", data=data | {
        "csrf_token": baltyk_client.csrf_token("/panel/pracownicy/nowy")})
    assert "Ten identyfikator jest już zajęty." in again.get_data(as_text=True)


def test_admin_cannot_deactivate_themself(baltyk, baltyk_client):
    admin = make_household(baltyk, role="admin", units=0)
    baltyk_client.login(admin.identifier, admin.password)
    path = f"/panel/konta/{admin.user_id}"
    baltyk_client.post(f"{path}/dezaktywuj", data=_form(baltyk_client, path))
    assert "Nie można dezaktywować własnego konta." in baltyk_client.get(path).get_data(
        as_text=True)


def test_residents_get_404_in_the_accounts_panel(baltyk, baltyk_client):
    resident = make_household(baltyk)
    baltyk_client.login(resident.identifier, resident.password)
    for path in ("/panel/mieszkancy", "/panel/mieszkancy/nowy",
                 f"/panel/konta/{resident.user_id}"):
        assert baltyk_client.get(path).status_code == 404


@pytest.mark.parametrize(("fields", "message"), [
    ({"unit_number": "2\x00"}, "Zawiera niedozwolone znaki."),
    ({"last_name": "Nowak\u202e"}, "Zawiera niedozwolone znaki."),
    ({"first_name": "Jan\x7f"}, "Zawiera niedozwolone znaki."),
])
def test_control_characters_are_refused_clearly(clerk, fields, message):
    assert message in _create(clerk, **fields).get_data(as_text=True)


def test_search_with_a_nul_byte_does_not_fail(clerk):
    assert clerk.get("/panel/mieszkancy?q=a%00b").status_code == 200


def test_an_admin_sets_a_staff_members_department_and_it_is_audited(baltyk, baltyk_client):
    from iok_saas.audit.models import ACCOUNT_CHANGED, AuditEvent

    admin = make_household(baltyk, role="admin", units=0)
    staff = make_household(baltyk, role="clerk", units=0)
    baltyk_client.login(admin.identifier, admin.password)
    path = f"/panel/konta/{staff.user_id}"
    assert "Zmień dział" in baltyk_client.get(path).get_data(as_text=True)
    answer = baltyk_client.post(f"{path}/dzial", data=_form(baltyk_client, path) | {
        "department": "Dział  Techniczny"})
    assert answer.status_code == 302
    assert "Dział Techniczny" in baltyk_client.get(path).get_data(as_text=True)
    with tenant_context(baltyk.id):
        assert db.session.get(User, staff.user_id).department == "Dział Techniczny"
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == ACCOUNT_CHANGED, AuditEvent.subject_id == staff.user_id)).one()
        assert event.detail == {"department": "Dział Techniczny", "was": ""}
    db.session.remove()
    same = baltyk_client.post(f"{path}/dzial", data=_form(baltyk_client, path) | {
        "department": "Dział Techniczny"}, follow_redirects=True)
    assert "Nic się nie zmieniło." in same.get_data(as_text=True)


@pytest.mark.parametrize("department", ["D" * 81, "Dział\x00", "Dział\u202e"])
def test_a_bad_department_is_refused_and_changes_nothing(baltyk, baltyk_client, department):
    admin = make_household(baltyk, role="admin", units=0)
    staff = make_household(baltyk, role="clerk", units=0)
    baltyk_client.login(admin.identifier, admin.password)
    path = f"/panel/konta/{staff.user_id}"
    answer = baltyk_client.post(f"{path}/dzial", data=_form(baltyk_client, path) | {
        "department": department})
    assert answer.status_code == 422
    assert 'id="department-error"' in answer.get_data(as_text=True)
    with tenant_context(baltyk.id):
        assert db.session.get(User, staff.user_id).department == ""


def test_only_admins_set_departments_and_only_of_staff(clerk, baltyk, baltyk_client):
    other = make_household(baltyk, role="clerk", units=0)
    resident = make_household(baltyk)
    token = clerk.csrf_token("/panel/")
    assert clerk.post(f"/panel/konta/{other.user_id}/dzial", data={
        "csrf_token": token, "department": "Zarząd"}).status_code == 404
    clerk.post("/wyloguj", data=_form(clerk, "/panel/"))
    admin = make_household(baltyk, role="admin", units=0)
    baltyk_client.login(admin.identifier, admin.password)
    page = baltyk_client.get(f"/panel/konta/{resident.user_id}").get_data(as_text=True)
    assert "Zmień dział" not in page
    assert baltyk_client.post(f"/panel/konta/{resident.user_id}/dzial", data=_form(
        baltyk_client, "/panel/") | {"department": "Zarząd"}).status_code == 404
    with tenant_context(baltyk.id):
        assert db.session.get(User, other.user_id).department == ""
        assert db.session.get(User, resident.user_id).department == ""


def test_the_account_page_shows_the_section_each_room_registered(app, zw):
    """Devices (account security), the deletion request (my data), e-mail choices and contact
    history (contacts) and staff views (audit) come from the rooms' registered sections."""
    from iok_saas.auth.models import ADMIN
    from iok_saas.web.account_page import REGISTRY
    from tests.helpers import client_for

    registered = {section.name for section in app.extensions[f"iok_{REGISTRY}"]}
    assert {"devices", "activation", "deletion", "contacts", "views"} <= registered
    host = "zielone-wzgorza.localhost"
    home, admin = make_household(zw, units=1), make_household(zw, units=0, role=ADMIN)
    resident = client_for(app, host)
    assert resident.login(home.identifier, home.password).status_code == 302
    assert resident.post("/moje-dane/usuniecie", data={
        "csrf_token": resident.csrf_token("/moje-dane/")}).status_code == 302
    staff = client_for(app, host)
    assert staff.login(admin.identifier, admin.password).status_code == 302
    page = staff.get(f"/panel/konta/{home.user_id}").get_data(as_text=True)
    for heading in ("Zalogowane urządzenia", "złożył wniosek o usunięcie konta",
                    "Co mieszkaniec otrzymuje e-mailem",
                    "Popraw dane kontaktowe na wniosek papierowy",
                    "Kto z pracowników przeglądał dane mieszkańca"):
        assert heading in page, heading
    own = staff.get(f"/panel/konta/{admin.user_id}").get_data(as_text=True)
    assert "Co mieszkaniec otrzymuje e-mailem" not in own  # a resident's sections only
