"""Announcements (ogłoszenia): staff publish them for the whole cooperative, estates or
buildings; residents read what is meant for them (feature ``announcements``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from iok_saas.jobs.periodic import PeriodicJob, register_periodic
from iok_saas.web.home import PAGE, HomeTile, register_tile

HOME_SHOWN = 5


def _home(user_id: Any, held: Any) -> Any:
    """The newest current announcements for the resident, with whether each is unread."""
    from sqlalchemy import bindparam

    from iok_saas.announcements.services import current_rows

    return current_rows(user_id, HOME_SHOWN, now=bindparam("now"))  # five, not all live ones


def _with_unread(rows: list[Any]) -> list[tuple[Any, bool]]:
    return [(row, row.unread) for row in rows]


def init_app(app: Flask) -> None:
    """Residents' pages, the staff pages, the e-mail, the menu links, the home-page block."""
    from iok_saas.announcements import messages, personal, routes  # noqa: F401
    from iok_saas.announcements.forms import KIND_LABELS, SERVICE_LABELS
    from iok_saas.announcements.words import when
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.jinja_env.globals.update(announcement_kinds=KIND_LABELS,
                                 announcement_services=SERVICE_LABELS, announcement_when=when)
    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.staff_bp)
    register(app, NavItem("announcements.index", N_("Announcements"), "resident",
                          "announcements", order=40))
    register(app, NavItem("staff_announcements.staff_index", N_("Announcements"), "staff",
                          "announcements", order=50))
    register_tile(app, HomeTile("announcements", "announcements/_home.html", _home, _with_unread,
                                place=PAGE,
                                feature="announcements", order=10))
    register_section(app, PersonalSection("ogloszenia", _l("Announcements I have opened"),
                                          personal.read_rows, feature="announcements"))
    register_periodic(app, PeriodicJob(
        "announcements.resume", "iok_saas.announcements.fanout.resume",
        "start again an announcement's e-mails whose batches stopped (a worker died)",
        every=timedelta(seconds=app.config["ANNOUNCEMENT_RESUME_SECONDS"]),
        per_cooperative=True))
