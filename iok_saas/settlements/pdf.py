"""A unit's settlement explained, as a PDF on the cooperative's letterhead: what art. 45c ust. 1
of the energy law and § 9 of the regulation of 7 December 2021 (Dz.U. 2021 poz. 2273) ask of
the yearly settlement information — the building's heat or water and its cost split into the
fixed and the variable part, the coefficients, the average cost per m²; the unit's area,
readings and units, its parts of the cost, the advances and the result; the comparison with
the period before; where to turn with a question or a complaint, and by when.

Made in a request (the resident's download) and in a job (the delivery of the settlements to
the units), from the same page part (``settlements/_explanation.html``) the resident reads.
"""

from __future__ import annotations

from typing import Any

from iok_saas.db import utcnow
from iok_saas.settlements import services
from iok_saas.settlements.models import SettlementLine
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.pdf import letterhead_pdf


def explanation_pdf(line: SettlementLine, rules: Any, tenant_info: TenantInfo) -> bytes:
    """The line's explanation as a Polish PDF (in the cooperative's context: a request, or a
    job with its tenant set)."""
    return letterhead_pdf("settlements/explanation_pdf.html", tenant_info,
                          x=services.explain(line, rules), unit=services.unit_of(line),
                          produced=utcnow(), staff=False)


def file_name(line: SettlementLine) -> str:
    """``rozliczenie-2025-12.pdf``: the period's (last) year and the line."""
    return f"rozliczenie-{line.settlement.period_end:%Y}-{line.id}.pdf"
