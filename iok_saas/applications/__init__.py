"""Online access applications (Zielone Wzgórza's path): form, e-mail confirmation, staff review,
account prepared, identity checked in person, document handed over."""

from __future__ import annotations

from datetime import time

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from iok_saas.applications.models import SUBMITTED, AccessApplication
from iok_saas.jobs.periodic import PeriodicJob, register_periodic
from iok_saas.web.figures import NP_, WAITING, Figure, register_figure
from iok_saas.web.navigation import N_, NavItem, register


def init_app(app: Flask) -> None:
    """The public form, the staff queue and the messages they send."""
    from iok_saas.applications import messages, personal, routes, staff_routes  # noqa: F401
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    app.register_blueprint(staff_routes.bp)
    # Not only where the form is on: an account opened by an application keeps it.
    register_section(app, PersonalSection("wnioski", _l("My application for access"),
                                          personal.application_rows))
    register(app, NavItem("applications.apply", N_("Apply for access"), "public",
                          "online_application", order=20))
    register(app, NavItem("staff_applications.queue", N_("Applications"), "staff",
                          "online_application", order=45))
    register_periodic(app, PeriodicJob(
        "applications.purge", "iok_saas.applications.services.purge_unconfirmed",
        "delete applications never confirmed by e-mail within the cooperative's limit",
        # Also where the portal is switched off: applicants' data must not outlive the limit.
        at=time(3, 30), per_cooperative=True, disabled_too=True))
    register_figure(app, Figure(
        "submitted_applications", _submitted,
        NP_("%(num)d application for access is waiting for a decision.",
            "%(num)d applications for access are waiting for a decision."),
        kind=WAITING, endpoint="staff_applications.queue", feature="online_application",
        order=10))


def _submitted():
    return select(func.count()).select_from(AccessApplication).where(
        AccessApplication.status == SUBMITTED)
