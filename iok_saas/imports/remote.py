"""Remote readings: the metering company's export of its radio readings, row by row.

Unlike the accounting system's files, a remote-readings file is not all or nothing: a month of
daily readings of every device must not wait for one unknown serial. A bad row (an unknown or
another cooperative's device, a time in the future or outside the meter's service, a unit that is
not the meter's, a value that is not a number) is reported with its reason and left out; the rest
is saved. A problem with the file as a whole (too large, unreadable, the cooperative's mapping
naming a column the file does not have) saves nothing.

* The same device and moment twice is one reading: a re-sent file adds nothing.
* A value lower than the one before it is held for the office (a replaced meter or a fault),
  not used; so is a value above a later one already stored.

Speed: the devices are read once, with each one's latest stored reading. A row later than
everything stored for its device (the usual case: this month after last month) is checked
in memory and goes straight into the table by one ``COPY`` kept open for the whole file. The
rest (a re-sent file, readings filling a gap) go through a staging table and are compared
with the stored readings around them in SQL. Memory stays flat: one entry per device, and the
rows set aside wait in a temporary file.
"""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from iok_saas.db import db, utcnow
from iok_saas.db import remote_readings as remote_sql
from iok_saas.imports.reading import (
    ImportFileError,
    ImportReport,
    Message,
    csv_cells,
    detect_encoding,
    json_rows,
    plain_name,
)
from iok_saas.meters.models import HELD_AFTER, HELD_DECREASE, REMOTE
from iok_saas.tenancy.settings import RemoteReadings, RemoteUnit

PLACES = Decimal("0.001")
TIMES_KEPT = 100_000  # distinct date and time cells remembered at once
TIME_CODES = re.compile(r"%[HIMSpfXcz]")  # a date format that reads a time of day
MAX_VALUE = Decimal("100000000000")
NO_DEVICE = _l("there is no remote meter with the number “%(id)s” in this cooperative")
NOT_REMOTE = _l("the meter “%(id)s” is read by residents (typed), not remotely; the meters "
                "import marks remote meters (column odczyt = zdalny)")
REQUIRED = _l("empty field, but it is required")


@dataclass
class Device:
    """One meter as the import knows it, with its latest reading (stored or from this file)."""

    id: int
    measure: str
    remote: bool
    installed: datetime | None
    removed: datetime | None
    last_at: datetime | None
    last_value: Decimal | None
    last_line: int = 0  # the file's line of ``last_*``; 0: stored before


@dataclass
class Outcome:
    """What the rows came to, beyond the report's counts."""

    first: datetime | None = None
    last: datetime | None = None

    def saw(self, at: datetime) -> None:
        """A reading at ``at`` was added or held."""
        self.first = at if self.first is None or at < self.first else self.first
        self.last = at if self.last is None or at > self.last else self.last


def _day_start(day: date | None, zone: ZoneInfo) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), zone).astimezone(UTC)


def load_devices(settings: RemoteReadings, tenant_id: int) -> dict[str, list[Device]]:
    """The cooperative's meters by the number the file names them with (serial or radio id,
    written plainly), each with its latest remote reading: one statement."""
    zone = ZoneInfo(settings.timezone)
    rows = remote_sql.latest(db.session, tenant_id, settings.match == "radio_id")
    devices: dict[str, list[Device]] = {}
    for ident, name, measure, mode, installed, removed, last_at, last_value in rows:
        last_at = _aware(last_at)
        devices.setdefault(_plain(name), []).append(Device(
            ident, measure, mode == REMOTE, _day_start(_day(installed), zone),
            _day_start(_day(removed), zone), last_at,
            Decimal(str(last_value)) if last_value is not None else None))
    return devices


def _day(value: Any) -> date | None:
    """A date as PostgreSQL gives it, or SQLite (text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _aware(value: Any) -> datetime | None:
    """A timestamp as PostgreSQL gives it (aware) or SQLite (naive UTC text or datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _plain(number: str) -> str:
    """A device number as compared: no spaces, upper case (``ab 12`` = ``AB12``)."""
    return "".join(number.split()).upper()


class Times:
    """Date and time cells → UTC; a file of daily readings repeats a few hundred distinct
    values millions of times, so each is worked out once."""

    def __init__(self, settings: RemoteReadings) -> None:
        self.zone = ZoneInfo(settings.timezone)
        self.format = settings.date_format
        self.end = settings.date_only == "end"
        self.known: dict[tuple[str, str] | str, tuple[datetime, str] | Message] = {}

    def get(self, day: str, clock: str | None) -> tuple[datetime, str] | Message:
        """(the moment, as ``COPY`` writes it), or why the cells are not one."""
        key = day if clock is None else (day, clock)
        found = self.known.get(key)
        if found is None:
            if len(self.known) >= TIMES_KEPT:  # every device read at its own second: stay flat
                self.known.clear()
            moment = self._parse(day, clock or "")
            found = self.known[key] = ((moment, moment.isoformat())
                                       if isinstance(moment, datetime) else moment)
        return found

    def _parse(self, day: str, clock: str) -> datetime | Message:
        raw = f"{day} {clock}".strip() if clock else day.strip()
        if not raw:
            return REQUIRED
        try:
            moment = datetime.strptime(raw, self.format) if self.format else _usual(raw)
            if self.format and not TIME_CODES.search(self.format):
                moment = moment.date()  # a date-only format: the state at the day's end/start
        except ValueError:
            return _l("not a date and time (e.g. 2026-11-30 23:59, 30.11.2026 or the format "
                      "in the cooperative's settings)")
        if isinstance(moment, date) and not isinstance(moment, datetime):
            start = datetime.combine(moment, time())
            moment = start + timedelta(days=1) if self.end else start
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(UTC)


def _usual(raw: str) -> datetime | date:
    """ISO 8601 (``2026-11-30``, ``2026-11-30T23:59:00+01:00``, ``2026-11-30 23:59``) or
    ``30.11.2026`` with an optional ``HH:MM[:SS]``; a date alone is a ``date``."""
    if raw[2:3] == "." and raw[5:6] == ".":
        day, _, clock = raw.partition(" ")
        parsed = datetime.strptime(day, "%d.%m.%Y")
        if not clock:
            return parsed.date()
        hours = time.fromisoformat(clock.strip())
        return datetime.combine(parsed.date(), hours)
    if len(raw) == 10:
        return date.fromisoformat(raw)
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


class Values:
    """Value and unit cells → the meter's measure, rounded to 0.001."""

    def __init__(self, settings: RemoteReadings) -> None:
        self.settings = settings
        self.units: dict[str, RemoteUnit | None] = {}

    def unit(self, word: str) -> RemoteUnit | None:
        """The meaning of a unit word, or None when the mapping does not know it."""
        if word not in self.units:
            self.units[word] = self.settings.unit_of(word)
        return self.units[word]

    @staticmethod
    def number(raw: str, factor: float) -> Decimal | Message:
        """The value in the meter's measure, or why the cell is not one."""
        if not raw:
            return REQUIRED
        try:
            value = Decimal(raw.replace(",", ".", 1) if "," in raw else raw)
        except InvalidOperation:
            try:
                value = Decimal(raw.replace(" ", "").replace("\xa0", "").replace(",", "."))
            except InvalidOperation:
                return _l("not a number (e.g. 123,456)")
        if not value.is_finite():
            return _l("not a number (e.g. 123,456)")
        if factor != 1:
            value *= Decimal(str(factor))
        if value < 0:
            return _l("a meter reading cannot be negative")
        if value >= MAX_VALUE:
            return _l("too large for a meter reading")
        return value.quantize(PLACES, ROUND_HALF_EVEN)


class _Aside:
    """Rows for the staging table (a re-sent or gap-filling reading, one held in memory's
    check), spooled to a temporary file so memory stays flat."""

    def __init__(self, file: Any) -> None:
        self.file = file
        self.count = 0

    def add(self, line: int, meter_id: int, at: datetime, value: Decimal,
            before: Decimal | None) -> None:
        held = "\\N" if before is None else str(before)
        self.file.write(f"{line}\t{meter_id}\t{at.isoformat()}\t{value}\t{held}\n")
        self.count += 1

    def rows(self) -> Iterator[tuple[int, int, datetime, Decimal, Decimal | None]]:
        self.file.seek(0)
        for raw in self.file:
            line, meter_id, at, value, held = raw.rstrip("\n").split("\t")
            yield (int(line), int(meter_id), datetime.fromisoformat(at), Decimal(value),
                   None if held == "\\N" else Decimal(held))


Cells = tuple[int, str, str, str | None, str, str | None]  # line, device, day, time, value, unit


def _cells(stream: BinaryIO, settings: RemoteReadings, report: ImportReport
           ) -> Iterator[Cells]:
    """(line, device, date, time or None, value, unit or None) of every row, by the mapping."""
    wanted = {ours: plain_name(theirs) for ours, theirs in settings.columns.items()}
    columns = tuple(wanted.values())
    order = [wanted.get(ours) for ours in ("device", "read_at", "time", "value", "unit")]
    if report.json:
        detect_encoding(stream, json=True)
        first = True
        for line, row in json_rows(stream, columns, report, key=settings.json_rows or "wiersze",
                                   others=True):
            if first:  # the mapping names a field the export does not have
                missing = [name for name in columns if name not in row]
                if missing:
                    raise ImportFileError(_l(
                        "The file has no column %(missing)s, which the cooperative's settings "
                        "name ([%(section)s] in its file). The file's columns: %(found)s.",
                        missing=", ".join(f"“{name}”" for name in missing),
                        section="remote_readings",
                        found=", ".join(row) or "–"))
                first = False
            yield (line, *(row.get(name, "") if name else None for name in order))  # type: ignore[misc]
        return
    header: list[str] = []
    delimiter = settings.delimiter.replace("\\t", "\t")
    rows = csv_cells(stream, detect_encoding(stream), columns, columns, report,
                     delimiter=delimiter, others=True, header=header)
    first_row = next(rows, None)
    if first_row is None:
        return
    spots = [header.index(name) if name else None for name in order]
    device, day, clock, value, unit = spots
    for line, cells in itertools.chain((first_row,), rows):
        yield (line, cells[device], cells[day], None if clock is None else cells[clock],  # type: ignore[index]
               cells[value], None if unit is None else cells[unit])  # type: ignore[index]


def import_remote(stream: BinaryIO, report: ImportReport, tenant_id: int,
                  settings: RemoteReadings, run_id: int | None,
                  progress: Any = None, size: int = 0) -> Outcome:
    """Read the file and save its good rows (the caller commits or rolls back)."""
    report.partial = True
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        return _import(stream, report, tenant_id, settings, run_id, progress, size, _Aside(spool))


def _import(stream: BinaryIO, report: ImportReport, tenant_id: int, settings: RemoteReadings,
            run_id: int | None, progress: Any, size: int, aside: _Aside) -> Outcome:
    devices = load_devices(settings, tenant_id)
    by_cell: dict[str, list[Device] | None] = {}  # a cell as written → its meters
    times, values = Times(settings), Values(settings)
    now = utcnow()
    outcome = Outcome()
    writer = remote_sql.NewReadings(db.session, tenant_id)
    one = RemoteUnit(measure="m³")  # a stand-in when the file has no unit column
    repeated = added = 0
    first = last = None
    try:
        for line, number, day, hour, raw_value, word in _cells(stream, settings, report):
            report.rows += 1
            if progress is not None and report.rows % 10000 == 0:
                progress(stream.tell(), size)
            found = by_cell.get(number, ())
            if found == ():
                found = by_cell[number] = devices.get(_plain(number)) if number.strip() else None
            if not found:
                report.add(line, settings.device, NO_DEVICE % {"id": number.strip()}
                           if number.strip() else REQUIRED)
                continue
            moment = times.get(day, hour)
            if not isinstance(moment, tuple):
                report.add(line, settings.read_at, moment)
                continue
            at, stamp = moment
            if at > now:
                report.add(line, settings.read_at, _l("the date is in the future"))
                continue
            device = _serving(found, at)
            if device is None:
                report.add(line, settings.read_at, _outside(found, at))
                continue
            if not device.remote:
                report.add(line, settings.device, NOT_REMOTE % {"id": number.strip()})
                continue
            unit = one if word is None else values.unit(word)
            if unit is None:
                report.add(line, settings.unit, _l(
                    "unknown unit “%(unit)s”; the cooperative's settings know: %(known)s",
                    unit=word, known=", ".join(settings.units)))
                continue
            if word is not None and unit.measure != device.measure:
                report.add(line, settings.unit, _l(
                    "the unit “%(unit)s” (%(measure)s) is not the meter's (%(own)s)",
                    unit=word, measure=unit.measure, own=device.measure))
                continue
            value = values.number(raw_value, unit.factor)
            if not isinstance(value, Decimal):
                report.add(line, settings.value, value)
                continue
            last_at = device.last_at
            if last_at is not None and at <= last_at:
                if at == last_at and device.last_line:  # twice in this file
                    if value == device.last_value:
                        repeated += 1
                    else:
                        report.add(line, settings.value, _l(
                            "the same device and time are given above in the file (row "
                            "%(line)d) with another value", line=device.last_line))
                    continue
                aside.add(line, device.id, at, value, None)  # compared in SQL
                continue
            if device.last_value is not None and value < device.last_value:
                aside.add(line, device.id, at, value, device.last_value)  # held
                continue
            writer.add(device.id, at, stamp, value)
            added += 1
            if first is None or at < first:
                first = at
            if last is None or at > last:
                last = at
            device.last_at, device.last_value, device.last_line = at, value, line
    except BaseException:
        writer.close(keep=False)
        raise
    writer.close()
    report.added += added
    if first is not None and last is not None:
        outcome.saw(first)
        outcome.saw(last)
    if report.rows == 0 and report.ok:
        report.add(0, "", _l("The file contains no rows of data."))
    if aside.count and report.ok:
        _settle(aside, report, tenant_id, run_id, outcome)
    report.unchanged += repeated
    if report.held:
        report.notes.append(ngettext(
            "Held for the office: %(num)d reading lower than the one before it (a replaced "
            "meter or a fault) or higher than a later one; it is not used until decided "
            "(Staff panel → Remote meters).",
            "Held for the office: %(num)d readings lower than the one before them (a replaced "
            "meter or a fault) or higher than a later one; they are not used until decided "
            "(Staff panel → Remote meters).", report.held))
    return outcome


def _serving(found: list[Device], at: datetime) -> Device | None:
    """The meter under that number in service at ``at`` (after a replacement the number may
    name two)."""
    for device in found:
        if (device.installed is None or device.installed <= at) and (
                device.removed is None or at <= device.removed):
            return device
    return None


def _outside(found: list[Device], at: datetime) -> Message:
    if all(d.installed is not None and at < d.installed for d in found):
        return _l("the date is before the meter was installed")
    return _l("the date is after the meter was removed")


def _settle(aside: _Aside, report: ImportReport, tenant_id: int, run_id: int | None,
            outcome: Outcome) -> None:
    """The rows set aside: held ones into the office's list; the others compared with the
    stored readings around them (already there → nothing; between → added; out of order →
    held)."""
    staged = remote_sql.Aside(db.session, tenant_id, aside.file, aside.rows())
    for line, first, same in staged.repeated():  # given twice among them: the first counts
        if same:
            report.unchanged += 1
        else:
            report.add(line, "", _l("the same device and time are given above in the file "
                                    "(row %(line)d) with another value", line=first))
    for line, value, same in staged.stored():  # already stored: nothing new, or a clash
        if same:
            report.unchanged += 1
        else:
            report.add(line, "", _l("a reading of this device at this time is already stored "
                                    "with another value (%(value)s)", value=value))
    held, added = [], []
    for meter_id, at, value, before, after, known in staged.around():
        at = _aware(at)
        if known:  # held by an earlier file (or already decided by the office)
            report.unchanged += 1
            continue
        if before is not None and value < before:
            held.append((meter_id, at, value, before, HELD_DECREASE))
        elif after is not None and value > after:
            held.append((meter_id, at, value, after, HELD_AFTER))
        else:
            added.append((meter_id, at, value))
        outcome.saw(at)
    remote_sql.insert(db.session, tenant_id, added)
    remote_sql.hold(db.session, tenant_id, run_id, utcnow(), held)
    report.added += len(added)
    report.held += len(held)
    staged.drop()
