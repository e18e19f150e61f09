"""Monthly consumption from remote readings (art. 45c ust. 2 of the energy law).

A month's consumption of a meter is its value at the end of the month less its value at the
start, each taken from the reading nearest that moment (local midnight of the 1st): a reading
within a day of it is used as it is; otherwise the value is interpolated between the readings
on either side and the month is marked ``estimated``. A month whose end no reading has reached
yet has no figure. A meter installed during the month starts from its initial value.

``refresh`` works the figures out again for the months a new file touched (a job queued by the
import), then the building's medians (only where at least five units have such a device, so no
neighbour's figure can be learnt), then the alerts. Statements are made by ``statements``.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, delete, func, insert, select
from sqlalchemy.orm import aliased

from iok_saas.db import db, utcnow
from iok_saas.db.bulk import insert_all
from iok_saas.estate.models import Unit
from iok_saas.jobs import enqueue
from iok_saas.meters.models import (
    ALERT_HIGH,
    ALERT_LEAK,
    COLD_WATER,
    HOT_WATER,
    REMOTE,
    BuildingMonth,
    ConsumptionAlert,
    Meter,
    MeterMonth,
    RemoteReading,
)
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import local_today

NEAR = timedelta(days=1)  # a reading this close to a month's end is taken as it is
REACH = timedelta(days=62)  # how far from a month's end a reading is looked for
EXACT = timedelta(hours=1)  # a month ends on a reading this close before its end, if none after
PLACES = Decimal("0.001")
MIN_UNITS = 5  # a building's median is shown only over at least this many units
WATER = (COLD_WATER, HOT_WATER)
HISTORY = 12  # months the alert compares with
MONTH_COLUMNS = {"meter_id": "int", "month": "date", "start_value": "reading",
                 "end_value": "reading", "consumption": "reading", "estimated": "bool",
                 "readings": "int", "zero_days": "int"}


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after ``month``."""
    return (month + timedelta(days=32)).replace(day=1)


def previous_month(month: date) -> date:
    """The first day of the month before ``month``."""
    return (month - timedelta(days=1)).replace(day=1)


def months_back(month: date, count: int) -> date:
    """The first day of the month ``count`` months before ``month``'s."""
    month = month_start(month)
    for _step in range(count):
        month = previous_month(month)
    return month


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first``'s to ``last``'s, oldest first."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _zone() -> ZoneInfo:
    return ZoneInfo(get_tenant_info(require_tenant_id()).settings.remote_readings.timezone)


def boundary(month: date, zone: ZoneInfo) -> datetime:
    """Local midnight starting ``month``, in UTC."""
    return datetime.combine(month, time(), zone).astimezone(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Edge:
    """A meter's value at a month's end, and whether it was interpolated."""

    value: Decimal
    estimated: bool


def _near(moment: datetime) -> dict[int, tuple]:
    """For every meter with readings within ``REACH`` of ``moment``: (its last reading at or
    before it, its first after it), each (at, value) or None — one statement."""
    window = (RemoteReading.read_at > moment - REACH, RemoteReading.read_at < moment + REACH)
    sides = select(
        RemoteReading.meter_id,
        func.max(RemoteReading.read_at).filter(RemoteReading.read_at <= moment).label("before"),
        func.min(RemoteReading.read_at).filter(RemoteReading.read_at > moment).label("after"),
    ).where(*window).group_by(RemoteReading.meter_id).subquery()
    before, after = aliased(RemoteReading), aliased(RemoteReading)
    found = {}
    for ident, before_at, before_value, after_at, after_value in db.session.execute(
            select(sides.c.meter_id, before.read_at, before.value, after.read_at, after.value)
            .select_from(sides)
            .outerjoin(before, and_(before.meter_id == sides.c.meter_id,
                                    before.read_at == sides.c.before))
            .outerjoin(after, and_(after.meter_id == sides.c.meter_id,
                                   after.read_at == sides.c.after))):
        found[ident] = ((_aware(before_at), before_value) if before_at is not None else None,
                        (_aware(after_at), after_value) if after_at is not None else None)
    return found


def _edge(near: tuple, moment: datetime) -> Edge | None:
    before, after = near
    if after is None and (before is None or moment - before[0] > EXACT):
        return None  # nothing has come from after this moment yet: the month is not over
    candidates = []
    for side in (before, after):
        if side is not None and abs(side[0] - moment) <= NEAR:
            candidates.append((abs(side[0] - moment), side[1]))
    if candidates:
        return Edge(Decimal(min(candidates, key=lambda c: c[0])[1]), False)
    if before is None or after is None:
        return None
    share = Decimal((moment - before[0]).total_seconds()) / Decimal(
        (after[0] - before[0]).total_seconds())
    value = Decimal(before[1]) + (Decimal(after[1]) - Decimal(before[1])) * share
    return Edge(value.quantize(PLACES), True)


def refresh(first: str, last: str) -> int:
    """Work out the consumption of every remote meter for the months from ``first``'s (and the
    one before: its end may have moved) to ``last``'s, the buildings' medians, and the alerts;
    the number of meter-months written. A job (queued by the import of remote readings)."""
    zone = _zone()
    # A reading moves the figure at any month's end it is the nearest reading to: as far as
    # the readings are looked for around an end.
    start = (_aware(datetime.fromisoformat(first)) - REACH).astimezone(zone).date()
    end = (_aware(datetime.fromisoformat(last)) + REACH).astimezone(zone).date()
    this_month = month_start(local_today())
    months = months_between(month_start(start), min(month_start(end), this_month))
    written = compute_months(months, zone)
    compute_medians(months)
    # Alerts only for the months just ended (an old file's months are history, not news).
    recent = previous_month(previous_month(this_month))
    alerts = raise_alerts([month for month in months if month >= recent], zone)
    tenant_id = require_tenant_id()
    enqueue("iok_saas.meters.statements.make_due", tenant_id, bulk=True)
    if alerts:
        enqueue("iok_saas.meters.statements.notify_alerts", tenant_id, bulk=True,
                alert_ids=alerts)
    db.session.commit()
    return written


def compute_months(months: list[date], zone: ZoneInfo) -> int:
    """``meter_month`` rows of every remote meter for ``months`` (replaced)."""
    meters = {m.id: m for m in db.session.execute(
        select(Meter.id, Meter.installed_on, Meter.removed_on, Meter.initial_value, Meter.kind)
        .where(Meter.reading_mode == REMOTE))}
    if not meters or not months:
        return 0
    bounds = [*months, next_month(months[-1])]
    edges = {month: _near(boundary(month, zone)) for month in bounds}
    counts = _month_counts(months, zone)
    tenant_id = require_tenant_id()
    rows = []
    for ident, meter in meters.items():
        for month in months:
            near_end = edges[next_month(month)].get(ident, (None, None))
            end = _edge(near_end, boundary(next_month(month), zone))
            if end is None and near_end[0] is not None and meter.removed_on and \
                    month <= meter.removed_on < next_month(month):
                end = Edge(Decimal(near_end[0][1]), False)  # replaced: its last reading
            if end is None:
                continue
            begin = _edge(edges[month].get(ident, (None, None)), boundary(month, zone))
            if begin is None and meter.installed_on and month <= meter.installed_on < \
                    next_month(month):
                begin = Edge(Decimal(meter.initial_value), False)
            if begin is None:
                continue
            count, zero_days = counts.get((ident, month), (0, None))
            rows.append({"meter_id": ident, "month": month, "start_value": begin.value,
                         "end_value": end.value,
                         "consumption": max(end.value - begin.value, Decimal(0)),
                         "estimated": begin.estimated or end.estimated, "readings": count,
                         "zero_days": zero_days if meter.kind in WATER else None})
    db.session.execute(delete(MeterMonth).where(MeterMonth.month.in_(months)))
    insert_all(db.session, "meter_month", MONTH_COLUMNS,
               ([row[name] for name in MONTH_COLUMNS] for row in rows), tenant_id)
    return len(rows)


def _month_counts(months: list[date], zone: ZoneInfo
                  ) -> dict[tuple[int, date], tuple[int, int]]:
    """(readings in the month, days on which a daily reading showed no flow since the one
    before) per meter and month: one grouped statement a month, nothing a row in Python."""
    counts: dict[tuple[int, date], tuple[int, int]] = {}
    for month in months:
        since, until = boundary(month, zone), boundary(next_month(month), zone)
        previous = func.lag(RemoteReading.value).over(partition_by=RemoteReading.meter_id,
                                                      order_by=RemoteReading.read_at)
        ranked = (select(RemoteReading.meter_id, RemoteReading.value,
                         previous.label("before"))
                  .where(RemoteReading.read_at >= since, RemoteReading.read_at < until)
                  .subquery())
        still = case((ranked.c.value == ranked.c.before, 1), else_=0)
        for meter_id, count, zero in db.session.execute(
                select(ranked.c.meter_id, func.count(), func.sum(still))
                .group_by(ranked.c.meter_id)):
            counts[(meter_id, month)] = (count, int(zero or 0))
    return counts


def compute_medians(months: list[date]) -> None:
    """The median per building, kind of device and month, over the units that have one (at
    least ``MIN_UNITS``); a unit with two such devices counts their sum."""
    per_unit: dict[tuple[int, str, str, date], dict[int, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal))
    for building, unit, kind, measure, month, used in db.session.execute(
            select(Unit.building_id, Meter.unit_id, Meter.kind, Meter.measure, MeterMonth.month,
                   MeterMonth.consumption)
            .join(Meter, Meter.id == MeterMonth.meter_id).join(Unit, Unit.id == Meter.unit_id)
            .where(MeterMonth.month.in_(months))):
        per_unit[(building, kind, measure, month)][unit] += Decimal(used)
    db.session.execute(delete(BuildingMonth).where(BuildingMonth.month.in_(months)))
    rows = [{"building_id": building, "kind": kind, "measure": measure, "month": month,
             "units": len(units), "median": Decimal(statistics.median(units.values()))
             .quantize(PLACES)}
            for (building, kind, measure, month), units in per_unit.items()
            if len(units) >= MIN_UNITS]
    if rows:
        db.session.execute(insert(BuildingMonth), rows)


def raise_alerts(months: Iterable[date], zone: ZoneInfo) -> list[int]:
    """Alerts for ``months``: far above the same month last year or the median of the 12
    months before (the cooperative's ``high_consumption_factor``), and water flowing every
    day for ``leak_days`` days. Never for a month without figures; once per meter, kind and
    month. The new alerts' ids."""
    settings = get_tenant_info(require_tenant_id()).settings
    factor = Decimal(str(settings.readings.high_consumption_factor))
    new: list[dict[str, Any]] = []
    for month in months:
        history = defaultdict(dict)
        for meter_id, when, used in db.session.execute(
                select(MeterMonth.meter_id, MeterMonth.month, MeterMonth.consumption)
                .where(MeterMonth.month >= month.replace(year=month.year - 1),
                       MeterMonth.month <= month)):
            history[meter_id][when] = Decimal(used)
        for meter_id, figures in history.items():
            used = figures.get(month)
            if used is None or used <= 0:
                continue
            last_year = figures.get(month.replace(year=month.year - 1))
            earlier = [v for m, v in figures.items() if m < month]
            median = Decimal(statistics.median(earlier)) if len(earlier) >= 3 else None
            basis = [b for b in (last_year, median) if b is not None and b > 0]
            if basis and any(used > factor * b for b in basis):
                new.append({"meter_id": meter_id, "kind": ALERT_HIGH, "month": month,
                            "value": used, "compared_with": min(basis).quantize(PLACES)})
    new.extend(_leaks(settings.remote_readings.leak_days, zone))
    known = {(a.meter_id, a.kind, a.month) for a in db.session.execute(
        select(ConsumptionAlert.meter_id, ConsumptionAlert.kind, ConsumptionAlert.month)
        .where(ConsumptionAlert.month.in_({row["month"] for row in new})))} if new else set()
    fresh = [row for row in new if (row["meter_id"], row["kind"], row["month"]) not in known]
    ids = []
    for row in fresh:
        alert = ConsumptionAlert(**row)
        db.session.add(alert)
        db.session.flush()
        ids.append(alert.id)
    return ids


def _leaks(days: int, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Water meters whose last ``days`` daily readings each show flow (no day at zero)."""
    ranked = (select(RemoteReading.meter_id, RemoteReading.read_at, RemoteReading.value,
                     func.row_number().over(partition_by=RemoteReading.meter_id,
                                            order_by=RemoteReading.read_at.desc()).label("n"))
              .join(Meter, Meter.id == RemoteReading.meter_id)
              .where(Meter.reading_mode == REMOTE, Meter.kind.in_(WATER),
                     RemoteReading.read_at >= utcnow() - timedelta(days=days + 3))
              .subquery())
    series: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    for meter_id, at, value in db.session.execute(
            select(ranked.c.meter_id, ranked.c.read_at, ranked.c.value)
            .where(ranked.c.n <= days + 1)):
        series[meter_id].append((_aware(at), Decimal(value)))
    found = []
    for meter_id, points in series.items():
        points.sort()
        if len(points) < days + 1:
            continue  # no daily readings: no judgement
        steps = list(itertools.pairwise(points))
        daily = all(timedelta(hours=20) <= b[0] - a[0] <= timedelta(hours=28) for a, b in steps)
        if daily and all(b[1] > a[1] for a, b in steps):
            last_day = points[-1][0].astimezone(zone).date()
            found.append({"meter_id": meter_id, "kind": ALERT_LEAK,
                          "month": month_start(last_day), "value": Decimal(days),
                          "compared_with": None})
    return found


# --- what residents see -----------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigure:
    """One month of one meter, with what it is compared with."""

    month: date
    used: Decimal | None
    estimated: bool
    last_year: Decimal | None
    median: Decimal | None
    start: Decimal | None = None  # the meter's value at the month's start and end
    end: Decimal | None = None


@dataclass(frozen=True)
class MeterConsumption:
    """A remote meter of a unit with its last months (newest first)."""

    id: int
    kind: str
    serial_number: str
    place: str
    measure: str
    months: list[MonthFigure]
    units_compared: int | None  # how many units the building's median is over


def unit_consumption(unit_id: int, building_id: int, upto: date, count: int = HISTORY
                     ) -> list[MeterConsumption]:
    """The unit's remote meters with ``count`` months up to ``upto`` and the same months a
    year before, and the building's medians (two statements)."""
    first = months_back(upto, count - 1)
    since = first.replace(year=first.year - 1)
    meters = list(db.session.execute(
        select(Meter.id, Meter.kind, Meter.serial_number, Meter.place, Meter.measure,
               MeterMonth.month, MeterMonth.consumption, MeterMonth.estimated,
               MeterMonth.start_value, MeterMonth.end_value)
        .outerjoin(MeterMonth, and_(MeterMonth.meter_id == Meter.id, MeterMonth.month >= since,
                                    MeterMonth.month <= upto))
        .where(Meter.unit_id == unit_id, Meter.reading_mode == REMOTE)
        .order_by(Meter.kind, Meter.id)))
    medians = {(kind, measure, month): (median, units) for kind, measure, month, median, units
               in db.session.execute(
                   select(BuildingMonth.kind, BuildingMonth.measure, BuildingMonth.month,
                          BuildingMonth.median, BuildingMonth.units)
                   .where(BuildingMonth.building_id == building_id,
                          BuildingMonth.month >= first, BuildingMonth.month <= upto))}
    by_meter: dict[int, dict[str, Any]] = {}
    for row in meters:
        entry = by_meter.setdefault(row.id, {"row": row, "months": {}})
        if row.month is not None:
            entry["months"][row.month] = (row.consumption, row.estimated, row.start_value,
                                          row.end_value)
    result = []
    months = months_between(first, upto)[::-1]
    for entry in by_meter.values():
        row, figures = entry["row"], entry["months"]
        shown, compared = [], None
        for month in months:
            used, estimated, start, end = figures.get(month, (None, False, None, None))
            last_year = figures.get(month.replace(year=month.year - 1), (None,))[0]
            median, units = medians.get((row.kind, row.measure, month), (None, None))
            compared = compared or units
            shown.append(MonthFigure(month, used, estimated, last_year, median, start, end))
        result.append(MeterConsumption(row.id, row.kind, row.serial_number, row.place,
                                       row.measure, shown, compared))
    return result
