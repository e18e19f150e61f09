"""The staff panel of one cooperative (clerks and admins), on the cooperative's own host."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from iok_saas.auth.models import RESIDENT, STAFF_ROLES, User
from iok_saas.estate.models import Building, Unit
from iok_saas.web.figures import Figure, register_figure
from iok_saas.web.navigation import N_, NavItem, register

_COUNT = select(func.count())
TOTALS = (
    Figure("buildings", lambda: _COUNT.select_from(Building), N_("Buildings"), order=10),
    Figure("units", lambda: _COUNT.select_from(Unit), N_("Units"), order=20),
    Figure("residents", lambda: _COUNT.select_from(User).where(User.role == RESIDENT),
           N_("Residents with an account"), order=30),
    Figure("staff", lambda: _COUNT.select_from(User).where(User.role.in_(STAFF_ROLES)),
           N_("Staff accounts"), order=40),
)


def init_app(app: Flask) -> None:
    """Register the panel, its menu links and the start page's totals."""
    from iok_saas.staff import (  # noqa: F401 - they add routes to bp
        accounts,
        activation,
        messages,
        routes,
    )

    app.register_blueprint(routes.bp)
    register(app, NavItem("staff.dashboard", N_("Staff panel"), "staff", order=10))
    register(app, NavItem("staff.residents", N_("Residents"), "staff", order=20))
    register(app, NavItem("staff.staff_accounts", N_("Staff"), "admin", order=70))
    register(app, NavItem("staff.messages", N_("E-mail messages"), "admin", order=75))
    register(app, NavItem("audit.log", N_("Audit log"), "admin", order=80))
    for figure in TOTALS:
        register_figure(app, figure)
