"""The resident's "Moje dokumenty" (being written)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from iok_saas.tenancy.features import require_feature

bp = Blueprint("delivery", __name__, template_folder="templates")
require_feature(bp, "delivery")


@bp.get("/moje-dokumenty")
@login_required
def index():
    """Documents delivered to the person's units."""
    return ""
