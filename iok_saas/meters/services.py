"""Readings: what residents may submit, what staff decide, the history with consumption.

Every rule that decides whether a reading is taken lives here, so the resident's form, the
staff panel and the tests see the same answers. Messages are Polish (they are shown as they
are); the views only translate their own labels.
"""

from __future__ import annotations

import calendar
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from iok_saas.auth.models import User
from iok_saas.db import db, utcnow
from iok_saas.estate.models import Unit, UnitTitle
from iok_saas.mail.outbox import queue_message
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
)
from iok_saas.tenancy.settings import Readings as ReadingRules
from iok_saas.web.formatting import local_today

MAX_VALUE = Decimal("100000000000")  # 11 digits before the decimal point
PHOTO_SIDE = 1600
MAX_PIXELS = 40_000_000
ZERO = Decimal("0")


class ReadingError(ValueError):
    """The reading cannot be taken; the message says why (Polish)."""

    def __init__(self, message: str, field: str = "value") -> None:
        super().__init__(message)
        self.field = field


class NeedsConfirmation(ReadingError):
    """Far above the usual consumption: the resident must confirm the value."""


today = local_today  # the date every reading check and message uses


def parse_value(raw: str) -> Decimal:
    """``1234,567`` / ``1234.567`` / ``1 234,5`` → Decimal; ReadingError otherwise."""
    text = (raw or "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not text:
        raise ReadingError("Proszę wpisać stan licznika.")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ReadingError("Stan licznika to liczba, np. 123,456.") from None
    if not value.is_finite():
        raise ReadingError("Stan licznika to liczba, np. 123,456.")
    if value < 0:
        raise ReadingError("Stan licznika nie może być ujemny.")
    if value >= MAX_VALUE:
        raise ReadingError("Ta liczba jest za duża jak na stan licznika.")
    if value != value.quantize(Decimal("0.001")):
        raise ReadingError("Stan licznika może mieć najwyżej 3 cyfry po przecinku.")
    return value.quantize(Decimal("0.001"))


# --- the reading window ---------------------------------------------------------------------


def _day_in(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def window_open(rules: ReadingRules, on: date) -> bool:
    """Whether residents may submit readings on this day."""
    if rules.always_open:
        return True
    start = _day_in(on.year, on.month, rules.window_start_day)
    end = _day_in(on.year, on.month, rules.window_end_day)
    if start <= end:
        return start <= on <= end
    return on >= start or on <= end  # e.g. 25th to 5th of the next month


def window_opens(rules: ReadingRules, on: date) -> date | None:
    """The next day the window opens (None when it is open or always open)."""
    if window_open(rules, on):
        return None
    start = _day_in(on.year, on.month, rules.window_start_day)
    if start > on:
        return start
    year, month = (on.year + 1, 1) if on.month == 12 else (on.year, on.month + 1)
    return _day_in(year, month, rules.window_start_day)


# --- what residents see -----------------------------------------------------------------------


@dataclass(frozen=True)
class MeterState:
    """A meter with its latest accepted reading and the reading waiting for staff, if any."""

    meter: Meter
    last: Reading | None
    pending: Reading | None
    closed: str | None  # "removed" / "expired"


def meters_of(unit_ids: Iterable[int]) -> dict[int, list[MeterState]]:
    """Meters of these units with their states: three queries whatever the count."""
    unit_ids = list(unit_ids)
    if not unit_ids:
        return {}
    meters = list(db.session.scalars(
        select(Meter).where(Meter.unit_id.in_(unit_ids)).order_by(Meter.kind, Meter.id)))
    ids = [m.id for m in meters]
    latest = _latest_accepted(ids)
    pending = {r.meter_id: r for r in db.session.scalars(
        select(Reading).where(Reading.meter_id.in_(ids), Reading.status == PENDING))} if ids else {}
    day = today()
    result: dict[int, list[MeterState]] = defaultdict(list)
    for meter in meters:
        result[meter.unit_id].append(MeterState(meter, latest.get(meter.id),
                                                pending.get(meter.id), meter.closed_reason(day)))
    return result


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
        select(Meter).join(UnitTitle, UnitTitle.unit_id == Meter.unit_id)
        .where(Meter.id == meter_id, UnitTitle.user_id == user_id)
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
    photos = set(db.session.scalars(select(ReadingPhoto.reading_id).where(
        ReadingPhoto.reading_id.in_([r.id for r in readings])))) if readings else set()
    rows, previous = [], meter.initial_value if meter.installed_on else None
    for reading in readings:
        consumption = reading.value - previous if previous is not None else None
        rows.append(HistoryRow(reading, consumption, reading.id in photos))
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


# --- checks ----------------------------------------------------------------------------------


def _accepted(meter: Meter) -> list[Reading]:
    return list(db.session.scalars(
        select(Reading).where(Reading.meter_id == meter.id, Reading.status == ACCEPTED)
        .order_by(Reading.read_on, Reading.id)))


def check(meter: Meter, value: Decimal, read_on: date, rules: ReadingRules, *,
          confirmed: bool = False, skip: int | None = None, staff: bool = False) -> bool:
    """Raise ReadingError (or NeedsConfirmation) unless the reading can be taken; returns
    whether the value is far above the usual consumption (and was confirmed).

    Residents add the newest reading of a meter in service. Staff may also record the last
    reading of a removed or expired meter and correct older readings: their value must lie
    between the accepted readings before and after it.
    """
    day = today()
    closed = meter.closed_reason(read_on if staff else day)
    if closed == "removed" or (staff and meter.removed_on and read_on > meter.removed_on):
        raise ReadingError("Ten licznik został zdemontowany: nie przyjmuje odczytów.")
    if closed == "expired" and not staff:
        raise ReadingError("Temu licznikowi minęła data legalizacji: nie przyjmuje odczytów. "
                           "Spółdzielnia wymieni go i poinformuje o tym.")
    if read_on > day:
        raise ReadingError("Data odczytu nie może być z przyszłości.", "read_on")
    if meter.installed_on and read_on < meter.installed_on:
        raise ReadingError(f"Licznik zamontowano {meter.installed_on:%d.%m.%Y}: odczyt nie może "
                           "być wcześniejszy.", "read_on")
    accepted = [r for r in _accepted(meter) if r.id != skip]
    if staff:
        _check_between(meter, accepted, value, read_on)
        return False
    if accepted:
        last = accepted[-1]
        if read_on < last.read_on:
            raise ReadingError(f"Ostatni przyjęty odczyt jest z {last.read_on:%d.%m.%Y}: nowy nie "
                               "może być wcześniejszy.", "read_on")
        if value < last.value:
            raise ReadingError(f"Stan licznika nie może być niższy niż ostatni przyjęty odczyt "
                               f"({number(last.value)} {meter.measure}).")
    elif value < meter.initial_value:
        raise ReadingError(f"Stan licznika nie może być niższy niż stan przy montażu "
                           f"({number(meter.initial_value)} {meter.measure}).")
    if len(accepted) >= 2:
        try:
            _check_usual(meter, accepted, value, read_on, rules)
        except NeedsConfirmation:
            if not confirmed:
                raise
            return True
    return False


def _check_between(meter: Meter, accepted: list[Reading], value: Decimal, read_on: date) -> None:
    before = [r for r in accepted if r.read_on <= read_on]
    after = [r for r in accepted if r.read_on > read_on]
    low = before[-1].value if before else meter.initial_value
    if value < low:
        raise ReadingError(f"Stan licznika nie może być niższy niż przyjęty odczyt sprzed tej "
                           f"daty ({number(low)} {meter.measure}).")
    if after and value > after[0].value:
        raise ReadingError(f"Stan licznika nie może być wyższy niż przyjęty odczyt z "
                           f"{after[0].read_on:%d.%m.%Y} ({number(after[0].value)} "
                           f"{meter.measure}).")


def _check_usual(meter: Meter, accepted: list[Reading], value: Decimal, read_on: date,
                 rules: ReadingRules) -> None:
    first, last = accepted[0], accepted[-1]
    days = (last.read_on - first.read_on).days
    if days <= 0 or last.value <= first.value:
        return
    daily = (last.value - first.value) / days
    expected = daily * max((read_on - last.read_on).days, 1)
    consumption = value - last.value
    if consumption > expected * Decimal(str(rules.high_consumption_factor)):
        raise NeedsConfirmation(
            f"Zużycie {number(consumption)} {meter.measure} jest znacznie wyższe niż zwykle "
            f"(średnio około {number(expected)} {meter.measure} w takim czasie). Proszę "
            "sprawdzić stan licznika; jeśli jest prawidłowy, potwierdzić go.")


def number(value: Decimal) -> str:
    """``123,45``: decimal comma, no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")


# --- photos ----------------------------------------------------------------------------------


def clean_photo(data: bytes, rules: ReadingRules) -> bytes:
    """The photo as a JPEG at most 1600 px wide/high with no metadata; ReadingError if it is
    not an image or too large."""
    if len(data) > rules.photo_max_mb * 1024 * 1024:
        raise ReadingError(f"Zdjęcie jest za duże: najwyżej {rules.photo_max_mb} MB.", "photo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            # MPO: the JPEG many phones write (with a second, depth or HDR picture inside).
            if image.format not in ("JPEG", "MPO", "PNG", "WEBP"):
                raise ReadingError("To nie jest zdjęcie (JPEG, PNG lub WebP).", "photo")
            if image.width * image.height > MAX_PIXELS:  # a small file may unpack to gigabytes
                raise ReadingError("Zdjęcie ma za dużą rozdzielczość.", "photo")
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (PHOTO_SIDE, PHOTO_SIDE))  # decode at a reduced size
            image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.info = {}  # no EXIF, comments or other metadata in what is kept
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82)
    except ReadingError:
        raise
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError,
            SyntaxError):
        raise ReadingError("To nie jest zdjęcie (JPEG, PNG lub WebP).", "photo") from None
    return out.getvalue()


def photo_of_meter(meter: Meter, reading_id: int) -> bytes | None:
    """The stored photo of one of the meter's readings."""
    return db.session.scalar(
        select(ReadingPhoto.data).join(Reading, Reading.id == ReadingPhoto.reading_id)
        .where(ReadingPhoto.reading_id == reading_id, Reading.meter_id == meter.id))


# --- residents' submissions --------------------------------------------------------------------


def window_message(rules: ReadingRules) -> str | None:
    """Why residents cannot submit today (None: the window is open)."""
    opens = window_opens(rules, today())
    if opens is None:
        return None
    return (f"Odczyty przyjmujemy od {rules.window_start_day}. do {rules.window_end_day}. dnia "
            f"miesiąca. Najbliższy termin zaczyna się {opens:%d.%m.%Y}.")


def submit(meter: Meter, user: User, value: Decimal, read_on: date, rules: ReadingRules, *,
           photo: bytes | None = None, confirmed: bool = False) -> Reading:
    """A resident's reading, pending until staff decide (no commit)."""
    message = window_message(rules)
    if message:
        raise ReadingError(message)
    high = check(meter, value, read_on, rules, confirmed=confirmed)
    reading = Reading(meter_id=meter.id, value=value, read_on=read_on, source=RESIDENT_SOURCE,
                      status=PENDING, submitted_by_id=user.id, high_confirmed=high)
    try:
        with db.session.begin_nested():
            db.session.add(reading)
            db.session.flush()
    except IntegrityError:
        raise ReadingError("Na ten licznik czeka już odczyt na akceptację: można go poprawić "
                           "albo usunąć.") from None
    if photo is not None:
        db.session.add(ReadingPhoto(reading_id=reading.id, data=photo))
    return reading


DECIDED = "Ten odczyt został już rozpatrzony przez spółdzielnię: nie można go zmienić ani usunąć."


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
    message = window_message(rules)
    if message:
        raise ReadingError(message)
    high = check(reading.meter, value, read_on, rules, confirmed=confirmed)
    changed = db.session.execute(
        update(Reading).where(Reading.id == reading.id, Reading.status == PENDING)
        .values(value=value, read_on=read_on, high_confirmed=high, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise ReadingError("Ten odczyt został już rozpatrzony przez spółdzielnię: nie można go "
                           "zmienić.")
    if photo is not None:
        db.session.execute(delete(ReadingPhoto).where(ReadingPhoto.reading_id == reading.id))
        db.session.add(ReadingPhoto(reading_id=reading.id, data=photo))
    db.session.expire(reading)


def withdraw(reading: Reading) -> None:
    """Delete a pending reading; refused once staff have decided (no commit)."""
    db.session.execute(delete(ReadingPhoto).where(ReadingPhoto.reading_id == reading.id))
    removed = db.session.execute(
        delete(Reading).where(Reading.id == reading.id, Reading.status == PENDING)
        .execution_options(synchronize_session=False)).rowcount
    if not removed:
        raise ReadingError("Ten odczyt został już rozpatrzony przez spółdzielnię: nie można go "
                           "usunąć.")


# --- staff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """A pending reading as staff see it."""

    reading: Reading
    previous: Reading | None
    consumption: Decimal | None
    warning: str
    has_photo: bool


def queue(limit: int = 1000) -> list[QueueRow]:
    """Pending readings, oldest first, with the previous accepted value (four queries)."""
    pending = list(db.session.scalars(
        select(Reading).where(Reading.status == PENDING)
        .options(joinedload(Reading.meter).joinedload(Meter.unit).joinedload(Unit.building))
        .order_by(Reading.created_at, Reading.id).limit(limit)))
    meter_ids = [r.meter_id for r in pending]
    latest = _latest_accepted(meter_ids)
    photos = set(db.session.scalars(select(ReadingPhoto.reading_id).where(
        ReadingPhoto.reading_id.in_([r.id for r in pending])))) if pending else set()
    rows = []
    for reading in pending:
        previous = latest.get(reading.meter_id)
        consumption = reading.value - previous.value if previous else None
        warning = ""
        if reading.high_confirmed:
            warning = "zużycie dużo wyższe niż zwykle — mieszkaniec potwierdził stan"
        elif previous and reading.value < previous.value:
            warning = "niższy niż ostatni przyjęty odczyt"
        rows.append(QueueRow(reading, previous, consumption, warning, reading.id in photos))
    return rows


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
                          "address": r.meter.unit.address, "value": number(r.value),
                          "measure": r.meter.measure, "date": f"{r.read_on:%d.%m.%Y}"}
                         for r in readings]})


def enter(meter: Meter, value: Decimal, read_on: date, actor: User, rules: ReadingRules) -> Reading:
    """A reading staff copy from paper: accepted at once (no window; no commit)."""
    check(meter, value, read_on, rules, staff=True)
    reading = Reading(meter_id=meter.id, value=value, read_on=read_on, source=STAFF_SOURCE,
                      status=ACCEPTED, submitted_by_id=actor.id, decided_by_id=actor.id,
                      decided_at=utcnow())
    db.session.add(reading)
    db.session.flush()
    return reading


def correct(reading: Reading, value: Decimal, read_on: date, reason: str, actor: User,
            rules: ReadingRules) -> ReadingCorrection:
    """Staff change an accepted reading; the old value stays in the trail (no commit)."""
    if not reason.strip():
        raise ReadingError("Proszę podać powód korekty.", "reason")
    if reading.status != ACCEPTED:
        raise ReadingError("Poprawia się tylko przyjęte odczyty; oczekujący można przyjąć lub "
                           "odrzucić.")
    if reading.source == IMPORT_SOURCE:
        raise ReadingError("Ten odczyt pochodzi z systemu księgowego: poprawia się go tam "
                           "(następny import by go nadpisał).")
    check(reading.meter, value, read_on, rules, skip=reading.id, staff=True)
    correction = ReadingCorrection(
        reading_id=reading.id, actor=f"{actor.full_name} ({actor.identifier})", at=utcnow(),
        old_value=reading.value, new_value=value, old_read_on=reading.read_on,
        new_read_on=read_on, reason=reason.strip()[:300])
    reading.value, reading.read_on, reading.exported_at = value, read_on, None
    db.session.add(correction)
    return correction


def staff_meter(meter_id: int) -> Meter | None:
    """Any meter of the cooperative (staff)."""
    return db.session.scalar(select(Meter).where(Meter.id == meter_id).options(
        joinedload(Meter.unit).joinedload(Unit.building)))


def staff_reading(reading_id: int) -> Reading | None:
    """Any reading of the cooperative (staff)."""
    return db.session.scalar(select(Reading).where(Reading.id == reading_id).options(
        joinedload(Reading.meter).joinedload(Meter.unit).joinedload(Unit.building)))
