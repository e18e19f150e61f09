"""Figures for the staff panel."""

from __future__ import annotations

from sqlalchemy import func, select

from iok_saas.auth.models import RESIDENT, STAFF_ROLES, User
from iok_saas.db import db
from iok_saas.estate.models import Building, Unit
from iok_saas.meters.models import PENDING, Reading


def overview() -> dict[str, int]:
    """How many buildings, units, residents and staff the cooperative has, and how many
    readings wait for acceptance (one query)."""
    count = select(func.count())
    stmt = select(
        count.select_from(Building).scalar_subquery(),
        count.select_from(Unit).scalar_subquery(),
        count.select_from(User).where(User.role == RESIDENT).scalar_subquery(),
        count.select_from(User).where(User.role.in_(STAFF_ROLES)).scalar_subquery(),
        count.select_from(Reading).where(Reading.status == PENDING).scalar_subquery(),
    )
    buildings, units, residents, staff, readings = db.session.execute(stmt).one()
    return {"buildings": buildings, "units": units, "residents": residents, "staff": staff,
            "pending_readings": readings}
