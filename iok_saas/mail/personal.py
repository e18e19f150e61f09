"""The e-mails sent about a person's account, for the download of their data (subjects and
dates, not the texts)."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from sqlalchemy import select

from iok_saas.db import db
from iok_saas.mail.messages import KINDS
from iok_saas.mail.models import OutboxMessage


def email_rows(user_id: int) -> list[dict[str, Any]]:
    """The e-mails about the account, oldest first."""
    # By account, not by address: two accounts may share a mailbox.
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == user_id).order_by(OutboxMessage.created_at))
    return [{"kiedy": m.created_at, "do": m.recipient, "temat": _subject(m),
             "stan": m.status, "wyslano": m.sent_at} for m in messages]


def _subject(message: OutboxMessage) -> str:
    kind = KINDS.get(message.template)
    if kind is None:
        return message.template
    with force_locale("pl"):
        text = str(kind.subject)
    try:
        return text % message.context if "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return text


