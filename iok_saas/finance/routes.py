"""A unit's financial record, for a resident who holds a title to it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from iok_saas.db import db
from iok_saas.estate.models import Unit
from iok_saas.finance import services
from iok_saas.tenancy.features import require_feature

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
    return render_template("finance/record.html", record=chosen)
