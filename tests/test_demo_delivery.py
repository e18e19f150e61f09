"""The demo's documents delivered to units (issue 34): at both cooperatives every unit has the
notice of the fees from 1 January 2027, delivered in time (art. 4 ust. 7 of the housing
cooperatives act), and last year's water settlement; ``ZW-000001`` consented and has opened one
and not another; ``B-000001`` never consented and is on the office's paper list; the e-mails to
those who consented were taken by the mail server; each PDF is a real one naming its unit; and
the demo can be put back again although its proof cannot be deleted by the app."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from datetime import date

from pypdf import PdfReader
from sqlalchemy import func, select

from iok_saas import files
from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.delivery import rules, services
from iok_saas.delivery.models import (
    MAIL_ACCEPTED,
    PRINTED,
    DocumentRecipient,
    ProofEvent,
    UnitDocument,
)
from iok_saas.estate.models import Unit
from iok_saas.mail.models import SENT, OutboxMessage
from iok_saas.tenancy.context import tenant_context
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import WARSAW
from tests.helpers import as_platform, in_tenant

DEMO_UNITS = 36


def _person(identifier: str) -> User:
    return db.session.scalar(select(User).where(User.identifier == identifier))


def test_the_demo_delivers_fee_notices_for_2027_in_time_and_last_years_settlements(zw, baltyk):
    from iok_saas.cli.demo import _wipe, reset_demo_data

    with as_platform():
        reset_demo_data()
    for tenant in (zw, baltyk):
        with in_tenant(tenant):
            info = get_tenant_info(tenant.id)
            # The general meeting's notices are the meetings demo's (tests/test_demo_meetings.py).
            documents = db.session.scalars(select(UnitDocument).where(
                UnitDocument.kind != rules.MEETING_NOTICE)).all()
            assert Counter(d.kind for d in documents) == {
                rules.FEE_CHANGE: DEMO_UNITS, rules.SETTLEMENT: DEMO_UNITS}
            for kind in (rules.FEE_CHANGE, rules.SETTLEMENT):  # every unit, once
                units = {d.unit_id for d in documents if d.kind == kind}
                assert len(units) == DEMO_UNITS == db.session.scalar(
                    select(func.count()).select_from(Unit))
            for document in documents:
                delivered = document.made_available_at.astimezone(WARSAW).date()
                if document.kind == rules.FEE_CHANGE:
                    assert document.effective_on == date(2027, 1, 1)
                    assert delivered <= date(2026, 9, 30)  # three whole months, to a month's end
                    assert rules.too_late(rules.FEE_CHANGE, document.effective_on, delivered,
                                          info.settings.delivery.payment_day) is None
                    assert rules.earliest_fee_change(delivered) <= document.effective_on
                else:
                    assert document.effective_on == date(2025, 12, 31)
                    assert delivered.year == 2026
                assert "2025" in document.title or "2027" in document.title

            # A real PDF (the file store's checks) naming its own unit, kept whole.
            sample = next(d for d in documents if d.kind == rules.FEE_CHANGE)
            data = files.read(sample.file_id)
            assert services.pdf_checked(data, info) is None
            assert hashlib.sha256(data).hexdigest() == sample.sha256
            text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
            street = sample.address.split(", ")[0]
            assert street in text and "art. 4 ust. 7" in text and "Uzasadnienie" in text

            # Whoever consented was told by e-mail, and the mail server took it.
            told = db.session.execute(select(DocumentRecipient.user_id,
                                             DocumentRecipient.outbox_id).where(
                DocumentRecipient.consented,
                DocumentRecipient.document_id.in_([d.id for d in documents]))).all()
            assert told and all(outbox_id for _, outbox_id in told)
            sent = dict(db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())
            accepted = set(db.session.scalars(select(ProofEvent.outbox_id).where(
                ProofEvent.kind == MAIL_ACCEPTED)))
            assert {outbox_id for _, outbox_id in told} == accepted
            assert all(sent[outbox_id] == SENT for outbox_id in accepted)
            assert not db.session.scalar(select(func.count()).select_from(
                DocumentRecipient).where(~DocumentRecipient.consented,
                                         DocumentRecipient.outbox_id.is_not(None)))

    def not_notices(rows):
        return [row for row in rows if row.kind != rules.MEETING_NOTICE]

    with in_tenant(zw):  # consented in February 2026: one opened, one not yet
        anna = _person("ZW-000001")
        consent = services.consent_of(anna.id)
        assert consent.given and consent.on < date(2026, 3, 1)
        mine = not_notices(services.documents_of(anna.id))
        assert len(mine) == 4  # two units, two documents each
        assert any(row.opened_at for row in mine) and any(not row.opened_at for row in mine)
        notices = [row for row in mine if row.kind == rules.FEE_CHANGE]
        assert sorted(bool(row.opened_at) for row in notices) == [False, True]
        paper = not_notices(services.paper_rows(None, get_tenant_info(zw.id)))
        assert [(row.reason, row.kind) for row in paper if row.user_id == anna.id] == [
            ("not_opened", rules.FEE_CHANGE)]
        assert {"no_account", "no_consent", "not_opened"} <= {row.reason for row in paper}
        # The settlements were printed in March, for the units nobody holds in the portal too.
        assert {row.kind for row in paper} == {rules.FEE_CHANGE}
        printed = services.paper_rows(None, get_tenant_info(zw.id), printed=True)
        assert {row.reason for row in printed if row.kind == rules.SETTLEMENT} == {
            "no_account", "no_consent", "not_opened"}
        assert all(row.printed_at for row in printed if row.kind == rules.SETTLEMENT)

    with in_tenant(baltyk):  # never consented: the paper list shows her notices
        krystyna = _person("B-000001")
        assert services.consent_of(krystyna.id) is None
        assert not services.consented_among([krystyna.id])
        paper = not_notices(services.paper_rows(None, get_tenant_info(baltyk.id)))
        hers = [row for row in paper if row.user_id == krystyna.id]
        assert len(hers) == 2 and {row.reason for row in hers} == {"no_consent"}
        assert {row.kind for row in hers} == {rules.FEE_CHANGE}  # the settlements went in March
        printed = set(db.session.scalars(select(ProofEvent.document_id).where(
            ProofEvent.kind == PRINTED, ProofEvent.user_id == krystyna.id)))
        assert len(printed) == 2
        assert len(not_notices(services.documents_of(krystyna.id))) == 4

    # The demo is put back again (``./scripts/demo`` run twice): its proof goes with the rest.
    with as_platform(), tenant_context(zw.id):
        _wipe(zw.id)
        db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(UnitDocument)) == 0
        assert db.session.scalar(select(func.count()).select_from(ProofEvent)) == 0
