"""Error pages in Polish; with no cooperative resolved they show nothing of any cooperative."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, render_template
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

PAGES = {400, 403, 404, 405, 413, 429, 500, 503}
# The database cannot be reached or dropped the connection (a restart, a failover): transient.
DATABASE_AWAY = (OperationalError, InterfaceError, DisconnectionError)
RETRY_AFTER = "30"
log = logging.getLogger(__name__)


def render_error(error: HTTPException, **details: Any):
    """The page for an HTTP error: branded on a known cooperative, plain otherwise;
    ``details`` for the page's words (``limit_mb`` of a 413)."""
    code = error.code or 500
    template = "errors/error.html" if getattr(g, "tenant", None) else "errors/plain.html"
    return render_template(template, code=code, **details), code


def database_away(error: Exception):
    """503 with ``Retry-After`` while the database is away, never a 500: a page that needs
    nothing from the database (no menu, no signed-in person), the cooperative's name if known.
    Whatever the request had begun was rolled back with its transaction."""
    log.warning("Database unavailable, answered 503: %s",
                type(getattr(error, "orig", None) or error).__name__)
    tenant = getattr(g, "tenant", None)
    # Rendered without the context processors: the menu would ask who is signed in, which
    # needs the database.
    page = current_app.jinja_env.get_template("errors/unavailable.html").render(
        tenant_name=tenant.name if tenant else "")
    return page, 503, {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    """Register the error pages."""
    for code in PAGES:
        app.register_error_handler(code, render_error)
    for error in DATABASE_AWAY:
        app.register_error_handler(error, database_away)
