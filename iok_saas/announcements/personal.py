"""Which announcements a person has opened, for the download of their data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.announcements.models import Announcement, AnnouncementRead
from iok_saas.db import db


def read_rows(user_id: int) -> list[dict[str, Any]]:
    """Each announcement the person opened, and when, oldest first."""
    found = db.session.execute(
        select(Announcement.title, AnnouncementRead.read_at)
        .join(Announcement, Announcement.id == AnnouncementRead.announcement_id)
        .where(AnnouncementRead.user_id == user_id).order_by(AnnouncementRead.read_at))
    return [{"ogloszenie": title, "przeczytane": at} for title, at in found]
