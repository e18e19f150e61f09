"""E-mails about account security."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.mail.messages import MessageKind, register

SECOND_FACTOR_OFF = register(MessageKind(
    name="second_factor_off",
    subject=_l("Two-step verification: a link to turn it off"),
    description=_l("Sent when a resident who lost the phone with the authenticator app asks for "
                   "it at sign-in (cooperatives that give passwords back by e-mail)."),
    sample={"name": "Anna Kowalska", "identifier": "ZW-000123", "hours": 1,
            "link": "https://example.org/weryfikacja-dwuetapowa/wylacz/przyklad"},
    secret_keys=("link",),
))
