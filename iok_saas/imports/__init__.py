"""Imports from the cooperative's accounting system: CLI, staff panel upload and HTTP API.

See docs/import-format.md for the file formats and their meaning.
"""

from datetime import timedelta

from iok_saas.imports.kinds import KINDS
from iok_saas.imports.reading import ImportReport, parse_amount, parse_date
from iok_saas.imports.runner import run_import

__all__ = ["KINDS", "ImportReport", "parse_amount", "parse_date", "run_import"]


def init_app(app) -> None:
    """The staff panel's import pages and the import API (no CSRF: a token, no cookies)."""
    from iok_saas.extensions import csrf
    from iok_saas.imports import api, panel, queue
    from iok_saas.jobs.gauges import PlatformGauge, register_gauge
    from iok_saas.jobs.periodic import PeriodicJob, register_periodic
    from iok_saas.web.navigation import N_, NavItem, register

    csrf.exempt(api.bp)
    app.register_blueprint(panel.bp)
    app.register_blueprint(api.bp)
    register(app, NavItem("imports.upload", N_("Data import"), "admin", order=60))
    register_periodic(app, PeriodicJob(
        "imports.recover", "iok_saas.imports.queue.recover",
        "queue imports whose job never reached the queue; fail runs cut off by a killed worker",
        every=timedelta(minutes=1)))
    register_gauge(app, PlatformGauge(
        "iok_import_runs", "Import runs of every cooperative by status.", ("status",),
        queue.gauge_runs))
