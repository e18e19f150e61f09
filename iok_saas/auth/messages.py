"""E-mails about accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.mail.messages import MessageKind, register

PASSWORD_RESET = register(MessageKind(
    name="password_reset",
    subject=_l("Setting a new password"),
    description=_l("Sent when a resident asks for a new password (cooperatives with the e-mail "
                   "path)."),
    sample={"name": "Anna Kowalska", "identifier": "ZW-000123", "hours": 1,
            "link": "https://example.org/nowe-haslo/przyklad"},
    secret_keys=("link",),
))

ACCOUNT_LOCKED = register(MessageKind(
    name="account_locked",
    subject=_l("Your access to the online customer service has been blocked"),
    description=_l("Sent to a resident whose account was locked after too many wrong passwords."),
    sample={"name": "Anna Kowalska", "identifier": "ZW-000123", "mode": "staff_unlock",
            "minutes": 15, "by_email": False},
))
