"""What the person chose to receive by e-mail, for the download of their data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.contacts.models import ConsentEvent
from iok_saas.db import db


def consent_rows(user_id: int) -> list[dict[str, Any]]:
    """Each choice given or withdrawn, when and how."""
    events = db.session.scalars(select(ConsentEvent).where(ConsentEvent.user_id == user_id)
                                .order_by(ConsentEvent.at, ConsentEvent.id))
    return [{"wybor": e.choice, "wlaczone": e.given, "kiedy": e.at, "jak": e.way}
            for e in events]


