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
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    # The shared estate has no init_app: the download registers its part for it.
    register_section(app, PersonalSection("lokale", _l("My units and legal titles"),
                                          estate.unit_rows, order=20))
    register(app, NavItem("my_data.index", N_("My data"), "resident", "my_data", order=70))
    register_periodic(app, PeriodicJob(
        "my_data.purge", "iok_saas.my_data.export.purge",
        "delete residents' data downloads once taken or 24 hours old",
        every=timedelta(hours=1), per_cooperative=True))
