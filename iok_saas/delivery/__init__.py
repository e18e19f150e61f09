"""Documents delivered to units with proof (doręczenie elektroniczne; feature ``delivery``):
fee-change notices with their legal dates, settlements, meeting notices, certificates and
invoices — made available to each person holding the unit, announced by e-mail to those who
consented to electronic delivery, opened, and proven (docs/delivery.md)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from iok_saas.web.home import PAGE, HomeTile, register_tile

HOME_SHOWN = 5


def _home(user_id: Any, held: Any) -> Any:
    """Documents delivered to the person and not opened yet."""
    from iok_saas.delivery.services import new_rows

    return new_rows(user_id, HOME_SHOWN)


def init_app(app: Flask) -> None:
    """The resident's and the office's pages, the menu links, the e-mail, the home tile."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.delivery import (  # noqa: F401 - messages: the e-mail
        messages,
        personal,
        routes,
        staff,
    )
    from iok_saas.web.account_page import AccountSection, register_account_section
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    app.register_blueprint(staff.bp)
    register(app, NavItem("delivery.index", N_("My documents"), "resident", "delivery",
                          order=52))
    register(app, NavItem("staff_delivery.index", N_("Deliveries"), "staff", "delivery",
                          order=56))
    register_tile(app, HomeTile("delivery", "delivery/_home.html", _home, place=PAGE,
                                feature="delivery", order=15))
    register_account_section(app, AccountSection(
        "delivery", "delivery/staff_consent.html", staff.consent_section, order=65,
        feature="delivery"))
    register_section(app, PersonalSection(
        "doreczone_dokumenty", _l("Documents delivered to me, with the proof of delivery"),
        personal.document_rows, feature="delivery", files=personal.document_files, order=55))
    register_section(app, PersonalSection(
        "zgoda_na_doreczenia", _l("My consent to electronic delivery of documents, with dates"),
        personal.consent_rows, feature="delivery", order=56))
