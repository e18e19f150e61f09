"""Staff panel pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from iok_saas.web.access import staff_required
from iok_saas.web.figures import blocks, figures

bp = Blueprint("staff", __name__, url_prefix="/panel", template_folder="templates")


@bp.get("/")
@staff_required
def dashboard():
    """The clerk's start page: work waiting for the office, the cooperative at a glance."""
    return render_template("staff/dashboard.html", figures=figures(), blocks=blocks())
