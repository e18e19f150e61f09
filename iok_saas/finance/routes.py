"""A unit's financial record, for a resident who holds a title to it."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Blueprint, Response, abort, g, render_template, request
from flask_login import current_user, login_required

from iok_saas.db import db
from iok_saas.estate.models import Unit
from iok_saas.finance import payments, services, statements
from iok_saas.tenancy.features import require_feature
from iok_saas.web import chart

bp = Blueprint("finance", __name__, template_folder="templates")
require_feature(bp, "finance")


@bp.get("/lokale/<int:unit_id>")
@login_required
def record(unit_id: int):
    """Balances, the ledger of one account for one year, this month's charges."""
    if not services.holds_title(current_user.id, unit_id):
        abort(404)
    unit = db.session.get(Unit, unit_id)
    chosen = services.record(unit, request.args.get("konto", type=int),
                             request.args.get("rok", type=int))
    account_id = chosen.account.id if chosen.account else None
    return render_template("finance/record.html", record=chosen,
                           payment=_payment(unit, chosen.balances, account_id),
                           chart=chart.monthly(chosen.months))


def _payment(unit: Unit, balances: list[services.Balance], account_id: int | None
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
    if not services.holds_title(current_user.id, unit_id):
        abort(404)
    chosen = services.record(db.session.get(Unit, unit_id), request.args.get("konto", type=int),
                             request.args.get("rok", type=int))
    if chosen.account is None:
        abort(404)
    name = f"kartoteka-{chosen.unit.building.number}-{chosen.unit.number}-{chosen.year}.{extension}"
    return Response(render(chosen), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/lokale/<int:unit_id>/kod-platnosci.svg")
@login_required
def payment_qr(unit_id: int) -> Response:
    """The Standard 2D payment QR code of one account, as an SVG image."""
    if not services.holds_title(current_user.id, unit_id):
        abort(404)
    balances = services.balances_for([unit_id]).get(unit_id, [])
    details = _payment(db.session.get(Unit, unit_id), balances,
                       request.args.get("konto", type=int))
    if details is None:
        abort(404)
    buffer = io.BytesIO()
    details.qr_code().save(buffer, kind="svg", scale=5, border=4, xmldecl=False)
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})
