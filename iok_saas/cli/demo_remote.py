"""The demo's remote meters (issue 33): every unit's hot-water meter and heat cost allocator
send a reading each day at 00:05 (the cooperative's time zone).

Two years of daily readings are stored, up to the 1st of this month, so last month is complete;
its figures, the buildings' medians and the alerts are worked out as the import's job does. The
rest of this month so far waits in a file of the metering company, in the cooperative's own
format (``[remote_readings]`` in its tenant file), in ``instance/demo/``, for the office to import
(a second import adds nothing).

What the data shows:

* hot water 0.08–0.15 m³ a day, depending on the unit, more at weekends and in winter; one day
  a week without any hot water (nobody at home) and a summer holiday, so a meter that shows flow
  every day stands out; allocators count in the heating season (October to April) and hardly at
  all in summer;
* last month far above the same month last year (an alert): the hot water of the first two units
  and the allocator of the 21st;
* water flowing every day for the last weeks (a possible leak) in the 15th and the 27th unit;
* a lower value held for the office: one of the 11th unit's hot water last month, one of the
  23rd's in this month's file.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app

from iok_saas.db import db, utcnow
from iok_saas.db import remote_readings as remote_sql
from iok_saas.estate.models import Unit
from iok_saas.meters import consumption, statements
from iok_saas.meters.models import HELD_DECREASE, HOT_WATER, HeldReading, Meter
from iok_saas.tenancy.info import TenantInfo
from iok_saas.tenancy.settings import RemoteReadings, RemoteUnit

READ_AT = time(0, 5)
YEARS = 2
HOT_JUMP = {0, 1}  # unit indexes (0-based, in the order the demo makes them)
HEAT_JUMP = {20}
LEAKS = {14, 26}
LEAK_DAYS = 40  # the leak started this many days ago
HELD_STORED = 10  # a lower value of this unit's hot water, last month, held
HELD_IN_FILE = 22  # and of this one's, in this month's file
HOLIDAY = 9  # days without hot water in July
# How cold each month is, for the allocators (January = 1).
COLD = {1: 1.0, 2: 0.95, 3: 0.75, 4: 0.45, 5: 0.08, 6: 0.0, 7: 0.0, 8: 0.0, 9: 0.1, 10: 0.35,
        11: 0.7, 12: 0.9}


@dataclass(frozen=True)
class RemoteMeter:
    """A demo unit's remote meter, with the unit's place in the demo's list."""

    index: int
    unit: Unit
    meter: Meter


@dataclass(frozen=True)
class Calendar:
    """The days the readings cover: stored up to ``last_stored``, the file's after it."""

    first: date
    last_stored: date
    today: date
    month: date  # the last complete month

    @classmethod
    def now(cls, zone: ZoneInfo) -> Calendar:
        today = utcnow().astimezone(zone).date()
        this_month = today.replace(day=1)
        # On the 1st, yesterday's reading (within a day of the month's end) closes last month.
        last_stored = this_month if today.day > 1 else today - timedelta(days=1)
        return cls(first=this_month.replace(year=this_month.year - YEARS),
                   last_stored=last_stored, today=today,
                   month=consumption.previous_month(this_month))

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n)
                for n in range((self.today - self.first).days + 1)]


def _hot_water(index: int, days: list[date], calendar: Calendar, rng: random.Random
               ) -> list[int]:
    """Litres used on each day (the day before each reading)."""
    base = 80 + index * 37 % 71  # 80–150 l a day
    away = index * 3 % 7
    holiday = date(2000, 7, 4 + index % 20)
    leak_from = calendar.today - timedelta(days=LEAK_DAYS)
    used = []
    for day in days:
        if index in LEAKS and day >= leak_from:
            used.append(int(base * rng.uniform(0.8, 1.2)) + 30)  # never a day at zero
            continue
        # one day a week nobody is at home (a day that moves, so no fortnight passes without
        # one), and a summer holiday
        if (day.weekday() == (away + day.isocalendar().week) % 7 or
                0 <= (day - holiday.replace(year=day.year)).days < HOLIDAY):
            used.append(0)
            continue
        litres = base * (1.25 if day.weekday() >= 5 else 1.0) * rng.uniform(0.75, 1.25)
        litres *= 1.08 if day.month in (11, 12, 1, 2, 3) else 0.88 if day.month in (6, 7, 8) else 1
        if index in HOT_JUMP and consumption.month_start(day) == calendar.month:
            litres *= 3.6  # guests for a month, or a dripping tap
        used.append(int(litres))
    return used


def _allocator(index: int, days: list[date], calendar: Calendar, rng: random.Random
               ) -> list[int]:
    """Units counted on each day, in thousandths."""
    base = 4 + index % 5  # on a January day
    used = []
    for day in days:
        if COLD[day.month] == 0:
            used.append(1000 if rng.random() < 0.05 else 0)
            continue
        units = base * COLD[day.month] * rng.uniform(0.6, 1.4)
        if index in HEAT_JUMP and consumption.month_start(day) == calendar.month:
            units *= 4  # a radiator turned full on under an open window
        used.append(round(units) * 1000)
    return used


def _series(slug: str, remote: RemoteMeter, days: list[date], calendar: Calendar) -> list[int]:
    """The meter's value at 00:05 of each day, in thousandths of its measure."""
    rng = random.Random(f"{slug}:{remote.index}:{remote.meter.kind}")
    make = _hot_water if remote.meter.kind == HOT_WATER else _allocator
    used = make(remote.index, days, calendar, rng)
    value = int(remote.meter.initial_value * 1000) + 1000 * (remote.index % 7)
    values = []
    for litres in used:
        values.append(value)
        value += litres
    return values


def populate(slug: str, info: TenantInfo, meters: list[RemoteMeter]) -> Path:
    """Store the readings, work the months out, and write this month's file; its path."""
    settings = info.settings.remote_readings
    zone = ZoneInfo(settings.timezone)
    calendar = Calendar.now(zone)
    days = calendar.days()
    moments = [datetime.combine(day, READ_AT, zone).astimezone(UTC) for day in days]
    now = utcnow()
    stored = sum(day <= calendar.last_stored for day in days)
    held_day = calendar.month.replace(day=18)
    later = []
    db.session.flush()  # the held readings' meters and everything before go first
    stream = remote_sql.NewReadings(db.session, info.id)  # as the import loads them
    stamps = [at.isoformat() for at in moments]
    for remote in meters:
        values = _series(slug, remote, days, calendar)
        meter_id = remote.meter.id
        for day, at, stamp, value in zip(days[:stored], moments[:stored], stamps[:stored],
                                         values[:stored], strict=True):
            if remote.index == HELD_STORED and remote.meter.kind == HOT_WATER and \
                    day == held_day:
                db.session.add(HeldReading(
                    meter_id=meter_id, read_at=at, value=Decimal("0.412"),
                    previous_value=_decimal(values[days.index(day) - 1]),
                    reason=HELD_DECREASE, created_at=at + timedelta(hours=7)))
                continue
            stream.add(meter_id, at, stamp, _decimal(value))
        later.append((remote, [(at, _decimal(value)) for at, value in
                               zip(moments[stored:], values[stored:], strict=True) if at <= now]))
    stream.close()
    db.session.flush()
    months = consumption.months_between(calendar.first, calendar.last_stored)
    consumption.compute_months(months, zone)
    consumption.compute_medians(months)
    consumption.raise_alerts([consumption.previous_month(calendar.month), calendar.month], zone)
    month = calendar.month  # the last three complete months' information
    for back in (consumption.previous_month(consumption.previous_month(month)),
                 consumption.previous_month(month), month):
        statements.make_month(info, back, waited=True)
    return _vendor_file(slug, settings, zone, later)


def _decimal(thousandths: int) -> Decimal:
    return Decimal(thousandths).scaleb(-3)


def vendor_file(slug: str, settings: RemoteReadings) -> Path:
    """Where the demo leaves the cooperative's file of this month's readings so far."""
    suffix = "json" if settings.json_rows else "csv"
    return Path(current_app.config["INSTANCE_PATH"]) / "demo" / f"odczyty-zdalne-{slug}.{suffix}"


def _unit_word(settings: RemoteReadings, measure: str) -> tuple[str, RemoteUnit]:
    """The vendor's word for a measure: the finest it has (litres rather than m³)."""
    words = [(word, settings.unit_of(word)) for word in settings.units]
    found = [(word, unit) for word, unit in words if unit is not None and unit.measure == measure]
    return min(found, key=lambda pair: pair[1].factor) if found else ("", RemoteUnit(
        measure=measure))


def _vendor_file(slug: str, settings: RemoteReadings, zone: ZoneInfo,
                 later: list[tuple[RemoteMeter, list[tuple[datetime, Decimal]]]]) -> Path:
    """The metering company's export of this month so far, as the cooperative's mapping reads
    it; one device's value drops below the one before it (the import holds it)."""
    records = []
    for remote, readings in later:
        meter = remote.meter
        word, unit = _unit_word(settings, meter.measure)
        drop = remote.index == HELD_IN_FILE and meter.kind == HOT_WATER
        for number, (at, value) in enumerate(readings):
            if drop and number == len(readings) // 2:
                value -= Decimal("2.5")  # the radio module sent a wrong value
            amount = (value / Decimal(str(unit.factor))).normalize()
            record = {
                "device": meter.radio_id if settings.match == "radio_id" else
                meter.serial_number,
                "address": f"{remote.unit.building.street} {remote.unit.building.number}/"
                           f"{remote.unit.number}",
                "at": at.astimezone(zone), "value": amount, "unit": word}
            records.append(record)
    path = vendor_file(slug, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    if settings.json_rows:
        _write_json(path, settings, records)
    else:
        _write_csv(path, settings, records)
    return path


def _when(settings: RemoteReadings, at: datetime) -> tuple[str, str]:
    """The moment as the vendor writes it: (date or date and time, separate time or "")."""
    if settings.time:  # (a ``date_format`` reads the two cells joined by a space)
        day, _, clock = (settings.date_format or "%d.%m.%Y %H:%M").rpartition(" ")
        return at.strftime(day or clock), at.strftime("%H:%M" if not day else clock)
    if settings.date_format:
        return at.strftime(settings.date_format), ""
    if settings.json_rows:
        return at.isoformat(timespec="seconds"), ""
    return at.strftime("%d.%m.%Y %H:%M"), ""


def _write_json(path: Path, settings: RemoteReadings, records: list[dict]) -> None:
    rows = []
    for record in records:
        day, clock = _when(settings, record["at"])
        value = record["value"]
        row = {settings.device: record["device"], settings.read_at: day,
               settings.value: int(value) if value == value.to_integral_value() else
               float(value)}
        if settings.time:
            row[settings.time] = clock
        if settings.unit:
            row[settings.unit] = record["unit"]
        row["adres"] = record["address"]  # columns the mapping does not name are ignored
        rows.append(row)
    lines = ",\n".join(f"  {json.dumps(row, ensure_ascii=False)}" for row in rows)
    path.write_text(f"{{{json.dumps(settings.json_rows)}: [\n{lines}\n]}}\n", encoding="utf-8")


def _write_csv(path: Path, settings: RemoteReadings, records: list[dict]) -> None:
    delimiter = settings.delimiter
    comma = delimiter != ","
    header = [settings.device, "Adres", settings.read_at]
    header += [settings.time] if settings.time else []
    header += [settings.value] + ([settings.unit] if settings.unit else [])
    lines = [delimiter.join(header)]
    for record in records:
        day, clock = _when(settings, record["at"])
        value = format(record["value"], "f")
        cells = [record["device"], record["address"], day] + ([clock] if settings.time else [])
        cells += [value.replace(".", ",") if comma else value]
        cells += [record["unit"]] if settings.unit else []
        lines.append(delimiter.join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def print_files(slugs: list[tuple[str, RemoteReadings]]) -> None:
    """The demo's files of this month's remote readings, and what to do with them."""
    found = [(slug, vendor_file(slug, settings)) for slug, settings in slugs]
    found = [(slug, path) for slug, path in found if path.exists()]
    if not found:
        return
    click.echo("\nThis month's remote readings so far, as each metering company sends them "
               "(import as the staff admin: Import danych → \"Odczyty zdalne od firmy "
               "rozliczeniowej\", or `iok import remote --tenant SLUG FILE`; a second import "
               "adds nothing, one lower value is held for the office):")
    for slug, path in found:
        click.echo(f"  {slug:<16} {path}")
