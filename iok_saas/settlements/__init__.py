"""Yearly settlements of water and heat, explained (feature ``settlements``): from the
building's bill to the unit's balance, step by step, every number the settlement company's
(docs/settlements.md); the settlement delivered to the unit with proof; a question about it
as a case the office answers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The resident's and the office's pages, the menu links, the kind of case."""
    from iok_saas.settlements import (
        kind,  # noqa: F401 - the questions' kind of case
        staff,
    )

    _resident(app)  # the resident's pages, menu link, personal data
    staff.register(app)  # the office's pages, menu link, start-page figure


def _resident(app: Flask) -> None:
    """The resident's pages (Rozliczenia, after Zużycie in the menu) and their questions in
    the download of their data."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.settlements import personal, routes
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    register(app, NavItem("settlements.index", N_("Settlements"), "resident", "settlements",
                          order=22))
    register_section(app, PersonalSection(
        "pytania_o_rozliczenia", _l("My questions about settlements of water and heat"),
        personal.question_rows, feature="settlements", files=personal.question_files,
        order=57))
