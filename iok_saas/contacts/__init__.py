"""Contact details (dane kontaktowe, "zmień dane") and what the resident chooses to receive
(feature ``contacts``). The rules live with the accounts (``auth.contacts``, ``auth.consents``):
the fan-outs and the staff panel use them too."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The resident's pages and the menu link."""
    from iok_saas.contacts import routes
    from iok_saas.web.navigation import N_, NavItem, register

    app.register_blueprint(routes.bp)
    register(app, NavItem("contacts.index", N_("Contact details"), "resident", "contacts",
                          order=60))
