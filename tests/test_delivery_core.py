"""Documents delivered to units: the core rules — the legal dates of fee-change notices, one
delivery to every title-holder (or the one person named), e-mail only to those who consented,
the same PDF never delivered twice, consent history, and proof that cannot be changed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import DBAPIError

from iok_saas.auth.models import User
from iok_saas.db import db, utcnow
from iok_saas.delivery import rules, services
from iok_saas.delivery.models import (
    OPENED,
    STAFF,
    DeliveryConsent,
    DocumentRecipient,
    ProofEvent,
    UnitDocument,
)
from iok_saas.estate.models import Unit
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy.info import get_tenant_info
from tests.factories import make_household, pdf_bytes
from tests.helpers import DB_NAME, PG_ADMIN, in_tenant, pg_url


@pytest.mark.parametrize(("delivered", "earliest"), [
    (date(2026, 12, 7), date(2027, 4, 1)),
    (date(2026, 12, 31), date(2027, 4, 1)),
    (date(2027, 1, 1), date(2027, 5, 1)),
    (date(2026, 11, 30), date(2027, 3, 1)),
])
def test_a_fee_change_takes_effect_three_whole_months_after_the_month_of_notice(
        delivered, earliest):
    assert rules.earliest_fee_change(delivered) == earliest
    assert rules.latest_notice(rules.FEE_CHANGE, earliest, 10) >= delivered
    assert rules.too_late(rules.FEE_CHANGE, earliest, delivered, 10) is None
    day_before = date(earliest.year - (earliest.month == 1), (earliest.month - 2) % 12 + 1, 1)
    assert rules.too_late(rules.FEE_CHANGE, day_before, delivered, 10) is not None


@pytest.mark.parametrize(("delivered", "payment_day", "earliest"), [
    (date(2026, 12, 7), 10, date(2027, 1, 1)),   # 10.01 − 14 days = 27.12
    (date(2026, 12, 28), 10, date(2027, 2, 1)),  # too late for January
    (date(2026, 12, 20), 25, date(2027, 1, 1)),  # not after 31.12 (the month before)
    (date(2027, 1, 5), 25, date(2027, 2, 1)),
])
def test_a_change_of_independent_costs_needs_fourteen_days_before_the_fees_are_due(
        delivered, payment_day, earliest):
    assert rules.earliest_independent(delivered, payment_day) == earliest


def test_too_late_names_the_dates():
    message = str(rules.too_late(rules.FEE_CHANGE, date(2027, 1, 1), date(2026, 12, 7), 10))
    assert "01.01.2027" in message and "30.09.2026" in message and "01.04.2027" in message


def _deliver(tenant, unit_id, data, **fields):
    info = get_tenant_info(tenant.id)
    unit = db.session.get(Unit, unit_id)
    parcel = services.Parcel(unit_id=unit_id, kind=fields.pop("kind", "settlement"),
                             title=fields.pop("title", "Rozliczenie wody 2026"), **fields)
    return services.deliver(parcel, data, "r.pdf", unit=unit, tenant=info, actor="Test")


def test_a_document_reaches_every_holder_and_mail_only_those_who_consented(zw):
    owner = make_household(zw, units=1)
    with in_tenant(zw):
        co_owner = User(identifier="CO0001", first_name="Anna", last_name="Współ",
                        email="co@example.org", password_hash="!")
        db.session.add(co_owner)
        db.session.flush()
        from iok_saas.estate.models import UnitTitle
        db.session.add(UnitTitle(unit_id=owner.unit_ids[0], user_id=co_owner.id))
        person = db.session.get(User, owner.user_id)
        services.set_consent(person, True, get_tenant_info(zw.id), actor=person)
        document, created = _deliver(zw, owner.unit_ids[0], pdf_bytes("Rozliczenie"),
                                     title="Woda: dopłata 41,20 zł")
        again, second = _deliver(zw, owner.unit_ids[0], pdf_bytes("Rozliczenie"),
                                 title="Woda: dopłata 41,20 zł")
        db.session.commit()
        assert created and not second and again.id == document.id
        recipients = {r.user_id: r for r in db.session.scalars(select(DocumentRecipient).where(
            DocumentRecipient.document_id == document.id))}
        assert set(recipients) == {owner.user_id, co_owner.id}
        assert recipients[owner.user_id].consented and recipients[owner.user_id].outbox_id
        assert not recipients[co_owner.id].consented and recipients[co_owner.id].outbox_id is None
        mail = db.session.get(OutboxMessage, recipients[owner.user_id].outbox_id)
        assert mail.template == "unit_document" and "41,20" not in str(mail.context)
        assert [row.id for row in services.documents_of(co_owner.id)] == [document.id]


def test_the_proof_cannot_be_changed_or_deleted(zw):
    household = make_household(zw, units=1)
    with in_tenant(zw):
        document, _ = _deliver(zw, household.unit_ids[0], pdf_bytes("Dowód"))
        person = db.session.get(User, household.user_id)
        services.opened(document, person)
        services.set_consent(person, True, get_tenant_info(zw.id), actor=person,
                             on=date(2026, 1, 5), way=STAFF)
        db.session.commit()
        document_id = document.id
    for stmt in (
        update(UnitDocument).where(UnitDocument.id == document_id).values(title="Inny"),
        update(DocumentRecipient).values(consented=True),
        update(ProofEvent).where(ProofEvent.kind == OPENED).values(at=utcnow()),
        update(DeliveryConsent).values(given=False),
        text("DELETE FROM unit_document_event"),
        text("DELETE FROM delivery_consent"),
        text("UPDATE unit_document SET sha256 = 'x'"),
    ):
        with in_tenant(zw):
            # the app's role has no UPDATE or DELETE on them; the trigger stops even the owner
            with pytest.raises(DBAPIError, match=r"permission denied|proof"):
                db.session.execute(stmt)
            db.session.rollback()
    owner = create_engine(pg_url(PG_ADMIN, DB_NAME))
    for sql in ("UPDATE unit_document SET title = 'Inny'", "DELETE FROM unit_document_event",
                "UPDATE delivery_consent SET given = false"):
        with owner.begin() as connection, pytest.raises(DBAPIError, match="are proof"):
            connection.execute(text(sql))
    owner.dispose()
    with in_tenant(zw):
        assert db.session.get(UnitDocument, document_id).title == "Rozliczenie wody 2026"
        assert db.session.scalar(select(ProofEvent.kind)) == OPENED


def _person(identifier: str, *, active: bool = True) -> User:
    person = User(identifier=identifier, first_name="Ewa", last_name=identifier,
                  email=f"{identifier.lower()}@example.org", password_hash="!", active=active)
    db.session.add(person)
    db.session.flush()
    return person


def test_a_correction_goes_to_those_who_got_the_wrong_one_not_to_a_new_owner(zw):
    from iok_saas.estate.models import UnitTitle
    from iok_saas.estate.services import revoke_title

    seller = make_household(zw, units=1)
    with in_tenant(zw):
        wrong, _ = _deliver(zw, seller.unit_ids[0], pdf_bytes("Błędne"))
        revoke_title(seller.user_id, seller.title_ids[0])  # the unit is sold
        buyer = _person("NOWY01")
        db.session.add(UnitTitle(unit_id=seller.unit_ids[0], user_id=buyer.id))
        clerk = _person("URZ001")
        corrected = services.redeliver(wrong, pdf_bytes("Poprawione"), "r.pdf", clerk,
                                       get_tenant_info(zw.id), "błędna kwota")
        db.session.commit()
        people = set(db.session.scalars(select(DocumentRecipient.user_id).where(
            DocumentRecipient.document_id == corrected.id)))
        assert people == {seller.user_id} and corrected.replaces_id == wrong.id
        assert services.documents_of(buyer.id) == []


def test_the_same_pdf_may_be_delivered_again_once_the_wrong_one_is_withdrawn(zw):
    household = make_household(zw, units=1)
    with in_tenant(zw):
        first, _ = _deliver(zw, household.unit_ids[0], pdf_bytes("Ten sam"), title="Zły tytuł")
        services.withdraw(first, _person("URZ002"), "zły tytuł w wykazie")
        again, created = _deliver(zw, household.unit_ids[0], pdf_bytes("Ten sam"),
                                  title="Dobry tytuł")
        assert created and again.replaces_id == first.id
        still, more = _deliver(zw, household.unit_ids[0], pdf_bytes("Ten sam"))
        assert not more and still.id == again.id


def test_a_deactivated_account_is_not_a_recipient(zw):
    from iok_saas.estate.models import UnitTitle

    household = make_household(zw, units=1)
    with in_tenant(zw):
        gone = _person("STARY1", active=False)
        db.session.add(UnitTitle(unit_id=household.unit_ids[0], user_id=gone.id))
        document, _ = _deliver(zw, household.unit_ids[0], pdf_bytes("Aktywni"))
        assert set(db.session.scalars(select(DocumentRecipient.user_id).where(
            DocumentRecipient.document_id == document.id))) == {household.user_id}


def test_the_latest_day_decides_consent_and_an_earlier_paper_date_is_refused(zw):
    household = make_household(zw, units=1)
    with in_tenant(zw):
        info = get_tenant_info(zw.id)
        person = db.session.get(User, household.user_id)
        services.set_consent(person, True, info, actor=person, on=date(2026, 3, 1), way=STAFF)
        services.set_consent(person, False, info, actor=person, on=date(2026, 6, 1), way=STAFF)
        assert not services.consented_among([person.id])
        with pytest.raises(services.DeliveryError):
            services.set_consent(person, True, info, actor=person, on=date(2026, 5, 1),
                                 way=STAFF)
        services.set_consent(person, True, info, actor=person)
        assert services.consented_among([person.id]) == {person.id}
        assert services.consent_of(person.id).given


def test_the_personal_download_leaves_out_the_file_of_a_withdrawn_document(zw):
    from iok_saas.delivery import personal

    household = make_household(zw, units=1)
    with in_tenant(zw):
        kept, _ = _deliver(zw, household.unit_ids[0], pdf_bytes("Dobry"))
        wrong, _ = _deliver(zw, household.unit_ids[0], pdf_bytes("Cudzy"), kind="other",
                            title="Pomyłka")
        services.withdraw(wrong, _person("URZ003"), "cudze dane")
        db.session.commit()
        assert [name for name, _ in personal.document_files(household.user_id)] == [
            f"doreczone/{kept.id}-r.pdf"]
        rows = {row["tytul"]: row for row in personal.document_rows(household.user_id)}
        assert rows["Pomyłka"]["wycofano"] and not rows["Pomyłka"]["plik"]


def test_the_paper_list_says_by_when_a_fee_change_notice_must_be_handed_over(zw):
    household = make_household(zw, units=1)
    with in_tenant(zw):
        info = get_tenant_info(zw.id)
        effective = rules.earliest_fee_change(date.today())
        _deliver(zw, household.unit_ids[0], pdf_bytes("Opłaty"), kind=rules.FEE_CHANGE,
                 title="Nowe opłaty", effective_on=effective)
        [row] = [r for r in services.paper_rows(household.building_id, info)
                 if r.kind == rules.FEE_CHANGE]
        assert row.reason == "no_consent"
        assert row.deliver_by == rules.latest_notice(rules.FEE_CHANGE, effective,
                                                     info.settings.delivery.payment_day)
