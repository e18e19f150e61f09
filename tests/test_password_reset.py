"""Forgotten password by e-mail: a signed, single-use, cooperative-bound, expiring link."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from iok_saas.db import db
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy import services, tenant_context
from tests.factories import make_household
from tests.helpers import as_platform, client_for


@pytest.fixture
def email_path(ctx):
    """Bałtyk switched to the e-mail path for the test (both seeds use paper)."""
    with as_platform():
        services.update_tenant("baltyk", ["accounts.forgotten_password=email"])
    yield
    with as_platform():
        services.update_tenant("baltyk", ["accounts.forgotten_password=paper"])


def _ask(client, identifier):
    token = client.csrf_token("/nie-pamietam-hasla")
    return client.post("/nie-pamietam-hasla", data={"csrf_token": token,
                                                     "identifier": identifier})


def _link(tenant) -> str:
    with tenant_context(tenant.id):
        [message] = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.template == "password_reset")).all()
    db.session.remove()
    return message.context["link"]


def _set(client, path, password):
    token = client.csrf_token(path)
    return client.post(path, data={"csrf_token": token, "new_password": password,
                                   "confirm": password})


def test_paper_path_explains_the_office_visit(zw_client):
    page = zw_client.get("/nie-pamietam-hasla").get_data(as_text=True)
    assert "dowodem tożsamości" in page and "Wyślij odnośnik" not in page


def test_same_answer_whether_or_not_the_identifier_exists(email_path, baltyk, baltyk_client):
    home = make_household(baltyk)
    answers = [_ask(baltyk_client, identifier) for identifier in (home.identifier, "B-NIEMA")]
    assert [a.location for a in answers] == ["/logowanie", "/logowanie"]
    with tenant_context(baltyk.id):  # one e-mail: for the account that exists
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_link_sets_a_new_password_once(email_path, baltyk, baltyk_client):
    home = make_household(baltyk)
    _ask(baltyk_client, home.identifier)
    link = _link(baltyk)
    assert link.startswith("http://baltyk.localhost/nowe-haslo/")
    path = link.removeprefix("http://baltyk.localhost")
    refused = _set(baltyk_client, path, "krotkie")
    assert "Jest krótsze niż 8 znaków." in refused.get_data(as_text=True)
    assert _set(baltyk_client, path, "Bursztyn7").location == "/logowanie"
    assert baltyk_client.login(home.identifier, "Bursztyn7").status_code == 302
    again = client_for(baltyk_client.application, "baltyk.localhost").get(path)
    assert again.location == "/nie-pamietam-hasla"  # used: no longer valid


def test_link_is_useless_on_another_cooperative_or_tampered(email_path, baltyk, baltyk_client,
                                                           app):
    home = make_household(baltyk)
    _ask(baltyk_client, home.identifier)
    path = _link(baltyk).removeprefix("http://baltyk.localhost")
    assert client_for(app, "zielone-wzgorza.localhost").get(path).status_code == 404
    # Change a character of the payload, not the signature's last base64 character: its low
    # bits are padding, so some changes there decode to the same signature.
    prefix, token = path.rsplit("/", 1)
    tampered = f"{prefix}/{'B' if token[0] != 'B' else 'C'}{token[1:]}"
    assert baltyk_client.get(tampered).location == "/nie-pamietam-hasla"


def test_expired_link_is_refused(email_path, baltyk, baltyk_client, monkeypatch):
    from iok_saas.auth import reset

    home = make_household(baltyk)
    _ask(baltyk_client, home.identifier)
    path = _link(baltyk).removeprefix("http://baltyk.localhost")
    monkeypatch.setattr(reset, "LINK_HOURS", -1)
    assert baltyk_client.get(path).location == "/nie-pamietam-hasla"


def test_link_cannot_set_the_initial_password_again(email_path, baltyk, baltyk_client):
    home = make_household(baltyk, must_change=True)
    _ask(baltyk_client, home.identifier)
    path = _link(baltyk).removeprefix("http://baltyk.localhost")
    body = _set(baltyk_client, path, home.password).get_data(as_text=True)
    assert "Nowe hasło musi być inne niż obecne." in body


def test_no_link_for_an_account_blocked_in_staff_unlock_mode(ctx, zw, zw_client):
    from iok_saas.auth.models import User
    from iok_saas.db import utcnow
    from tests.helpers import in_tenant

    with as_platform():
        services.update_tenant("zielone-wzgorza", ["accounts.forgotten_password=email"])
    try:
        home = make_household(zw)
        with in_tenant(zw):
            db.session.get(User, home.user_id).locked_at = utcnow()
        _ask(zw_client, home.identifier)
        with tenant_context(zw.id):
            assert db.session.scalars(select(OutboxMessage)).all() == []
    finally:
        with as_platform():
            services.update_tenant("zielone-wzgorza", ["accounts.forgotten_password=paper"])


def test_sent_reset_link_is_not_kept_in_the_outbox(email_path, baltyk, baltyk_client):
    from iok_saas.mail.outbox import deliver

    home = make_household(baltyk)
    _ask(baltyk_client, home.identifier)
    _link(baltyk)
    with tenant_context(baltyk.id):
        message_id = db.session.scalar(select(OutboxMessage.id))
        assert deliver(message_id) == "sent"  # the file transport: the test app has no SMTP
        db.session.remove()
        sent = db.session.get(OutboxMessage, message_id)
        assert sent.context["link"] == "" and sent.context["identifier"] == home.identifier
