"""Audit log per cooperative: who did what to whom, when, from where. Never secrets."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The staff admins' audit log page."""
    from iok_saas.audit import routes

    app.register_blueprint(routes.bp)
