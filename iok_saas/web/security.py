"""CSRF on every form, security headers on every response, no caching of personal pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Request, Response, session

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


def from_this_site(request: Request) -> bool:
    """A form without a token (the language switch in every footer) was sent from a page of
    this very host: the browser's Sec-Fetch-Site, else its Origin, else its Referer says so.
    "same-site" is not enough — every cooperative's subdomain is the same site. A request with
    none of them did not come from a browser's page, where a forgery would have to start."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from:
        return fetched_from in ("same-origin", "none")
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin:
        return True
    return urlsplit(origin).netloc == request.host


def init_app(app: Flask) -> None:
    """CSRF protection and the header hook."""
    csrf.init_app(app)
    app.after_request(add_headers)
