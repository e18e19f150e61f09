"""Contact details (dane kontaktowe, "zmień dane") and what the resident chooses to receive by
e-mail. The rules (``services``, ``consents``) serve the announcements', finance's and meters'
e-mails and the staff panel too; the resident's pages are the feature ``contacts``; the
unsubscribe link works at every cooperative."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The resident's pages, the unsubscribe link, the menu link, the address filter."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.contacts import (  # noqa: F401
        messages,
        personal,
        routes,
        services,
        staff_section,
        unsubscribe,
    )
    from iok_saas.extensions import csrf
    from iok_saas.web.account_page import AccountSection, register_account_section
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    # The link's own signature is its proof; mail programs post without a token.
    csrf.exempt(unsubscribe.unsubscribe)
    app.register_blueprint(unsubscribe.bp)
    app.add_template_filter(services.masked_email, "masked_email")
    register_account_section(app, AccountSection(
        "contacts", "contacts/_staff_contacts.html", staff_section.load, order=60))
    register_section(app, PersonalSection("zgody", _l("My choices of e-mails, with dates"),
                                          personal.consent_rows, order=30))
    register(app, NavItem("contacts.index", N_("Contact details"), "resident", "contacts",
                          order=60))
