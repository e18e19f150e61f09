"""The online application path (Zielone Wzgórza): form → e-mail link → staff → visit → sign-in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from iok_saas import create_app
from iok_saas.applications.models import (
    APPROVED,
    COMPLETED,
    REJECTED,
    SUBMITTED,
    UNCONFIRMED,
    AccessApplication,
)
from iok_saas.auth.models import User
from iok_saas.db import db, utcnow
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy import tenant_context
from tests.factories import make_household
from tests.helpers import TenantClient, app_settings, as_platform, in_tenant, run_cli


@pytest.fixture
def estate(zw):
    """A Zielone Wzgórza building with three flats; one already has a resident."""
    return make_household(zw, street="os. Zielone Wzgórza", units=3, last_name="Sąsiadka")


def _apply(client, estate, **fields):
    data = {"csrf_token": client.csrf_token("/wniosek"), "first_name": "Marian",
            "last_name": "Wnioskowy", "building": estate.building_id, "unit_number": "2",
            "title_kind": "cooperative_ownership", "email": "marian@example.org",
            "phone": "600 700 800", "accept": "y"} | fields
    return client.post("/wniosek", data=data)


def _rows(tenant, model):
    with tenant_context(tenant.id):
        rows = db.session.scalars(select(model).order_by(model.id)).all()
        for row in rows:
            db.session.expunge(row)
    db.session.remove()
    return rows


def _confirm_path(tenant) -> str:
    [message] = [m for m in _rows(tenant, OutboxMessage) if m.template == "application_confirm"]
    return message.context["link"].removeprefix("http://zielone-wzgorza.localhost")


def test_baltyk_has_no_form_and_explains_the_paper_path(baltyk_client):
    assert baltyk_client.get("/wniosek").status_code == 404
    home = baltyk_client.get("/").get_data(as_text=True)
    assert "ul. Zgoda 8, pokój nr 4" in home and 'href="/wniosek"' not in home


def test_form_shows_the_terms_and_proper_fields(zw_client, estate):
    page = zw_client.get("/wniosek").get_data(as_text=True)
    assert "Wysłanie wniosku oznacza akceptację Regulaminu" in page
    assert "wersja 2012-04-01" in page.lower() or "(wersja 2012-04-01)" in page
    for attribute in ('autocomplete="given-name"', 'autocomplete="family-name"',
                      'autocomplete="email"', 'autocomplete="tel"'):
        assert attribute in page
    terms = zw_client.get("/regulamin").get_data(as_text=True)
    assert "Wersja 2012-04-01" in terms and "RODO" in terms


def test_submitting_stores_an_unconfirmed_application_and_sends_the_link(zw, zw_client, estate):
    answer = _apply(zw_client, estate)
    assert answer.location == "/wniosek/wyslany"
    [application] = _rows(zw, AccessApplication)
    assert application.status == UNCONFIRMED and application.terms_version == "2012-04-01"
    assert _confirm_path(zw).startswith("/wniosek/potwierdz/")


def test_same_answer_whether_or_not_the_address_is_known(zw, zw_client, estate):
    first = _apply(zw_client, estate)
    second = _apply(zw_client, estate)
    assert first.location == second.location == "/wniosek/wyslany"


@pytest.mark.parametrize(("fields", "message"), [
    ({"email": "to-nie-adres"}, "To nie jest poprawny adres e-mail."),
    ({"accept": ""}, "Bez akceptacji Regulaminu nie możemy przyjąć wniosku."),
    ({"unit_number": "99"}, "W tym budynku nie ma lokalu o takim numerze."),
    ({"building": "0"}, "Prosimy wybrać budynek."),
    ({"phone": ""}, "Prosimy wpisać numer telefonu."),
    ({"first_name": "Ma\x00rian"}, "Zawiera niedozwolone znaki."),
])
def test_bad_input_gets_a_message_and_stores_nothing(zw, zw_client, estate, fields, message):
    body = _apply(zw_client, estate, **fields).get_data(as_text=True)
    assert message in body
    assert _rows(zw, AccessApplication) == []


def test_the_form_posted_too_often_is_limited(tmp_path, zw, ctx, estate):
    limited = create_app(app_settings(tmp_path, APPLICATION_LIMIT_PER_TENANT_IP="3 per day",
                                      RATELIMIT_KEY_PREFIX=f"iok:rl:{tmp_path.name}"))
    client = TenantClient(limited, limited.response_class, use_cookies=True,
                          host="zielone-wzgorza.localhost")
    answers = [_apply(client, estate).status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]


def test_confirmation_link_sends_the_application_once(zw, zw_client, estate):
    _apply(zw_client, estate)
    path = _confirm_path(zw)
    assert "przekazany do Spółdzielni" in zw_client.get(path).get_data(as_text=True)
    assert _rows(zw, AccessApplication)[0].status == SUBMITTED
    assert "nieważny" in zw_client.get(path).get_data(as_text=True)  # reused


def test_staff_get_one_digest_an_hour(zw, zw_client, estate):
    for email in ("a@example.org", "b@example.org"):
        _apply(zw_client, estate, email=email)
    for message in [m for m in _rows(zw, OutboxMessage) if m.template == "application_confirm"]:
        zw_client.get(message.context["link"].removeprefix("http://zielone-wzgorza.localhost"))
    digests = [m for m in _rows(zw, OutboxMessage) if m.template == "application_digest"]
    assert len(digests) == 1 and digests[0].recipient == "iok@zielone-wzgorza.pl"


def test_tampered_expired_and_foreign_links_are_refused(app, zw, zw_client, estate):
    _apply(zw_client, estate)
    path = _confirm_path(zw)
    prefix, token = path.rsplit("/", 1)
    tampered = f"{prefix}/{'B' if token[0] != 'B' else 'C'}{token[1:]}"  # the payload changes
    assert "nieważny" in zw_client.get(tampered).get_data(as_text=True)
    from tests.helpers import client_for

    assert client_for(app, "baltyk.localhost").get(path).status_code == 404
    with in_tenant(zw):
        application = db.session.scalar(select(AccessApplication))
        application.confirm_by = utcnow() - timedelta(minutes=1)
    assert "nieważny" in zw_client.get(path).get_data(as_text=True)
    assert _rows(zw, AccessApplication)[0].status == UNCONFIRMED


@pytest.fixture
def clerk(zw, zw_client):
    staff = make_household(zw, role="clerk", units=0)
    zw_client.login(staff.identifier, staff.password)
    return zw_client


def _submitted(zw, client, estate) -> int:
    anonymous = TenantClient(client.application, client.application.response_class,
                             use_cookies=True, host="zielone-wzgorza.localhost")
    _apply(anonymous, estate)
    anonymous.get(_confirm_path(zw))
    return _rows(zw, AccessApplication)[0].id


def _post(client, path, **data):
    return client.post(path, data={"csrf_token": client.csrf_token(path.rsplit("/", 1)[0])}
                       | data)


def test_staff_see_the_application_with_the_units_residents(zw, clerk, estate):
    application_id = _submitted(zw, clerk, estate)
    queue = clerk.get("/panel/wnioski/").get_data(as_text=True)
    assert "Marian Wnioskowy" in queue and "złożony" in queue
    detail = clerk.get(f"/panel/wnioski/{application_id}").get_data(as_text=True)
    assert "Sąsiadka" in detail and "wersja 2012-04-01" in detail


def test_approve_prepares_an_account_that_cannot_sign_in_yet(app, zw, clerk, estate):
    application_id = _submitted(zw, clerk, estate)
    assert _post(clerk, f"/panel/wnioski/{application_id}/zatwierdz").status_code == 302
    [application] = _rows(zw, AccessApplication)
    assert application.status == APPROVED and application.reviewed_by
    with tenant_context(zw.id):
        user = db.session.get(User, application.user_id)
        assert not user.active and user.email == "marian@example.org"
    db.session.remove()
    [approved] = [m for m in _rows(zw, OutboxMessage) if m.template == "application_approved"]
    assert approved.context["address"] == "62-095 Murowana Goślina"
    assert "password" not in str(approved.context).lower()
    again = _post(clerk, f"/panel/wnioski/{application_id}/zatwierdz")
    assert again.status_code == 302  # already decided: a message, nothing changes
    assert len(_rows(zw, User)) == 3  # estate resident, clerk, the prepared account


def test_reject_needs_a_reason_and_tells_the_applicant(zw, clerk, estate):
    application_id = _submitted(zw, clerk, estate)
    empty = _post(clerk, f"/panel/wnioski/{application_id}/odrzuc", reason=" ")
    assert "Prosimy wpisać powód." in empty.get_data(as_text=True)
    _post(clerk, f"/panel/wnioski/{application_id}/odrzuc", reason="Brak tytułu prawnego.")
    assert _rows(zw, AccessApplication)[0].status == REJECTED
    [rejected] = [m for m in _rows(zw, OutboxMessage) if m.template == "application_rejected"]
    assert rejected.context["reason"] == "Brak tytułu prawnego."


def test_visit_records_the_check_and_hands_over_a_working_document(app, zw, clerk, estate):
    application_id = _submitted(zw, clerk, estate)
    _post(clerk, f"/panel/wnioski/{application_id}/zatwierdz")
    missing = _post(clerk, f"/panel/wnioski/{application_id}/wizyta")
    assert ("Prosimy potwierdzić, że dokument tożsamości został sprawdzony."
            in missing.get_data(as_text=True))
    body = _post(clerk, f"/panel/wnioski/{application_id}/wizyta",
                 identity_checked="y", signed="y").get_data(as_text=True)
    identifier, password = re.findall(r'<td class="secret">([^<]+)</td>', body)
    [application] = _rows(zw, AccessApplication)
    assert application.status == COMPLETED and application.identity_checked_by
    applicant = TenantClient(app, app.response_class, use_cookies=True,
                             host="zielone-wzgorza.localhost")
    assert applicant.login(identifier, password).location == "/zmiana-hasla"


def test_unconfirmed_applications_are_purged_after_the_cooperatives_limit(app, zw, zw_client,
                                                                          estate):
    _apply(zw_client, estate)
    _apply(zw_client, estate, email="nowy@example.org")
    with in_tenant(zw):
        old = db.session.scalars(select(AccessApplication).order_by(AccessApplication.id)).first()
        old.created_at = utcnow() - timedelta(days=8)  # Zielone Wzgórza: 7 days
    result = run_cli(app, "applications", "purge")
    assert "deleted 1" in result.output
    assert [a.email for a in _rows(zw, AccessApplication)] == ["nowy@example.org"]


def test_residents_and_other_cooperatives_cannot_reach_the_queue(zw, zw_client, baltyk,
                                                                baltyk_client):
    resident = make_household(zw)
    zw_client.login(resident.identifier, resident.password)
    assert zw_client.get("/panel/wnioski/").status_code == 404
    staff = make_household(baltyk, role="admin", units=0)
    baltyk_client.login(staff.identifier, staff.password)
    assert baltyk_client.get("/panel/wnioski/").status_code == 404


def test_redis_stopped_while_applying_the_form_still_succeeds(tmp_path, zw, ctx, estate):
    from iok_saas.mail import outbox
    from tests.fixtures.mail import RedisServer

    server = RedisServer()
    server.start()
    app = create_app(app_settings(tmp_path, REDIS_URL=server.url))
    server.stop()
    try:
        client = TenantClient(app, app.response_class, use_cookies=True,
                              host="zielone-wzgorza.localhost")
        assert _apply(client, estate).location == "/wniosek/wyslany"
        [message] = _rows(zw, OutboxMessage)
        assert message.status == "pending"
        server.start()  # Redis is back: the relay hands the e-mail over
        with app.app_context(), as_platform():
            assert outbox.relay()["enqueued"] == 1
    finally:
        server.stop()


def test_embedded_default_sends_the_confirmation_from_the_request(tmp_path, zw, ctx, estate):
    """No Redis: the e-mail is rendered and written in-process when the request ends."""
    app = create_app(app_settings(tmp_path, REDIS_URL=None, SMTP_HOST=None,
                                  MAIL_OUTBOX_DIR=tmp_path / "outbox"))
    client = TenantClient(app, app.response_class, use_cookies=True,
                          host="zielone-wzgorza.localhost")
    assert _apply(client, estate).location == "/wniosek/wyslany"
    [path] = (tmp_path / "outbox").glob("*.eml")
    assert "/wniosek/potwierdz/" in path.read_text(encoding="utf-8", errors="replace")
    assert _rows(zw, OutboxMessage)[0].status == "sent"


def test_two_clerks_approving_at_once_prepare_one_account(app, zw, clerk, estate):
    from concurrent.futures import ThreadPoolExecutor

    application_id = _submitted(zw, clerk, estate)
    other = make_household(zw, role="clerk", units=0)
    second = TenantClient(app, app.response_class, use_cookies=True,
                          host="zielone-wzgorza.localhost")
    second.login(other.identifier, other.password)
    path = f"/panel/wnioski/{application_id}/zatwierdz"
    forms = [(client, client.csrf_token(f"/panel/wnioski/{application_id}"))
             for client in (clerk, second)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda pair: pair[0].post(path, data={"csrf_token": pair[1]}), forms))
    prepared = [u for u in _rows(zw, User) if u.email == "marian@example.org"]
    assert len(prepared) == 1
    approved = [m for m in _rows(zw, OutboxMessage) if m.template == "application_approved"]
    assert len(approved) == 1


def test_nul_in_the_reason_and_huge_ids_are_handled(zw, clerk, estate):
    application_id = _submitted(zw, clerk, estate)
    body = _post(clerk, f"/panel/wnioski/{application_id}/odrzuc",
                 reason="Brak\x00tytułu").get_data(as_text=True)
    assert "Zawiera niedozwolone znaki." in body
    assert clerk.get("/panel/wnioski/99999999999999999999").status_code == 404
    assert clerk.get("/panel/konta/99999999999999999999").status_code == 404


def test_clerk_is_warned_when_the_applicant_already_has_an_account(zw, clerk, estate):
    with in_tenant(zw):
        db.session.get(User, estate.user_id).email = "marian@example.org"
    application_id = _submitted(zw, clerk, estate)
    page = clerk.get(f"/panel/wnioski/{application_id}").get_data(as_text=True)
    assert "Konto z tym adresem e-mail już istnieje" in page and estate.identifier in page
