"""Several row sets in one statement: how a page asks for everything it shows at once.

A page often shows a few short lists (the resident's units, each unit's balances, the newest
announcements, the cases waiting for a reply). Asked one by one they cost a round trip and
SQLAlchemy's per-statement work each — more than their rows. ``together`` sends them as one
``UNION ALL``: each part is an ORM column select (so the tenant criteria reach every table in
it, and row-level security stays behind them) with only the columns the page shows, its own
order and ``LIMIT`` (``ordered``); columns of a kind share a slot, the rest of a slot is a typed
NULL; the answer comes back as plain named tuples per part, in each part's own order.

    rows = together({
        "units": ordered(select(Unit.id, Unit.number), Unit.number),
        "news": ordered(select(Announcement.id, Announcement.title),
                        Announcement.publish_from.desc(), limit=5),
    })
    rows["news"][0].title
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, cast, func, literal, null, select, union_all
from sqlalchemy.types import TypeEngine

from iok_saas.db import db

POSITION = "position_in_part"
# The execution option of a statement built once and sent on every request: the tenant filter
# (``iok_saas.tenancy.scoping``) then keeps each cooperative's filtered copy of it.
LONG_LIVED = "iok_long_lived"


def ordered(stmt: Select, *order: Any, limit: int | None = None) -> Select:
    """``stmt`` in this order (at most ``limit`` rows), each row with its place in it: the
    form a part of ``together`` takes (a union keeps no order of its own)."""
    stmt = stmt.add_columns(func.row_number().over(order_by=order).label(POSITION))
    stmt = stmt.order_by(*order)
    return stmt.limit(limit) if limit is not None else stmt


def _family(kind: TypeEngine) -> tuple[Any, bool]:
    """Columns that may share a slot: the same SQL type family (and, for times, zone)."""
    return kind._type_affinity, bool(getattr(kind, "timezone", False))


@lru_cache(maxsize=256)
def _row(names: tuple[str, ...]) -> type:
    return namedtuple("Row", names)


@dataclass(frozen=True)
class _Composed:
    """The one statement of a set of parts, and how to read its rows back."""

    statement: Select
    names: list[str]
    where: list[list[int]]
    shapes: list[type]


_COMPOSED: dict[Hashable, _Composed] = {}
_COMPOSED_MAX = 1024


def together(parts: Mapping[str, Select] | Callable[[], Mapping[str, Select]], *,
             key: Hashable = None, **values: Any) -> dict[str, list[Any]]:
    """Every part's rows from one statement: ``{name: [row, …]}``, each row a named tuple of
    the part's own columns (without ``POSITION``), in the part's order.

    A page asked for often passes ``key`` (everything its statement's shape depends on) and
    ``parts`` as a function building them with ``bindparam``s for what changes between
    requests (the person, the unit, the time), and those ``values``: the statement is then
    built once per process and shape, and each request only sends it."""
    composed = _COMPOSED.get(key) if key is not None else None
    if composed is None:
        built = parts() if callable(parts) else parts
        if not built:
            return {}
        composed = _compose(built, long_lived=key is not None)
        if key is not None:
            if len(_COMPOSED) >= _COMPOSED_MAX:
                _COMPOSED.clear()
            _COMPOSED[key] = composed
    found: dict[str, list[Any]] = {name: [] for name in composed.names}
    names, where, shapes = composed.names, composed.where, composed.shapes
    for row in db.session.execute(composed.statement, values):
        part = row[0]
        found[names[part]].append(shapes[part]._make([row[i] for i in where[part]]))
    return found


def _compose(parts: Mapping[str, Select], long_lived: bool) -> _Composed:
    names = list(parts)
    layouts: list[list[tuple[str, tuple[Any, bool], int]]] = []
    widest: dict[tuple[Any, bool], int] = {}
    types: dict[tuple[Any, bool], TypeEngine] = {}
    for stmt in parts.values():
        used: dict[tuple[Any, bool], int] = {}
        layout = []
        for column in stmt.selected_columns:
            if column.key == POSITION:
                continue
            family = _family(column.type)
            types.setdefault(family, column.type)
            layout.append((column.key, family, used.get(family, 0)))
            used[family] = used.get(family, 0) + 1
        for family, count in used.items():
            widest[family] = max(widest.get(family, 0), count)
        layouts.append(layout)
    slots = [(family, index) for family in widest for index in range(widest[family])]
    branches = []
    for number, (stmt, layout) in enumerate(zip(parts.values(), layouts, strict=True)):
        sub = stmt.subquery()
        placed = {(family, index): sub.c[key] for key, family, index in layout}
        position = sub.c[POSITION] if POSITION in sub.c else literal(0)
        branches.append(select(
            literal(number, Integer).label("part"), cast(position, Integer).label("position"),
            *[placed.get(slot, cast(null(), types[slot[0]])).label(f"s{i}")
              for i, slot in enumerate(slots)]))
    everything = union_all(*branches).subquery()
    statement = select(everything).order_by(everything.c.part, everything.c.position)
    return _Composed(
        statement.execution_options(**{LONG_LIVED: True}) if long_lived else statement, names,
        [[slots.index((family, index)) + 2 for _, family, index in layout]
         for layout in layouts],
        [_row(tuple(key for key, _, _ in layout)) for layout in layouts])
