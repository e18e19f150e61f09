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

from flask import g
from flask_babel import force_locale

from iok_saas.db import utcnow
from iok_saas.settlements import services
from iok_saas.settlements.models import SettlementLine
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.pdf import render_pdf


def explanation_pdf(line: SettlementLine, rules: Any, tenant_info: TenantInfo) -> bytes:
    """The line's explanation as a Polish PDF (in the cooperative's context: a request, or a
    job with its tenant set)."""
    had = getattr(g, "tenant", None)
    g.tenant = tenant_info  # outside a request the letterhead reads the cooperative from g too
    try:
        x = services.explain(line, rules)
        with force_locale("pl"):
            return render_pdf("settlements/explanation_pdf.html", x=x,
                              unit=services.unit_of(line), tenant=tenant_info,
                              produced=utcnow(), pdf=True, staff=False)
    finally:
        g.tenant = had


def file_name(line: SettlementLine) -> str:
    """``rozliczenie-2025-12.pdf``: the period's (last) year and the line."""
    return f"rozliczenie-{line.settlement.period_end:%Y}-{line.id}.pdf"
