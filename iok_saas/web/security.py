"""CSRF on every form, security headers on every response, no caching of personal pages."""

from __future__ import annotations

from flask import Flask, Response, session

from iok_saas.extensions import csrf

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)


def add_headers(response: Response) -> Response:
    """Headers every page gets; signed-in pages are never stored by browsers or proxies."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if "_user_id" in session:  # Flask-Login's key: signed in, without loading the account
        # (a database away must not turn this header into an error)
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """CSRF protection and the header hook."""
    csrf.init_app(app)
    app.after_request(add_headers)
