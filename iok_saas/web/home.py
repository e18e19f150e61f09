"""The resident's home page: capabilities register the blocks it shows (``register_tile``).

The page lists the resident's units. A ``unit`` tile adds lines inside each unit's card (the
balances of its accounts); a ``page`` tile adds a block of its own (announcements). A tile
gives the rows it shows as a select (``rows``: the columns it shows, its order and limit, see
``iok_saas.db.rowsets``) and turns them into its template's data (``shape``); the page sends
the units and every tile's rows as one statement, so it costs the same for one unit or ten,
and for one tile or ten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import Select, bindparam

from iok_saas.db import utcnow
from iok_saas.db.rowsets import together
from iok_saas.web import registry

UNIT = "unit"
PAGE = "page"


@dataclass(frozen=True)
class HomeTile:
    """A block of the resident's home page, shown when its feature is on."""

    name: str
    template: str  # included with ``data`` (and ``unit`` for a unit tile)
    rows: Callable[[Any, Select], Select]  # (person, their unit ids) → the rows it shows
    shape: Callable[[list[Any]], Any] = list  # those rows → the template's ``data``
    place: str = UNIT
    feature: str | None = None
    unit_link: str | None = None  # an endpoint taking ``unit_id``: the address links there
    order: int = 100


@dataclass(frozen=True)
class Loaded:
    """A tile with its data, as the template gets it."""

    tile: HomeTile
    data: Any


def register_tile(app: Flask, tile: HomeTile) -> None:
    """Add a block to the resident's home page (called from a capability's ``init_app``)."""
    registry.add(app, "home_tiles", tile)


def tiles_for(user_id: int, units: Callable[[Any], Select], held: Callable[[Any], Select]
              ) -> tuple[list[Any], dict[str, Any]]:
    """The person's units (the rows of ``units(person)``, a part of ``rowsets.together``) and
    the tiles of the current cooperative with their data, by place, and where a unit's address
    links to — one statement for all of them, built once per set of tiles: a tile's ``rows``
    gets the person as ``bindparam("user_id")`` and their units' ids (``held(person)``), and
    may use ``bindparam("now")``, the time of the request."""
    tiles = sorted(registry.switched_on("home_tiles"), key=lambda t: (t.order, t.name))

    def parts() -> dict[str, Select]:
        person = bindparam("user_id")
        theirs = held(person)
        return {"": units(person), **{t.name: t.rows(person, theirs) for t in tiles}}

    rows = together(parts, key=("home", *(t.name for t in tiles)), user_id=user_id,
                    now=utcnow())
    loaded = [Loaded(tile, tile.shape(rows[tile.name])) for tile in tiles]
    return rows[""], {
        UNIT: [t for t in loaded if t.tile.place == UNIT],
        PAGE: [t for t in loaded if t.tile.place == PAGE],
        "unit_link": next((t.unit_link for t in tiles if t.unit_link), None),
    }
