"""When a person last looked at the members' documents, for the download of their data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.db import db
from iok_saas.documents.models import DocumentVisit


def visit_rows(user_id: int) -> list[dict[str, Any]]:
    """The last visit to the documents (what "new since the last visit" is counted from)."""
    return [{"ostatnia_wizyta": at} for at in db.session.scalars(
        select(DocumentVisit.seen_at).where(DocumentVisit.user_id == user_id))]
