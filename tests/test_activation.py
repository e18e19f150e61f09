"""Activation by letter: one-time codes on the fee notice or a letter open the account of a
member who has never signed in — issued by staff or the operator's command, kept only as a
hash, forgiving about how they are typed, once, until they expire, five wrong ones block the
code, limited like sign-in, never across cooperatives."""

from __future__ import annotations

import csv
import io
import re
import stat
import zipfile
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from iok_saas import create_app
from iok_saas.account_security import activation
from iok_saas.account_security.activation import ALPHABET, Outcome
from iok_saas.account_security.models import ActivationCode
from iok_saas.audit.models import (
    ACTIVATION_CODE_EXPIRED,
    ACTIVATION_CODE_ISSUED,
    ACTIVATION_CODE_REVOKED,
    ACTIVATION_CODE_USED,
    AuditEvent,
)
from iok_saas.auth.models import CLERK, User
from iok_saas.auth.passwords import verify_password
from iok_saas.db import db, utcnow
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy import services, tenant_context
from tests.factories import make_household
from tests.helpers import (
    TenantClient,
    app_settings,
    as_platform,
    client_for,
    in_tenant,
    run_cli,
)

NEW_PASSWORD = "Bursztyn2026x"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def by_letter(ctx):
    """Zielone Wzgórza switched to activation by letter for the test (off in both seeds)."""
    with as_platform():
        services.update_tenant("zielone-wzgorza", ["onboarding.letter_code=true"])
    yield
    with as_platform():
        services.update_tenant("zielone-wzgorza", ["onboarding.letter_code=false"])


@pytest.fixture
def member(zw):
    """A member imported from the accounting system: an account nobody has signed in to."""
    home = make_household(zw, units=1)
    with in_tenant(zw):
        db.session.get(User, home.user_id).password_hash = "!"
    return home


def _issue(tenant, *homes, days: int = 30) -> list[str]:
    with in_tenant(tenant):
        people = [db.session.get(User, h.user_id) for h in homes]
        return [i.code for i in activation.issue(people, days, None)]


def _codes(tenant, home) -> list[ActivationCode]:
    with tenant_context(tenant.id):
        rows = list(db.session.scalars(select(ActivationCode).where(
            ActivationCode.user_id == home.user_id).order_by(ActivationCode.id)))
        for row in rows:
            db.session.expunge(row)
    db.session.remove()
    return rows


def _user(tenant, home) -> User:
    with tenant_context(tenant.id):
        user = db.session.get(User, home.user_id)
        db.session.expunge(user)
    db.session.remove()
    return user


def _actions(tenant, home) -> list[tuple[str, dict]]:
    with tenant_context(tenant.id):
        found = [(e.action, e.detail) for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.subject_id == home.user_id,
            AuditEvent.action.like("activation%")).order_by(AuditEvent.id))]
    db.session.remove()
    return found


def _activate(client, identifier, code, password=NEW_PASSWORD, confirm=None, email=""):
    page = client.get("/aktywacja").get_data(as_text=True)
    return client.post("/aktywacja", data={
        "csrf_token": CSRF.search(page).group(1), "identifier": identifier, "code": code,
        "new_password": password, "confirm": confirm or password, "email": email})


# --- the codes ----------------------------------------------------------------------------------


def test_codes_are_long_readable_and_kept_only_as_a_keyed_hash(by_letter, zw, member):
    [code] = _issue(zw, member)
    assert len(code) == 16 and set(code) <= set(ALPHABET)
    assert not set(code) & set("0O1IL")
    [row] = _codes(zw, member)
    assert row.code_hash != code and code not in row.code_hash and len(row.code_hash) == 64
    assert row.used_at is None and row.revoked_at is None and row.failures == 0
    assert (row.expires_at - row.issued_at) == timedelta(days=30)
    assert [a for a, _d in _actions(zw, member)] == [ACTIVATION_CODE_ISSUED]
    assert activation.shown(code).count("-") == 3


@pytest.mark.parametrize("typed", [
    lambda c: c.lower(), lambda c: activation.shown(c), lambda c: " ".join(c),
    lambda c: f"  {activation.shown(c).lower()}\t"],
    ids=["lower-case", "dashes", "spaces", "mixed"])
def test_spaces_dashes_and_lower_case_are_forgiven(by_letter, zw, member, typed):
    [code] = _issue(zw, member)
    with in_tenant(zw):
        outcome, user, _code = activation.check(member.identifier, typed(code))
        assert outcome is Outcome.OK and user.id == member.user_id


def test_a_new_code_replaces_the_earlier_one(by_letter, zw, member):
    first, = _issue(zw, member)
    second, = _issue(zw, member)
    with in_tenant(zw):
        assert activation.check(member.identifier, first)[0] is Outcome.REVOKED
        assert activation.check(member.identifier, second)[0] is Outcome.OK
    old, new = _codes(zw, member)
    assert old.revoke_reason == activation.REPLACED and new.revoked_at is None


# --- the resident activates -----------------------------------------------------------------------


def test_a_member_activates_with_the_code_and_is_signed_in(by_letter, zw, member, zw_client):
    [code] = _issue(zw, member)
    page = zw_client.get(f"/aktywacja?identyfikator={member.identifier}").get_data(as_text=True)
    assert f'value="{member.identifier}"' in page
    answer = _activate(zw_client, member.identifier, activation.shown(code).lower(),
                       email="nowy.adres@example.org")
    assert answer.status_code == 302
    assert zw_client.get("/").status_code == 200
    assert "Wyloguj" in zw_client.get("/").get_data(as_text=True)
    user = _user(zw, member)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert not user.must_change_password and user.last_login_at is not None
    assert user.pending_email == "nowy.adres@example.org"  # waits for its link
    with tenant_context(zw.id):
        assert db.session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.template == "email_change")).all() == ["nowy.adres@example.org"]
    db.session.remove()
    [row] = _codes(zw, member)
    assert row.used_at is not None
    assert [a for a, _d in _actions(zw, member)] == [ACTIVATION_CODE_ISSUED,
                                                    ACTIVATION_CODE_USED]
    fresh = client_for(zw_client.application, "zielone-wzgorza.localhost")
    assert fresh.login(member.identifier, NEW_PASSWORD).status_code == 302


def test_a_code_opens_an_account_blocked_by_wrong_passwords(by_letter, zw, member, zw_client,
                                                           app):
    [code] = _issue(zw, member)
    with in_tenant(zw):
        user = db.session.get(User, member.user_id)
        user.locked_at, user.failed_logins = utcnow(), 5
    assert _activate(zw_client, member.identifier, code).status_code == 302
    assert not _user(zw, member).is_locked
    fresh = client_for(app, "zielone-wzgorza.localhost")
    assert fresh.login(member.identifier, NEW_PASSWORD).status_code == 302


def test_a_code_works_once(by_letter, zw, member, zw_client, app):
    [code] = _issue(zw, member)
    assert _activate(zw_client, member.identifier, code).status_code == 302
    other = client_for(app, "zielone-wzgorza.localhost")
    again = _activate(other, member.identifier, code, password="Inne2026haslo")
    assert again.status_code == 200
    assert "został już użyty" in again.get_data(as_text=True)
    assert verify_password(_user(zw, member).password_hash, NEW_PASSWORD)


def test_an_expired_code_is_refused_and_logged(by_letter, zw, member, zw_client):
    [code] = _issue(zw, member)
    with in_tenant(zw):
        row = db.session.scalars(select(ActivationCode)).one()
        row.expires_at = utcnow() - timedelta(minutes=1)
    answer = _activate(zw_client, member.identifier, code)
    assert answer.status_code == 200
    assert "stracił ważność" in answer.get_data(as_text=True)
    assert _user(zw, member).password_hash == "!"
    assert _actions(zw, member)[-1][0] == ACTIVATION_CODE_EXPIRED


def test_five_wrong_codes_block_the_code(by_letter, zw, member, zw_client):
    [code] = _issue(zw, member)
    wrong = ("ABCD" * 4) if code != "ABCD" * 4 else "WXYZ" * 4
    for _ in range(activation.MAX_FAILURES):
        answer = _activate(zw_client, member.identifier, wrong)
        assert "Identyfikator lub kod jest nieprawidłowy." in answer.get_data(as_text=True)
    refused = _activate(zw_client, member.identifier, code)
    assert "nie jest już ważny" in refused.get_data(as_text=True)
    [row] = _codes(zw, member)
    assert row.failures == activation.MAX_FAILURES and row.revoke_reason == activation.TOO_MANY
    assert (ACTIVATION_CODE_REVOKED, {"reason": "failures", "issued": row.issued_at.isoformat()}
            ) in _actions(zw, member)
    assert _user(zw, member).password_hash == "!"


def test_what_does_not_look_like_a_code_does_not_count_against_it(by_letter, zw, member,
                                                                 zw_client):
    [code] = _issue(zw, member)
    for typed in ("x", "1234", "ABCD-EFGH", "O0O0-1111-IIII-LLLL"):
        _activate(zw_client, member.identifier, typed)
    assert _codes(zw, member)[0].failures == 0
    assert _activate(zw_client, member.identifier, code).status_code == 302


def test_the_codes_csv_keeps_typed_names_from_running_as_formulas(by_letter, zw, member):
    from iok_saas.account_security import letters

    with in_tenant(zw):
        user = db.session.get(User, member.user_id)
        user.first_name = "=HYPERLINK(\"http://example.org\")"
        issued = activation.issue([user], 30, None)
        text = letters.codes_csv(issued)
    [row] = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert row["imie"].startswith("'=")


def test_an_unknown_identifier_and_a_wrong_code_get_the_same_answer(by_letter, zw, member,
                                                                    zw_client):
    _issue(zw, member)
    unknown = _activate(zw_client, "ZW-999999", "ABCD-EFGH-JKMN-PQRS").get_data(as_text=True)
    wrong = _activate(zw_client, member.identifier, "ABCD-EFGH-JKMN-PQRS").get_data(as_text=True)
    message = "Identyfikator lub kod jest nieprawidłowy."
    assert message in unknown and message in wrong
    # An error looks like an error (the error colour), not like the cooperative's notices.
    assert re.search(r'class="[^"]*notice-error[^"]*" role="alert">\s*<p>' + message, wrong)


def test_a_weak_password_keeps_the_code(by_letter, zw, member, zw_client):
    [code] = _issue(zw, member)
    answer = _activate(zw_client, member.identifier, code, password="krotkie")
    assert answer.status_code == 200
    assert "Nowego hasła nie można użyć" in answer.get_data(as_text=True)
    [row] = _codes(zw, member)
    assert row.used_at is None and row.failures == 0
    assert _activate(zw_client, member.identifier, code).status_code == 302


def test_an_account_in_use_is_not_taken_over_by_a_letter(by_letter, zw, member, zw_client):
    [code] = _issue(zw, member)
    with in_tenant(zw):
        db.session.get(User, member.user_id).last_login_at = utcnow()
    answer = _activate(zw_client, member.identifier, code)
    assert "jest już używane" in answer.get_data(as_text=True)
    assert _user(zw, member).password_hash == "!"
    assert _codes(zw, member)[0].revoke_reason == activation.SIGNED_IN


@pytest.mark.parametrize(("fields", "field", "says"), [
    ({"code": ""}, "code", "Proszę wpisać kod"),
    ({"code": "A" * 10_000}, "code", "za długi"),
    ({"identifier": "ZW\x00001"}, "identifier", "niedozwolone"),
    ({"confirm": "Inne2026haslo"}, "confirm", "różnią"),
    ({"email": "nie-adres"}, "email", "adres"),
], ids=["empty-code", "huge-code", "nul", "different-passwords", "bad-email"])
def test_bad_input_is_refused_clearly_and_changes_nothing(by_letter, zw, member, zw_client,
                                                         fields, field, says):
    [code] = _issue(zw, member)
    data = {"identifier": member.identifier, "code": code} | fields
    answer = _activate(zw_client, data["identifier"], data["code"],
                       confirm=fields.get("confirm"), email=fields.get("email", ""))
    assert answer.status_code == 200
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>',
                      answer.get_data(as_text=True), re.S)
    assert found and says in found.group(1)
    [row] = _codes(zw, member)
    assert row.used_at is None and row.failures == 0
    assert _user(zw, member).password_hash == "!"


def test_a_code_of_another_cooperative_opens_nothing_here(by_letter, zw, baltyk, member,
                                                         zw_client, baltyk_client):
    with as_platform():
        services.update_tenant("baltyk", ["onboarding.letter_code=true"])
    try:
        elsewhere = make_household(baltyk, units=1)
        [code] = _issue(baltyk, elsewhere)
        answer = _activate(zw_client, elsewhere.identifier, code)
        assert "Identyfikator lub kod jest nieprawidłowy." in answer.get_data(as_text=True)
        with in_tenant(zw):
            # the same identifier here, and the other cooperative's code typed for it
            db.session.get(User, member.user_id).identifier = elsewhere.identifier
        _issue(zw, member)
        same_name = _activate(zw_client, elsewhere.identifier, code)
        assert "Identyfikator lub kod jest nieprawidłowy." in same_name.get_data(as_text=True)
        assert _codes(baltyk, elsewhere)[0].failures == 0
        assert _activate(baltyk_client, elsewhere.identifier, code).status_code == 302
    finally:
        with as_platform():
            services.update_tenant("baltyk", ["onboarding.letter_code=false"])


def test_guessing_from_one_address_is_limited_like_sign_in(by_letter, tmp_path, zw, member):
    # Per day: fixed windows, so attempts straddling a minute's end would not add up.
    limited = create_app(app_settings(tmp_path, LOGIN_LIMIT_PER_TENANT_IP="5 per day",
                                      RATELIMIT_KEY_PREFIX=f"iok:rl:{tmp_path.name}"))
    client = TenantClient(limited, limited.response_class, use_cookies=True,
                          host="zielone-wzgorza.localhost")
    answers = [_activate(client, member.identifier, f"ABCD-EFGH-JKMN-PQR{i + 2}").status_code
               for i in range(6)]
    assert answers == [200] * 5 + [429]


def test_without_letter_codes_the_pages_are_not_there(zw, member, zw_client):
    assert zw_client.get("/aktywacja").status_code == 404
    assert "Aktywuj konto" not in zw_client.get("/logowanie").get_data(as_text=True)
    staff = make_household(zw, role=CLERK, units=0)
    zw_client.login(staff.identifier, staff.password)
    assert zw_client.get("/panel/kody-aktywacyjne").status_code == 404


# --- staff and the operator -----------------------------------------------------------------------


@pytest.fixture
def office(app, zw):
    clerk = make_household(zw, role=CLERK, units=0)
    client = client_for(app, "zielone-wzgorza.localhost")
    assert client.login(clerk.identifier, clerk.password).status_code == 302
    return client


def _zip_rows(data: bytes) -> tuple[list[dict], PdfReader]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        [csv_name] = [n for n in names if n.endswith(".csv")]
        [pdf_name] = [n for n in names if n.endswith(".pdf")]
        text = archive.read(csv_name).decode("utf-8-sig")
        reader = PdfReader(io.BytesIO(archive.read(pdf_name)))
    return list(csv.DictReader(io.StringIO(text), delimiter=";")), reader


def test_staff_issue_codes_for_a_building_and_they_work(by_letter, zw, office, app):
    building = make_household(zw, units=3)  # signed in already: not chosen
    with in_tenant(zw):
        db.session.get(User, building.user_id).last_login_at = utcnow()
        for number in (2, 3):  # two more members of the same building, never signed in
            user = User(identifier=f"ZW-9{number}{building.user_id}", role="resident",
                        first_name="Jan", last_name=f"Lokator{number}", password_hash="!")
            db.session.add(user)
            db.session.flush()
            from iok_saas.estate.models import UnitTitle

            db.session.add(UnitTitle(unit_id=building.unit_ids[number - 1], user_id=user.id,
                                     kind="cooperative_ownership", since=date(2020, 1, 1)))
    page = office.get("/panel/kody-aktywacyjne").get_data(as_text=True)
    answer = office.post("/panel/kody-aktywacyjne", data={
        "csrf_token": CSRF.search(page).group(1), "building": str(building.building_id),
        "who": "new", "days": "45"})
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    rows, letters = _zip_rows(answer.data)
    assert [r["nazwisko"] for r in rows] == ["Lokator2", "Lokator3"]
    assert len(letters.pages) == 2
    assert rows[0]["kod"] in letters.pages[0].extract_text()
    assert "Was this letter" not in letters.pages[0].extract_text()  # in Polish
    fresh = client_for(app, "zielone-wzgorza.localhost")
    assert _activate(fresh, rows[1]["identyfikator"], rows[1]["kod"]).status_code == 302

    again = office.post("/panel/kody-aktywacyjne", data={
        "csrf_token": CSRF.search(page).group(1), "building": str(building.building_id),
        "who": "new", "days": "45"}, follow_redirects=True)
    assert "Nie ma komu wydać kodów" in again.get_data(as_text=True)


@pytest.mark.parametrize(("days", "says"), [("0", "od 1 do 365"), ("366", "od 1 do 365"),
                                            ("dużo", "od 1 do 365")])
def test_staff_bad_validity_is_refused(by_letter, zw, office, member, days, says):
    page = office.get("/panel/kody-aktywacyjne").get_data(as_text=True)
    answer = office.post("/panel/kody-aktywacyjne", data={
        "csrf_token": CSRF.search(page).group(1), "building": "0", "who": "new",
        "days": days})
    assert answer.status_code == 200 and says in answer.get_data(as_text=True)
    assert _codes(zw, member) == []


def test_one_letter_and_revoking_from_the_account_page(by_letter, zw, office, member, app):
    path = f"/panel/konta/{member.user_id}"
    page = office.get(path).get_data(as_text=True)
    assert "Wydaj list z kodem aktywacyjnym" in page
    token = CSRF.search(page).group(1)
    letter = office.post(f"{path}/kod-aktywacyjny", data={"csrf_token": token})
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(letter.data)).pages[0].extract_text()
    assert member.identifier in text
    assert "ważny do" in office.get(path).get_data(as_text=True).lower()
    revoked = office.post(f"{path}/kod-aktywacyjny/uniewaznij", data={"csrf_token": token},
                          follow_redirects=True)
    assert "Kod aktywacyjny przestał działać." in revoked.get_data(as_text=True)
    [row] = _codes(zw, member)
    assert row.revoke_reason == activation.BY_STAFF
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", text).group(0)
    answer = _activate(client_for(app, "zielone-wzgorza.localhost"), member.identifier, code)
    assert "nie jest już ważny" in answer.get_data(as_text=True)


def test_staff_cannot_issue_for_staff_or_another_cooperative(by_letter, zw, baltyk, office):
    colleague = make_household(zw, role=CLERK, units=0)
    stranger = make_household(baltyk, units=1)
    token = office.csrf_token("/panel/")
    for user_id in (colleague.user_id, stranger.user_id):
        assert office.post(f"/panel/konta/{user_id}/kod-aktywacyjny",
                           data={"csrf_token": token}).status_code == 404
        assert office.post(f"/panel/konta/{user_id}/kod-aktywacyjny/uniewaznij",
                           data={"csrf_token": token}).status_code == 404
    assert _codes(baltyk, stranger) == [] and _codes(zw, colleague) == []


def test_residents_do_not_reach_the_staff_pages(by_letter, zw, member, zw_client):
    home = make_household(zw)
    zw_client.login(home.identifier, home.password)
    assert zw_client.get("/panel/kody-aktywacyjne").status_code == 404
    assert zw_client.post(f"/panel/konta/{member.user_id}/kod-aktywacyjny", data={
        "csrf_token": zw_client.csrf_token("/")}).status_code == 404


@pytest.fixture
def run(app, ctx):
    """Invoke an ``iok`` command as a fresh process would."""

    def invoke(*args: str):
        db.session.remove()
        return run_cli(app, *args)

    return invoke


def test_the_operator_command_writes_private_files(by_letter, run, zw, member, tmp_path):
    folder = tmp_path / "kody"
    result = run("accounts", "letter-codes", "--tenant", "zielone-wzgorza", "--output",
                 str(folder), "--days", "60")
    assert result.exit_code == 0, result.output
    csv_path = folder / "kody-aktywacyjne-zielone-wzgorza.csv"
    pdf_path = folder / "listy-aktywacyjne-zielone-wzgorza.pdf"
    for path in (csv_path, pdf_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8-sig")), delimiter=";"))
    mine = [r for r in rows if r["identyfikator"] == member.identifier]
    assert len(mine) == 1 and len(PdfReader(str(pdf_path)).pages) == len(rows)
    with in_tenant(zw):
        assert activation.check(member.identifier, mine[0]["kod"])[0] is Outcome.OK
    issued = [d for a, d in _actions(zw, member) if a == ACTIVATION_CODE_ISSUED]
    assert issued == [{"days": 60, "via": "operator"}]
    again = run("accounts", "letter-codes", "--tenant", "zielone-wzgorza", "--output",
                str(folder))
    assert again.exit_code == 0 and "Nobody" in again.output


def test_the_operator_command_refuses_what_it_cannot_do(run, zw, tmp_path):
    off = run("accounts", "letter-codes", "--tenant", "zielone-wzgorza", "--output",
              str(tmp_path))
    assert off.exit_code == 1 and "letter_code" in off.output
    with as_platform():
        services.update_tenant("zielone-wzgorza", ["onboarding.letter_code=true"])
    try:
        unknown = run("accounts", "letter-codes", "--tenant", "zielone-wzgorza", "--building",
                      "nie-ma-takiego", "--output", str(tmp_path))
        assert unknown.exit_code == 1 and "No building" in unknown.output
        nobody = run("accounts", "letter-codes", "--tenant", "nie-ma", "--output",
                     str(tmp_path))
        assert nobody.exit_code == 1
    finally:
        with as_platform():
            services.update_tenant("zielone-wzgorza", ["onboarding.letter_code=false"])
    assert list(tmp_path.iterdir()) == []
