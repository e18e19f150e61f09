"""Error pages in Polish; with no cooperative resolved they show nothing of any cooperative."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, render_template, request
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

PAGES = {400, 403, 404, 405, 413, 429, 500, 503}
# The database cannot be reached or dropped the connection (a restart, a failover): transient.
DATABASE_AWAY = (OperationalError, InterfaceError, DisconnectionError)
RETRY_AFTER = "30"
# The attribute ``files.uploads.takes_upload`` gives a view: its limit in bytes, as a function.
UPLOAD_LIMIT = "upload_limit"
# Where the front server sends a request whose body is over its route's limit (nginx's
# ``error_page 413``), with the path that refused it in this header.
TOO_LARGE_PATH, REFUSED_PATH_HEADER = "/blad/za-duzy-plik", "X-IOK-Refused-Path"
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


def too_large():
    """The 413 page the front server shows for a body over its route's limit: the route's own
    limit for this cooperative, as the app would have said it."""
    limit = None
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        path = request.headers.get(REFUSED_PATH_HEADER, "").partition("?")[0]
        endpoint, _args = adapter.match(path, method="POST")
        limit = getattr(current_app.view_functions.get(endpoint), UPLOAD_LIMIT, None)
    except HTTPException:
        pass
    details = {"limit_mb": -(-limit() // (1 << 20))} if callable(limit) else {}
    return render_error(RequestEntityTooLarge(), **details)


def init_app(app: Flask) -> None:
    """Register the error pages."""
    app.add_url_rule(TOO_LARGE_PATH, "too_large", too_large, methods=["GET"])
    for code in PAGES:
        app.register_error_handler(code, render_error)
    for error in DATABASE_AWAY:
        app.register_error_handler(error, database_away)
