"""Staff admins preview each e-mail in their cooperative's branding; nobody else can."""

from __future__ import annotations

import pytest

from tests.factories import make_household


@pytest.fixture
def baltyk_admin(baltyk, baltyk_client):
    admin = make_household(baltyk, role="admin", units=0)
    assert baltyk_client.login(admin.identifier, admin.password).status_code == 302
    return baltyk_client


def test_admin_sees_the_list_and_a_branded_preview(baltyk_admin):
    listing = baltyk_admin.get("/panel/wiadomosci").get_data(as_text=True)
    assert "Wiadomość próbna z Internetowej Obsługi Kontrahenta" in listing
    preview = baltyk_admin.get("/panel/wiadomosci/test_message").get_data(as_text=True)
    assert "Temat" in preview and "SM „Bałtyk”" in preview and "iok@smbaltyk.pl" in preview
    assert "ul. Zgoda 8" in preview  # the footer of the text version
    html = baltyk_admin.get("/panel/wiadomosci/test_message/podglad.html")
    assert html.status_code == 200 and "#0b4f8a" in html.get_data(as_text=True)
    assert html.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_admin_menu_has_the_messages_link(baltyk_admin):
    assert 'href="/panel/wiadomosci"' in baltyk_admin.get("/panel/").get_data(as_text=True)


def test_unknown_message_is_404(baltyk_admin):
    assert baltyk_admin.get("/panel/wiadomosci/nie_ma_takiej").status_code == 404


@pytest.mark.parametrize("role", ["clerk", "resident"])
def test_only_admins_see_previews(baltyk, baltyk_client, role):
    user = make_household(baltyk, role=role, units=0)
    baltyk_client.login(user.identifier, user.password)
    assert baltyk_client.get("/panel/wiadomosci").status_code == 404
    assert baltyk_client.get("/panel/wiadomosci/test_message/podglad.html").status_code == 404
    assert 'href="/panel/wiadomosci"' not in baltyk_client.get(
        "/", follow_redirects=True).get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(baltyk_client):
    answer = baltyk_client.get("/panel/wiadomosci")
    assert answer.status_code == 302 and "/logowanie" in answer.location
