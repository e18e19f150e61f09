"""A unit's financial record, for a resident who holds a title to it."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Blueprint, Response, g, render_template, request
from flask_login import current_user, login_required

from iok_saas import files
from iok_saas.estate.services import UnitRow
from iok_saas.finance import payments, services, statements
from iok_saas.tenancy.features import require_feature
from iok_saas.web import chart
from iok_saas.web.access import one_or_404

bp = Blueprint("finance", __name__, template_folder="templates")
require_feature(bp, "finance")


@bp.get("/lokale/<int:unit_id>")
@login_required
def record(unit_id: int):
    """Balances, the ledger of one account for one year, this month's charges."""
    chosen = _record_or_404(unit_id)
    account_id = chosen.account.id if chosen.account else None
    return render_template("finance/record.html", record=chosen,
                           payment=_payment(chosen.unit, chosen.balances, account_id),
                           chart=chart.monthly(chosen.months),
                           months=services.by_month(chosen.rows))


def _record_or_404(unit_id: int) -> services.Record:
    """The record of the resident's own unit (``konto``, ``rok`` as asked); anyone else's unit
    (or another cooperative's) is not found."""
    return one_or_404(services.record(current_user.id, unit_id,
                                      request.args.get("konto", type=int),
                                      request.args.get("rok", type=int)))


def _payment(unit: UnitRow, balances: list[services.Balance], account_id: int | None
             ) -> payments.PaymentDetails | None:
    balance = next((b for b in balances if b.account.id == account_id), None)
    if balance is None:
        return None
    return payments.details_for(g.tenant, unit, balance.account, balance.amount)


@bp.get("/lokale/<int:unit_id>/wyciag.csv")
@login_required
def statement_csv(unit_id: int) -> Response:
    """The year's ledger of one account for Excel: ``;``, decimal comma, UTF-8 with BOM."""
    return _statement(unit_id, "csv", "text/csv", statements.csv_text)


@bp.get("/lokale/<int:unit_id>/wyciag.pdf")
@login_required
def statement_pdf(unit_id: int) -> Response:
    """The year's ledger of one account on the cooperative's letterhead, A4, with totals."""
    return _statement(unit_id, "pdf", "application/pdf", statements.pdf_bytes)


def _statement(unit_id: int, extension: str, mimetype: str,
               render: Callable[[services.Record], str | bytes]) -> Response:
    """A download of one account's year (``konto``, ``rok``): 404 without a title or account."""
    chosen = _record_or_404(unit_id)
    one_or_404(chosen.account)
    name = f"kartoteka-{chosen.unit.building_number}-{chosen.unit.number}-{chosen.year}.{extension}"
    return files.download(render(chosen), filename=name, content_type=mimetype)


@bp.get("/lokale/<int:unit_id>/kod-platnosci.svg")
@login_required
def payment_qr(unit_id: int) -> Response:
    """The Standard 2D payment QR code of one account, as an SVG image."""
    unit, balances = services.balances_of(current_user.id, unit_id)
    details = one_or_404(_payment(one_or_404(unit), balances,
                                  request.args.get("konto", type=int)))
    buffer = io.BytesIO()
    details.qr_code().save(buffer, kind="svg", scale=5, border=4, xmldecl=False)
    return files.download(buffer.getvalue(), filename="kod-platnosci.svg",
                          content_type="image/svg+xml", inline=True)
