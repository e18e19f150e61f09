"""What the home pages show."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.estate.models import Building, Unit, UnitTitle


def units_of(user: User) -> list[Unit]:
    """The units the resident holds a title to, in address order (one query)."""
    stmt = (
        select(Unit)
        .join(UnitTitle)
        .join(Building)
        .where(UnitTitle.user_id == user.id)
        .options(joinedload(Unit.building))
        .order_by(Building.street, Building.number, Unit.number)
    )
    return list(db.session.scalars(stmt).unique())
