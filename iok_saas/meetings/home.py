"""The home page's block of the general meeting: the convened meeting and the part of the
buildings the person holds units in — when, where — with the link to the meeting's page."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Select, select

from iok_saas.db.rowsets import ordered
from iok_saas.estate.services import holdings
from iok_saas.meetings.models import (
    CONVENED,
    Meeting,
    MeetingMember,
    MeetingPart,
    MeetingPartBuilding,
)
from iok_saas.web.home import PAGE, HomeTile, register_tile


def rows(user_id: Any, held: Select) -> Select:
    """The convened meeting's parts where the person's units are (a tile's rows); a lessee's
    lease makes no member, so it shows nothing (which other titles make a member is the
    statute's, and the meeting's page says so)."""
    held = holdings()
    buildings = select(held.c.building_id).where(held.c.user_id == user_id,
                                                 held.c.kind != "lease")
    # A member holding units in several parts' buildings sits where the office placed them.
    elsewhere = select(MeetingMember.id).where(
        MeetingMember.meeting_id == Meeting.id, MeetingMember.user_id == user_id,
        MeetingMember.part_id != MeetingPart.id).correlate(Meeting, MeetingPart).exists()
    return ordered(
        select(Meeting.id, Meeting.title, MeetingPart.name, MeetingPart.starts_at,
               MeetingPart.place)
        .join(MeetingPart, MeetingPart.meeting_id == Meeting.id)
        .join(MeetingPartBuilding, MeetingPartBuilding.part_id == MeetingPart.id)
        .where(Meeting.status == CONVENED, MeetingPartBuilding.building_id.in_(buildings),
               ~elsewhere)
        .distinct(), MeetingPart.starts_at, MeetingPart.name, limit=3)


def register(app: Flask) -> None:
    """The block, after the documents delivered (feature ``general_meeting``)."""
    register_tile(app, HomeTile("general_meeting", "meetings/_home_tile.html", rows,
                                place=PAGE, feature="general_meeting", order=17))
