"""The staff start page: capabilities register the figures it shows (``register_figure``).

Each figure gives a count as a SELECT; the start page runs all of them in one query. A
``waiting`` figure is work for the office (readings to accept, applications to decide): shown
as a notice with a link when it is not zero. A ``total`` figure is a card with a number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_login import current_user
from sqlalchemy import Select, select

from iok_saas.db import db
from iok_saas.web import registry

WAITING = "waiting"
TOTAL = "total"


@dataclass(frozen=True)
class Figure:
    """One figure: its count, its words (a card's heading; a notice's singular and plural
    with ``%(num)d``), where it leads."""

    name: str
    count: Callable[[], Select[Any]]
    words: str | tuple[str, str]
    kind: str = TOTAL
    endpoint: str | None = None
    feature: str | None = None
    audience: str = "staff"  # staff | admin
    order: int = 100


@dataclass(frozen=True)
class Shown:
    """A figure with its value, as the template gets it."""

    figure: Figure
    value: int


@dataclass(frozen=True)
class Block:
    """A section of the staff start page with data of its own (a capability's register at a
    glance): its template gets ``data`` from ``load()``."""

    name: str
    template: str
    load: Callable[[], Any]
    feature: str | None = None
    order: int = 100


def register_block(app: Flask, block: Block) -> None:
    """Add a section to the staff start page (called from a capability's ``init_app``)."""
    registry.add(app, "staff_blocks", block)


def blocks() -> list[tuple[Block, Any]]:
    """The current cooperative's start-page sections with their data."""
    return [(block, block.load()) for block in sorted(
        registry.switched_on("staff_blocks"), key=lambda b: (b.order, b.name))]


def register_figure(app: Flask, figure: Figure) -> None:
    """Add a figure to the staff start page (called from a capability's ``init_app``)."""
    registry.add(app, "figures", figure)


def figures() -> dict[str, list[Shown]]:
    """The figures the current staff member sees, by kind, counted in one query."""
    chosen = sorted((f for f in registry.switched_on("figures")
                     if f.audience != "admin" or current_user.is_admin),
                    key=lambda f: (f.order, f.name))
    values = db.session.execute(select(*(f.count().scalar_subquery() for f in chosen))).one() \
        if chosen else ()
    shown: dict[str, list[Shown]] = {WAITING: [], TOTAL: []}
    for figure, value in zip(chosen, values, strict=True):
        shown[figure.kind].append(Shown(figure, value or 0))
    return shown


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a figure's words for translation; ``ngettext`` translates them when shown."""
    return singular, plural
