"""Residents: the monthly consumption of their remotely read meters ("Zużycie", art. 45c ust. 2
of the energy law) — for each unit they hold, each remote meter's last 12 complete months
beside the same months a year before and the building's median, as a table and a chart.

The page follows "The read path": the units, every month of their remote meters in reach and
the buildings' medians come in one statement (``rowsets.together``), whatever the number of
units, meters and months. The months in reach are the 24 newest months with a figure (the
12 shown and the year before them: ``dense_rank``), so no date arithmetic is left to SQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import and_, bindparam, func, select
from wtforms import BooleanField

from iok_saas import files
from iok_saas.contacts import consents
from iok_saas.db import db
from iok_saas.db.rowsets import ordered, together
from iok_saas.estate.models import Unit
from iok_saas.estate.services import UnitRow, as_units, unit_ids_of, unit_rows
from iok_saas.meters import statements
from iok_saas.meters.consumption import (
    MeterConsumption,
    MonthFigure,
    month_start,
    months_back,
    months_between,
    previous_month,
)
from iok_saas.meters.models import (
    REMOTE,
    BuildingMonth,
    ConsumptionStatement,
    Meter,
    MeterMonth,
)
from iok_saas.meters.window import today
from iok_saas.tenancy.features import require_feature
from iok_saas.web import chart
from iok_saas.web.access import one_or_404
from iok_saas.web.forms import Form

bp = Blueprint("consumption", __name__, template_folder="templates")
require_feature(bp, "meters")

SHOWN = 12  # complete months on the page
IN_REACH = 2 * SHOWN  # and the same months a year before
LARGEST_ID = 2**31 - 1  # a unit's id is an INTEGER: anything above it is no unit


class UnitConsumption(NamedTuple):
    """A unit the person holds with its remote meters (each with its months, newest first)
    and its monthly statements (newest first)."""

    unit: UnitRow
    meters: list[MeterConsumption]
    statements: list[Any]


class EmailsForm(Form):
    """The person's choice of the monthly information and of the alerts by e-mail."""

    consumption = BooleanField(_l("Send me an e-mail when the monthly information on my "
                                  "units' consumption is ready"))
    consumption_alerts = BooleanField(_l("Warn me by e-mail of unusual consumption in my units "
                                         "(e.g. a possible leak)"))


def _chosen_unit() -> int | None:
    """``?lokal=<id>``: one unit's page; absent or empty, every unit. Anything but an id a
    unit could have is not found."""
    raw = request.args.get("lokal", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not 0 < int(raw) <= LARGEST_ID:
        abort(404)
    return int(raw)


@bp.get("/zuzycie")
@login_required
def index():
    """The consumption of the remote meters of every unit the resident holds (or of one)."""
    unit_id = _chosen_unit()
    units, upto = consumption_page(current_user.id, unit_id)
    if unit_id is not None and not units:
        abort(404)  # not theirs, another cooperative's, or none at all
    charts = {meter.id: _chart(meter) for entry in units for meter in entry.meters}
    emails = EmailsForm(consumption=current_user.consumption_emails,
                        consumption_alerts=current_user.consumption_alerts)
    return render_template("meters/consumption.html", units=units, upto=upto, charts=charts,
                           one_unit=unit_id is not None, emails=emails)


@bp.post("/zuzycie/powiadomienia")
@login_required
def emails():
    """Switch the monthly information and the alerts by e-mail on or off."""
    form = EmailsForm()
    if form.validate_on_submit():
        for name in ("consumption", "consumption_alerts"):
            consents.choose(current_user, name, bool(getattr(form, name).data))
        db.session.commit()
        flash(_("Your choice has been saved."), "success")
    return redirect(url_for("consumption.index"))


@bp.get("/zuzycie/informacja/<int:statement_id>.pdf")
@login_required
def statement(statement_id: int):
    """A monthly statement of one of the person's units, as PDF."""
    found = one_or_404(statements.find(statement_id, current_user.id))
    unit = db.session.get(Unit, found.unit_id)
    return files.download(statements.pdf(found, unit.address if unit else ""),
                          filename=f"informacja-o-zuzyciu-{found.month:%Y-%m}.pdf",
                          content_type="application/pdf")


def _chart(meter: MeterConsumption) -> chart.Chart | None:
    """This year's months beside the same months a year before (and the building's median
    where there is one), oldest first; a month without a figure stands empty."""
    kinds = ("used", "last_year", "median") if meter.units_compared else ("used", "last_year")
    zero = Decimal(0)
    points = [(f"{figure.month:%m.%y}",
               tuple(value if value is not None else zero
                     for value in (figure.used, figure.last_year, figure.median)[:len(kinds)]))
              for figure in reversed(meter.months)]
    return chart.grouped(points, kinds)


def consumption_page(user_id: int, unit_id: int | None = None
                     ) -> tuple[list[UnitConsumption], date]:
    """The person's units (or the one of them with ``unit_id``), each with its remote meters
    and their last 12 complete months — up to the newest month with a figure, or the month
    before this one — and the month the page ends with: one statement."""
    one = unit_id is not None
    rows = together(partial(_parts, one), key=("meters.consumption", one), user_id=user_id,
                    **({"unit_id": unit_id} if one else {}))
    months = [row.month for row in rows["meters"] if row.month is not None]
    upto = max(months, default=previous_month(month_start(today())))
    shown = months_between(months_back(upto, SHOWN - 1), upto)[::-1]
    medians = {(row.building_id, row.kind, row.measure, row.month): (row.median, row.units)
               for row in rows["medians"]}
    figures: dict[int, dict[date, tuple[Decimal, bool]]] = defaultdict(dict)
    meters: dict[int, Any] = {}
    for row in rows["meters"]:
        meters.setdefault(row.id, row)
        if row.month is not None:
            figures[row.id][row.month] = (row.consumption, row.estimated)
    by_unit: dict[int, list[MeterConsumption]] = defaultdict(list)
    for meter in meters.values():
        if meter.removed_on is not None and meter.removed_on < shown[-1] \
                and not figures[meter.id].keys() & set(shown):
            continue  # removed before the months shown
        by_unit[meter.unit_id].append(_meter(meter, figures[meter.id], medians, shown))
    kept: dict[int, list[Any]] = defaultdict(list)
    for row in rows["statements"]:
        kept[row.unit_id].append(row)
    return [UnitConsumption(unit, by_unit[unit.id], kept[unit.id])
            for unit in as_units(rows["units"])], upto


def _meter(row: Any, figures: dict[date, tuple[Decimal, bool]],
           medians: dict[tuple, tuple[Decimal, int]], shown: list[date]) -> MeterConsumption:
    """One meter's months (newest first) with last year's and the building's median; the
    oldest months with neither a figure nor one a year before are left out (a new meter)."""
    months, compared = [], None
    for month in shown:
        used, estimated = figures.get(month, (None, False))
        last_year = figures.get(month.replace(year=month.year - 1), (None, False))[0]
        median, units = medians.get((row.building_id, row.kind, row.measure, month), (None, None))
        compared = compared or units
        months.append(MonthFigure(month, used, estimated, last_year, median))
    while months and months[-1].used is None and months[-1].last_year is None:
        months.pop()
    return MeterConsumption(row.id, row.kind, row.serial_number, row.place, row.measure, months,
                            compared)


def _parts(one_unit: bool) -> dict[str, Any]:
    """The page's row sets: the units, each remote meter with its months in reach (a meter
    without any: one row with no month), the buildings' medians of the months shown."""
    person = bindparam("user_id")
    chosen = bindparam("unit_id") if one_unit else None
    held = [Unit.id.in_(unit_ids_of(person)), *([Unit.id == chosen] if one_unit else [])]
    mine = [Meter.reading_mode == REMOTE, Meter.unit_id.in_(select(Unit.id).where(*held))]
    ranked = (select(MeterMonth.meter_id, MeterMonth.month, MeterMonth.consumption,
                     MeterMonth.estimated,
                     func.dense_rank().over(order_by=MeterMonth.month.desc()).label("n"))
              .join(Meter, Meter.id == MeterMonth.meter_id).where(*mine).subquery())
    return {
        "units": unit_rows(person, chosen),
        "meters": ordered(
            select(Meter.id, Meter.unit_id, Unit.building_id, Meter.kind, Meter.serial_number,
                   Meter.place, Meter.measure, Meter.removed_on, ranked.c.month,
                   ranked.c.consumption, ranked.c.estimated)
            .join(Unit, Unit.id == Meter.unit_id)
            .outerjoin(ranked, and_(ranked.c.meter_id == Meter.id, ranked.c.n <= IN_REACH))
            .where(*mine),
            Meter.kind, Meter.id, ranked.c.month),
        "statements": ordered(
            select(ConsumptionStatement.id, ConsumptionStatement.unit_id,
                   ConsumptionStatement.month)
            .where(ConsumptionStatement.unit_id.in_(select(Unit.id).where(*held))),
            ConsumptionStatement.unit_id, ConsumptionStatement.month.desc()),
        "medians": ordered(
            select(BuildingMonth.building_id, BuildingMonth.kind, BuildingMonth.measure,
                   BuildingMonth.month, BuildingMonth.median, BuildingMonth.units)
            .where(BuildingMonth.building_id.in_(select(Unit.building_id).where(*held)),
                   BuildingMonth.month.in_(select(ranked.c.month).where(ranked.c.n <= SHOWN))),
            BuildingMonth.building_id, BuildingMonth.kind, BuildingMonth.month),
    }
