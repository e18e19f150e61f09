"""Accounts and sign-in: residents and staff of one cooperative — sign-in, sessions, passwords,
lockout and the user model. Rooms above add steps, gates and pages (``auth.hooks``)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

from iok_saas.extensions import login_manager
from iok_saas.jobs.periodic import PeriodicJob, register_periodic
from iok_saas.web.navigation import N_, NavItem, register


def init_app(app: Flask) -> None:
    """Flask-Login scoped to the current cooperative, rate limits, gates, the sign-in pages."""
    from iok_saas.auth import (  # noqa: F401
        gates,
        hooks,
        limits,
        messages,
        personal,
        routes,
        services,
    )
    from iok_saas.web.personal import PersonalSection, register_section

    login_manager.init_app(app)
    login_manager.user_loader(services.load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    limits.init_app(app)
    app.before_request(gates.account_gates)
    app.register_blueprint(routes.bp)
    app.jinja_env.globals.update(sign_in_blocks=hooks.sign_in_blocks)
    register_section(app, PersonalSection("profil", _l("My account and contact details"),
                                          personal.profile_rows, order=10))
    register_section(app, PersonalSection("logowania", _l("Sign-ins to my account"),
                                          personal.sign_in_rows, order=40))
    for audience in ("resident", "staff"):
        register(app, NavItem("auth.change_password", N_("Change password"), audience, order=90))
    register_periodic(app, PeriodicJob(
        "auth.sessions", "iok_saas.auth.sessions.prune",
        "forget signed-in sessions idle longer than the cooperative allows",
        every=timedelta(hours=1), per_cooperative=True))
