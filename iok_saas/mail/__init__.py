"""E-mail: the transactional outbox, message kinds and their rendering, the transports."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask

from iok_saas.jobs.gauges import PlatformGauge, register_gauge
from iok_saas.jobs.periodic import PeriodicJob, register_periodic

# No routes: the blueprint makes templates/mail/… available to render_template.
bp = Blueprint("mail", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the mail templates, the platform's own message kinds and the outbox relay."""
    from flask_babel import lazy_gettext as _l

    from iok_saas.mail import (
        messages,  # noqa: F401 - registers the platform's message kinds
        outbox,
        personal,
    )
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(bp)
    register_section(app, PersonalSection(
        "wiadomosci", _l("E-mails sent to me (subjects and dates)"), personal.email_rows,
        order=50))
    register_periodic(app, PeriodicJob(
        "outbox.relay", "iok_saas.mail.outbox.relay",
        "hand over e-mails whose job never reached the queue; fail sends that were cut off",
        every=timedelta(seconds=app.config["OUTBOX_RELAY_SECONDS"])))
    for gauge in (
        PlatformGauge("iok_outbox_messages", "E-mails in the outbox by status.", ("status",),
                      outbox.gauge_by_status),
        PlatformGauge("iok_outbox_waiting_messages",
                      "E-mails pending or failed, per cooperative.", ("cooperative", "status"),
                      outbox.gauge_waiting),
        PlatformGauge("iok_outbox_oldest_pending_seconds",
                      "How long the oldest pending e-mail has waited.", (),
                      outbox.gauge_oldest_pending),
    ):
        register_gauge(app, gauge)
