"""Meters of units and their readings: residents submit, staff accept (feature ``meters``)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from iok_saas.jobs.periodic import PeriodicJob, register_periodic
from iok_saas.meters.models import PENDING, Reading
from iok_saas.web.figures import NP_, WAITING, Figure, register_figure
from iok_saas.web.formatting import decimal_comma


def _pending_readings():
    return select(func.count()).select_from(Reading).where(Reading.status == PENDING)


def init_app(app: Flask) -> None:
    """Residents' pages, the staff queue, e-mails, the menu links."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.meters import (  # noqa: F401
        consumption_routes,
        forms,
        messages,
        personal,
        remote_staff,
        routes,
        staff_routes,
    )
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.add_template_filter(decimal_comma, "reading")
    app.jinja_env.globals.update(meter_kinds=forms.KIND_LABELS,
                                 reading_statuses=forms.STATUS_LABELS,
                                 reading_sources=forms.SOURCE_LABELS)
    app.register_blueprint(routes.bp)
    app.register_blueprint(staff_routes.bp)
    app.register_blueprint(remote_staff.bp)
    app.register_blueprint(consumption_routes.bp)
    register(app, NavItem("meters.index", N_("Meters"), "resident", "meters", order=20))
    register(app, NavItem("consumption.index", N_("Consumption"), "resident", "meters",
                          order=21))
    register(app, NavItem("staff_meters.queue", N_("Readings"), "staff", "meters", order=30))
    register(app, NavItem("remote_meters.index", N_("Remote meters"), "staff", "meters",
                          order=31))
    register_section(app, PersonalSection(
        "odczyty", _l("The meters of my units and their readings"), personal.reading_rows,
        feature="meters", files=personal.reading_photos))
    register_periodic(app, PeriodicJob(
        "meters.reminders", "iok_saas.meters.reminders.remind_cooperative",
        "e-mail residents who asked for it when the reading window opens (once per window)",
        every=timedelta(hours=1), per_cooperative=True))
    from iok_saas.meters import statements  # noqa: F401  (its e-mails register on import)

    register_periodic(app, PeriodicJob(
        "meters.statements", "iok_saas.meters.statements.make_due",
        "make the monthly consumption statements of remote meters once a month's readings are "
        "in (art. 45c ust. 2 of the energy law), e-mail them, delete the expired",
        every=timedelta(hours=6), per_cooperative=True))
    register_figure(app, Figure(
        "pending_readings", _pending_readings,
        NP_("%(num)d meter reading is waiting for acceptance.",
            "%(num)d meter readings are waiting for acceptance."),
        kind=WAITING, endpoint="staff_meters.queue", feature="meters", order=20))
