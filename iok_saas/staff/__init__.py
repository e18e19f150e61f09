"""The staff panel of one cooperative (clerks and admins), on the cooperative's own host."""

from __future__ import annotations

from flask import Flask

from iok_saas.web.navigation import N_, NavItem, register


def init_app(app: Flask) -> None:
    """Register the panel and its menu link."""
    from iok_saas.staff import accounts, messages, routes  # noqa: F401 - they add routes to bp

    app.register_blueprint(routes.bp)
    register(app, NavItem("staff.dashboard", N_("Staff panel"), "staff"))
    register(app, NavItem("staff.residents", N_("Residents"), "staff"))
    register(app, NavItem("staff.staff_accounts", N_("Staff"), "admin"))
    register(app, NavItem("staff.messages", N_("E-mail messages"), "admin"))
    register(app, NavItem("audit.log", N_("Audit log"), "admin"))
