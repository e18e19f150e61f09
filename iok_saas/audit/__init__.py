"""Audit log per cooperative: who did what to whom, when, from where. Never secrets."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The staff admins' audit log page; who viewed a person's data, in their download."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.audit import personal, routes
    from iok_saas.web.account_page import AccountSection, register_account_section
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    register_account_section(app, AccountSection(
        "views", "audit/_staff_views.html", personal.staff_views, order=70))
    register_section(app, PersonalSection("przegladanie", _l("Who of the staff viewed my data"),
                                          personal.view_rows, order=60))
