"""The web shell shared by every capability: language, formats, layout, errors, headers."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from iok_saas.web import (
    errors,
    formatting,
    i18n,
    install,
    logs,
    navigation,
    pagecache,
    routes,
    security,
)


class DatabaseInt(IntegerConverter):
    """``<int:…>`` in URLs stops at the database's integer range: bigger ids are 404, not 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Logs, language, CSRF, template helpers, error pages, security headers, shell routes."""
    app.url_map.converters["int"] = DatabaseInt
    logs.init_app(app)  # first: the request id exists before anything else logs
    i18n.init_app(app)
    security.init_app(app)
    formatting.init_app(app)
    navigation.init_app(app)
    errors.init_app(app)
    app.register_blueprint(routes.bp)
    app.register_blueprint(install.bp)
    pagecache.for_visitors(app, "install.offline")
