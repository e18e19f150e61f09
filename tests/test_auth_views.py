"""Sign-in on the cooperative's own host: one message for every failure, scoped sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from iok_saas.auth.models import User
from iok_saas.db import db
from tests.factories import make_household
from tests.helpers import in_tenant

FAILED = "Identyfikator lub hasło są nieprawidłowe."


def test_login_form_has_labels_and_autocomplete(zw_client):
    page = zw_client.get("/logowanie").get_data(as_text=True)
    assert 'autocomplete="username"' in page and 'autocomplete="current-password"' in page
    assert '<label for="identifier">Identyfikator użytkownika</label>' in page
    assert '<label for="password">Hasło</label>' in page


def test_resident_signs_in_and_sees_their_units(zw, zw_client):
    home = make_household(zw, street="os. Zielone Wzgórza", units=2)
    answer = zw_client.login(home.identifier, home.password)
    assert answer.status_code == 302 and answer.location == "/"
    page = zw_client.get("/")
    body = page.get_data(as_text=True)
    assert "os. Zielone Wzgórza" in body and body.count("os. Zielone Wzgórza") >= 2
    assert page.headers["Cache-Control"] == "no-store"


def test_every_failure_gets_the_same_answer(zw, zw_client):
    home = make_household(zw)
    with in_tenant(zw):
        db.session.execute(update(User).values(active=False))
    disabled = make_household(zw)  # active, used for the wrong password
    answers = [
        zw_client.login("NIE-MA-TAKIEGO", "cokolwiek1"),
        zw_client.login(disabled.identifier, "zle-haslo-1"),
        zw_client.login(home.identifier, home.password),  # deactivated account
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert FAILED in answer.get_data(as_text=True)


def test_empty_form_says_what_is_missing(zw_client):
    token = zw_client.csrf_token("/logowanie")
    body = zw_client.post("/logowanie", data={"csrf_token": token}).get_data(as_text=True)
    assert "Prosimy wpisać identyfikator użytkownika." in body and "Prosimy wpisać hasło." in body


def test_post_without_csrf_token_is_refused(zw, zw_client):
    home = make_household(zw)
    answer = zw_client.post("/logowanie", data={"identifier": home.identifier,
                                                "password": home.password})
    assert answer.status_code == 400


def test_resident_of_one_cooperative_cannot_sign_in_on_another(zw, baltyk_client):
    home = make_household(zw)
    answer = baltyk_client.login(home.identifier, home.password)
    assert FAILED in answer.get_data(as_text=True)


def test_cookie_of_one_cooperative_is_anonymous_on_another(app, zw, zw_client, baltyk_client):
    home = make_household(zw, last_name="Ciasteczkowa")
    zw_client.login(home.identifier, home.password)
    cookie = zw_client.get_cookie("session", domain="zielone-wzgorza.localhost")
    assert cookie is not None
    baltyk_client.set_cookie("session", cookie.value, domain="baltyk.localhost")
    page = baltyk_client.get("/").get_data(as_text=True)
    assert "Ciasteczkowa" not in page and "Zaloguj się" in page


def test_logout_makes_copies_of_the_old_cookie_useless(app, zw, zw_client):
    home = make_household(zw, last_name="Wylogowana")
    zw_client.login(home.identifier, home.password)
    stolen = zw_client.get_cookie("session", domain="zielone-wzgorza.localhost").value
    token = zw_client.csrf_token("/")
    assert zw_client.post("/wyloguj", data={"csrf_token": token}).status_code == 302
    from tests.helpers import client_for

    thief = client_for(app, "zielone-wzgorza.localhost")
    thief.set_cookie("session", stolen, domain="zielone-wzgorza.localhost")
    assert "Wylogowana" not in thief.get("/").get_data(as_text=True)


def test_staff_go_to_the_panel_residents_do_not(zw, zw_client, baltyk, baltyk_client):
    staff = make_household(zw, role="clerk", units=0)
    zw_client.login(staff.identifier, staff.password)
    assert zw_client.get("/").location == "/panel/"
    panel = zw_client.get("/panel/").get_data(as_text=True)
    assert "Panel pracownika" in panel and "pracownik obsługi" in panel
    resident = make_household(baltyk)
    baltyk_client.login(resident.identifier, resident.password)
    assert baltyk_client.get("/panel/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in_from_the_panel(zw_client):
    answer = zw_client.get("/panel/")
    assert answer.status_code == 302 and answer.location.startswith("/logowanie")


def test_security_headers_on_every_page(zw_client):
    headers = zw_client.get("/").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("target", [
    "//evil.example/x", "/\t/evil.example",
    "/\\evil.example", "https://evil.example/", "/\n/evil.example", "javascript:alert(1)",
])
def test_unsafe_next_addresses_go_home(zw, zw_client, target):
    home = make_household(zw)
    token = zw_client.csrf_token("/logowanie")
    answer = zw_client.post("/logowanie", query_string={"next": target}, data={
        "csrf_token": token, "identifier": home.identifier, "password": home.password})
    assert answer.location == "/"


def test_safe_next_address_is_followed(zw, zw_client):
    home = make_household(zw)
    token = zw_client.csrf_token("/logowanie")
    answer = zw_client.post("/logowanie", query_string={"next": "/panel/?a=1"}, data={
        "csrf_token": token, "identifier": home.identifier, "password": home.password})
    assert answer.location == "/panel/?a=1"
