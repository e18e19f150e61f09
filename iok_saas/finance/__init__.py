"""The financial record (kartoteka finansowa) of each unit a resident holds."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The record pages (behind the ``finance`` feature)."""
    from iok_saas.finance import routes

    app.register_blueprint(routes.bp)
