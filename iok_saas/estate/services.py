"""Buildings, units and titles as staff manage them, and a resident's places as every
capability reads them: ``places_of`` (one query), ``unit_ids_of`` / ``building_ids_of`` inside a
capability's own statement, and ``holdings`` for the reverse (who holds units where)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Subquery, select
from sqlalchemy.orm import contains_eager

from iok_saas.db import db
from iok_saas.db.rowsets import ordered
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


@dataclass(frozen=True)
class Places:
    """Where a person holds a title: the titles (each with its unit and the unit's building) in
    address order, the one order residents see."""

    titles: tuple[UnitTitle, ...] = ()

    @property
    def units(self) -> list[Unit]:
        """The units, in address order."""
        return [t.unit for t in self.titles]

    @property
    def buildings(self) -> list[Building]:
        """The buildings those units are in, each once, in address order."""
        return list({t.unit.building_id: t.unit.building for t in self.titles}.values())

    @property
    def estates(self) -> list[str]:
        """The estates of those buildings, each once (a building on no estate adds none)."""
        return list(dict.fromkeys(b.estate for b in self.buildings if b.estate))

    def unit(self, unit_id: int) -> Unit | None:
        """The unit if it is one of these; None otherwise."""
        return next((t.unit for t in self.titles if t.unit_id == unit_id), None)

    def building(self, building_id: int) -> Building | None:
        """The building if the person holds a unit in it; None otherwise."""
        return next((b for b in self.buildings if b.id == building_id), None)


def _held() -> Select:
    """Titles with their units and buildings, in address order (the one query of places)."""
    return (select(UnitTitle).join(UnitTitle.unit).join(Unit.building)
            .options(contains_eager(UnitTitle.unit).contains_eager(Unit.building))
            .order_by(Building.street, Building.number, Unit.number, Unit.id))


def places_of(user_id: int) -> Places:
    """The person's units with their titles, buildings and estates (one query)."""
    return Places(tuple(db.session.scalars(_held().where(UnitTitle.user_id == user_id))))


@dataclass(frozen=True)
class UnitRow:
    """A unit as a page shows it: its number and its building's address."""

    id: int
    street: str
    building_number: str
    number: str
    postal_code: str
    city: str

    @property
    def address(self) -> str:
        """``ul. Polna 3 m. 12, 62-095 Murowana Goślina`` (as ``Unit.address``)."""
        return (f"{self.street} {self.building_number} m. {self.number}, {self.postal_code} "
                f"{self.city}")


def unit_rows(user_id: Any, unit_id: Any = None) -> Select:
    """The person's units (or the one of them with ``unit_id``) as plain rows, in address
    order (``rowsets.ordered``): for a page that shows them beside other rows in one
    statement; ``as_units`` makes them ``UnitRow``s."""
    stmt = (select(Unit.id, Building.street, Building.number.label("building_number"),
                   Unit.number, Building.postal_code, Building.city)
            .join(Unit.building).join(UnitTitle, UnitTitle.unit_id == Unit.id)
            .where(UnitTitle.user_id == user_id))
    if unit_id is not None:
        stmt = stmt.where(Unit.id == unit_id)
    return ordered(stmt, Building.street, Building.number, Unit.number, Unit.id)


def as_units(rows: list) -> list[UnitRow]:
    """``unit_rows``' rows as ``UnitRow``s."""
    return [UnitRow(**row._asdict()) for row in rows]


def places_of_each(user_ids: Iterable[int]) -> dict[int, Places]:
    """Each person's places (one query a thousand people), for letters to many at once."""
    found: dict[int, list[UnitTitle]] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), 1000):
        for title in db.session.scalars(_held().where(
                UnitTitle.user_id.in_(ids[start:start + 1000]))):
            found.setdefault(title.user_id, []).append(title)
    return {user_id: Places(tuple(titles)) for user_id, titles in found.items()}


def titles_of(user_id: int) -> list[UnitTitle]:
    """The person's titles with their units and buildings, as staff pages list them."""
    return list(places_of(user_id).titles)


def unit_ids_of(user_id: int) -> Select:
    """The ids of the units the person holds, for a capability's own statement
    (``Meter.unit_id.in_(unit_ids_of(user_id))``): one statement, not two."""
    return select(UnitTitle.unit_id).where(UnitTitle.user_id == user_id)


def building_ids_of(user_id: int) -> Select:
    """The ids of the buildings where the person holds a unit, for a capability's own
    statement."""
    return (select(Unit.building_id).join(UnitTitle, UnitTitle.unit_id == Unit.id)
            .where(UnitTitle.user_id == user_id))


def holdings() -> Subquery:
    """Who holds which unit where, the reverse of ``places_of``: one row a title with
    ``user_id``, ``unit_id``, ``building_id``, ``estate`` and the title's ``kind``, for a
    capability to join when it looks for the people holding units (of a list, a building, an
    estate; by a kind of title: the members of a cooperative)."""
    return (select(UnitTitle.user_id, UnitTitle.unit_id, Unit.building_id, Building.estate,
                   UnitTitle.kind)
            .join(Unit, Unit.id == UnitTitle.unit_id)
            .join(Building, Building.id == Unit.building_id).subquery("holding"))


def holds_title(user_id: int, kinds: Iterable[str]) -> bool:
    """Whether the person holds a title of one of these kinds (a member's, for instance)."""
    return bool(db.session.scalar(select(select(UnitTitle.id).where(
        UnitTitle.user_id == user_id, UnitTitle.kind.in_(list(kinds))).exists())))


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
