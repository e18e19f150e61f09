"""Buildings, units and titles as staff manage them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from iok_saas.db import db
from iok_saas.estate.models import TITLE_KINDS, Building, Unit, UnitTitle


class EstateError(ValueError):
    """A unit or title cannot be used as asked (message in Polish)."""


def buildings() -> list[Building]:
    """The cooperative's buildings in address order."""
    return list(db.session.scalars(select(Building).order_by(Building.street, Building.number)))


def find_unit(building_id: int, number: str) -> Unit | None:
    """The unit with this number in this building of the current cooperative."""
    return db.session.scalar(select(Unit).where(
        Unit.building_id == building_id, Unit.number == number.strip()))


def _held_units():
    """Units with their buildings, in address order (the one order residents see)."""
    return (select(Unit).join(UnitTitle).join(Building).options(joinedload(Unit.building))
            .order_by(Building.street, Building.number, Unit.number, Unit.id))


def units_of(user_id: int) -> list[Unit]:
    """The units the person holds a title to, in address order (one query)."""
    return list(db.session.scalars(_held_units().where(UnitTitle.user_id == user_id)).unique())


def held_unit(user_id: int, unit_id: int) -> Unit | None:
    """The unit if the person holds a title to it; None otherwise (a 404 for the view)."""
    return db.session.scalars(_held_units().where(
        UnitTitle.user_id == user_id, Unit.id == unit_id)).first()


def titles_of(user_id: int) -> list[UnitTitle]:
    """The user's titles with their units and buildings (one query)."""
    return list(db.session.scalars(
        select(UnitTitle).where(UnitTitle.user_id == user_id)
        .options(joinedload(UnitTitle.unit).joinedload(Unit.building))
        .order_by(UnitTitle.id)
    ))


def grant_title(user_id: int, unit: Unit, kind: str) -> UnitTitle:
    """Link a person to a unit (no commit); a second link to the same unit is refused."""
    if kind not in TITLE_KINDS:
        raise EstateError(kind)
    exists = db.session.scalar(select(UnitTitle.id).where(
        UnitTitle.user_id == user_id, UnitTitle.unit_id == unit.id))
    if exists:
        raise EstateError("duplicate")
    title = UnitTitle(user_id=user_id, unit_id=unit.id, kind=kind)
    db.session.add(title)
    return title


def revoke_title(user_id: int, title_id: int) -> bool:
    """Remove one of the user's titles; False when it is not theirs."""
    title = db.session.scalar(select(UnitTitle).where(
        UnitTitle.id == title_id, UnitTitle.user_id == user_id))
    if title is None:
        return False
    db.session.delete(title)
    return True


def holders(unit_id: int) -> list[int]:
    """The accounts holding a title to the unit."""
    return list(db.session.scalars(select(UnitTitle.user_id).where(UnitTitle.unit_id == unit_id)))
