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
    from iok_saas.delivery import messages, routes, staff  # noqa: F401 - messages: the e-mail
    from iok_saas.web.navigation import N_, NavItem, register

    app.register_blueprint(routes.bp)
    app.register_blueprint(staff.bp)
    register(app, NavItem("delivery.index", N_("My documents"), "resident", "delivery",
                          order=52))
    register(app, NavItem("staff_delivery.index", N_("Deliveries"), "staff", "delivery",
                          order=56))
    register_tile(app, HomeTile("delivery", "delivery/_home.html", _home, place=PAGE,
                                feature="delivery", order=15))
