"""The cooperative's public home page and, once signed in, the resident's start page."""

from __future__ import annotations

from flask import Flask

from iok_saas.web.navigation import N_, NavItem, register
from iok_saas.web.pagecache import for_visitors


def init_app(app: Flask) -> None:
    """Register the home page and its menu links."""
    from iok_saas.public import routes

    app.register_blueprint(routes.bp)
    for_visitors(app, "public.home", "public.terms", "public.accessibility")
    register(app, NavItem("public.home", N_("Home"), "public", order=10))
    register(app, NavItem("public.home", N_("My units"), "resident", order=10))
