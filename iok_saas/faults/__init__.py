"""Fault reports (zgłoszenia awarii i usterek): residents report and follow faults, staff move
them on and merge duplicates (feature ``faults``)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from iok_saas.web.figures import NP_, WAITING, Figure, register_figure
from iok_saas.web.home import PAGE, HomeTile, register_tile


def _open_reports():
    from iok_saas.cases.services import open_count
    from iok_saas.faults.models import FaultReport

    return open_count(FaultReport)


def _home(user_id: Any, held: Any) -> Any:
    """The resident's open reports, for the home page block."""
    from iok_saas.cases.services import filed_rows
    from iok_saas.faults.models import OPEN, FaultReport

    return filed_rows(FaultReport, user_id, OPEN, FaultReport.category, FaultReport.status)


def init_app(app: Flask) -> None:
    """Residents' pages, the staff queue, e-mails, the menu links, the start-page figure."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.cases.services import as_lines
    from iok_saas.faults import kind, messages, personal, routes, staff_routes  # noqa: F401
    from iok_saas.faults.models import STATUS_LABELS
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.jinja_env.globals.update(fault_statuses=STATUS_LABELS)
    app.register_blueprint(routes.bp)
    app.register_blueprint(staff_routes.bp)
    register(app, NavItem("faults.index", N_("Fault reports"), "resident", "faults", order=30))
    register(app, NavItem("staff_faults.queue", N_("Fault reports"), "staff", "faults", order=40))
    register_section(app, PersonalSection("awarie", _l("My fault reports"), personal.report_rows,
                                          feature="faults", files=personal.photo_files))
    register_tile(app, HomeTile("faults", "faults/_home.html", _home, as_lines, place=PAGE,
                                feature="faults", order=50))
    register_figure(app, Figure(
        "open_faults", _open_reports,
        NP_("%(num)d fault report is open.", "%(num)d fault reports are open."),
        kind=WAITING, endpoint="staff_faults.queue", feature="faults", order=30))
