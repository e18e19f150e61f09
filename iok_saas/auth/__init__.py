"""Accounts and sign-in: residents and staff of one cooperative."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from iok_saas.extensions import login_manager


def init_app(app: Flask) -> None:
    """Flask-Login scoped to the current cooperative, and the sign-in pages."""
    from iok_saas.auth import routes, services

    login_manager.init_app(app)
    login_manager.user_loader(services.load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(routes.bp)
