"""Error pages in Polish; with no cooperative resolved they show nothing of any cooperative."""

from __future__ import annotations

from flask import Flask, g, render_template
from werkzeug.exceptions import HTTPException

PAGES = {400, 403, 404, 405, 413, 429, 500, 503}


def render_error(error: HTTPException):
    """The page for an HTTP error: branded on a known cooperative, plain otherwise."""
    code = error.code or 500
    template = "errors/error.html" if getattr(g, "tenant", None) else "errors/plain.html"
    return render_template(template, code=code), code


def init_app(app: Flask) -> None:
    """Register the error pages."""
    for code in PAGES:
        app.register_error_handler(code, render_error)
