"""E-mails about readings (sent through the outbox)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.mail.messages import MessageKind, register

_SAMPLE_READINGS = [{"kind": "cold_water", "serial": "12345678", "value": "123,456",
                     "measure": "m³", "date": "25.11.2026",
                     "address": "ul. Przykładowa 1 m. 2, 80-001 Gdańsk"}]

register(MessageKind(
    name="reading_accepted",
    subject=_l("Your meter reading has been accepted"),
    description=_l("Sent when staff accept readings a resident submitted online."),
    sample={"name": "Anna Kowalska", "readings": _SAMPLE_READINGS},
))
register(MessageKind(
    name="reading_rejected",
    subject=_l("Your meter reading could not be accepted"),
    description=_l("Sent when staff reject readings a resident submitted online, with the reason."),
    sample={"name": "Anna Kowalska", "readings": _SAMPLE_READINGS,
            "reason": "Stan na zdjęciu jest inny niż wpisany."},
))
register(MessageKind(
    name="reading_reminder",
    subject=_l("Time to submit your meter readings"),
    description=_l("Sent when the reading window opens, to residents who asked for it."),
    sample={"name": "Anna Kowalska", "until": "31.11.2026", "link": "https://example.org/liczniki"},
))
