"""Each unit's settlement delivered to the unit with proof: the PDF of its explanation, made
available in *Moje dokumenty* to everyone holding the unit, announced by e-mail to those who
consented (``iok_saas.delivery``). A correction is delivered as a new document; a line the
correction left as it was keeps the document delivered before.

The import queues ``deliver_run`` once its transaction commits; it works through the run's
lines a few at a time, committing as it goes, so a stopped worker resumes where it was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from iok_saas.db import db, utcnow
from iok_saas.delivery.services import (
    Outgoing,
    Parcel,
    consented_among,
    deliver,
    holders_of,
)
from iok_saas.settlements.models import Settlement, SettlementLine
from iok_saas.settlements.pdf import explanation_pdf
from iok_saas.settlements.services import title_of
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import TenantInfo, get_tenant_info

log = logging.getLogger(__name__)
KIND = "settlement"  # the delivery's kind of document
ACTOR = "rozliczenie (import)"
PER_COMMIT = 20


def filename_of(line: SettlementLine) -> str:
    """``rozliczenie-heating-2025-LOK-001-001.pdf``."""
    s = line.settlement
    corrected = "-korekta" if line.corrects_id else ""
    unit = line.unit.external_id or str(line.unit_id)
    return f"rozliczenie-{s.medium.replace('_', '-')}-{s.period_end:%Y}{corrected}-{unit}.pdf"


def deliver_lines(lines: Iterable[SettlementLine], tenant: TenantInfo, actor: str = ACTOR
                  ) -> int:
    """Deliver each line's explanation to its unit (no commit); the line keeps the document
    and the moment it was made available. Returns how many were delivered."""
    outgoing = Outgoing([])
    done = 0
    for line in lines:
        if line.document_id is not None:
            continue
        holders = holders_of(line.unit_id)
        line.delivered_at = utcnow()  # the PDF counts the deadline for questions from it
        data = explanation_pdf(line, tenant.settings.settlements, tenant)
        document, _ = deliver(
            Parcel(unit_id=line.unit_id, kind=KIND,
                   title=title_of(line.settlement, corrected=line.corrects_id is not None)),
            data, filename_of(line), unit=line.unit, tenant=tenant, actor=actor,
            holders=holders, consenting=consented_among([p.id for p in holders]),
            outgoing=outgoing)
        line.document_id, line.delivered_at = document.id, document.made_available_at
        done += 1
    outgoing.flush()
    db.session.flush()
    return done


def _waiting(run_id: int) -> list[SettlementLine]:
    return list(db.session.scalars(
        select(SettlementLine).join(SettlementLine.settlement)
        .options(contains_eager(SettlementLine.settlement))
        .where(Settlement.run_id == run_id, Settlement.replaced_at.is_(None),
               SettlementLine.document_id.is_(None))
        .order_by(SettlementLine.id).limit(PER_COMMIT)))


def deliver_run(run_id: int) -> int:
    """Job: deliver the settlements an import brought (their lines not delivered yet)."""
    tenant = get_tenant_info(require_tenant_id())
    if not (tenant.has_feature("delivery") and tenant.settings.settlements.deliver):
        return 0
    total = 0
    while lines := _waiting(run_id):
        total += deliver_lines(lines, tenant)
        db.session.commit()
    log.info("Delivered %d settlements of import run %d", total, run_id)
    return total
