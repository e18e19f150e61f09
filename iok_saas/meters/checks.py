"""Whether a reading can be taken: its value, then the rules for whoever submits it.

Residents add the newest reading of a meter in service (``check_resident``). Staff may also
record the last reading of a removed or expired meter and correct older readings, whose value
must lie between the accepted readings before and after it (``check_staff``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from iok_saas.db import db
from iok_saas.meters.models import ACCEPTED, REMOTE, Meter, Reading
from iok_saas.meters.window import today
from iok_saas.tenancy.settings import Readings as ReadingRules
from iok_saas.web.formatting import day, decimal_comma, parse_decimal
from iok_saas.web.problems import DomainError

MAX_VALUE = Decimal("100000000000")  # 11 digits before the decimal point
PLACES = Decimal("0.001")


class ReadingError(DomainError):
    """The reading cannot be taken; the message says why (on the value field unless told)."""

    def __init__(self, message, field: str = "value") -> None:
        super().__init__(message, field)


class NeedsConfirmation(ReadingError):
    """Far above the usual consumption: the resident must confirm the value."""


def parse_value(raw: str) -> Decimal:
    """``1234,567`` / ``1234.567`` / ``1 234,5`` → Decimal; ReadingError otherwise."""
    if not (raw or "").strip():
        raise ReadingError(_l("Please enter the meter reading."))
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise ReadingError(_l("The meter reading is a number, e.g. 123,456.")) from None
    if value < 0:
        raise ReadingError(_l("The meter reading cannot be negative."))
    if value >= MAX_VALUE:
        raise ReadingError(_l("This number is too large for a meter reading."))
    if value != value.quantize(PLACES):
        raise ReadingError(_l("The meter reading may have at most 3 decimal places."))
    return value.quantize(PLACES)


def _accepted(meter: Meter, skip: int | None) -> list[Reading]:
    return list(db.session.scalars(
        select(Reading).where(Reading.meter_id == meter.id, Reading.status == ACCEPTED,
                              Reading.id != (skip or 0))
        .order_by(Reading.read_on, Reading.id)))


def _amount(value: Decimal, meter: Meter) -> str:
    return f"{decimal_comma(value)} {meter.measure}"


def _check_dates(meter: Meter, read_on: date) -> None:
    if read_on > today():
        raise ReadingError(_l("The reading date cannot be in the future."), "read_on")
    if meter.installed_on and read_on < meter.installed_on:
        raise ReadingError(_l("The meter was installed on %(date)s: the reading cannot be "
                              "earlier.", date=day(meter.installed_on)), "read_on")


REMOVED = _l("This meter has been removed: it takes no readings.")


def check_resident(meter: Meter, value: Decimal, read_on: date, rules: ReadingRules, *,
                   confirmed: bool = False) -> bool:
    """Raise ReadingError (or NeedsConfirmation) unless a resident may submit this reading;
    returns whether the value is far above the usual consumption (and was confirmed)."""
    if meter.reading_mode == REMOTE:
        raise ReadingError(_l("This meter is read remotely: its readings reach the cooperative "
                              "by themselves, so there is no need to submit one."))
    closed = meter.closed_reason(today())
    if closed == "removed":
        raise ReadingError(REMOVED)
    if closed == "expired":
        raise ReadingError(_l("This meter's legalisation has expired: it takes no readings. "
                              "The cooperative will replace it and let you know."))
    _check_dates(meter, read_on)
    accepted = _accepted(meter, None)
    if accepted:
        last = accepted[-1]
        if read_on < last.read_on:
            raise ReadingError(_l("The last accepted reading is from %(date)s: a new one cannot "
                                  "be earlier.", date=day(last.read_on)), "read_on")
        if value < last.value:
            raise ReadingError(_l("The meter reading cannot be lower than the last accepted "
                                  "reading (%(value)s).", value=_amount(last.value, meter)))
    elif value < meter.initial_value:
        raise ReadingError(_l("The meter reading cannot be lower than the reading at "
                              "installation (%(value)s).",
                              value=_amount(meter.initial_value, meter)))
    if len(accepted) < 2:
        return False
    try:
        _check_usual(meter, accepted, value, read_on, rules)
    except NeedsConfirmation:
        if not confirmed:
            raise
        return True
    return False


def check_staff(meter: Meter, value: Decimal, read_on: date, *, skip: int | None = None) -> None:
    """Raise ReadingError unless staff may record this reading: also on a removed or expired
    meter (up to its removal), and between the accepted readings around its date. ``skip``:
    the reading being corrected."""
    if meter.closed_reason(read_on) == "removed" or (
            meter.removed_on and read_on > meter.removed_on):
        raise ReadingError(REMOVED)
    _check_dates(meter, read_on)
    accepted = _accepted(meter, skip)
    before = [r for r in accepted if r.read_on <= read_on]
    after = [r for r in accepted if r.read_on > read_on]
    low = before[-1].value if before else meter.initial_value
    if value < low:
        raise ReadingError(_l("The meter reading cannot be lower than the accepted reading "
                              "before this date (%(value)s).", value=_amount(low, meter)))
    if after and value > after[0].value:
        raise ReadingError(_l("The meter reading cannot be higher than the accepted reading "
                              "of %(date)s (%(value)s).", date=day(after[0].read_on),
                              value=_amount(after[0].value, meter)))


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
        raise NeedsConfirmation(_l(
            "Consumption of %(used)s is much higher than usual (about %(expected)s on average "
            "in such a period). Please check the meter reading; if it is right, confirm it.",
            used=_amount(consumption, meter), expected=_amount(expected, meter)))
