"""The resident's side of documents delivered to units (issue 34): "Moje dokumenty" — the list
and its filters, new documents marked until opened (the first opening kept as proof), who sees
what (co-owners, former owners, a document naming one person, other cooperatives), withdrawn
documents without their file, consent to electronic delivery and its history, the e-mail
through a real mail server with the server's acceptance as proof, the home tile, and what the
page costs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.delivery import rules, services
from iok_saas.delivery.messages import UNIT_DOCUMENT
from iok_saas.delivery.models import (
    MAIL_ACCEPTED,
    OPENED,
    DeliveryConsent,
    DocumentRecipient,
    ProofEvent,
)
from iok_saas.estate import services as estate
from iok_saas.estate.models import Unit
from iok_saas.mail.models import SENT, OutboxMessage
from iok_saas.tenancy import tenant_context
from iok_saas.tenancy.info import get_tenant_info
from tests.factories import make_household, pdf_bytes
from tests.fixtures.mail import run_burst_worker
from tests.helpers import client_for, in_tenant, queries_for

NEW = "Nowy, jeszcze nieotwarty"
NO_CONSENT = "Dokumenty nadal pojawiają się tutaj, ale spółdzielnia doręcza je Państwu na papierze."


def _pl(app, text) -> str:
    """A message as Polish readers see it (whatever the catalogue has for it now)."""
    with app.test_request_context(), force_locale("pl"):
        return str(text)


def _email(household) -> str:
    return f"t{int(household.identifier[1:])}@example.org"


def _signed_in(app, household):
    client = client_for(app, f"{household.slug}.localhost")
    assert client.login(household.identifier, household.password).status_code == 302
    return client


def _deliver(tenant, unit_id: int, title: str, *, kind: str = "settlement",
             effective_on: date | None = None, person_id: int | None = None,
             at: datetime | None = None, monkeypatch=None) -> int:
    """A PDF delivered to the unit (every title-holder, or the one person named): its id."""
    if at is not None:
        monkeypatch.setattr(services, "utcnow", lambda: at)
    with in_tenant(tenant):
        unit = db.session.get(Unit, unit_id)
        document, created = services.deliver(
            services.Parcel(unit_id=unit_id, kind=kind, title=title, effective_on=effective_on,
                            person_id=person_id),
            pdf_bytes(title), "dokument.pdf", unit=unit, tenant=get_tenant_info(tenant.id),
            actor="Biuro")
        assert created
        document_id = document.id
    if at is not None:
        monkeypatch.undo()
    return document_id


def _co_owner(tenant, household, *, identifier: str) -> User:
    """A second account holding a title to the household's first unit (from now)."""
    with in_tenant(tenant):
        person = User(identifier=identifier, first_name="Anna", last_name="Współwłaścicielka",
                      email=f"{identifier.lower()}@example.org", must_change_password=False,
                      password_hash=db.session.get(User, household.user_id).password_hash)
        db.session.add(person)
        db.session.flush()
        estate.grant_title(person.id, db.session.get(Unit, household.unit_ids[0]), "ownership")
        db.session.expunge(person)
    return person


def _consent(tenant, user_id: int) -> None:
    with in_tenant(tenant):
        person = db.session.get(User, user_id)
        services.set_consent(person, True, get_tenant_info(tenant.id), actor=person)


def _shown(page: str) -> list[int]:
    """The documents on the page, in page order."""
    return [int(found) for found in re.findall(r'id="dokument-(\d+)"', page)]


def _card(page: str, document_id: int) -> str:
    return page.split(f'id="dokument-{document_id}"')[1].split("</li>")[0]


def _events(tenant, document_id: int, kind: str) -> list[ProofEvent]:
    with in_tenant(tenant):
        found = list(db.session.scalars(select(ProofEvent).where(
            ProofEvent.document_id == document_id, ProofEvent.kind == kind)))
        for event in found:
            db.session.expunge(event)
    return found


# --- the list -------------------------------------------------------------------------------


def test_the_list_is_newest_first_with_kind_dates_and_size_and_narrows_by_unit_kind_and_year(
        app, zw, monkeypatch):
    home = make_household(zw, units=2, street="ul. Dokumentowa")
    first, second = home.unit_ids
    old = _deliver(zw, first, "Rozliczenie wody za 2025 r.", at=datetime(2025, 3, 2, 9, tzinfo=UTC),
                   monkeypatch=monkeypatch)
    fee = _deliver(zw, first, "Zawiadomienie o nowych opłatach od kwietnia",
                   kind="fee_change", effective_on=date(2027, 4, 1))
    meeting = _deliver(zw, second, "Walne zgromadzenie — zawiadomienie",
                       kind="meeting_notice", effective_on=date(2027, 6, 14))
    client = _signed_in(app, home)
    page = client.get("/moje-dokumenty").get_data(as_text=True)
    assert _shown(page) == [meeting, fee, old]
    card = _card(page, fee)
    assert _pl(app, rules.KINDS["fee_change"].label) in card and "Obowiązuje od" in card
    assert "01.04.2027" in card and "Udostępniono" in card and "kB)" in card
    assert f'href="/moje-dokumenty/{fee}.pdf"' in card
    assert "ul. Dokumentowa" in card  # two units: each document names its unit
    meeting_card = _card(page, meeting)
    assert "Dzień walnego zgromadzenia" in meeting_card and "14.06.2027" in meeting_card
    assert '<option value="2025">2025</option>' in page
    assert _shown(client.get(f"/moje-dokumenty?lokal={second}").get_data(as_text=True)) == [
        meeting]
    assert _shown(client.get("/moje-dokumenty?rodzaj=fee_change").get_data(as_text=True)) == [fee]
    narrowed = client.get("/moje-dokumenty?rok=2025").get_data(as_text=True)
    assert _shown(narrowed) == [old] and "Pokazano 1 dokument." in narrowed
    nothing = client.get(f"/moje-dokumenty?lokal={first}&rodzaj=meeting_notice")
    assert _shown(nothing.get_data(as_text=True)) == []
    assert "Żaden dokument nie odpowiada wybranym warunkom." in nothing.get_data(as_text=True)
    # what narrows nothing — not a number, not a kind, a year or unit without documents
    for query in ("lokal=abc", "lokal=99999999999", "rodzaj=statut", "rok=1999", "rok=-1",
                  f"lokal={first}0"):
        answer = client.get(f"/moje-dokumenty?{query}")
        assert answer.status_code == 200 and _shown(answer.get_data(as_text=True)) == [
            meeting, fee, old], query


def test_a_person_with_no_documents_reads_a_plain_sentence(app, zw):
    page = _signed_in(app, make_household(zw, units=1)).get("/moje-dokumenty").get_data(
        as_text=True)
    assert "Spółdzielnia nie doręczyła jeszcze Państwu żadnych dokumentów." in page
    assert 'name="rodzaj"' not in page  # nothing to choose from
    assert NO_CONSENT in page


def test_a_new_document_is_marked_until_opened_and_the_first_opening_is_kept(app, zw):
    home = make_household(zw, units=1)
    document_id = _deliver(zw, home.unit_ids[0], "Rozliczenie ciepła 2026")
    client = _signed_in(app, home)
    assert NEW in _card(client.get("/moje-dokumenty").get_data(as_text=True), document_id)
    from_mail = client.get(f"/moje-dokumenty?lokal={home.unit_ids[0]}").get_data(as_text=True)
    assert _shown(from_mail) == [document_id]  # the e-mail's link: her one unit, no narrowing
    assert "Pokaż wszystkie dokumenty" not in from_mail and 'name="lokal"' not in from_mail
    got = client.get(f"/moje-dokumenty/{document_id}.pdf")
    assert got.status_code == 200 and got.headers["Content-Type"] == "application/pdf"
    assert got.data == pdf_bytes("Rozliczenie ciepła 2026")
    assert "no-store" in got.headers["Cache-Control"]
    [first] = _events(zw, document_id, OPENED)
    assert (first.user_id, first.actor_id) == (home.user_id, home.user_id)
    assert client.get(f"/moje-dokumenty/{document_id}.pdf").status_code == 200
    assert [e.id for e in _events(zw, document_id, OPENED)] == [first.id]  # no second event
    card = _card(client.get("/moje-dokumenty").get_data(as_text=True), document_id)
    assert NEW not in card and "Pierwsze otwarcie" in card


# --- who sees what --------------------------------------------------------------------------


def test_a_co_owner_sees_the_units_documents_but_not_one_naming_the_other_person(app, zw):
    home = make_household(zw, units=1)
    co_owner = _co_owner(zw, home, identifier="WSP00001")
    both = _deliver(zw, home.unit_ids[0], "Rozliczenie wody 2026")
    hers = _deliver(zw, home.unit_ids[0], "Zaświadczenie o braku zaległości",
                    kind="certificate", person_id=home.user_id)
    client = client_for(app, "zielone-wzgorza.localhost")
    assert client.login(co_owner.identifier, "Haslo12345x").status_code == 302
    assert _shown(client.get("/moje-dokumenty").get_data(as_text=True)) == [both]
    assert client.get(f"/moje-dokumenty/{both}.pdf").status_code == 200
    assert client.get(f"/moje-dokumenty/{hers}.pdf").status_code == 404
    assert _shown(_signed_in(app, home).get("/moje-dokumenty").get_data(as_text=True)) == [
        hers, both]
    # each one's opening is their own: the co-owner's download leaves it new for the owner
    assert NEW in _card(_signed_in(app, home).get("/moje-dokumenty").get_data(as_text=True),
                        both)


def test_a_former_owner_keeps_what_came_while_they_held_the_unit_and_nothing_after(app, zw):
    home = make_household(zw, units=1)
    before = _deliver(zw, home.unit_ids[0], "Rozliczenie za 2025 r.")
    with in_tenant(zw):
        assert estate.revoke_title(home.user_id, home.title_ids[0])
    after = _deliver(zw, home.unit_ids[0], "Zawiadomienie dla nowego właściciela",
                     kind="fee_change", effective_on=date(2027, 5, 1))
    client = _signed_in(app, home)
    assert _shown(client.get("/moje-dokumenty").get_data(as_text=True)) == [before]
    assert client.get(f"/moje-dokumenty/{before}.pdf").status_code == 200
    assert client.get(f"/moje-dokumenty/{after}.pdf").status_code == 404
    assert "Zawiadomienie dla nowego" not in client.get("/").get_data(as_text=True)


def test_another_persons_or_cooperatives_document_is_not_found(app, zw, baltyk):
    mine, neighbour = make_household(zw, units=1), make_household(zw, units=1)
    theirs = make_household(baltyk, units=1)
    neighbours = _deliver(zw, neighbour.unit_ids[0], "Rozliczenie sąsiada")
    elsewhere = _deliver(baltyk, theirs.unit_ids[0], "Rozliczenie z Bałtyku")
    client = _signed_in(app, mine)
    for document_id in (neighbours, elsewhere, 0, 99999999999):
        assert client.get(f"/moje-dokumenty/{document_id}.pdf").status_code == 404
    signed_out = client_for(app, "zielone-wzgorza.localhost")
    assert signed_out.get(f"/moje-dokumenty/{neighbours}.pdf").status_code == 302  # sign in
    assert not _events(zw, neighbours, OPENED)


def test_a_withdrawn_document_is_marked_without_its_file(app, zw):
    home = make_household(zw, units=1)
    document_id = _deliver(zw, home.unit_ids[0], "Rozliczenie z błędem")
    with in_tenant(zw):
        clerk = db.session.get(User, home.user_id)  # who withdraws does not matter here
        services.withdraw(services.staff_document(document_id), clerk,
                          "Omyłkowo dane innego lokalu")
    client = _signed_in(app, home)
    page = client.get("/moje-dokumenty").get_data(as_text=True)
    card = _card(page, document_id)
    assert "Wycofany przez spółdzielnię" in card and ".pdf" not in card and NEW not in card
    assert "Omyłkowo" not in page  # the office's reason is for the proof, not the page
    answer = client.get(f"/moje-dokumenty/{document_id}.pdf")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/moje-dokumenty")
    assert "nie można go już pobrać" in client.get("/moje-dokumenty").get_data(as_text=True)
    assert not _events(zw, document_id, OPENED)
    assert "Rozliczenie z błędem" not in client.get("/").get_data(as_text=True)


# --- consent --------------------------------------------------------------------------------


def _consent_post(client, **fields):
    token = client.csrf_token("/moje-dokumenty")
    return client.post("/moje-dokumenty/zgoda", data={"csrf_token": token, **fields})


def _consents(tenant, user_id: int) -> list[bool]:
    with in_tenant(tenant):
        return list(db.session.scalars(select(DeliveryConsent.given).where(
            DeliveryConsent.user_id == user_id).order_by(DeliveryConsent.id)))


def test_consent_is_given_and_withdrawn_with_its_history_and_the_next_delivery_follows_it(
        app, zw):
    home = make_household(zw, units=1)
    client = _signed_in(app, home)
    page = client.get("/moje-dokumenty").get_data(as_text=True)
    assert "Doręczanie dokumentów elektronicznie" in page and NO_CONSENT in page
    assert "Wyrażam zgodę na doręczanie mi przez Spółdzielnię" in page  # the rules
    assert "nie mają linku do rezygnacji jednym kliknięciem" in page
    refused = _consent_post(client, choice="give")
    assert refused.status_code == 422 and _consents(zw, home.user_id) == []
    assert "prosimy zaznaczyć pole potwierdzające znajomość zasad" in refused.get_data(
        as_text=True)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    given = _consent_post(client, choice="give", agreed="y")
    assert given.status_code == 303 and _consents(zw, home.user_id) == [True]
    page = client.get("/moje-dokumenty").get_data(as_text=True)
    today = date.today().strftime("%d.%m.%Y")
    assert "Dziękujemy. Zgoda została zapisana" in page
    assert f"Wyrazili Państwo zgodę w portalu {today}." in page and NO_CONSENT not in page
    assert f"e-mailem na adres {_email(home)}" in page
    assert _consent_post(client, choice="give", agreed="y").status_code == 303  # again
    assert _consents(zw, home.user_id) == [True]
    assert _pl(app, _l("Consent to electronic delivery is already given.")) in client.get(
        "/moje-dokumenty").get_data(as_text=True)
    assert _consent_post(client, choice="withdraw").status_code == 303
    assert _consents(zw, home.user_id) == [True, False]
    page = client.get("/moje-dokumenty").get_data(as_text=True)
    assert "Zgoda została wycofana." in page and NO_CONSENT in page
    assert f"Wycofali Państwo zgodę w portalu {today}." in page
    history = page.split("Historia zgody")[1]
    assert history.index("zgoda wycofana") < history.index("zgoda wyrażona")
    document_id = _deliver(zw, home.unit_ids[0], "Zawiadomienie po wycofaniu zgody")
    with in_tenant(zw):
        recipient = db.session.scalar(select(DocumentRecipient).where(
            DocumentRecipient.document_id == document_id))
        assert (recipient.consented, recipient.outbox_id) == (False, None)
        assert db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.user_id == home.user_id)) is None


def test_consent_recorded_by_the_office_from_paper_says_so(app, zw):
    home = make_household(zw, units=1)
    with in_tenant(zw):
        person = db.session.get(User, home.user_id)
        services.set_consent(person, True, get_tenant_info(zw.id), actor=person,
                             on=date(2026, 1, 5), way="staff")
    page = _signed_in(app, home).get("/moje-dokumenty").get_data(as_text=True)
    assert "Zgoda wyrażona na piśmie 05.01.2026 (zapisana przez biuro spółdzielni)." in page
    assert "Wycofuję zgodę" in page and "Wyrażam zgodę</button>" not in page


# --- the e-mail, for real -------------------------------------------------------------------


def test_a_consenting_person_gets_one_email_with_a_link_and_the_servers_acceptance_is_proof(
        make_app, smtp, zw):
    app = make_app()
    home = make_household(zw, units=1)
    _consent(zw, home.user_id)
    with app.app_context(), tenant_context(zw.id):  # queued on this app's own queue
        unit = db.session.get(Unit, home.unit_ids[0])
        document, _ = services.deliver(
            services.Parcel(unit_id=unit.id, kind="fee_change", title="Nowe stawki — tajne",
                            effective_on=date(2027, 4, 1)),
            pdf_bytes("Treść zawiadomienia"), "zawiadomienie.pdf", unit=unit,
            tenant=get_tenant_info(zw.id), actor="Biuro")
        db.session.commit()
        document_id = document.id
        outbox_id = db.session.scalar(select(DocumentRecipient.outbox_id).where(
            DocumentRecipient.document_id == document_id))
        db.session.remove()
    result = run_burst_worker(app.config)
    assert result.returncode == 0, result.stderr
    [email] = smtp.mailbox.wait_for(1)
    assert email["To"] == _email(home)
    assert email["Subject"].startswith(_pl(app, UNIT_DOCUMENT.subject))
    assert "List-Unsubscribe" not in email
    assert not list(email.iter_attachments())
    text = email.get_body(("plain",)).get_content()
    assert f"http://zielone-wzgorza.localhost/moje-dokumenty?lokal={home.unit_ids[0]}" in text
    assert _pl(app, rules.KINDS["fee_change"].label) in text
    assert "tajne" not in email.as_string() and "Treść" not in email.as_string()
    with app.app_context(), tenant_context(zw.id):
        assert db.session.get(OutboxMessage, outbox_id).status == SENT
        [accepted] = db.session.scalars(select(ProofEvent).where(
            ProofEvent.document_id == document_id, ProofEvent.kind == MAIL_ACCEPTED)).all()
        assert (accepted.outbox_id, accepted.user_id) == (outbox_id, home.user_id)
        db.session.remove()


# --- the home tile and the cost ---------------------------------------------------------------


def test_the_home_tile_shows_a_new_document_until_it_is_opened(app, zw):
    home = make_household(zw, units=1)
    client = _signed_in(app, home)
    assert "Nowe dokumenty dla Państwa" not in client.get("/").get_data(as_text=True)
    document_id = _deliver(zw, home.unit_ids[0], "Rozliczenie gazu 2026")
    tile = client.get("/").get_data(as_text=True).split("Nowe dokumenty dla Państwa")[1]
    assert f'href="/moje-dokumenty#dokument-{document_id}">Rozliczenie gazu 2026</a>' in tile
    assert f'{_pl(app, rules.KINDS["settlement"].label)} · ' in tile  # its kind
    client.get(f"/moje-dokumenty/{document_id}.pdf")
    assert "Nowe dokumenty dla Państwa" not in client.get("/").get_data(as_text=True)


def test_the_page_costs_the_same_for_one_document_or_twenty(app, zw):
    one, twenty = make_household(zw, units=1), make_household(zw, units=2)
    _deliver(zw, one.unit_ids[0], "Jedyny dokument")
    _consent(zw, twenty.user_id)
    for n in range(20):
        document_id = _deliver(zw, twenty.unit_ids[n % 2], f"Dokument {n}",
                               kind=("settlement", "invoice", "certificate")[n % 3])
        if n % 4 == 0:
            with in_tenant(zw):
                services.opened(services.staff_document(document_id),
                                db.session.get(User, twenty.user_id))
    few, many = _signed_in(app, one), _signed_in(app, twenty)
    assert queries_for(few, "/moje-dokumenty") == queries_for(many, "/moje-dokumenty") == 3
    assert queries_for(many, f"/moje-dokumenty?lokal={twenty.unit_ids[1]}&rodzaj=invoice") == 3
    assert len(_shown(many.get("/moje-dokumenty").get_data(as_text=True))) == 20
