"""Readings: what residents see and submit, what staff decide and correct.

Whether a reading can be taken is decided in ``checks`` (by who submits it), when residents may
submit in ``window``, photos in ``photos``: the resident's form, the staff panel and the tests
see the same answers. Nothing here commits: the views do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, delete, func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from iok_saas.auth.models import User
from iok_saas.db import db, utcnow
from iok_saas.db.rowsets import ordered, together
from iok_saas.estate.models import Building, Unit
from iok_saas.estate.services import UnitRow, as_units, unit_ids_of, unit_rows
from iok_saas.mail.outbox import queue_message
from iok_saas.meters import photos
from iok_saas.meters.checks import ReadingError, check_resident, check_staff
from iok_saas.meters.models import (
    ACCEPTED,
    IMPORT_SOURCE,
    PENDING,
    REJECTED,
    RESIDENT_SOURCE,
    STAFF_SOURCE,
    Meter,
    Reading,
    ReadingCorrection,
    ReadingPhoto,
    RemoteReading,
    closed_reason,
)
from iok_saas.meters.window import today, window_message
from iok_saas.tenancy.settings import Readings as ReadingRules
from iok_saas.web.formatting import day, decimal_comma

# --- what residents see -----------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """A reading as the meters page shows it."""

    id: int | None
    value: Decimal
    read_on: date


@dataclass(frozen=True)
class MeterState:
    """A meter (the columns the page shows) with its latest accepted reading and the reading
    waiting for staff, if any."""

    meter: Any
    last: Seen | None
    pending: Seen | None
    closed: str | None  # "removed" / "expired"


def meters_page(user_id: int) -> tuple[list[UnitRow], dict[int, list[MeterState]]]:
    """The person's units and the meters of each with their states: one statement."""
    rows = together(_meters_parts, key="meters.index", user_id=user_id)
    on = today()
    states: dict[int, list[MeterState]] = defaultdict(list)
    for row in rows["meters"]:
        last = Seen(None, row.last_value, row.last_on) if row.last_on is not None else None
        pending = (Seen(row.pending_id, row.pending_value, row.pending_on)
                   if row.pending_id is not None else None)
        states[row.unit_id].append(MeterState(
            row, last, pending, closed_reason(row.removed_on, row.legalised_until, on)))
    return as_units(rows["units"]), states


def _meters_parts() -> dict[str, Any]:
    person = bindparam("user_id")
    theirs = select(Meter.id).where(Meter.unit_id.in_(unit_ids_of(person)))
    earlier, waiting = aliased(Reading), aliased(Reading)
    ranked = (select(earlier.meter_id, earlier.value, earlier.read_on, func.row_number().over(
        partition_by=earlier.meter_id, order_by=(earlier.read_on.desc(), earlier.id.desc())
    ).label("n")).where(earlier.meter_id.in_(theirs), earlier.status == ACCEPTED).subquery())
    remote = _last_remote(theirs)
    return {
        "units": unit_rows(person),
        "meters": ordered(
            select(Meter.id, Meter.unit_id, Meter.kind, Meter.serial_number, Meter.place,
                   Meter.measure, Meter.removed_on, Meter.legalised_until, Meter.reading_mode,
                   ranked.c.value.label("last_value"), ranked.c.read_on.label("last_on"),
                   waiting.id.label("pending_id"), waiting.value.label("pending_value"),
                   waiting.read_on.label("pending_on"),
                   remote.c.read_at.label("remote_at"), remote.c.value.label("remote_value"))
            .outerjoin(ranked, and_(ranked.c.meter_id == Meter.id, ranked.c.n == 1))
            .outerjoin(waiting, and_(waiting.meter_id == Meter.id, waiting.status == PENDING))
            .outerjoin(remote, remote.c.meter_id == Meter.id)
            .where(Meter.unit_id.in_(unit_ids_of(person))),
            Meter.kind, Meter.id),
    }


def _last_remote(meter_ids: Any) -> Any:
    """The last remote reading (``read_at``, ``value``) of each of these meters that has one,
    as a subquery: its newest moment per meter (the key's index), then that row."""
    newest = (select(RemoteReading.meter_id, func.max(RemoteReading.read_at).label("read_at"))
              .where(RemoteReading.meter_id.in_(meter_ids)).group_by(RemoteReading.meter_id)
              .subquery())
    return (select(RemoteReading.meter_id, RemoteReading.read_at, RemoteReading.value)
            .join(newest, and_(newest.c.meter_id == RemoteReading.meter_id,
                               newest.c.read_at == RemoteReading.read_at)).subquery())


def last_remote(meter_id: int) -> Any | None:
    """The meter's last remote reading (``read_at``, ``value``), or None."""
    found = _last_remote([meter_id])
    return db.session.execute(select(found.c.read_at, found.c.value)).first()


def _latest_accepted(meter_ids: list[int]) -> dict[int, Reading]:
    if not meter_ids:
        return {}
    ranked = (select(Reading.id, func.row_number().over(
        partition_by=Reading.meter_id, order_by=(Reading.read_on.desc(), Reading.id.desc())
    ).label("n")).where(Reading.meter_id.in_(meter_ids), Reading.status == ACCEPTED).subquery())
    rows = db.session.scalars(select(Reading).join(ranked, ranked.c.id == Reading.id)
                              .where(ranked.c.n == 1))
    return {r.meter_id: r for r in rows}


def resident_meter(user_id: int, meter_id: int) -> Meter | None:
    """The meter, if the resident holds a title to its unit (else None: a 404)."""
    return db.session.scalar(
        select(Meter).where(Meter.id == meter_id, Meter.unit_id.in_(unit_ids_of(user_id)))
        .options(joinedload(Meter.unit).joinedload(Unit.building)))


@dataclass(frozen=True)
class HistoryRow:
    """A reading with the consumption since the accepted reading before it."""

    reading: Reading
    consumption: Decimal | None
    has_photo: bool


def history(meter: Meter) -> list[HistoryRow]:
    """Every reading of the meter, newest first, with consumption (two queries)."""
    readings = list(db.session.scalars(
        select(Reading).where(Reading.meter_id == meter.id)
        .options(joinedload(Reading.corrections))
        .order_by(Reading.read_on, Reading.id)).unique())
    with_photo = photos.with_photo([r.id for r in readings])
    rows, previous = [], meter.initial_value if meter.installed_on else None
    for reading in readings:
        consumption = reading.value - previous if previous is not None else None
        rows.append(HistoryRow(reading, consumption, reading.id in with_photo))
        if reading.status == ACCEPTED:
            previous = reading.value
    return rows[::-1]


def state_from(meter: Meter, rows: list[HistoryRow]) -> MeterState:
    """The meter's state from its history (newest first): no further queries."""
    last = next((r.reading for r in rows if r.reading.status == ACCEPTED), None)
    pending = next((r.reading for r in rows if r.reading.status == PENDING), None)
    return MeterState(meter, last, pending, meter.closed_reason(today()))


def consumption_by_period(rows: list[HistoryRow]) -> list[tuple[date, Decimal]]:
    """(reading date, consumption) of accepted readings, oldest first, for the chart."""
    return [(row.reading.read_on, row.consumption) for row in reversed(rows)
            if row.reading.status == ACCEPTED and row.consumption is not None]


# --- residents' submissions --------------------------------------------------------------------


def submit(meter: Meter, user: User, value: Decimal, read_on: date, rules: ReadingRules, *,
           photo: bytes | None = None, confirmed: bool = False) -> Reading:
    """A resident's reading, pending until staff decide (no commit)."""
    _window_open(rules)
    high = check_resident(meter, value, read_on, rules, confirmed=confirmed)
    reading = Reading(meter_id=meter.id, value=value, read_on=read_on, source=RESIDENT_SOURCE,
                      status=PENDING, submitted_by_id=user.id, high_confirmed=high)
    try:
        with db.session.begin_nested():
            db.session.add(reading)
            db.session.flush()
    except IntegrityError:
        raise ReadingError(_l("A reading of this meter is already waiting for acceptance: it "
                              "can be changed or deleted.")) from None
    if photo is not None:
        photos.attach(reading, photo)
    return reading


def _window_open(rules: ReadingRules) -> None:
    message = window_message(rules)
    if message:
        raise ReadingError(message)


DECIDED = _l("The cooperative has already decided on this reading: it can no longer be changed "
             "or deleted.")


def decided_of(meter: Meter, reading_id: int) -> bool:
    """Whether the meter has this reading and staff have already decided it."""
    return db.session.scalar(select(Reading.id).where(
        Reading.id == reading_id, Reading.meter_id == meter.id,
        Reading.status != PENDING)) is not None


def pending_of(meter: Meter, reading_id: int) -> Reading | None:
    """The meter's reading if it still waits for staff (else None: nothing to change)."""
    return db.session.scalar(select(Reading).where(
        Reading.id == reading_id, Reading.meter_id == meter.id, Reading.status == PENDING))


def edit(reading: Reading, value: Decimal, read_on: date, rules: ReadingRules, *,
         photo: bytes | None = None, confirmed: bool = False) -> None:
    """Change a pending reading; refused once staff have decided (no commit)."""
    _window_open(rules)
    high = check_resident(reading.meter, value, read_on, rules, confirmed=confirmed)
    changed = db.session.execute(
        update(Reading).where(Reading.id == reading.id, Reading.status == PENDING)
        .values(value=value, read_on=read_on, high_confirmed=high, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise ReadingError(_l("The cooperative has already decided on this reading: it can no "
                              "longer be changed."))
    if photo is not None:
        photos.replace(reading, photo)
    db.session.expire(reading)


def withdraw(reading: Reading) -> None:
    """Delete a pending reading; refused once staff have decided (no commit)."""
    photos.remove(reading.id)
    removed = db.session.execute(
        delete(Reading).where(Reading.id == reading.id, Reading.status == PENDING)
        .execution_options(synchronize_session=False)).rowcount
    if not removed:
        raise ReadingError(_l("The cooperative has already decided on this reading: it can no "
                              "longer be deleted."))


# --- staff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """A pending reading as staff see it: the reading, its meter and unit, the meter's last
    accepted reading, the consumption since then and a warning."""

    id: int
    value: Decimal
    read_on: date
    meter_id: int
    kind: str
    serial: str
    measure: str
    address: str
    previous_value: Decimal | None
    previous_on: date | None
    consumption: Decimal | None
    warning: str
    has_photo: bool


QUEUE_PAGE = 200  # readings on one page of the clerk's queue


@dataclass(frozen=True)
class Queue:
    """One page of the clerk's readings queue and how many readings wait in all."""

    waiting: int
    page: int
    pages: int
    rows: list[QueueRow]


def queue(page: int = 1, per_page: int = QUEUE_PAGE) -> Queue:
    """One page of pending readings, oldest first, with the meter's last accepted reading
    and how many wait in all: one statement (two when the page asked for is past the last)."""
    found = _queue_rows(page, per_page)
    waiting = found["waiting"][0].count
    pages = max(1, -(-waiting // per_page))
    if page > pages:  # an old link after the queue shrank: its last page
        page = pages
        found = _queue_rows(page, per_page)
    return Queue(waiting, page, pages, [_queue_row(row) for row in found["rows"]])


def _queue_rows(page: int, per_page: int) -> dict[str, list]:
    return together(_queue_parts, key="meters.queue", skip=(page - 1) * per_page,
                    size=per_page)


def _queue_parts() -> dict[str, Any]:
    # The page is chosen among the readings alone (the queue's own index, in order), once (a
    # CTE), then only its rows are joined to their meters, units and earlier readings:
    # joining all 5 000 first took ten times as long.
    chosen = (select(Reading.id, Reading.meter_id).where(Reading.status == PENDING)
              .order_by(Reading.created_at, Reading.id)
              .offset(bindparam("skip")).limit(bindparam("size")).cte("queue_page"))
    earlier = aliased(Reading)
    ranked = (select(earlier.meter_id, earlier.value, earlier.read_on, func.row_number().over(
        partition_by=earlier.meter_id, order_by=(earlier.read_on.desc(), earlier.id.desc())
    ).label("n")).where(earlier.meter_id.in_(select(chosen.c.meter_id)),
                        earlier.status == ACCEPTED).subquery())
    photographed = select(ReadingPhoto.reading_id).where(
        ReadingPhoto.reading_id.in_(select(chosen.c.id)))
    return {
        "waiting": select(func.count().label("count")).select_from(Reading)
        .where(Reading.status == PENDING),
        "rows": ordered(
            select(Reading.id, Reading.value, Reading.read_on, Reading.high_confirmed,
                   Meter.id.label("meter_id"), Meter.kind, Meter.serial_number, Meter.measure,
                   Building.street, Building.number.label("building_number"),
                   Unit.number.label("unit_number"), Building.postal_code, Building.city,
                   ranked.c.value.label("previous_value"),
                   ranked.c.read_on.label("previous_on"),
                   Reading.id.in_(photographed).label("has_photo"))
            .select_from(chosen).join(Reading, Reading.id == chosen.c.id)
            .join(Meter, Meter.id == Reading.meter_id).join(Unit, Unit.id == Meter.unit_id)
            .join(Building, Building.id == Unit.building_id)
            .outerjoin(ranked, and_(ranked.c.meter_id == Reading.meter_id, ranked.c.n == 1)),
            Reading.created_at, Reading.id),
    }


def _queue_row(row: Any) -> QueueRow:
    previous = row.previous_value
    consumption = row.value - previous if previous is not None else None
    warning = ""
    if row.high_confirmed:
        warning = _l("consumption much higher than usual — the resident confirmed the reading")
    elif previous is not None and row.value < previous:
        warning = _l("lower than the last accepted reading")
    address = UnitRow(row.meter_id, row.street, row.building_number, row.unit_number,
                      row.postal_code, row.city).address
    return QueueRow(row.id, row.value, row.read_on, row.meter_id, row.kind, row.serial_number,
                    row.measure, address, previous, row.previous_on, consumption, warning,
                    bool(row.has_photo))


def decide(seen: dict[int, Decimal], actor: User, *, accept: bool, reason: str = "") -> int:
    """Accept or reject pending readings as staff saw them (reading id → value on the page):
    one decided meanwhile, or changed by the resident since, is skipped. Each resident who
    submitted gets one e-mail listing their decided readings. Returns how many (no commit).
    """
    if not seen:
        return 0
    decided = list(db.session.scalars(
        update(Reading).where(tuple_(Reading.id, Reading.value).in_(list(seen.items())),
                              Reading.status == PENDING)
        .values(status=ACCEPTED if accept else REJECTED, decided_by_id=actor.id,
                decided_at=utcnow(), reject_reason="" if accept else reason[:300])
        .returning(Reading.id).execution_options(synchronize_session=False)))
    if decided:
        _notify(decided, accept, reason)
    return len(decided)


def _notify(reading_ids: list[int], accepted: bool, reason: str) -> None:
    rows = db.session.execute(
        select(Reading, User).join(User, User.id == Reading.submitted_by_id)
        .where(Reading.id.in_(reading_ids), User.email.is_not(None))
        .options(joinedload(Reading.meter).joinedload(Meter.unit).joinedload(Unit.building))
    ).all()
    by_person: dict[int, tuple[User, list[Reading]]] = {}
    for reading, user in rows:
        by_person.setdefault(user.id, (user, []))[1].append(reading)
    for user, readings in by_person.values():
        queue_message("reading_accepted" if accepted else "reading_rejected", user.email, {
            "name": user.full_name, "reason": reason,
            "readings": [{"kind": r.meter.kind, "serial": r.meter.serial_number,
                          "address": r.meter.unit.address, "value": decimal_comma(r.value),
                          "measure": r.meter.measure, "date": day(r.read_on)}
                         for r in readings]}, user_id=user.id)


def enter(meter: Meter, value: Decimal, read_on: date, actor: User) -> Reading:
    """A reading staff copy from paper: accepted at once (no window; no commit)."""
    check_staff(meter, value, read_on)
    reading = Reading(meter_id=meter.id, value=value, read_on=read_on, source=STAFF_SOURCE,
                      status=ACCEPTED, submitted_by_id=actor.id, decided_by_id=actor.id,
                      decided_at=utcnow())
    db.session.add(reading)
    db.session.flush()
    return reading


def correct(reading: Reading, value: Decimal, read_on: date, reason: str, actor: User
            ) -> ReadingCorrection:
    """Staff change an accepted reading; the old value stays in the trail (no commit)."""
    if not reason.strip():
        raise ReadingError(_l("Please give the reason for the correction."), "reason")
    if reading.status != ACCEPTED:
        raise ReadingError(_l("Only accepted readings are corrected; a waiting one can be "
                              "accepted or rejected."))
    if reading.source == IMPORT_SOURCE:
        raise ReadingError(_l("This reading comes from the accounting system: it is corrected "
                              "there (the next import would overwrite it)."))
    check_staff(reading.meter, value, read_on, skip=reading.id)
    correction = ReadingCorrection(
        reading_id=reading.id, actor=f"{actor.full_name} ({actor.identifier})", at=utcnow(),
        old_value=reading.value, new_value=value, old_read_on=reading.read_on,
        new_read_on=read_on, reason=reason.strip()[:300])
    reading.value, reading.read_on, reading.exported_at = value, read_on, None
    db.session.add(correction)
    return correction


def find_meters(serial: str, limit: int = 20) -> list[Meter]:
    """Meters whose serial number contains ``serial`` (as typed: ``%`` and ``_`` are letters)."""
    return list(db.session.scalars(
        select(Meter).where(Meter.serial_number.icontains(serial, autoescape=True))
        .order_by(Meter.serial_number, Meter.id).limit(limit)))


def staff_meter(meter_id: int) -> Meter | None:
    """Any meter of the cooperative (staff)."""
    return db.session.scalar(select(Meter).where(Meter.id == meter_id).options(
        joinedload(Meter.unit).joinedload(Unit.building)))


def staff_reading(reading_id: int) -> Reading | None:
    """Any reading of the cooperative (staff)."""
    return db.session.scalar(select(Reading).where(Reading.id == reading_id).options(
        joinedload(Reading.meter).joinedload(Meter.unit).joinedload(Unit.building)))
