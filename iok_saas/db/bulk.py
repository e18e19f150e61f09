"""Bulk writes for imports: rows go to a temporary staging table, then merge in one statement.

PostgreSQL gets the rows through ``COPY`` (the fastest way in); SQLite, the embedded default,
through ``executemany``. Checks that need every row of the file (a duplicated id, an address
that another id already has) are queries over the staging table, so a file of millions of
rows never has to fit in memory. The merge is ``INSERT … ON CONFLICT DO UPDATE … WHERE``
something differs, so an unchanged row is not even rewritten.

Names of tables and columns come from the import definitions in code, never from a file;
they are still checked to be plain identifiers. The tenant is passed explicitly and, on
PostgreSQL, row-level security checks it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

STAGE = "iok_import_stage"
IMPORT_LOCK_SPACE = 7301  # advisory lock namespace of imports
TYPES = {"int": "integer", "text": "text", "date": "date", "money": "numeric(12,2)",
         "reading": "numeric(14,3)", "bool": "boolean"}
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _names(*names: str) -> str:
    for name in names:
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a plain identifier: {name!r}")
    return ", ".join(names)


def _same(left: str, right: str, columns: Sequence[str]) -> str:
    return " AND ".join(f"{left}.{c} = {right}.{c}" for c in columns)


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy would store in SQLite: ISO dates, numbers from their text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class Stage:
    """A temporary table holding one file's checked rows (``line`` + the columns)."""

    def __init__(self, session: Session, columns: dict[str, str]) -> None:
        self.session = session
        self.columns = list(columns)
        self.postgres = session.get_bind().dialect.name == "postgresql"
        definition = ", ".join(f"{_names(name)} {TYPES[kind]}" for name, kind in columns.items())
        session.execute(text(f"DROP TABLE IF EXISTS {STAGE}" if self.postgres
                             else f"DROP TABLE IF EXISTS temp.{STAGE}"))
        session.execute(text(f"CREATE TEMPORARY TABLE {STAGE} (line integer, {definition})"))

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        """Add rows (``line`` first, then the columns in order)."""
        names = _names("line", *self.columns)
        if self.postgres:
            raw = self.session.connection().connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(
                    f"COPY {STAGE} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in range(len(self.columns) + 1))
        raw = self.session.connection().connection.driver_connection
        raw.executemany(f"INSERT INTO {STAGE} ({names}) VALUES ({marks})",
                        [tuple(map(_sqlite_value, row)) for row in rows])

    def repeated(self, columns: Sequence[str], limit: int) -> tuple[int, list[tuple[int, int]]]:
        """Rows whose ``columns`` equal an earlier row's: (how many, [(line, first line)…])."""
        key = _names(*columns)
        ranked = (f"SELECT line, row_number() OVER (PARTITION BY {key} ORDER BY line) AS n, "
                  f"min(line) OVER (PARTITION BY {key}) AS first FROM {STAGE} "
                  f"WHERE {' AND '.join(f'{c} IS NOT NULL' for c in columns)}")
        count = self.session.execute(text(
            f"SELECT count(*) FROM ({ranked}) AS r WHERE n > 1")).scalar_one()
        rows = self.session.execute(text(
            f"SELECT line, first FROM ({ranked}) AS r WHERE n > 1 ORDER BY line LIMIT :limit"),
            {"limit": limit}).all()
        return count, [tuple(row) for row in rows]

    def taken(self, table: str, key: str, natural: Sequence[str], tenant_id: int,
              limit: int) -> list[tuple[int, str]]:
        """Rows whose natural key (e.g. an address) belongs to a row with another id."""
        _names(table, key, *natural)
        rows = self.session.execute(text(
            f"SELECT s.line, t.{key} FROM {STAGE} s JOIN {table} t ON t.tenant_id = :tenant "
            f"AND {_same('t', 's', natural)} WHERE t.{key} IS DISTINCT FROM s.{key} "
            "ORDER BY s.line "
            "LIMIT :limit"), {"tenant": tenant_id, "limit": limit}).all()
        return [tuple(row) for row in rows]

    def adopt(self, table: str, key: str, natural: Sequence[str], tenant_id: int) -> int:
        """Rows entered before imports (no id yet) take the id of the file's row at their
        address or number."""
        _names(table, key, *natural)
        free = (f"NOT EXISTS (SELECT 1 FROM {table} t2 WHERE t2.tenant_id = :tenant "
                f"AND t2.{key} = s.{key})")  # an id already used elsewhere is not taken over
        result = self.session.execute(text(
            f"UPDATE {table} SET {key} = (SELECT min(s.{key}) FROM {STAGE} s "
            f"WHERE {_same(table, 's', natural)} AND {free}) "
            f"WHERE tenant_id = :tenant AND {key} IS NULL AND EXISTS (SELECT 1 FROM {STAGE} s "
            f"WHERE {_same(table, 's', natural)} AND {free})"), {"tenant": tenant_id})
        return result.rowcount

    def counts(self, table: str, key: str, fields: Sequence[str], tenant_id: int,
               kept: Mapping[str, str] | None = None) -> tuple[int, int]:
        """(new rows, rows that differ from what the table holds) — before the merge; a field
        in ``kept`` left empty in the file keeps what the table holds."""
        _names(table, key, *fields)
        differs = " OR ".join(
            f"(s.{f} IS NOT NULL AND t.{f} IS DISTINCT FROM s.{f})" if f in (kept or {})
            else f"t.{f} IS DISTINCT FROM s.{f}" for f in fields)
        if not self.postgres:
            differs = differs.replace("IS DISTINCT FROM", "IS NOT")
        new, changed = self.session.execute(text(
            f"SELECT count(*) FILTER (WHERE t.id IS NULL), count(*) FILTER (WHERE t.id IS NOT "
            f"NULL AND ({differs})) FROM {STAGE} s LEFT JOIN {table} t "
            f"ON t.tenant_id = :tenant AND t.{key} = s.{key}"), {"tenant": tenant_id}).one()
        return new, changed

    def merge(self, table: str, key: str, fields: Sequence[str], tenant_id: int,
              now: datetime, kept: Mapping[str, str] | None = None) -> None:
        """Insert new rows, overwrite changed ones, leave equal ones untouched. A field in
        ``kept`` (field → a constant, the value of a new row; empty: none) left empty in the
        file keeps what the table holds."""
        _names(table)
        names = _names(key, *fields)
        kept = kept or {}
        for constant in kept.values():
            if constant:
                _names(constant)
        differs = " OR ".join(f"{table}.{f} IS DISTINCT FROM excluded.{f}" for f in fields)
        if not self.postgres:
            differs = differs.replace("IS DISTINCT FROM", "IS NOT")
        updates = ", ".join(f"{f} = excluded.{f}" for f in fields)
        # An empty kept field proposes what the row holds (or, for a new row, the constant):
        # the update then leaves it as it is.
        selected = ", ".join(
            f"COALESCE({f}, (SELECT t.{f} FROM {table} t WHERE t.tenant_id = :tenant AND "
            f"t.{key} = {STAGE}.{key}), {repr(kept[f]) if kept[f] else 'NULL'})"
            if f in kept else f for f in fields)
        if not self.postgres:  # stored as the ORM stores it in SQLite: naive UTC text
            now = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # type: ignore[assignment]
        self.session.execute(text(
            f"INSERT INTO {table} (tenant_id, {names}, created_at, updated_at) "
            f"SELECT :tenant, {key}, {selected}, :now, :now FROM {STAGE} WHERE true "
            f"ON CONFLICT (tenant_id, {key}) DO UPDATE SET {updates}, updated_at = :now "
            f"WHERE {differs}"), {"tenant": tenant_id, "now": now})

    def drop(self) -> None:
        """Remove the staging table (it lives until the connection ends otherwise)."""
        self.session.execute(text(f"DROP TABLE IF EXISTS {STAGE}"))


def insert_all(session: Session, table: str, columns: dict[str, str],
               rows: Iterable[Sequence[Any]], tenant_id: int) -> None:
    """Insert many rows of one cooperative (values in ``columns`` order) at ``COPY``'s pace:
    through the staging table, then one ``INSERT … SELECT`` (row-level security refuses
    ``COPY`` into the table itself)."""
    stage = Stage(session, columns)
    stage.write((0, *row) for row in rows)
    names = _names(*columns)
    session.execute(text(f"INSERT INTO {_names(table)} (tenant_id, {names}) "
                         f"SELECT :tenant, {names} FROM {STAGE}"), {"tenant": tenant_id})
    stage.drop()


def imports_running(session: Session, tenant_id: int) -> bool | None:
    """Whether an import of the cooperative holds its lock right now (None: cannot tell, as
    on SQLite). Asks without waiting; a lock taken to ask is let go at once."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    free = session.execute(text("SELECT pg_try_advisory_lock(:space, :tenant)"),
                           {"space": IMPORT_LOCK_SPACE, "tenant": tenant_id}).scalar()
    if free:
        session.execute(text("SELECT pg_advisory_unlock(:space, :tenant)"),
                        {"space": IMPORT_LOCK_SPACE, "tenant": tenant_id})
    return not free


def lock_imports(session: Session, tenant_id: int) -> None:
    """One import at a time per cooperative (PostgreSQL; held until the transaction ends).

    A nightly sync posting buildings, units, … one after another must not run them side by
    side: units would not yet see the buildings. SQLite allows one writer anyway.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :tenant)"),
                        {"space": IMPORT_LOCK_SPACE, "tenant": tenant_id})
