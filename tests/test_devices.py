"""Signed-in devices: a session row per sign-in, named by a token in the cookie and kept only as
its hash; the person sees each device and signs out one or all others; signing out here ends
only this device; a new password, a lock or a deactivation ends them all; a session costs no
more queries than before."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from iok_saas.audit.models import SIGN_OUT, AuditEvent
from iok_saas.auth import sessions as devices
from iok_saas.auth.models import SignedInSession, User
from iok_saas.db import db, utcnow
from iok_saas.tenancy import tenant_context
from tests.factories import make_household
from tests.helpers import client_for, in_tenant

PHONE = ("Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Mobile Safari/537.36")
DESKTOP = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")
HOST = "zielone-wzgorza.localhost"


def _device(app, home, user_agent: str, address: str = "127.0.0.1"):
    client = client_for(app, HOST)
    client.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": address})
    assert client.login(home.identifier, home.password).status_code == 302
    return client


def _rows(tenant, home) -> list[SignedInSession]:
    with tenant_context(tenant.id):
        rows = list(db.session.scalars(select(SignedInSession).where(
            SignedInSession.user_id == home.user_id).order_by(SignedInSession.id)))
        for row in rows:
            db.session.expunge(row)
    db.session.remove()
    return rows


def _signed_in(client) -> bool:
    return "Wyloguj się" in client.get("/", follow_redirects=True).get_data(as_text=True)


def _post(client, path):
    return client.post(path, data={"csrf_token": client.csrf_token("/zalogowane-urzadzenia")})


@pytest.fixture
def home(zw):
    return make_household(zw, last_name="Urządzeniowa")


def test_each_sign_in_is_a_device_with_its_browser_address_and_times(app, zw, home):
    phone = _device(app, home, PHONE, "203.0.113.7")
    _device(app, home, DESKTOP, "198.51.100.4")
    page = phone.get("/zalogowane-urzadzenia").get_data(as_text=True)
    assert "Chrome Mobile 131 · Android 14" in page and "Firefox 133 · Windows 10" in page
    assert "203.0.113.7" in page and "198.51.100.4" in page
    this_row = re.search(r"<tr>\s*<td[^>]*>([^<]*)<strong class=\"badge\">to urządzenie",
                         page)
    assert this_row and "Android" in this_row.group(1)
    rows = _rows(zw, home)
    assert len(rows) == 2 and all(r.created_at and r.last_seen_at for r in rows)


def test_the_table_keeps_only_a_hash_of_the_cookies_token(app, zw, home):
    phone = _device(app, home, PHONE)
    with phone.session_transaction() as session:
        token = session[devices.KEY]
    [row] = _rows(zw, home)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in (
        row.token_hash, row.device, row.ip)


def test_signing_out_another_device_ends_it_and_is_logged(app, zw, home):
    phone, desktop = _device(app, home, PHONE), _device(app, home, DESKTOP)
    desktop_row = _rows(zw, home)[1]
    answer = _post(phone, f"/zalogowane-urzadzenia/{desktop_row.id}/wyloguj")
    assert answer.status_code == 302
    assert not _signed_in(desktop) and _signed_in(phone)
    assert [r.id for r in _rows(zw, home)] == [_rows(zw, home)[0].id]
    with tenant_context(zw.id):
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == SIGN_OUT, AuditEvent.subject_id == home.user_id)).all()
        assert [e.detail for e in events] == [{"device": "other"}]


def test_signing_out_all_others_keeps_this_one(app, zw, home):
    phone = _device(app, home, PHONE)
    others = [_device(app, home, DESKTOP) for _ in range(3)]
    answer = _post(phone, "/zalogowane-urzadzenia/wyloguj-pozostale")
    assert "3 inne urządzenia zostały wylogowane." in phone.get(answer.location).get_data(
        as_text=True)
    assert _signed_in(phone) and not any(_signed_in(o) for o in others)
    assert len(_rows(zw, home)) == 1


def test_sign_out_ends_only_this_device_and_its_cookie_copies(app, zw, home):
    phone, desktop = _device(app, home, PHONE), _device(app, home, DESKTOP)
    stolen = phone.get_cookie("session", domain=HOST).value
    assert _post(phone, "/wyloguj").status_code == 302
    thief = client_for(app, HOST)
    thief.set_cookie("session", stolen, domain=HOST)
    assert not _signed_in(thief) and not _signed_in(phone)
    assert _signed_in(desktop)


def test_another_persons_or_cooperatives_session_and_this_one_are_not_found(app, zw, baltyk,
                                                                            home):
    phone = _device(app, home, PHONE)
    this_id = _rows(zw, home)[0].id
    neighbour = make_household(zw)
    _device(app, neighbour, DESKTOP)
    theirs = _rows(zw, neighbour)[0].id
    stranger = make_household(baltyk)
    other = client_for(app, "baltyk.localhost")
    assert other.login(stranger.identifier, stranger.password).status_code == 302
    elsewhere = _rows(baltyk, stranger)[0].id
    for row_id in (theirs, elsewhere, this_id, 999_999):
        assert _post(phone, f"/zalogowane-urzadzenia/{row_id}/wyloguj").status_code == 404
    assert len(_rows(zw, neighbour)) == 1 and len(_rows(baltyk, stranger)) == 1
    page = phone.get("/zalogowane-urzadzenia").get_data(as_text=True)
    assert stranger.last_name not in page and "Windows" not in page


def test_the_actions_need_the_forms_token(app, zw, home):
    phone, desktop = _device(app, home, PHONE), _device(app, home, DESKTOP)
    row = _rows(zw, home)[1]
    assert phone.post(f"/zalogowane-urzadzenia/{row.id}/wyloguj").status_code == 400
    assert phone.post("/zalogowane-urzadzenia/wyloguj-pozostale").status_code == 400
    assert _signed_in(desktop)


def test_a_new_password_a_lock_or_a_deactivation_ends_every_device(app, zw, home):
    phone, desktop = _device(app, home, PHONE), _device(app, home, DESKTOP)
    token = phone.csrf_token("/zmiana-hasla")
    answer = phone.post("/zmiana-hasla", data={
        "csrf_token": token, "current_password": home.password,
        "new_password": "Nowe2026hasloX", "confirm": "Nowe2026hasloX"})
    assert answer.status_code == 302
    assert _signed_in(phone) and not _signed_in(desktop)
    assert len(_rows(zw, home)) == 1

    from iok_saas.auth import services

    with in_tenant(zw):
        services.set_active(db.session.get(User, home.user_id), False,
                            db.session.get(User, make_household(zw, role="admin").user_id))
    assert not _signed_in(phone) and _rows(zw, home) == []


def test_a_cookie_from_before_devices_were_kept_signs_in_again(app, zw, home):
    phone = _device(app, home, PHONE)
    with phone.session_transaction() as session:
        del session[devices.KEY]
    assert not _signed_in(phone)


def test_the_last_activity_is_written_at_most_once_a_minute(app, zw, home):
    phone = _device(app, home, PHONE)
    [before] = _rows(zw, home)
    with in_tenant(zw):
        db.session.get(SignedInSession, before.id).last_seen_at = utcnow() - timedelta(
            minutes=5)
    phone.get("/")
    assert _rows(zw, home)[0].last_seen_at < utcnow() - timedelta(minutes=4)
    with phone.session_transaction() as session:
        session["seen"] -= 61
    phone.get("/")
    assert _rows(zw, home)[0].last_seen_at > utcnow() - timedelta(minutes=1)


def test_idle_sessions_are_not_listed_and_are_forgotten(app, zw, home):
    phone, desktop = _device(app, home, PHONE), _device(app, home, DESKTOP)
    idle_row = _rows(zw, home)[1]
    with in_tenant(zw):
        db.session.get(SignedInSession, idle_row.id).last_seen_at = utcnow() - timedelta(
            minutes=31)  # Zielone Wzgórza: 30 minutes
    assert "Windows" not in phone.get("/zalogowane-urzadzenia").get_data(as_text=True)
    with tenant_context(zw.id):
        assert devices.prune() == 1
    db.session.remove()
    assert [r.id for r in _rows(zw, home)] != [idle_row.id] and len(_rows(zw, home)) == 1
    assert not _signed_in(desktop)


def test_a_signed_in_page_costs_no_more_queries_with_devices_kept(app, zw, home):
    from tests.helpers import queries_for

    phone = _device(app, home, PHONE)
    phone.get("/")
    first = queries_for(phone, "/zalogowane-urzadzenia")
    assert queries_for(phone, "/zalogowane-urzadzenia") == first
    # the cooperative's setting for this transaction, the person with the session (one
    # query), the page's own list
    assert first == 3, first


def test_the_office_signs_an_account_out_on_every_device(app, zw, baltyk, home):
    from tests.helpers import client_for as client

    phone, desktop = _device(app, home, PHONE, "203.0.113.7"), _device(app, home, DESKTOP)
    clerk = make_household(zw, role="clerk", units=0)
    office = client(app, HOST)
    assert office.login(clerk.identifier, clerk.password).status_code == 302
    path = f"/panel/konta/{home.user_id}"
    page = office.get(path).get_data(as_text=True)
    assert "Chrome Mobile 131 · Android 14" in page and "203.0.113" not in page
    answer = office.post(f"{path}/wyloguj-wszedzie", data={"csrf_token": office.csrf_token(path)})
    assert answer.status_code == 302
    assert not _signed_in(phone) and not _signed_in(desktop) and _rows(zw, home) == []
    with tenant_context(zw.id):
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == SIGN_OUT, AuditEvent.subject_id == home.user_id)).one()
        assert event.actor_id == clerk.user_id and event.detail == {"device": "all", "count": 2}
    db.session.remove()
    admin = make_household(zw, role="admin", units=0)
    stranger = make_household(baltyk)
    for user_id in (admin.user_id, stranger.user_id):  # a clerk manages residents only
        assert office.post(f"/panel/konta/{user_id}/wyloguj-wszedzie", data={
            "csrf_token": office.csrf_token("/panel/")}).status_code == 404
