"""E-mails of the application path."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.mail.messages import MessageKind, register

register(MessageKind(
    name="application_confirm",
    subject=_l("Please confirm your e-mail address"),
    description=_l("Sent after the online application form: a link to confirm the address."),
    sample={"name": "Anna Kowalska", "hours": 48, "link": "https://example.org/wniosek/przyklad"},
    secret_keys=("link",),
))
register(MessageKind(
    name="application_approved",
    subject=_l("Your access has been prepared"),
    description=_l("Sent when staff approve an application: come to the office with an ID."),
    sample={"name": "Anna Kowalska", "address": "ul. Przykładowa 1, 62-095 Murowana Goślina",
            "room": "pokój 4", "hours": ["poniedziałek 8:00–17:00"], "phone": "61 000 00 00"},
))
register(MessageKind(
    name="application_rejected",
    subject=_l("Your application could not be accepted"),
    description=_l("Sent when staff reject an application, with the reason."),
    sample={"name": "Anna Kowalska", "reason": "Nie znaleźliśmy tytułu prawnego do lokalu."},
))
register(MessageKind(
    name="application_digest",
    subject=_l("New confirmed applications for access"),
    description=_l("Sent to the cooperative's address, at most once an hour."),
    sample={"link": "https://example.org/panel/wnioski"},
))
