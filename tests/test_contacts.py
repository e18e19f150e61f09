"""Contact details and choices: phones normalised and checked by type, an e-mail address that
changes only through its confirmation link, the password asked again, dated choices, the
one-click unsubscribe link, staff corrections, another cooperative's ids and hosts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_string, policy

import pytest
from sqlalchemy import select

from iok_saas.announcements import services as announcements
from iok_saas.announcements.fanout import fan_out
from iok_saas.audit.models import AuditEvent
from iok_saas.auth.models import CLERK, User
from iok_saas.contacts import consents
from iok_saas.contacts import services as contacts
from iok_saas.contacts.models import ConsentEvent
from iok_saas.db import db, utcnow
from iok_saas.mail.models import OutboxMessage
from iok_saas.mail.outbox import build_email
from iok_saas.meters.reminders import remind_tenant
from iok_saas.tenancy import services as tenant_services
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.phones import LANDLINE, MOBILE, PhoneProblem, normalise, shown
from tests.factories import make_household
from tests.helpers import ROOT, as_platform, client_for, in_tenant, run_cli

BALTYK = "baltyk.localhost"


def _user(tenant, household) -> User:
    with in_tenant(tenant):
        user = db.session.get(User, household.user_id)
        db.session.expunge(user)
        return user


def _outbox(tenant, template: str) -> list[OutboxMessage]:
    with in_tenant(tenant):
        found = list(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.template == template).order_by(OutboxMessage.created_at)))
        for message in found:
            db.session.expunge(message)
        return found


def _signed_in(app, household, host=BALTYK):
    client = client_for(app, host)
    assert client.login(household.identifier, household.password).status_code == 302
    return client


def _change(client, password, **fields):
    token = client.csrf_token("/dane-kontaktowe/zmien")
    data = {"csrf_token": token, "mobile": "", "landline": "", "email": "",
            "current_password": password} | fields
    return client.post("/dane-kontaktowe/zmien", data=data)


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "kind", "stored", "seen"), [
    ("601 234 567", MOBILE, "+48601234567", "601 234 567"),
    ("+48 601-234-567", MOBILE, "+48601234567", "601 234 567"),
    ("(58) 123 45 67", LANDLINE, "+48581234567", "58 123 45 67"),
    ("+44 7911 123456", MOBILE, "+447911123456", "+44 7911 123456"),
])
def test_phone_numbers_are_kept_in_e164_and_shown_the_polish_way(raw, kind, stored, seen):
    assert normalise(raw, kind) == stored
    assert shown(stored) == seen


@pytest.mark.parametrize(("raw", "kind", "words"), [
    ("+48 000", MOBILE, "no such"), ("123", MOBILE, "no such"), ("sześćset", MOBILE, "digits"),
    ("601abc567", MOBILE, "digits"), ("58 123 45 67", MOBILE, "landline"),
    ("601 234 567", LANDLINE, "mobile"), ("1" * 40, MOBILE, "too long"),
])
def test_bad_phone_numbers_are_refused_with_a_reason(app, raw, kind, words):
    with app.test_request_context(), pytest.raises(PhoneProblem) as problem:
        normalise(raw, kind)
    assert words in str(problem.value.args[0])


def test_an_unreadable_number_kept_from_before_is_shown_as_it_was():
    assert shown("tel. domowy") == "tel. domowy"
    assert shown(None) == ""


# --- the resident's page ------------------------------------------------------------------------


def test_resident_sees_details_and_changes_phones_with_the_password(app, baltyk):
    person = make_household(baltyk, units=1)
    client = _signed_in(app, person)
    page = client.get("/dane-kontaktowe/").get_data(as_text=True)
    assert "Dane kontaktowe" in page and "Zmień dane" in page
    answer = _change(client, person.password, mobile="601234567", landline="58 123 45 67",
                     email=f"{person.identifier.lower()}@example.org")
    assert answer.status_code == 302
    user = _user(baltyk, person)
    assert (user.phone, user.landline) == ("+48601234567", "+48581234567")
    page = client.get("/dane-kontaktowe/").get_data(as_text=True)
    assert "601 234 567" in page and "58 123 45 67" in page
    with in_tenant(baltyk):
        logged = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "contacts_changed", AuditEvent.subject_id == person.user_id))
        assert {e.detail["field"] for e in logged} == {"mobile", "landline"}


@pytest.mark.parametrize(("fields", "message"), [
    ({"mobile": "+48 000"}, "Nie ma takiego numeru"),
    ({"mobile": "123"}, "Nie ma takiego numeru"),
    ({"mobile": "abc"}, "samymi cyframi"),
    ({"mobile": "58 123 45 67"}, "stacjonarny"),
    ({"landline": "601 234 567"}, "komórkowy"),
    ({"mobile": "1" * 40}, "za długi"),
    ({"email": "jan.kowalski"}, "nie jest poprawny adres e-mail"),
    ({"email": "jan kowalski@example.org"}, "nie jest poprawny adres e-mail"),
    ({"email": "jan@example.org\r\nBcc: x@example.org"}, "jednym wierszu"),
    ({"current_password": "zle-haslo-123"}, "Obecne hasło jest nieprawidłowe"),
    ({"current_password": ""}, "Prosimy wpisać obecne hasło"),
])
def test_bad_contact_details_are_refused_with_a_message_and_nothing_changes(
        app, baltyk, fields, message):
    person = make_household(baltyk, units=1)
    client = _signed_in(app, person)
    before = _user(baltyk, person)
    answer = _change(client, fields.pop("current_password", person.password), **fields)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    after = _user(baltyk, person)
    assert (after.phone, after.landline, after.email, after.pending_email) == (
        before.phone, before.landline, before.email, None)
    assert _outbox(baltyk, "email_change") == []


def test_a_new_email_takes_effect_only_after_its_link_and_the_old_one_is_told(app, baltyk):
    person = make_household(baltyk, units=1)
    old = _user(baltyk, person).email
    client = _signed_in(app, person)
    assert _change(client, person.password, email="nowy.adres@example.org").status_code == 302
    user = _user(baltyk, person)
    assert (user.email, user.pending_email) == (old, "nowy.adres@example.org")
    [confirm] = _outbox(baltyk, "email_change")
    [notice] = _outbox(baltyk, "email_change_notice")
    assert confirm.recipient == "nowy.adres@example.org" and notice.recipient == old
    assert notice.context["new"] == "n•••@example.org"
    link = confirm.context["link"]
    assert link.startswith("http://baltyk.localhost/dane-kontaktowe/e-mail/")
    path = link.removeprefix("http://baltyk.localhost")
    # Another cooperative's host, a tampered link: not found, nothing changes.
    other = client_for(app, "zielone-wzgorza.localhost")
    assert other.get(path).status_code == 404
    assert client.get(path[:-3] + "abc").status_code == 404
    # Opening the link shows a button (mail scanners open links too); the button confirms.
    anonymous = client_for(app, BALTYK)
    page = anonymous.get(path)
    assert page.status_code == 200 and "nowy.adres@example.org" in page.get_data(as_text=True)
    assert _user(baltyk, person).email == old
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      page.get_data(as_text=True)).group(1)
    assert anonymous.post(path, data={"csrf_token": token}).status_code == 200
    user = _user(baltyk, person)
    assert (user.email, user.pending_email) == ("nowy.adres@example.org", None)
    assert user.email_confirmed_at is not None
    # Used once: the same link again is not valid.
    assert anonymous.get(path).status_code == 404


def test_an_email_link_expires_and_a_newer_request_replaces_it(app, baltyk):
    person = make_household(baltyk, units=1)
    client = _signed_in(app, person)
    _change(client, person.password, email="pierwszy@example.org")
    first = _outbox(baltyk, "email_change")[0].context["link"].removeprefix(
        "http://baltyk.localhost")
    with in_tenant(baltyk):  # asked for 25 hours ago
        user = db.session.get(User, person.user_id)
        user.pending_email_at = utcnow() - timedelta(hours=25)
    assert client.get(first).status_code == 404
    _change(client, person.password, email="drugi@example.org")
    _change(client, person.password, email="trzeci@example.org")
    links = [m.context["link"].removeprefix("http://baltyk.localhost")
             for m in _outbox(baltyk, "email_change")]
    assert client.get(links[1]).status_code == 404  # replaced by the newer one
    assert client.get(links[2]).status_code == 200


def test_contact_details_are_a_feature_of_the_cooperative(app, zw):
    person = make_household(zw, units=1)
    client = _signed_in(app, person, "zielone-wzgorza.localhost")
    assert client.get("/dane-kontaktowe/").status_code == 404


def test_wrong_passwords_on_the_change_count_towards_the_block(app, baltyk):
    person = make_household(baltyk, units=1)
    client = _signed_in(app, person)
    for _ in range(10):
        answer = _change(client, "zle-haslo-123", mobile="601234567")
        if answer.status_code == 302:
            break
    assert answer.status_code == 302 and answer.location.endswith("/logowanie")
    assert _user(baltyk, person).is_locked


# --- choices and unsubscribing ------------------------------------------------------------------


def test_choices_are_dated_and_honoured_by_the_announcement_fan_out(app, baltyk):
    person = make_household(baltyk, units=1)
    client = _signed_in(app, person)
    token = client.csrf_token("/dane-kontaktowe/")
    client.post("/dane-kontaktowe/powiadomienia", data={"csrf_token": token,
                                                       "announcements": "y"})
    page = client.get("/dane-kontaktowe/").get_data(as_text=True)
    assert f"Włączone {utcnow():%d.%m.%Y}" in page
    with in_tenant(baltyk):
        [event] = db.session.scalars(select(ConsentEvent).where(
            ConsentEvent.user_id == person.user_id))
        assert (event.choice, event.given, event.way) == ("announcements", True, "resident")
    clerk_id = make_household(baltyk, units=0, role=CLERK).user_id
    with in_tenant(baltyk):
        clerk = db.session.get(User, clerk_id)
        announcement = announcements.save(announcements.Draft(
            title="Zebranie", body="W środę.", kind="general", send_email=True), clerk)
        announcement_id = announcement.id
    with in_tenant(baltyk):
        fan_out(announcement_id)
    [message] = [m for m in _outbox(baltyk, "announcement")
                 if m.recipient == _user(baltyk, person).email]
    unsubscribe = message.context["unsubscribe"]
    with app.app_context(), in_tenant(baltyk):
        email = build_email(get_tenant_info(baltyk.id), db.session.get(OutboxMessage,
                                                                         message.id))
    raw = email.as_bytes()
    assert f"\nList-Unsubscribe: <{unsubscribe}>\n".encode() in raw.replace(b"\r\n", b"\n")
    parsed = message_from_string(email.as_string(), policy=policy.default)
    assert parsed["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in parsed.get_body(("plain",)).get_content()
    # One click, as a mail program does it: no session, no CSRF token.
    anonymous = client_for(app, BALTYK)
    path = unsubscribe.removeprefix("http://baltyk.localhost")
    assert "Tak, proszę nie wysyłać" in anonymous.get(path).get_data(as_text=True)
    assert anonymous.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert _user(baltyk, person).announcement_emails is False
    assert client_for(app, "zielone-wzgorza.localhost").post(path).status_code == 404


def test_reading_reminders_go_only_to_those_who_chose_them_with_a_link(app, baltyk):
    wants, does_not = make_household(baltyk, units=1), make_household(baltyk, units=1)
    with in_tenant(baltyk):
        consents.choose(db.session.get(User, wants.user_id), "reading_reminders", True)
    on = date(2026, 12, 1)
    run_cli(app, "tenants", "update", "baltyk", "readings.window_start_day=1",
            "readings.window_end_day=5")
    try:
        with in_tenant(baltyk):
            assert remind_tenant(get_tenant_info(baltyk.id), on) == 1
    finally:
        with as_platform():
            tenant_services.sync_dir(ROOT / "tenants")
    recipients = {m.recipient: m for m in _outbox(baltyk, "reading_reminder")}
    assert _user(baltyk, wants).email in recipients
    assert _user(baltyk, does_not).email not in recipients
    assert "/wypisz/" in recipients[_user(baltyk, wants).email].context["unsubscribe"]


def test_a_tampered_unsubscribe_link_changes_nothing(app, baltyk):
    assert client_for(app, BALTYK).post("/wypisz/abc.def").status_code == 404


def test_masked_email_for_notices():
    assert contacts.masked_email("jan.kowalski@example.org") == "j•••@example.org"
    assert contacts.masked_email(None) == "—"


# --- staff ---------------------------------------------------------------------------------------


def test_staff_see_details_and_choices_and_correct_them_on_a_paper_request(app, baltyk):
    person = make_household(baltyk, units=1)
    with in_tenant(baltyk):
        consents.choose(db.session.get(User, person.user_id), "announcements", True)
    clerk = make_household(baltyk, units=0, role=CLERK)
    staff = _signed_in(app, clerk)
    path = f"/panel/konta/{person.user_id}"
    page = staff.get(path).get_data(as_text=True)
    assert "Ogłoszenia Spółdzielni e-mailem: tak" in page
    token = staff.csrf_token(path)
    form = {"csrf_token": token, "mobile": "601 234 567", "landline": "",
            "email": "z.wniosku@example.org", "paper_date": "2026-11-20"}
    # Bad input first: a landline as the mobile, no date, a date ahead; nothing changes.
    for bad, words in (({"mobile": "58 123 45 67"}, "stacjonarny"), ({"paper_date": ""}, "datę"),
                       ({"paper_date": "2099-01-01"}, "dzisiejsza")):
        answer = staff.post(f"{path}/kontakt", data=form | bad)
        assert answer.status_code == 422 and words in answer.get_data(as_text=True)
    assert _user(baltyk, person).phone is None
    assert staff.post(f"{path}/kontakt", data=form).status_code == 302
    user = _user(baltyk, person)
    assert (user.phone, user.email) == ("+48601234567", "z.wniosku@example.org")
    page = staff.get(path).get_data(as_text=True)
    assert "wniosek papierowy z 20.11.2026" in page
    assert "z•••@example.org" in page and "z.wniosku@example.org</td>" not in page  # shortened
    assert "••• ••• 567" in page


def test_staff_cannot_see_or_change_another_cooperatives_resident(app, baltyk, zw):
    theirs = make_household(zw, units=1)
    clerk = make_household(baltyk, units=0, role=CLERK)
    staff = _signed_in(app, clerk)
    assert staff.get(f"/panel/konta/{theirs.user_id}").status_code == 404
    token = staff.csrf_token("/panel/mieszkancy")
    answer = staff.post(f"/panel/konta/{theirs.user_id}/kontakt", data={
        "csrf_token": token, "mobile": "601 234 567", "paper_date": "2026-11-20"})
    assert answer.status_code == 404
    assert _user(zw, theirs).phone is None



def test_a_refused_change_shows_the_numbers_as_they_were_typed(app, baltyk):
    person = make_household(baltyk, units=1)
    client = _signed_in(app, person)
    answer = _change(client, person.password, mobile="602 345 678", landline="601 234 567")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'value="602 345 678"' in page and "+48602345678" not in page


def test_a_number_kept_from_before_does_not_block_saving_the_rest(app, baltyk):
    person = make_household(baltyk, units=1)
    with in_tenant(baltyk):  # saved before numbers were checked: a landline as the mobile
        db.session.get(User, person.user_id).phone = "58 123 45 67"
    client = _signed_in(app, person)
    answer = _change(client, person.password, mobile="58 123 45 67", landline="58 765 43 21")
    assert answer.status_code == 302
    user = _user(baltyk, person)
    assert (user.phone, user.landline) == ("58 123 45 67", "+48587654321")


def test_the_same_new_address_again_sends_the_link_again_but_not_at_once(app, baltyk):
    person = make_household(baltyk, units=1)
    client = _signed_in(app, person)
    _change(client, person.password, email="Nowy@Example.org")
    _change(client, person.password, email="nowy@example.org")  # the same, a moment later
    assert len(_outbox(baltyk, "email_change")) == 1
    with in_tenant(baltyk):
        db.session.get(User, person.user_id).pending_email_at = utcnow() - timedelta(minutes=6)
    _change(client, person.password, email="nowy@example.org")
    assert len(_outbox(baltyk, "email_change")) == 2
    old = _user(baltyk, person).email
    _change(client, person.password, email=old.upper())  # the current one: the change is off
    assert _user(baltyk, person).pending_email is None


def test_an_address_changed_at_the_office_is_told_to_the_old_one(app, baltyk):
    person = make_household(baltyk, units=1)
    old = _user(baltyk, person).email
    with in_tenant(baltyk):
        user = db.session.get(User, person.user_id)
        contacts.record_paper_email(user, "z.biura@example.org", user, date(2026, 11, 20))
    [notice] = _outbox(baltyk, "email_changed_at_office")
    assert notice.recipient == old
    assert notice.context == {"name": "Testowa " + person.last_name, "new": "z•••@example.org",
                              "date": "20.11.2026"}


def test_consents_given_before_their_history_show_as_given_earlier(app, baltyk):
    person = make_household(baltyk, units=1)
    with in_tenant(baltyk):
        db.session.get(User, person.user_id).announcement_emails = True
        db.session.add(ConsentEvent(user_id=person.user_id, choice="announcements", given=True,
                                    way=consents.EARLIER, at=utcnow()))
    page = _signed_in(app, person).get("/dane-kontaktowe/").get_data(as_text=True)
    assert f"Włączone przed {utcnow():%d.%m.%Y}" in page
