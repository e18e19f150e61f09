"""The web shell shared by every capability: language, formats, layout, errors, headers."""

from __future__ import annotations

from flask import Flask

from iok_saas.web import errors, formatting, i18n, navigation, routes, security


def init_app(app: Flask) -> None:
    """Language, CSRF, template helpers, error pages, security headers, shell routes."""
    i18n.init_app(app)
    security.init_app(app)
    formatting.init_app(app)
    navigation.init_app(app)
    errors.init_app(app)
    app.register_blueprint(routes.bp)
