"""The office's pages of deliveries (being written)."""

from __future__ import annotations

from flask import Blueprint

from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import staff_required

bp = Blueprint("staff_delivery", __name__, url_prefix="/panel/doreczenia",
               template_folder="templates")
require_feature(bp, "delivery")


@bp.get("/")
@staff_required
def index():
    """Deliveries."""
    return ""
