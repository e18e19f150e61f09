"""Online access applications (Zielone Wzgórza's path): form, e-mail confirmation, staff review,
account prepared, identity checked in person, document handed over."""

from __future__ import annotations

from flask import Flask

from iok_saas.web.navigation import N_, NavItem, register


def init_app(app: Flask) -> None:
    """The public form, the staff queue and the messages they send."""
    from iok_saas.applications import messages, routes, staff_routes  # noqa: F401

    app.register_blueprint(routes.bp)
    app.register_blueprint(staff_routes.bp)
    register(app, NavItem("applications.apply", N_("Apply for access"), "public",
                          "online_application"))
    register(app, NavItem("staff_applications.queue", N_("Applications"), "staff",
                          "online_application"))
