"""E-mails about contact details: a new address to confirm, and notices to the old one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.mail.messages import MessageKind, register

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
