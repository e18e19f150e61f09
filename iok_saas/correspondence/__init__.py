"""Letters to the office (sprawy): residents write to the cooperative and get a registry number,
staff answer in the portal, every letter is kept on both sides (feature ``correspondence``)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from iok_saas.web.figures import NP_, WAITING, Block, Figure, register_block, register_figure
from iok_saas.web.home import PAGE, HomeTile, register_tile


def _waiting() -> Any:
    from iok_saas.cases.services import open_count
    from iok_saas.correspondence.models import IN_PROGRESS, RECEIVED, Letter

    return open_count(Letter, (RECEIVED, IN_PROGRESS))  # waiting for the office


def _registry() -> Any:
    from iok_saas.correspondence.services import registry

    return registry()


def _home(user_id: Any, held: Any) -> Any:
    """The resident's cases waiting for their reply, for the home page block."""
    from iok_saas.cases.services import filed_rows
    from iok_saas.correspondence.models import WAITING as WAITING_FOR_RESIDENT
    from iok_saas.correspondence.models import Letter

    return filed_rows(Letter, user_id, (WAITING_FOR_RESIDENT,), Letter.subject)


def init_app(app: Flask) -> None:
    """Residents' pages, the staff queue, e-mails, the menu links, the start-page figures."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.cases.kinds import LETTER_STAFF_STATUS_LABELS, LETTER_STATUS_LABELS
    from iok_saas.cases.services import as_lines
    from iok_saas.correspondence import (  # noqa: F401
        kind,
        messages,
        personal,
        routes,
        staff_routes,
    )
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.jinja_env.globals.update(case_statuses=LETTER_STATUS_LABELS,
                                 staff_case_statuses=LETTER_STAFF_STATUS_LABELS)
    app.register_blueprint(routes.bp)
    app.register_blueprint(staff_routes.bp)
    register(app, NavItem("correspondence.index", N_("Letters"), "resident", "correspondence",
                          order=35))
    register(app, NavItem("staff_correspondence.queue", N_("Letters"), "staff",
                          "correspondence", order=45))
    register_section(app, PersonalSection("sprawy", _l("My letters to the cooperative"),
                                          personal.case_rows, feature="correspondence",
                                          files=personal.case_files))
    register_tile(app, HomeTile("correspondence", "correspondence/_home.html", _home, as_lines,
                                place=PAGE, feature="correspondence", order=45))
    register_figure(app, Figure(
        "open_cases", _waiting,
        NP_("%(num)d letter waits for the office.", "%(num)d letters wait for the office."),
        kind=WAITING, endpoint="staff_correspondence.queue", feature="correspondence",
        order=35))
    register_block(app, Block("correspondence", "correspondence/_registry.html", _registry,
                              feature="correspondence", order=35))
