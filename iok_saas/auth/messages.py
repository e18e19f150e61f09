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

EMAIL_CHANGE = register(MessageKind(
    name="email_change",
    subject=_l("Confirm your new e-mail address"),
    description=_l("Sent to the new address when a resident changes their e-mail address: the "
                   "change takes effect only once its link is opened."),
    sample={"name": "Anna Kowalska", "hours": 24,
            "link": "https://example.org/dane-kontaktowe/e-mail/przyklad"},
    secret_keys=("link",),
))

EMAIL_CHANGE_NOTICE = register(MessageKind(
    name="email_change_notice",
    subject=_l("A change of your e-mail address was asked for"),
    description=_l("Sent to the old address when a resident asks to change their e-mail "
                   "address, with the office's contact in case it was not them."),
    sample={"name": "Anna Kowalska", "new": "a•••@example.org"},
))

EMAIL_CHANGED_AT_OFFICE = register(MessageKind(
    name="email_changed_at_office",
    subject=_l("Your e-mail address has been changed at the office"),
    description=_l("Sent to the old address when staff record a new e-mail address from a "
                   "resident's paper request."),
    sample={"name": "Anna Kowalska", "new": "a•••@example.org", "date": "20.11.2026"},
))

SECOND_FACTOR_OFF = register(MessageKind(
    name="second_factor_off",
    subject=_l("Two-step verification: a link to turn it off"),
    description=_l("Sent when a resident who lost the phone with the authenticator app asks for "
                   "it at sign-in (cooperatives that give passwords back by e-mail)."),
    sample={"name": "Anna Kowalska", "identifier": "ZW-000123", "hours": 1,
            "link": "https://example.org/weryfikacja-dwuetapowa/wylacz/przyklad"},
    secret_keys=("link",),
))
