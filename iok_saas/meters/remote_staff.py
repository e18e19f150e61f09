"""Staff: remote meters (issue 33).

* The month's overview per building: its remote devices, those that sent no reading all month
  (a failed radio: listed with the unit and serial), the held readings and the alerts — one
  statement, however many buildings and devices.
* The held readings to decide, oldest first: a fault (the reading stays unused) or a replaced
  meter, recorded as a new meter of the same unit from the replacement's date, with the held
  reading as its first reading (and the old meter's later held readings that follow on).
* The recent alerts, and the month's consumption as CSV for the settlement company.

Every decision is in the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, and_, bindparam, case, func, insert, or_, select
from sqlalchemy.orm import joinedload
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from iok_saas import files
from iok_saas.audit import services as audit
from iok_saas.audit.models import METER_REPLACED, REMOTE_READING_FAULT
from iok_saas.db import db, utcnow
from iok_saas.db.rowsets import ordered, together
from iok_saas.estate.models import Building, Unit
from iok_saas.estate.services import UnitRow
from iok_saas.jobs import enqueue
from iok_saas.meters.checks import ReadingError, parse_value
from iok_saas.meters.consumption import boundary, month_start, next_month, previous_month
from iok_saas.meters.forms import KIND_LABELS
from iok_saas.meters.models import (
    ALERT_LEAK,
    HELD_DECREASE,
    HELD_FAULT,
    HELD_REPLACED,
    REMOTE,
    ConsumptionAlert,
    HeldReading,
    Meter,
    MeterMonth,
    RemoteReading,
)
from iok_saas.meters.window import today
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.formatting import csv_cell, day, decimal_comma, excel_csv
from iok_saas.web.forms import SAFE_TEXT, Form
from iok_saas.web.problems import DomainError, show

bp = Blueprint("remote_meters", __name__, url_prefix="/panel/liczniki-zdalne",
               template_folder="templates")
require_feature(bp, "meters")

SILENT_SHOWN = 500  # devices without a reading listed on the overview
HELD_SHOWN = 200  # held readings on the list, the oldest first
ALERTS_SHOWN = 100
SERIAL_MAX = 40  # Meter.serial_number
EARLIEST = date(2000, 1, 1)
CONSUMPTION_JOB = "iok_saas.meters.consumption.refresh"
CSV_COLUMNS = ("budynek", "lokal", "licznik", "rodzaj", "jednostka", "miesiąc",
               "stan początkowy", "stan końcowy", "zużycie", "szacunkowo")
ALREADY_DECIDED = _l("This reading has already been decided; nothing was changed.")
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def _zone() -> ZoneInfo:
    """The cooperative's time zone of remote readings (a date of the office's is local)."""
    return ZoneInfo(g.tenant.settings.remote_readings.timezone)


def chosen_month(raw: str | None) -> tuple[date, bool]:
    """The month ``?miesiac=RRRR-MM`` names (its first day) and whether it was understood;
    missing or not a month: the current one."""
    current = month_start(today())
    if not raw:
        return current, True
    found = _MONTH.fullmatch(raw.strip())
    if found and 2000 <= int(found[1]) <= 2999 and 1 <= int(found[2]) <= 12:
        return date(int(found[1]), int(found[2]), 1), True
    return current, False


def _address(row: Any) -> str:
    return UnitRow(0, row.street, row.building_number, row.unit_number, row.postal_code,
                   row.city).address


_PLACE = (Building.street, Building.number.label("building_number"),
          Unit.number.label("unit_number"), Building.postal_code, Building.city)


def _placed(stmt: Select, unit_id: Any, meter_id: Any = None) -> Select:
    """``stmt`` joined to the unit (and first the meter, given ``meter_id``: the column naming
    it) and the unit's building."""
    if meter_id is not None:
        stmt, unit_id = stmt.join(Meter, Meter.id == meter_id), Meter.unit_id
    return stmt.join(Unit, Unit.id == unit_id).join(Building, Building.id == Unit.building_id)


# --- the month's overview ----------------------------------------------------------------------


@dataclass(frozen=True)
class Silent:
    """A device in service that sent no reading in the month."""

    meter_id: int
    building_id: int
    serial: str
    kind: str
    address: str


@dataclass
class BuildingLine:
    """One building's month."""

    id: int
    address: str
    devices: int = 0
    silent: int = 0
    held: int = 0
    alerts: int = 0


@dataclass(frozen=True)
class Overview:
    """The month per building, the silent devices (at most ``SILENT_SHOWN``), and the held
    readings waiting for a decision (of any month)."""

    month: date
    buildings: list[BuildingLine]
    silent: list[Silent]
    waiting: int

    @property
    def silent_total(self) -> int:
        return sum(b.silent for b in self.buildings)


def _overview_parts() -> dict[str, Select]:
    start, end = bindparam("start"), bindparam("end")
    # Each device's readings in the month, by an outer join (the key leads with the meter: an
    # index range per device); a correlated EXISTS would escape the tenant filter's check.
    device = (Meter.id, Meter.unit_id, Meter.serial_number, Meter.kind)
    devices = (select(*device, func.count(RemoteReading.read_at).label("readings"))
               .outerjoin(RemoteReading, and_(RemoteReading.meter_id == Meter.id,
                                              RemoteReading.read_at >= start,
                                              RemoteReading.read_at < end))
               .where(Meter.reading_mode == REMOTE,
                      or_(Meter.installed_on.is_(None),
                          Meter.installed_on < bindparam("following")),
                      or_(Meter.removed_on.is_(None), Meter.removed_on > bindparam("first")))
               .group_by(*device).cte("remote_device"))
    street = (Building.id, Building.street, Building.number)
    held = (_placed(select(*street, func.count().label("held")).select_from(HeldReading),
                    None, HeldReading.meter_id)
            .where(HeldReading.decided_at.is_(None), HeldReading.read_at >= start,
                   HeldReading.read_at < end).group_by(*street))
    alerts = (_placed(select(*street, func.count().label("alerts"))
                      .select_from(ConsumptionAlert), None, ConsumptionAlert.meter_id)
              .where(ConsumptionAlert.month == bindparam("first")).group_by(*street))
    return {
        "devices": _placed(select(*street, func.count().label("devices"), func.sum(
            case((devices.c.readings > 0, 0), else_=1)).label("silent")).select_from(devices),
            devices.c.unit_id).group_by(*street),
        "held": held,
        "alerts": alerts,
        "silent": ordered(
            _placed(select(devices.c.id, devices.c.serial_number, devices.c.kind,
                           Building.id.label("building_id"), *_PLACE).select_from(devices),
                    devices.c.unit_id).where(devices.c.readings == 0),
            Building.street, Building.number, Unit.number, devices.c.serial_number,
            devices.c.id, limit=SILENT_SHOWN),
        "waiting": select(func.count().label("count")).select_from(HeldReading)
        .where(HeldReading.decided_at.is_(None)),
    }


def overview(month: date, zone: ZoneInfo) -> Overview:
    """The month's overview (one statement)."""
    following = next_month(month)
    found = together(_overview_parts, key="meters.remote_overview", first=month,
                     following=following, start=boundary(month, zone),
                     end=boundary(following, zone))
    lines: dict[int, BuildingLine] = {}
    for part in ("devices", "held", "alerts"):
        for row in found[part]:
            line = lines.setdefault(row.id, BuildingLine(row.id, f"{row.street} {row.number}"))
            for name in ("devices", "silent", "held", "alerts"):
                if name in row._fields:
                    setattr(line, name, int(getattr(row, name) or 0))
    silent = [Silent(row.id, row.building_id, row.serial_number, row.kind, _address(row))
              for row in found["silent"]]
    return Overview(month, sorted(lines.values(), key=lambda b: b.address), silent,
                    found["waiting"][0].count)


# --- held readings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldRow:
    """A held reading as the list shows it."""

    id: int
    read_at: datetime
    value: Decimal
    previous_value: Decimal | None
    reason: str
    meter_id: int
    kind: str
    serial: str
    measure: str
    address: str


def _held_parts() -> dict[str, Select]:
    waiting = HeldReading.decided_at.is_(None)
    return {
        "waiting": select(func.count().label("count")).select_from(HeldReading).where(waiting),
        "rows": ordered(
            _placed(select(HeldReading.id, HeldReading.read_at, HeldReading.value,
                           HeldReading.previous_value, HeldReading.reason,
                           Meter.id.label("meter_id"), Meter.kind, Meter.serial_number,
                           Meter.measure, *_PLACE), None, HeldReading.meter_id).where(waiting),
            HeldReading.read_at, HeldReading.id, limit=HELD_SHOWN),
    }


def held_readings() -> tuple[int, list[HeldRow]]:
    """How many held readings wait for a decision, and the oldest ``HELD_SHOWN`` of them (one
    statement)."""
    found = together(_held_parts, key="meters.remote_held")
    return found["waiting"][0].count, [
        HeldRow(r.id, r.read_at, r.value, r.previous_value, r.reason, r.meter_id, r.kind,
                r.serial_number, r.measure, _address(r)) for r in found["rows"]]


def held_reading(held_id: int) -> HeldReading | None:
    """A held reading of the cooperative with its meter, unit and building."""
    return db.session.scalar(select(HeldReading).where(HeldReading.id == held_id).options(
        joinedload(HeldReading.meter).joinedload(Meter.unit).joinedload(Unit.building)))


def last_stored(meter_id: int) -> RemoteReading | None:
    """The meter's latest stored remote reading."""
    return db.session.scalar(select(RemoteReading).where(RemoteReading.meter_id == meter_id)
                             .order_by(RemoteReading.read_at.desc()).limit(1))


def _actor_label(actor: Any) -> str:
    return f"{actor.full_name} ({actor.identifier})"[:160]


def _subject(meter: Meter) -> str:
    return f"{meter.serial_number}, {meter.unit.address}"[:120]


class AlreadyDecided(DomainError):
    """Someone decided the held reading first."""


def _open(held_id: int) -> HeldReading:
    """The held reading and its meter, locked until the transaction ends and read afresh (two
    clerks deciding at once: the second is told)."""
    fresh = {"populate_existing": True}
    held = db.session.scalar(select(HeldReading).where(HeldReading.id == held_id)
                             .with_for_update().execution_options(**fresh))
    if held is None:
        raise LookupError(held_id)
    db.session.scalar(select(Meter).where(Meter.id == held.meter_id).with_for_update()
                      .execution_options(**fresh))
    if held.decided_at is not None:
        raise AlreadyDecided(ALREADY_DECIDED)
    return held


def leave_out(held_id: int, actor: Any) -> HeldReading:
    """The office's decision: a fault; the reading stays unused (no commit). LookupError when
    the cooperative has no such held reading; DomainError when it is decided already."""
    held = _open(held_id)
    held.decided_at, held.decided_by, held.decision = utcnow(), _actor_label(actor), HELD_FAULT
    audit.record(REMOTE_READING_FAULT, actor=actor, identifier=_subject(held.meter),
                 meter=held.meter.serial_number, value=str(held.value),
                 read_at=held.read_at.isoformat(), held=held.id)
    return held


@dataclass(frozen=True)
class Replacement:
    """What the office knows of a replacement: the new meter's serial, the day, the old
    meter's last value."""

    serial: str
    on: date
    last_value: Decimal


def replacement_defaults(held: HeldReading, last: RemoteReading | None, zone: ZoneInfo
                         ) -> Replacement:
    """The same serial, the held reading's local date, the old meter's last stored value."""
    return Replacement(held.meter.serial_number, held.read_at.astimezone(zone).date(),
                       last.value if last is not None else held.meter.initial_value)


def _check(held: HeldReading, asked: Replacement, zone: ZoneInfo) -> RemoteReading | None:
    """Refuse what cannot be; the old meter's latest stored reading."""
    old = held.meter
    if held.reason != HELD_DECREASE:
        raise DomainError(_l("This reading is higher than a later one: a replacement does not "
                             "explain that. Please leave it out as a fault."))
    if old.removed_on is not None:
        raise DomainError(_l("Meter %(serial)s has already been recorded as removed on "
                             "%(date)s.", serial=old.serial_number, date=day(old.removed_on)))
    serial = asked.serial.strip()
    if not serial:
        raise DomainError(_l("Please enter the serial number of the new meter."), "serial")
    if len(serial) > SERIAL_MAX:
        raise DomainError(_l("A serial number has at most %(max)d characters.", max=SERIAL_MAX),
                          "serial")
    taken = db.session.scalar(select(Meter.id).where(
        func.upper(Meter.serial_number) == serial.upper(), Meter.id != old.id,
        Meter.removed_on.is_(None)).limit(1))
    if taken is not None:
        raise DomainError(_l("Another meter in service already has the serial number "
                             "%(serial)s.", serial=serial), "serial")
    if asked.on > today():
        raise DomainError(_l("The date of the replacement cannot be in the future."),
                          "replaced_on")
    if asked.on < EARLIEST:
        raise DomainError(_l("Please check the date of the replacement: it is too far in the "
                             "past."), "replaced_on")
    if old.installed_on is not None and asked.on < old.installed_on:
        raise DomainError(_l("The old meter was installed on %(date)s: the replacement cannot "
                             "be earlier.", date=day(old.installed_on)), "replaced_on")
    moment = boundary(asked.on, zone)
    last = last_stored(old.id)
    if last is not None and last.read_at > moment:
        raise DomainError(_l("The old meter has a reading of %(date)s: the replacement cannot "
                             "be earlier.", date=day(last.read_at.astimezone(zone))),
                          "replaced_on")
    if moment > held.read_at:
        raise DomainError(_l("The held reading is of %(date)s, when the new meter was already "
                             "in place: the replacement cannot be later.",
                             date=day(held.read_at.astimezone(zone))), "replaced_on")
    before = last.value if last is not None else old.initial_value
    if asked.last_value < before:
        raise DomainError(_l("The old meter showed %(value)s %(measure)s before: its last value "
                             "cannot be lower.", value=decimal_comma(before),
                             measure=old.measure), "last_value")
    if last is not None and last.read_at == moment and asked.last_value != last.value:
        raise DomainError(_l("The old meter has a reading of %(value)s %(measure)s at the moment "
                             "of the replacement: its last value is that reading.",
                             value=decimal_comma(last.value), measure=old.measure),
                          "last_value")
    return last


def record_replacement(held_id: int, asked: Replacement, actor: Any, zone: ZoneInfo
                       ) -> tuple[Meter, int]:
    """The office's decision: the meter was replaced (no commit). The old meter is removed on
    that day (its last value, if higher than its last stored reading, stored at that day's
    start); a new remote meter of the same unit, kind, place and measure starts from the held
    value, the held reading its first reading; the old meter's later held readings at or
    after that day that go on from it (none lower than the one before: a meter never goes
    down) become its readings too, the others stay held, as the new meter's (a file sent
    again finds them there). Returns the new meter and how many readings it got.
    LookupError / DomainError as ``leave_out``."""
    held = _open(held_id)
    last = _check(held, asked, zone)
    old, moment = held.meter, boundary(asked.on, zone)
    if last is None or (asked.last_value > last.value and last.read_at < moment):
        db.session.add(RemoteReading(meter_id=old.id, read_at=moment, value=asked.last_value))
    old.removed_on = asked.on
    new = Meter(unit_id=old.unit_id, kind=old.kind, serial_number=asked.serial.strip(),
                place=old.place, measure=old.measure, reading_mode=REMOTE,
                radio_id=old.radio_id, installed_on=asked.on, initial_value=held.value,
                external_id=None)
    db.session.add(new)
    db.session.flush()
    moved, running = [held], held.value
    for later in db.session.scalars(
            select(HeldReading).where(HeldReading.meter_id == old.id, HeldReading.id != held.id,
                                      HeldReading.decided_at.is_(None),
                                      HeldReading.read_at >= moment)
            .order_by(HeldReading.read_at, HeldReading.id)):
        if later.value >= running:
            moved.append(later)
            running = later.value
        else:  # the new meter's, and lower than its reading before: still for the office
            later.meter_id, later.previous_value, later.reason = new.id, running, HELD_DECREASE
    db.session.execute(insert(RemoteReading), [
        {"meter_id": new.id, "read_at": h.read_at, "value": h.value} for h in moved])
    now, who = utcnow(), _actor_label(actor)
    for reading in moved:
        reading.decided_at, reading.decided_by, reading.decision = now, who, HELD_REPLACED
    audit.record(METER_REPLACED, actor=actor, identifier=_subject(old),
                 meter=old.serial_number, into=new.serial_number, on=asked.on.isoformat(),
                 last_value=str(asked.last_value), held=held.id, value=str(held.value),
                 moved=len(moved), old_meter_id=old.id, new_meter_id=new.id)
    enqueue(CONSUMPTION_JOB, require_tenant_id(), bulk=True, first=moment.isoformat(),
            last=max(h.read_at for h in moved).isoformat())
    return new, len(moved)


# --- alerts and the month's consumption --------------------------------------------------------


@dataclass(frozen=True)
class AlertRow:
    """An alert as the list shows it."""

    id: int
    kind: str
    month: date
    value: Decimal
    compared_with: Decimal | None
    created_at: datetime
    meter_kind: str
    serial: str
    measure: str
    address: str


def recent_alerts(limit: int = ALERTS_SHOWN) -> list[AlertRow]:
    """The newest alerts with their meters and units (one statement)."""
    rows = db.session.execute(
        _placed(select(ConsumptionAlert.id, ConsumptionAlert.kind, ConsumptionAlert.month,
                       ConsumptionAlert.value, ConsumptionAlert.compared_with,
                       ConsumptionAlert.created_at, Meter.kind.label("meter_kind"),
                       Meter.serial_number, Meter.measure, *_PLACE),
                None, ConsumptionAlert.meter_id)
        .order_by(ConsumptionAlert.created_at.desc(), ConsumptionAlert.id.desc()).limit(limit))
    return [AlertRow(r.id, r.kind, r.month, r.value, r.compared_with, r.created_at,
                     r.meter_kind, r.serial_number, r.measure, _address(r)) for r in rows]


def _figure(value: Decimal) -> str:
    return f"{Decimal(value):.3f}".replace(".", ",")


def consumption_csv(month: date) -> str:
    """Every remote meter's figures of ``month`` for the settlement company: ``;``, decimal
    comma, UTF-8 with BOM, each text cell safe from spreadsheet formulas."""
    rows = db.session.execute(
        _placed(select(Building.street, Building.number, Unit.number.label("unit_number"),
                       Meter.serial_number, Meter.kind, Meter.measure, MeterMonth.start_value,
                       MeterMonth.end_value, MeterMonth.consumption, MeterMonth.estimated),
                None, MeterMonth.meter_id)
        .where(MeterMonth.month == month, Meter.reading_mode == REMOTE)
        .order_by(Building.street, Building.number, Unit.number, Meter.kind,
                  Meter.serial_number, Meter.id))
    with force_locale("pl"):  # the settlement company reads Polish, whoever downloads it
        kinds = {kind: str(label) for kind, label in KIND_LABELS.items()}
    return excel_csv(CSV_COLUMNS, (
        [csv_cell(f"{r.street} {r.number}"), csv_cell(r.unit_number), csv_cell(r.serial_number),
         csv_cell(kinds.get(r.kind, r.kind)), csv_cell(r.measure), f"{month:%Y-%m}",
         _figure(r.start_value), _figure(r.end_value), _figure(r.consumption),
         "tak" if r.estimated else "nie"] for r in rows))


# --- pages -------------------------------------------------------------------------------------


class ReplacementForm(Form):
    """The replacement of a meter, as the office records it."""

    serial = StringField(_l("Serial number of the new meter"), filters=[
        lambda v: v.strip() if isinstance(v, str) else v], validators=[
        DataRequired(_l("Please enter the serial number of the new meter.")),
        Length(max=SERIAL_MAX, message=_l("A serial number has at most %(max)d characters.",
                                          max=SERIAL_MAX)), SAFE_TEXT],
        render_kw={"autocomplete": "off"})
    replaced_on = DateField(_l("Date of the replacement"), validators=[
        DataRequired(_l("Please enter the date of the replacement."))])
    last_value = StringField(_l("Last value of the old meter"), validators=[
        DataRequired(_l("Please enter the last value of the old meter.")), Length(max=40)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"})


def _asked_month() -> tuple[date, bool]:
    """The month ``?miesiac=`` asks for; one that is not a month is told (the current one is
    used)."""
    raw = request.args.get("miesiac")
    month, understood = chosen_month(raw)
    if not understood:
        flash(_("“%(value)s” is not a month: please give it as YYYY-MM, e.g. 2026-11. The "
                "current month is shown.", value=(raw or "")[:20]), "error")
    return month, understood


@bp.get("/")
@staff_required
def index():
    """The month's overview (``?miesiac=RRRR-MM``; the current month by default)."""
    month, _understood = _asked_month()
    return render_template("meters/remote_overview.html", view=overview(month, _zone()),
                           previous=previous_month(month), following=next_month(month))


@bp.get("/zuzycie.csv")
@staff_required
def consumption_file() -> Response:
    """The month's consumption of every remote meter (``?miesiac=RRRR-MM``)."""
    month, understood = _asked_month()
    if not understood:
        return redirect(url_for("remote_meters.index"))
    return files.download(consumption_csv(month), filename=f"zuzycie-{month:%Y-%m}.csv",
                          content_type="text/csv")


@bp.get("/wstrzymane")
@staff_required
def held():
    """The held readings waiting for a decision, oldest first."""
    waiting, rows = held_readings()
    return render_template("meters/remote_held.html", waiting=waiting, rows=rows,
                           shown=HELD_SHOWN, decrease=HELD_DECREASE)


@bp.post("/wstrzymane/<int:held_id>/usterka")
@staff_required
def fault(held_id: int):
    """Leave the held reading out: a fault."""
    try:
        reading = leave_out(held_id, current_user)
    except LookupError:
        db.session.rollback()
        return one_or_404(None)
    except DomainError as error:
        db.session.rollback()
        show(error)
        return redirect(url_for("remote_meters.held"))
    meter = reading.meter
    done = _("The reading of %(value)s %(measure)s of %(date)s (meter %(serial)s) has been left "
             "out as a fault.", value=decimal_comma(reading.value), measure=meter.measure,
             date=day(reading.read_at.astimezone(_zone())), serial=meter.serial_number)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("remote_meters.held"))


@bp.route("/wstrzymane/<int:held_id>/wymiana", methods=["GET", "POST"])
@staff_required
def replace(held_id: int):
    """Record the replacement of the held reading's meter."""
    found = one_or_404(held_reading(held_id))
    if found.decided_at is not None:
        flash(str(ALREADY_DECIDED), "error")
        return redirect(url_for("remote_meters.held"))
    zone, form, last = _zone(), ReplacementForm(), last_stored(found.meter_id)
    if request.method == "GET":
        defaults = replacement_defaults(found, last, zone)
        form.serial.data, form.replaced_on.data = defaults.serial, defaults.on
        form.last_value.data = decimal_comma(defaults.last_value)
    elif form.validate_on_submit():
        old_serial = found.meter.serial_number
        try:
            asked = Replacement(form.serial.data, form.replaced_on.data,
                                parse_value(form.last_value.data))
            new, moved = record_replacement(held_id, asked, current_user, zone)
        except ReadingError as error:  # the value as typed
            form.last_value.errors = [str(error)]
        except LookupError:
            db.session.rollback()
            return one_or_404(None)
        except AlreadyDecided as error:
            db.session.rollback()
            show(error)
            return redirect(url_for("remote_meters.held"))
        except DomainError as error:
            db.session.rollback()
            show(error, form)
        else:
            db.session.commit()
            if new.serial_number == old_serial:
                done = ngettext(
                    "The replacement of meter %(old)s with a new one of the same number on "
                    "%(date)s has been recorded; the new meter has %(num)d reading.",
                    "The replacement of meter %(old)s with a new one of the same number on "
                    "%(date)s has been recorded; the new meter has %(num)d readings.", moved,
                    old=old_serial, date=day(asked.on))
            else:
                done = ngettext(
                    "The replacement of meter %(old)s with %(new)s on %(date)s has been "
                    "recorded; the new meter has %(num)d reading.",
                    "The replacement of meter %(old)s with %(new)s on %(date)s has been "
                    "recorded; the new meter has %(num)d readings.", moved,
                    old=old_serial, new=new.serial_number, date=day(asked.on))
            flash(done, "success")
            return redirect(url_for("remote_meters.held"))
    return render_template("meters/remote_replace.html", held=found, form=form, last=last,
                           zone=zone)


@bp.get("/alerty")
@staff_required
def alerts():
    """The newest consumption alerts."""
    return render_template("meters/remote_alerts.html", rows=recent_alerts(),
                           shown=ALERTS_SHOWN, leak=ALERT_LEAK)
