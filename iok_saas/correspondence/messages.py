"""E-mails about letters to the office (service messages to the letter's author, through the
outbox; no consent needed)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.mail.messages import MessageKind, register

_SAMPLE = {"name": "Anna Kowalska", "number": "KO/2026/00017",
           "subject": "Naliczenie za wodę w październiku", "topic": "reklamacja naliczenia",
           "link": "https://example.org/sprawy/17"}

register(MessageKind(
    name="case_received",
    subject=_l("Your letter %(number)s has been received"),
    description=_l("Sent to a resident who wrote to the cooperative, with the letter's "
                   "registry number."),
    sample=_SAMPLE,
))
register(MessageKind(
    name="case_answer",
    subject=_l("Letter %(number)s: answer from the cooperative"),
    description=_l("Sent to the author when staff answer a letter (the answer's text only if "
                   "the cooperative chose so; otherwise a link)."),
    sample=_SAMPLE | {"answer": "Naliczenie wynika z odczytu z 30 września. Prosimy o "
                                "przesłanie zdjęcia licznika.", "attachments": 1},
))
register(MessageKind(
    name="case_closed",
    subject=_l("Letter %(number)s: the case is closed"),
    description=_l("Sent to the author when staff close a letter's case, with the reason."),
    sample=_SAMPLE | {"reason": "Korekta naliczenia została ujęta w rozliczeniu.", "answer": ""},
))
