"""Staff admins browse the cooperative's audit log."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from iok_saas.audit.models import ACTIONS
from iok_saas.audit.services import page_of_events
from iok_saas.web.access import admin_required

bp = Blueprint("audit", __name__, url_prefix="/panel/dziennik", template_folder="templates")


@bp.get("/")
@admin_required
def log():
    """Newest events first, 50 a page, filtered by kind."""
    action = request.args.get("rodzaj") if request.args.get("rodzaj") in ACTIONS else None
    page = request.args.get("strona", 1, type=int)
    events, pages = page_of_events(page, action)
    return render_template("audit/log.html", events=events, pages=pages,
                           page=min(max(page, 1), pages), action=action, actions=ACTIONS)
