"""The resident's home page: capabilities register the blocks it shows (``register_tile``).

The page lists the resident's units. A ``unit`` tile adds lines inside each unit's card (the
balances of its accounts); a ``page`` tile adds a block of its own (announcements). Each tile
loads its data once for all the units, so the page costs the same for one unit or ten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from iok_saas.web import registry

UNIT = "unit"
PAGE = "page"


@dataclass(frozen=True)
class HomeTile:
    """A block of the resident's home page, shown when its feature is on."""

    name: str
    template: str  # included with ``data`` (and ``unit`` for a unit tile)
    load: Callable[[list[Any]], Any]  # the data, from all the resident's units at once
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


def tiles_for(units: list[Any]) -> dict[str, Any]:
    """The tiles of the current cooperative with their data, by place, and where a unit's
    address links to."""
    tiles = sorted(registry.switched_on("home_tiles"), key=lambda t: (t.order, t.name))
    loaded = [Loaded(tile, tile.load(units)) for tile in tiles]
    return {
        UNIT: [t for t in loaded if t.tile.place == UNIT],
        PAGE: [t for t in loaded if t.tile.place == PAGE],
        "unit_link": next((t.unit_link for t in tiles if t.unit_link), None),
    }
