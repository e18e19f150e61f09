"""The financial record (kartoteka finansowa) of each unit a resident holds."""

from __future__ import annotations

from flask import Flask

from iok_saas.web.home import UNIT, HomeTile, register_tile


def init_app(app: Flask) -> None:
    """The record pages (behind the ``finance`` feature) and each unit's balances on the
    resident's home page, its address leading to the record."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.finance import notify, personal, routes, services  # noqa: F401 - notify
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    register_tile(app, HomeTile("balances", "finance/_home_balances.html",
                                services.balance_rows, services.balances_by_unit, place=UNIT,
                                feature="finance", unit_link="finance.record"))
    register_section(app, PersonalSection("kartoteka", _l("The financial record of my units"),
                                          personal.ledger_rows, feature="finance"))
