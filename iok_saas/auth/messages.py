"""E-mails about accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.mail.messages import MessageKind, register

ACCOUNT_LOCKED = register(MessageKind(
    name="account_locked",
    subject=_l("Your access to the online customer service has been blocked"),
    description=_l("Sent to a resident whose account was locked after too many wrong passwords."),
    sample={"name": "Anna Kowalska", "identifier": "ZW-000123", "mode": "staff_unlock",
            "minutes": 15},
))
