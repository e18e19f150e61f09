"""E-mails about fault reports (sent through the outbox to everyone who follows a report)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.mail.messages import MessageKind, register

_SAMPLE = {"name": "Anna Kowalska", "number": "AW/2026/00042", "category": "woda i kanalizacja",
           "status": "in_progress", "address": "ul. Przykładowa 1 m. 2, 80-001 Gdańsk",
           "link": "https://example.org/awarie/42"}

register(MessageKind(
    name="fault_received",
    subject=_l("Fault report %(number)s received"),
    description=_l("Sent to a resident who reported a fault, with its registry number."),
    sample=_SAMPLE | {"status": "received"},
))
register(MessageKind(
    name="fault_status",
    subject=_l("Fault report %(number)s: new status"),
    description=_l("Sent to everyone who follows a report when staff change its status."),
    sample=_SAMPLE | {"reply": "Hydraulik będzie w czwartek między 8:00 a 12:00."},
))
register(MessageKind(
    name="fault_reply",
    subject=_l("Fault report %(number)s: reply from the cooperative"),
    description=_l("Sent to everyone who follows a report when staff reply to it."),
    sample=_SAMPLE | {"reply": "Prosimy o udostępnienie piwnicy w czwartek."},
))
register(MessageKind(
    name="fault_merged",
    subject=_l("Fault report %(duplicate)s merged into %(number)s"),
    description=_l("Sent to a resident whose report staff merged with another report of the "
                   "same fault."),
    sample=_SAMPLE | {"duplicate": "AW/2026/00043"},
))
