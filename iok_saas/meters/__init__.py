"""Meters of units and their readings: residents submit, staff accept (feature ``meters``)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Residents' pages, the staff queue, e-mails, the menu links."""
    from iok_saas.extensions import csrf
    from iok_saas.meters import forms, messages, routes, services, staff_routes  # noqa: F401
    from iok_saas.web.navigation import N_, NavItem, register

    # These views take a photo: they raise the request size limit, then check CSRF themselves.
    csrf.exempt(routes.meter)
    csrf.exempt(routes.edit)
    app.add_template_filter(services.number, "reading")
    app.jinja_env.globals.update(meter_kinds=forms.KIND_LABELS,
                                 reading_statuses=forms.STATUS_LABELS,
                                 reading_sources=forms.SOURCE_LABELS)
    app.register_blueprint(routes.bp)
    app.register_blueprint(staff_routes.bp)
    register(app, NavItem("meters.index", N_("Meters"), "resident", "meters"))
    register(app, NavItem("staff_meters.queue", N_("Readings"), "staff", "meters"))
