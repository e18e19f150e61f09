"""The resident's own data (RODO art. 15 and 20): everything held about them as one ZIP, who
of the staff viewed their data, how long what is kept, a request to delete the account
(feature ``my_data``)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from iok_saas.jobs.periodic import PeriodicJob, register_periodic


def init_app(app: Flask) -> None:
    """The resident's page, the menu link, the purge of old downloads."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.estate import personal as estate
    from iok_saas.my_data import routes
    from iok_saas.web.account_page import AccountSection, register_account_section
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    # The shared estate has no init_app: the download registers its part for it.
    register_account_section(app, AccountSection(
        "deletion", "my_data/_staff_deletion.html", _asked_for_deletion, order=50,
        feature="my_data"))
    register_section(app, PersonalSection("lokale", _l("My units and legal titles"),
                                          estate.unit_rows, order=20))
    register(app, NavItem("my_data.index", N_("My data"), "resident", "my_data", order=70))
    register_periodic(app, PeriodicJob(
        "my_data.purge", "iok_saas.my_data.export.purge",
        "delete residents' data downloads once taken or 24 hours old",
        every=timedelta(hours=1), per_cooperative=True))


def _asked_for_deletion(person, given: dict) -> dict | None:
    """The account page: the resident asked for the account to be deleted (the latest ask)."""
    from iok_saas.audit import services as audit
    from iok_saas.audit.models import DELETION_REQUESTED

    asked = audit.events_about(person.id, (DELETION_REQUESTED,), 1)
    return {"deletion": asked} if asked else None
