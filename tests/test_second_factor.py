"""Two-step verification: set up with a QR code and a first code, asked only after the right
password, a code never twice, a clock a step off accepted and ten steps off refused, recovery
codes once, wrong codes counted towards the lock, required of staff where the cooperative says
so, remembered browsers only where allowed, a lost phone at the office or by e-mail."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from iok_saas.account_security import second_factor
from iok_saas.account_security.models import RecoveryCode
from iok_saas.audit.models import SECOND_FACTOR_OFF, SECOND_FACTOR_ON, SIGN_IN, AuditEvent
from iok_saas.auth.models import CLERK, User
from iok_saas.db import db
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy import services, tenant_context
from tests.factories import make_household
from tests.helpers import as_platform, client_for, in_tenant

HOST = "zielone-wzgorza.localhost"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _mode(*settings: str):
    with as_platform():
        services.update_tenant("zielone-wzgorza", list(settings))


@pytest.fixture
def optional(ctx):
    _mode("second_factor.mode=optional")
    yield
    _mode("second_factor.mode=off", "second_factor.remember_devices=false")


def _user(tenant, home) -> User:
    with tenant_context(tenant.id):
        user = db.session.get(User, home.user_id)
        db.session.expunge(user)
    db.session.remove()
    return user


def _turn_on(tenant, home) -> tuple[str, list[str]]:
    """Two-step verification on for the account, as set up a minute ago: secret, codes."""
    with in_tenant(tenant):
        user = db.session.get(User, home.user_id)
        secret = second_factor.new_secret()
        codes = second_factor.turn_on(user, secret, int(time.time() // 30) - 2)
    return secret, codes


def _code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + steps * 30)


def _send_code(client, code: str, remember: bool = False):
    page = client.get("/logowanie/kod").get_data(as_text=True)
    data = {"csrf_token": CSRF.search(page).group(1), "code": code}
    if remember:
        data["remember"] = "y"
    return client.post("/logowanie/kod", data=data)


def _signed_in(client) -> bool:
    return "Wyloguj się" in client.get("/", follow_redirects=True).get_data(as_text=True)


@pytest.fixture
def home(zw):
    return make_household(zw, last_name="Dwuetapowa")


def test_setting_it_up_with_the_qr_code_and_a_first_code(optional, app, zw, home, zw_client):
    zw_client.login(home.identifier, home.password)
    page = zw_client.get("/weryfikacja-dwuetapowa").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "otpauth://totp/" in page
    pending = _user(zw, home).totp_pending
    assert pending and _user(zw, home).totp_secret is None
    zw_client.get("/weryfikacja-dwuetapowa")  # reloaded after scanning: the same key
    assert _user(zw, home).totp_pending == pending
    wrong = zw_client.post("/weryfikacja-dwuetapowa", data={
        "csrf_token": CSRF.search(page).group(1), "code": "000000"})
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    assert _user(zw, home).totp_secret is None
    answer = zw_client.post("/weryfikacja-dwuetapowa", data={
        "csrf_token": CSRF.search(page).group(1), "code": _code(pending)})
    body = answer.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", body)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = _user(zw, home)
    assert user.totp_secret == pending and user.totp_pending is None
    with tenant_context(zw.id):
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(stored) == 10 and not set(codes) & set(stored)
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.action == SECOND_FACTOR_ON)) == SECOND_FACTOR_ON


def test_the_code_is_asked_only_after_the_right_password(optional, app, zw, home):
    secret, _codes = _turn_on(zw, home)
    client = client_for(app, HOST)
    wrong = client.login(home.identifier, "zle-haslo-123")
    nobody = client.login("ZW-NIEMA", "zle-haslo-123")
    for answer in (wrong, nobody):  # the same answer: nothing says a code would follow
        body = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "Identyfikator lub hasło są nieprawidłowe." in body
        # The words of the page, not its random tokens (a CSRF token may hold "kod").
        words = re.sub(r'value="[^"]*"', "", body).lower().replace("kod pocztowy", "")
        assert "kod" not in words
    right = client.login(home.identifier, home.password)
    assert right.location == "/logowanie/kod"
    assert not _signed_in(client)
    assert _send_code(client, _code(secret)).status_code == 302
    assert _signed_in(client)
    with tenant_context(zw.id):
        assert db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_id == home.user_id, AuditEvent.action == SIGN_IN)).all() == [
            SIGN_IN]


@pytest.mark.parametrize(("steps", "works"), [(-1, True), (1, True), (-10, False),
                                              (10, False)])
def test_a_clock_one_step_off_is_accepted_ten_steps_off_refused(optional, app, zw, home, steps,
                                                                works):
    secret, _codes = _turn_on(zw, home)
    client = client_for(app, HOST)
    client.login(home.identifier, home.password)
    answer = _send_code(client, _code(secret, steps))
    assert (answer.status_code == 302) is works
    assert _signed_in(client) is works


def test_a_code_never_works_twice(optional, app, zw, home):
    secret, _codes = _turn_on(zw, home)
    code = _code(secret)
    first = client_for(app, HOST)
    first.login(home.identifier, home.password)
    assert _send_code(first, code).status_code == 302
    second = client_for(app, HOST)
    second.login(home.identifier, home.password)
    answer = _send_code(second, code)
    assert answer.status_code == 200 and "już użyty" in answer.get_data(as_text=True)
    assert not _signed_in(second)


def test_a_recovery_code_works_once_however_it_is_typed(optional, app, zw, home):
    _secret, codes = _turn_on(zw, home)
    client = client_for(app, HOST)
    client.login(home.identifier, home.password)
    assert _send_code(client, f" {codes[0].upper()} ").status_code == 302
    again = client_for(app, HOST)
    again.login(home.identifier, home.password)
    assert _send_code(again, codes[0]).status_code == 200
    assert _send_code(again, codes[1].replace("-", "")).status_code == 302


def test_wrong_codes_count_towards_the_lock_and_a_new_password_does_not_reset_them(
        optional, app, zw, home):
    _secret, _codes = _turn_on(zw, home)
    client = client_for(app, HOST)
    for _ in range(2):
        client.login(home.identifier, home.password)
        for _ in range(2):
            assert _send_code(client, "123456").status_code == 200
    assert _user(zw, home).failed_logins == 4
    client.login(home.identifier, home.password)
    locked = _send_code(client, "654321")
    assert locked.location == "/logowanie"
    assert _user(zw, home).is_locked
    client.login(home.identifier, home.password)
    assert not _signed_in(client)
    assert client.get("/logowanie/kod").location == "/logowanie"


def test_the_waiting_step_expires_and_is_bound_to_the_password_version(optional, app, zw, home):
    _secret, _codes = _turn_on(zw, home)
    client = client_for(app, HOST)
    client.login(home.identifier, home.password)
    with client.session_transaction() as session:
        waiting = dict(session["second_step"])
        waiting["at"] -= 301
        session["second_step"] = waiting
    assert client.get("/logowanie/kod").location == "/logowanie"
    client.login(home.identifier, home.password)
    with in_tenant(zw):
        db.session.get(User, home.user_id).session_version += 1
    assert client.get("/logowanie/kod").location == "/logowanie"


@pytest.mark.parametrize("code", ["", "1" * 5000, "12 34 5", "abc\x00def", "²²²²²²",
                                  "١٢٣٤٥٦"],
                         ids=["empty", "huge", "five-digits", "nul", "superscripts",
                              "arabic-digits"])
def test_bad_codes_are_refused_clearly(optional, app, zw, home, code):
    _turn_on(zw, home)
    client = client_for(app, HOST)
    client.login(home.identifier, home.password)
    answer = _send_code(client, code)
    assert answer.status_code == 200 and 'id="code-error"' in answer.get_data(as_text=True)
    assert not _signed_in(client)


def test_required_of_staff_a_clerk_without_it_must_set_it_up_first(ctx, app, zw):
    _mode("second_factor.mode=staff")
    try:
        clerk = make_household(zw, role=CLERK, units=0)
        resident = make_household(zw)
        client = client_for(app, HOST)
        assert client.login(clerk.identifier, clerk.password).status_code == 302
        assert client.get("/panel/").location == "/weryfikacja-dwuetapowa"
        page = client.get("/weryfikacja-dwuetapowa").get_data(as_text=True)
        pending = _user(zw, clerk).totp_pending
        client.post("/weryfikacja-dwuetapowa", data={
            "csrf_token": CSRF.search(page).group(1), "code": _code(pending)})
        assert client.get("/panel/").status_code == 200
        page = client.get("/weryfikacja-dwuetapowa").get_data(as_text=True)
        assert "nie można tu wyłączyć" in page
        assert client.post("/weryfikacja-dwuetapowa/wylacz", data={
            "csrf_token": CSRF.search(page).group(1), "password": clerk.password,
            "code": "123456"}).status_code == 404
        other = client_for(app, HOST)
        assert other.login(resident.identifier, resident.password).status_code == 302
        assert other.get("/").status_code == 200  # residents may, need not
    finally:
        _mode("second_factor.mode=off")


def test_a_remembered_browser_skips_the_code_only_where_allowed(ctx, app, zw, home):
    _mode("second_factor.mode=optional", "second_factor.remember_devices=true")
    try:
        secret, _codes = _turn_on(zw, home)
        client = client_for(app, HOST)
        client.login(home.identifier, home.password)
        assert _send_code(client, _code(secret), remember=True).status_code == 302
        assert client.get_cookie("iok-device", domain=HOST) is not None
        client.post("/wyloguj", data={"csrf_token": client.csrf_token("/")})
        assert client.login(home.identifier, home.password).location == "/"
        _mode("second_factor.remember_devices=false")
        client.post("/wyloguj", data={"csrf_token": client.csrf_token("/")})
        assert client.login(home.identifier, home.password).location == "/logowanie/kod"
        _mode("second_factor.remember_devices=true")
        with in_tenant(zw):
            [device] = second_factor.trusted_of(home.user_id)
            second_factor.forget(home.user_id, device.id)
        client.get("/logowanie")
        assert client.login(home.identifier, home.password).location == "/logowanie/kod"
    finally:
        _mode("second_factor.mode=off", "second_factor.remember_devices=false")


def test_turning_it_off_needs_the_password_and_a_code(optional, app, zw, home, zw_client):
    secret, _codes = _turn_on(zw, home)
    zw_client.login(home.identifier, home.password)
    _send_code(zw_client, _code(secret))
    page = zw_client.get("/weryfikacja-dwuetapowa").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    zw_client.post("/weryfikacja-dwuetapowa/wylacz", data={
        "csrf_token": token, "password": "zle-haslo", "code": _code(secret, 1)})
    assert _user(zw, home).totp_secret == secret
    zw_client.post("/weryfikacja-dwuetapowa/wylacz", data={
        "csrf_token": token, "password": home.password, "code": _code(secret, 1)})
    assert _user(zw, home).totp_secret is None
    with tenant_context(zw.id):
        assert db.session.scalars(select(RecoveryCode)).all() == []


def test_the_office_turns_it_off_for_a_lost_phone(optional, app, zw, home):
    secret, _codes = _turn_on(zw, home)
    resident = client_for(app, HOST)
    resident.login(home.identifier, home.password)
    _send_code(resident, _code(secret))
    clerk = make_household(zw, role=CLERK, units=0)
    office = client_for(app, HOST)
    office.login(clerk.identifier, clerk.password)
    path = f"/panel/konta/{home.user_id}"
    assert "Wyłącz weryfikację dwuetapową" in office.get(path).get_data(as_text=True)
    office.post(f"{path}/weryfikacja-dwuetapowa/wylacz", data={
        "csrf_token": office.csrf_token(path)})
    assert _user(zw, home).totp_secret is None
    assert not _signed_in(resident)
    with tenant_context(zw.id):
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == SECOND_FACTOR_OFF)).one()
        assert event.detail == {"reason": "office"} and event.actor_id == clerk.user_id


def test_a_lost_phone_by_e_mail_where_passwords_come_back_by_e_mail(ctx, app, zw, home):
    _mode("second_factor.mode=optional", "accounts.forgotten_password=email")
    try:
        secret, _codes = _turn_on(zw, home)
        client = client_for(app, HOST)
        client.login(home.identifier, home.password)
        page = client.get("/logowanie/kod").get_data(as_text=True)
        client.post("/logowanie/kod/zgubiony-telefon", data={
            "csrf_token": CSRF.search(page).group(1)})
        with tenant_context(zw.id):
            [message] = db.session.scalars(select(OutboxMessage).where(
                OutboxMessage.template == "second_factor_off")).all()
            link = message.context["link"]
        db.session.remove()
        path = link.split(HOST, 1)[1].split(":", 1)[-1]
        path = path[path.index("/"):]
        assert client.get(path).status_code == 200
        assert _user(zw, home).totp_secret == secret  # opening the link changes nothing
        client.post(path, data={"csrf_token": client.csrf_token(path)})
        assert _user(zw, home).totp_secret is None
        assert client.get(path).location == "/logowanie"  # once
    finally:
        _mode("second_factor.mode=off", "accounts.forgotten_password=paper")


def test_without_it_the_pages_are_not_there(app, zw, home, zw_client):
    zw_client.login(home.identifier, home.password)
    assert zw_client.get("/weryfikacja-dwuetapowa").status_code == 404
    assert "Weryfikacja dwuetapowa" not in zw_client.get(
        "/zalogowane-urzadzenia").get_data(as_text=True)


def test_a_wrong_code_when_turning_it_off_counts_towards_the_lock(optional, app, zw, home,
                                                                  zw_client):
    secret, _codes = _turn_on(zw, home)
    zw_client.login(home.identifier, home.password)
    _send_code(zw_client, _code(secret))
    page = zw_client.get("/weryfikacja-dwuetapowa").get_data(as_text=True)
    zw_client.post("/weryfikacja-dwuetapowa/wylacz", data={
        "csrf_token": CSRF.search(page).group(1), "password": home.password, "code": "000000"})
    user = _user(zw, home)
    assert user.totp_secret == secret and user.failed_logins == 1


def test_where_it_is_required_a_lost_phone_goes_to_the_office_not_to_the_mailbox(ctx, app, zw):
    _mode("second_factor.mode=staff", "accounts.forgotten_password=email")
    try:
        clerk = make_household(zw, role=CLERK, units=0)
        _secret, _codes = _turn_on(zw, clerk)
        client = client_for(app, HOST)
        client.login(clerk.identifier, clerk.password)
        page = client.get("/logowanie/kod").get_data(as_text=True)
        assert "zgubiony-telefon" not in page and "dokumentem tożsamości" in page
        assert client.post("/logowanie/kod/zgubiony-telefon", data={
            "csrf_token": CSRF.search(page).group(1)}).status_code == 404
    finally:
        _mode("second_factor.mode=off", "accounts.forgotten_password=paper")


def test_an_admin_cannot_turn_off_their_own_second_step_on_the_staff_page(optional, app, zw):
    admin = make_household(zw, role="admin", units=0)
    secret, _codes = _turn_on(zw, admin)
    client = client_for(app, HOST)
    client.login(admin.identifier, admin.password)
    _send_code(client, _code(secret))
    path = f"/panel/konta/{admin.user_id}"
    assert client.post(f"{path}/weryfikacja-dwuetapowa/wylacz", data={
        "csrf_token": client.csrf_token(path)}).status_code == 404
    assert _user(zw, admin).totp_secret == secret


def test_switched_off_by_the_cooperative_nobody_is_asked(ctx, app, zw, home):
    _turn_on(zw, home)  # set up while it was on; the cooperative has it off now
    client = client_for(app, HOST)
    assert client.login(home.identifier, home.password).location == "/"


def test_a_new_password_forgets_the_remembered_browsers(optional, app, zw, home):
    from iok_saas.auth import services as accounts

    _turn_on(zw, home)
    with in_tenant(zw):
        user = db.session.get(User, home.user_id)
        second_factor.remember(user, "Firefox 133")
        accounts.apply_new_password(user, "Nowe2026hasloX")
    with in_tenant(zw):
        assert second_factor.trusted_of(home.user_id) == []
