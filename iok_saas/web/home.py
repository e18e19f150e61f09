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
from sqlalchemy import Select

from iok_saas.db.rowsets import together
from iok_saas.web import registry

UNIT = "unit"
PAGE = "page"


@dataclass(frozen=True)
class HomeTile:
    """A block of the resident's home page, shown when its feature is on."""

    name: str
    template: str  # included with ``data`` (and ``unit`` for a unit tile)
    rows: Callable[[int, Select], Select]  # (person, their unit ids) → the rows it shows
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


def tiles_for(user_id: int, units: Select, held: Select) -> tuple[list[Any], dict[str, Any]]:
    """The person's units (the rows of ``units``, a part of ``rowsets.together``) and the
    tiles of the current cooperative with their data, by place, and where a unit's address
    links to — one statement for all of them. ``held``: the ids of the person's units."""
    tiles = sorted(registry.switched_on("home_tiles"), key=lambda t: (t.order, t.name))
    rows = together({"": units, **{t.name: t.rows(user_id, held) for t in tiles}})
    loaded = [Loaded(tile, tile.shape(rows[tile.name])) for tile in tiles]
    return rows[""], {
        UNIT: [t for t in loaded if t.tile.place == UNIT],
        PAGE: [t for t in loaded if t.tile.place == PAGE],
        "unit_link": next((t.unit_link for t in tiles if t.unit_link), None),
    }
