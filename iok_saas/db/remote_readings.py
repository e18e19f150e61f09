"""The statements written by hand for the import of remote readings (``imports.remote``).

Raw SQL lives in this package, where it is reviewed for the one rule that matters: every
statement on a cooperative's table names the cooperative (``:tenant``), and row-level security
checks it again on PostgreSQL. Temporary tables are the connection's own.

* ``latest`` — each meter's latest remote reading, by index probes (no scan of the history);
* ``NewReadings`` — the rows later than everything stored: PostgreSQL refuses ``COPY`` into a
  table under row-level security, so they stream by ``COPY`` into a temporary table while the
  file is read and go into the table by one ``INSERT … SELECT``; elsewhere, in batches;
* ``Aside`` — the rest (a re-sent file, readings filling a gap, values held), staged and
  compared with the stored readings around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import text
from sqlalchemy.orm import Session

BATCH = 5000
NEW, STAGE = "iok_remote_new", "iok_remote_stage"
INSERT_READINGS = ("INSERT INTO meter_remote_reading (tenant_id, meter_id, read_at, value) "
                   "VALUES (:t, :m, :a, :v)")


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def stored_time(session: Session, at: datetime) -> Any:
    """A moment as a raw statement stores it: aware on PostgreSQL; naive UTC text on SQLite,
    as the ORM's ``UtcDateTime`` does."""
    if _postgres(session):
        return at
    return at.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def latest(session: Session, tenant_id: int, by_radio: bool) -> list[Any]:
    """Every meter of the cooperative with a number to be named by (serial or radio id):
    (id, number, measure, reading mode, installed on, removed on, latest reading's moment and
    value) — two index probes a meter."""
    number = "m.radio_id" if by_radio else "m.serial_number"
    last = ("(SELECT r.{0} FROM meter_remote_reading r WHERE r.tenant_id = m.tenant_id "
            "AND r.meter_id = m.id ORDER BY r.read_at DESC LIMIT 1)")
    return list(session.execute(text(
        f"SELECT m.id, {number}, m.measure, m.reading_mode, m.installed_on, m.removed_on, "
        f"{last.format('read_at')}, {last.format('value')} "
        f"FROM meter m WHERE m.tenant_id = :tenant AND {number} IS NOT NULL "
        # a replaced meter before its successor: the moment of a replacement is the old one's
        "ORDER BY m.installed_on NULLS FIRST, m.id"),
        {"tenant": tenant_id}))


class NewReadings:
    """New rows for ``meter_remote_reading``, streamed while a file is read."""

    def __init__(self, session: Session, tenant_id: int) -> None:
        self.session, self.tenant = session, tenant_id
        self.postgres = _postgres(session)
        self.batch: list[tuple] = []
        self.lines: list[str] = []
        self._open = ExitStack()
        self._copy: Any = None
        if self.postgres:
            session.execute(text(f"DROP TABLE IF EXISTS {NEW}"))
            session.execute(text(f"CREATE TEMPORARY TABLE {NEW} (meter_id integer, "
                                 "read_at timestamp with time zone, value numeric(14,3))"))
            raw = session.connection().connection.driver_connection
            cursor = self._open.enter_context(raw.cursor())
            self._copy = self._open.enter_context(cursor.copy(
                f"COPY {NEW} (meter_id, read_at, value) FROM STDIN"))

    def add(self, meter_id: int, at: datetime, stamp: str, value: Decimal) -> None:
        """One new reading (``stamp``: ``at`` in ISO 8601, as ``COPY`` reads it)."""
        if self._copy is not None:
            self.lines.append(f"{meter_id}\t{stamp}\t{value}\n")
            if len(self.lines) >= BATCH:  # one write a batch: a write is a round of the wire
                self._copy.write("".join(self.lines))
                self.lines = []
            return
        self.batch.append((meter_id, at, value))
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        insert(self.session, self.tenant, self.batch)
        self.batch = []

    def close(self, keep: bool = True) -> None:
        """End the stream; with ``keep``, the rows go into the table."""
        if self._copy is not None and self.lines and keep:
            self._copy.write("".join(self.lines))
        self._copy, self.lines = None, []
        self._open.close()
        if self.postgres:
            if keep:
                self.session.execute(text(
                    "INSERT INTO meter_remote_reading (tenant_id, meter_id, read_at, value) "
                    f"SELECT :tenant, meter_id, read_at, value FROM {NEW}"),
                    {"tenant": self.tenant})
            self.session.execute(text(f"DROP TABLE IF EXISTS {NEW}"))
        elif keep:
            self._flush()


def insert(session: Session, tenant_id: int, rows: list[tuple[int, datetime, Decimal]]) -> None:
    """Readings (meter, moment, value) of the cooperative, in batches."""
    for start in range(0, len(rows), BATCH):
        session.execute(text(INSERT_READINGS), [
            {"t": tenant_id, "m": m, "a": stored_time(session, a), "v": str(v)}
            for m, a, v in rows[start:start + BATCH]])


def hold(session: Session, tenant_id: int, run_id: int | None, now: datetime,
         rows: list[tuple[int, datetime, Decimal, Decimal, str]]) -> None:
    """Readings (meter, moment, value, the value compared with, why) kept for the office."""
    stamp = stored_time(session, now)
    for start in range(0, len(rows), BATCH):
        session.execute(text(
            "INSERT INTO meter_held_reading (tenant_id, meter_id, read_at, value, "
            "previous_value, reason, import_run_id, created_at, decided_by, decision) "
            "VALUES (:t, :m, :a, :v, :p, :r, :run, :now, '', '')"),
            [{"t": tenant_id, "m": m, "a": stored_time(session, a), "v": str(v), "p": str(p),
              "r": reason, "run": run_id, "now": stamp}
             for m, a, v, p, reason in rows[start:start + BATCH]])


class Aside:
    """The rows not simply later than everything stored, staged from a spool of lines
    ``line, meter, moment, value, the value before (\\N: to be found)``."""

    def __init__(self, session: Session, tenant_id: int, spool: TextIO,
                 rows: Iterable[tuple[int, int, datetime, Decimal, Decimal | None]]) -> None:
        self.session, self.params = session, {"tenant": tenant_id}
        session.execute(text(f"DROP TABLE IF EXISTS {STAGE}"))
        session.execute(text(f"CREATE TEMPORARY TABLE {STAGE} (line integer, meter_id integer, "
                             "read_at timestamp with time zone, value numeric(14,3), "
                             "held_before numeric(14,3))"))
        if _postgres(session):
            raw = session.connection().connection.driver_connection
            spool.seek(0)
            with raw.cursor() as cursor, cursor.copy(
                    f"COPY {STAGE} (line, meter_id, read_at, value, held_before) "
                    "FROM STDIN") as copy:
                while chunk := spool.read(1 << 20):
                    copy.write(chunk)
            return
        batch: list[dict[str, Any]] = []
        for line, meter_id, at, value, held in rows:
            batch.append({"l": line, "m": meter_id, "a": stored_time(session, at),
                          "v": str(value), "h": None if held is None else str(held)})
            if len(batch) >= BATCH:
                self._stage(batch)
                batch = []
        self._stage(batch)

    def _stage(self, batch: list[dict[str, Any]]) -> None:
        if batch:
            self.session.execute(text(
                f"INSERT INTO {STAGE} (line, meter_id, read_at, value, held_before) "
                "VALUES (:l, :m, :a, :v, :h)"), batch)

    def repeated(self) -> Iterator[tuple[int, int, bool]]:
        """A device and moment given twice among these rows: (line, the first's line, the same
        value) — then only the first stays."""
        rows = self.session.execute(text(
            f"SELECT s.line, f.line, s.value = f.value FROM {STAGE} s JOIN {STAGE} f "
            "ON f.meter_id = s.meter_id AND f.read_at = s.read_at AND f.line < s.line "
            f"WHERE NOT EXISTS (SELECT 1 FROM {STAGE} e WHERE e.meter_id = s.meter_id "
            "AND e.read_at = s.read_at AND e.line < f.line)")).all()
        self.session.execute(text(
            f"DELETE FROM {STAGE} WHERE EXISTS (SELECT 1 FROM {STAGE} f WHERE f.meter_id = "
            f"{STAGE}.meter_id AND f.read_at = {STAGE}.read_at AND f.line < {STAGE}.line)"))
        return iter([(line, first, bool(same)) for line, first, same in rows])

    def stored(self) -> Iterator[tuple[int, Decimal, bool]]:
        """Rows already stored: (line, the stored value, the same value) — then they go."""
        rows = self.session.execute(text(
            f"SELECT s.line, r.value, s.value = r.value FROM {STAGE} s "
            "JOIN meter_remote_reading r ON r.tenant_id = :tenant AND r.meter_id = s.meter_id "
            "AND r.read_at = s.read_at"), self.params).all()
        self.session.execute(text(
            f"DELETE FROM {STAGE} WHERE EXISTS (SELECT 1 FROM meter_remote_reading r "
            f"WHERE r.tenant_id = :tenant AND r.meter_id = {STAGE}.meter_id "
            f"AND r.read_at = {STAGE}.read_at)"), self.params)
        return iter([(line, value, bool(same)) for line, value, same in rows])

    def around(self) -> list[Any]:
        """The rest in order, each with the stored values just before and after it and whether
        it is held already: (meter, moment, value, before, after, known)."""
        near = ("(SELECT r.value FROM meter_remote_reading r WHERE r.tenant_id = :tenant "
                "AND r.meter_id = s.meter_id AND r.read_at {op} s.read_at ORDER BY r.read_at "
                "{order} LIMIT 1)")
        self.session.execute(text(
            f"UPDATE {STAGE} SET held_before = (SELECT b FROM (SELECT s.line, "
            f"{near.format(op='<', order='DESC')} AS b FROM {STAGE} s) x "
            f"WHERE x.line = {STAGE}.line) WHERE held_before IS NULL"), self.params)
        return list(self.session.execute(text(
            f"SELECT s.meter_id, s.read_at, s.value, s.held_before, "
            f"{near.format(op='>', order='ASC')} AS after, EXISTS (SELECT 1 FROM "
            "meter_held_reading h WHERE h.tenant_id = :tenant AND h.meter_id = s.meter_id "
            f"AND h.read_at = s.read_at) AS known FROM {STAGE} s "
            "ORDER BY s.meter_id, s.read_at"), self.params))

    def drop(self) -> None:
        """The staging table goes."""
        self.session.execute(text(f"DROP TABLE IF EXISTS {STAGE}"))
