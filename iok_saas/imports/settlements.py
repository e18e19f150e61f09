"""The settlement company's file: settlements of buildings with their units' lines, checked to
add up to the grosz, all or nothing (docs/import-format.md, "Rozliczenia").

The file is a list of rows of three types, in order: a **building** row opens a settlement
(one building, one medium, one period: the bill and how it is split), the **unit** rows below
it are its units' lines, and the **meter** rows below a unit row are that unit's meters
(readings, coefficients). Columns are named by the cooperative's mapping
(``[settlements]`` in its file).

Checked, row by row and across rows: every unit's parts add up to its cost, its cost less its
advances to its result, its meters' units to its consumption, its area times the rate to its
fixed part (within a grosz of the company's rounding); the units' parts, areas and
consumption add up to the building's; a unit of another cooperative or building, a period
overlapping another settlement of the building's medium, negative consumption, a medium the
unit has no meter for, and monthly advances that differ from the ledger's charges (where the
cooperative names the ledger's component and the ledger holds the month) are refused. One
problem and nothing is saved.

Imported again, a settlement with the same figures adds nothing; with other figures it is a
correction: a new version, the old one kept and marked replaced, each line that differs
naming the line it corrects.

Memory stays flat: lines go to the database in batches (their meters and ledger months looked
up a batch at a time); only one running sum per settlement is kept.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from iok_saas.db import db, utcnow
from iok_saas.db import settlements as settlement_sql
from iok_saas.estate.models import Building, Unit
from iok_saas.imports.reading import (
    ImportFileError,
    ImportReport,
    Message,
    csv_cells,
    detect_encoding,
    json_rows,
    parse_amount,
    parse_date,
    plain_name,
)
from iok_saas.jobs import enqueue
from iok_saas.settlements.models import (
    CREDIT,
    METER_KIND,
    PAYOUT,
    Settlement,
    SettlementLine,
)
from iok_saas.tenancy.settings import SETTLEMENT_COLUMNS, Settlements
from iok_saas.web.formatting import local_today, parse_decimal
from iok_saas.web.navigation import N_

BATCH = 1000
CENTS = Decimal("0.01")
GROSZ = Decimal("0.01")  # the company's rounding of one product
DELIVERY_JOB = "iok_saas.settlements.delivery.deliver_run"
BUILDING, UNIT, METER = "building", "unit", "meter"
REQUIRED = _l("empty field, but it is required")
REFUND_WORDS = {"zaliczenie": CREDIT, "zaliczona": CREDIT, "zaliczka": CREDIT,
                "na_poczet_oplat": CREDIT, "zaliczona_na_poczet_oplat": CREDIT,
                "wyplata": PAYOUT, "do_wyplaty": PAYOUT, "zwrot": PAYOUT}
MAX_QUANTITY = Decimal("100000000000")


def _money(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


@dataclass
class Line:
    """A unit's row, waiting for its meter rows."""

    number: int
    unit_id: int
    external_id: str
    values: dict[str, Any]
    readings: list[dict[str, str]] = field(default_factory=list)
    serials: list[tuple[int, str]] = field(default_factory=list)  # (file line, serial)
    units: Decimal = Decimal("0")  # its meters' units, summed
    bad: bool = False  # the unit's row had a problem: its meter rows are only checked


@dataclass
class Open:
    """The settlement being read: its new version and the running sums of its lines."""

    number: int
    settlement: Settlement
    previous: Settlement | None
    building_digest: str
    label: str
    fixed: Decimal = Decimal("0.00")
    variable: Decimal = Decimal("0.00")
    difference: Decimal = Decimal("0.00")
    cost: Decimal = Decimal("0.00")
    area: Decimal = Decimal("0.00")
    units: Decimal = Decimal("0")
    lines: int = 0
    broken: bool = False  # a row of it had a problem: its sums are not compared
    mix: int = 0  # the lines' digests added up: the same lines in any order, the same sum
    unit_ids: set[int] = field(default_factory=set)
    written: int = 0  # lines already in the database (a settlement longer than a batch)
    held: list[dict[str, Any]] = field(default_factory=list)  # its last batch, not written yet


@dataclass
class Outcome:
    """What the file came to."""

    settlements: int = 0  # new versions
    unchanged: int = 0  # settlements already imported with the same figures
    lines: int = 0  # in new versions
    new: int = 0  # lines of settlements imported for the first time
    corrected: int = 0  # lines differing from the version before
    unchanged_lines: int = 0  # lines as they were (in an unchanged or a corrected settlement)


class Cells:
    """One row's cells by our column names, with checks that note problems on the report."""

    def __init__(self, line: int, row: dict[str, str], report: ImportReport,
                 names: dict[str, str]) -> None:
        self.line, self.row, self.report, self.names = line, row, report, names
        self.before = report.problem_count

    @property
    def ok(self) -> bool:
        return self.report.problem_count == self.before

    def column(self, ours: str) -> str:
        """The file's name of our column (what a problem names)."""
        return self.names.get(ours, ours)

    def problem(self, ours: str, reason: Message) -> None:
        self.report.add(self.line, self.column(ours) if ours else "", reason)

    def string(self, ours: str, limit: int, *, required: bool = False) -> str:
        value = self.row.get(ours, "").strip()
        if required and not value:
            self.problem(ours, REQUIRED)
        elif len(value) > limit:
            self.problem(ours, _l("too long: at most %(limit)d characters, there are "
                                  "%(length)d", limit=limit, length=len(value)))
        return value

    def _given(self, ours: str, required: bool) -> str:
        """The cell's text; an empty one noted where it is required."""
        raw = self.row.get(ours, "").strip()
        if required and not raw:
            self.problem(ours, REQUIRED)
        return raw

    def date(self, ours: str, *, required: bool = False) -> date | None:
        raw = self._given(ours, required)
        if not raw:
            return None
        try:
            return parse_date(raw)
        except ValueError as exc:
            self.problem(ours, str(exc))
            return None

    def money(self, ours: str, *, required: bool = False, negative: bool = False) -> Decimal:
        raw = self._given(ours, required)
        if required and not raw:
            return Decimal("0.00")
        try:
            value = parse_amount(raw)
        except ValueError as exc:
            self.problem(ours, str(exc))
            return Decimal("0.00")
        if value < 0 and not negative:
            self.problem(ours, _l("cannot be negative"))
        return value

    def number(self, ours: str, *, required: bool = False, places: int = 3,
               negative_message: Message | None = None) -> Decimal | None:
        raw = self._given(ours, required)
        if not raw:
            return None
        try:
            value = parse_decimal(raw)
        except (ValueError, InvalidOperation):
            self.problem(ours, _l("not a number (e.g. 123,456)"))
            return None
        if abs(value) >= MAX_QUANTITY:
            self.problem(ours, _l("the number is too large"))
            return None
        if value != value.quantize(Decimal(1).scaleb(-places)):
            self.problem(ours, _l("at most %(num)d decimal places", num=places))
            return None
        if value < 0:
            self.problem(ours, negative_message or _l("cannot be negative"))
            return None
        return value


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _canonical(value: Any) -> Any:
    """A value as the digest sees it: ``72,5`` and ``72,50`` alike."""
    if isinstance(value, Decimal):
        return _text(value)
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def _digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(_canonical(values), sort_keys=True, default=str)
                          .encode()).hexdigest()


def _product(a: Decimal, b: Decimal) -> Decimal:
    return (a * b).quantize(CENTS, ROUND_HALF_UP)


def _parts_add_up(c: Cells, fixed: Decimal, variable: Decimal, difference: Decimal,
                  cost: Decimal) -> None:
    """The fixed part, the variable part and the difference make the cost."""
    if c.ok and fixed + variable + difference != cost:
        c.problem("koszt", _l(
            "the fixed part (%(fixed)s), the variable part (%(variable)s) and the "
            "difference (%(difference)s) add up to %(sum)s zł, not %(cost)s zł",
            fixed=_money(fixed), variable=_money(variable), difference=_money(difference),
            sum=_money(fixed + variable + difference), cost=_money(cost)))


def _split(c: Cells, basis: tuple[str, Decimal | None], rate: Decimal | None,
           part: tuple[str, Decimal], missing: Message, words: str) -> None:
    """A unit's part split by a basis (its area, its consumption) at the settlement's rate:
    the basis given, and basis × rate the part within the company's grosz of rounding.
    ``words``: the message (``basis``, ``rate``, ``sum``, ``cost``)."""
    (basis_column, value), (part_column, given) = basis, part
    if not given or rate is None:
        return
    if value is None:
        c.problem(basis_column, missing)
    elif abs(_product(value, rate) - given) > GROSZ:
        c.problem(part_column, _l(words, basis=_text(value).replace(".", ","),
                                  rate=_text(rate).replace(".", ","),
                                  sum=_money(_product(value, rate)), cost=_money(given)))


class Reader:
    """One file, read once."""

    def __init__(self, report: ImportReport, tenant_id: int, settings: Settlements,
                 run_id: int | None, dry_run: bool) -> None:
        self.report, self.tenant_id, self.settings = report, tenant_id, settings
        self.run_id, self.dry_run = run_id, dry_run
        self.names = {ours: settings.columns.get(ours, ours) for ours in SETTLEMENT_COLUMNS}
        self.rows = {plain_name(word): kind for word, kind in settings.rows.items()}
        self.media = {plain_name(word): medium for word, medium in settings.media.items()}
        self.buildings = {ext: ident for ext, ident in db.session.execute(
            select(Building.external_id, Building.id).where(Building.external_id.is_not(None)))}
        self.units = {ext: (ident, building) for ext, ident, building in db.session.execute(
            select(Unit.external_id, Unit.id, Unit.building_id)
            .where(Unit.external_id.is_not(None)))}
        self.today = local_today()
        self.now = utcnow()
        self.open: Open | None = None
        self.line: Line | None = None
        self.skipping = False  # the building's row above was refused: its rows are left be
        self.batch: list[Line] = []
        self.keys: dict[tuple[int, str], list[tuple[date, date, int]]] = {}
        self.outcome = Outcome()
        self.components = settings.ledger_components

    # -- the rows --------------------------------------------------------------------------

    def row(self, line: int, row: dict[str, str]) -> None:
        cells = Cells(line, row, self.report, self.names)
        kind = self.rows.get(plain_name(row.get("typ", "")))
        if kind is None:
            cells.problem("typ", _l("unknown type of row; allowed: %(words)s",
                                    words=", ".join(self.settings.rows)))
            return
        if kind == BUILDING:
            self._end_line()
            self._end_settlement()
            self._building(cells)
            self.skipping = self.open is None
        elif self.skipping:
            return
        elif kind == UNIT:
            self._end_line()
            if self.open is None:
                cells.problem("typ", _l("a unit's row must follow its building's row"))
                return
            self._unit(cells)
        else:
            if self.line is None:
                cells.problem("typ", _l("a meter's row must follow its unit's row"))
                return
            self._meter(cells, self.line)

    def finish(self) -> Outcome:
        self._end_line()
        self._end_settlement()
        if self.report.rows == 0 and self.report.ok:
            self.report.add(0, "", _l("The file contains no rows of data."))
        return self.outcome

    # -- a building ------------------------------------------------------------------------

    def _building(self, c: Cells) -> None:
        self.open = None
        external = c.string("budynek", 64, required=True)
        building_id = self.buildings.get(external)
        if external and building_id is None:
            c.problem("budynek", _l("there is no building with the identifier “%(id)s” in this "
                                    "cooperative", id=external))
        raw_medium = c.string("medium", 60, required=True)
        medium = self.media.get(plain_name(raw_medium))
        if raw_medium and medium is None:
            c.problem("medium", _l("unknown medium; allowed: %(words)s",
                                   words=", ".join(self.settings.media)))
        start, end = c.date("okres_od", required=True), c.date("okres_do", required=True)
        if start and end and start >= end:
            c.problem("okres_do", _l("the period must end after it starts"))
        elif end and end >= self.today:
            c.problem("okres_do", _l("the period has not ended yet: a settlement is made after "
                                     "its period"))
        cost = c.money("koszt", required=True)
        fixed, variable = c.money("koszt_staly"), c.money("koszt_zmienny")
        difference = c.money("koszt_roznicy", negative=True)
        _parts_add_up(c, fixed, variable, difference, cost)
        area = c.number("powierzchnia", places=2)
        fixed_rate = c.number("stawka_stala", places=4)
        units = c.number("jednostki")
        variable_rate = c.number("stawka_zmienna", places=4)
        quantity = c.number("ilosc")
        if fixed and fixed_rate is None:
            c.problem("stawka_stala", _l("the fixed part is split by area: give its rate "
                                         "(zł per m²)"))
        if variable and variable_rate is None:
            c.problem("stawka_zmienna", _l("the variable part is split by consumption: give "
                                           "its rate (zł per unit or m³)"))
        values = {"cost": cost, "fixed": fixed, "variable": variable, "difference": difference,
                  "area": area, "fixed_rate": fixed_rate, "units": units,
                  "variable_rate": variable_rate, "quantity": quantity,
                  "measure": c.string("jednostka", 12), "company": c.string("firma", 120)}
        if not c.ok or building_id is None or medium is None or start is None or end is None:
            return
        if self._overlaps(c, building_id, medium, start, end):
            return
        previous = db.session.scalar(select(Settlement).where(
            Settlement.building_id == building_id, Settlement.medium == medium,
            Settlement.period_start == start, Settlement.period_end == end,
            Settlement.replaced_at.is_(None)))
        settlement = Settlement(
            building_id=building_id, medium=medium, period_start=start, period_end=end,
            version=previous.version + 1 if previous else 1, company=values["company"],
            quantity=quantity, measure=values["measure"], cost=cost, fixed_cost=fixed,
            variable_cost=variable, difference_cost=difference, area=area,
            fixed_rate=fixed_rate, units=units, variable_rate=variable_rate, digest="",
            run_id=self.run_id, imported_at=self.now)
        db.session.add(settlement)
        db.session.flush()
        self.open = Open(c.line, settlement, previous,
                         _digest(values | {"medium": medium, "start": start, "end": end}),
                         f"{external} {raw_medium} {start:%d.%m.%Y}–{end:%d.%m.%Y}")

    def _overlaps(self, c: Cells, building_id: int, medium: str, start: date, end: date
                  ) -> bool:
        """A period overlapping another settlement of the building's medium (in the file or
        stored; the same period is a correction, not an overlap)."""
        seen = self.keys.setdefault((building_id, medium), [])
        for other_start, other_end, line in seen:
            if (other_start, other_end) == (start, end):
                c.problem("okres_od", _l("this building's settlement of this medium for this "
                                         "period is already given above in the file (row "
                                         "%(line)d)", line=line))
                return True
            if other_start <= end and start <= other_end:
                c.problem("okres_od", _l("the period overlaps another settlement of this "
                                         "building and medium above in the file (row "
                                         "%(line)d)", line=line))
                return True
        seen.append((start, end, c.line))
        clash = db.session.execute(select(Settlement.period_start, Settlement.period_end).where(
            Settlement.building_id == building_id, Settlement.medium == medium,
            Settlement.replaced_at.is_(None), Settlement.period_start <= end,
            Settlement.period_end >= start,
            or_(Settlement.period_start != start, Settlement.period_end != end)).limit(1)).first()
        if clash is not None:
            c.problem("okres_od", _l(
                "the period overlaps this building's settlement of this medium for "
                "%(start)s–%(end)s; a correction gives the same period",
                start=f"{clash[0]:%d.%m.%Y}", end=f"{clash[1]:%d.%m.%Y}"))
            return True
        return False

    # -- a unit ----------------------------------------------------------------------------

    def _unit(self, c: Cells) -> None:
        current = self.open
        assert current is not None
        external = c.string("lokal", 64, required=True)
        found = self.units.get(external)
        if external and found is None:
            c.problem("lokal", _l("there is no unit with the identifier “%(id)s” in this "
                                  "cooperative", id=external))
        elif found is not None and found[1] != current.settlement.building_id:
            c.problem("lokal", _l("the unit “%(id)s” is in another building than this "
                                  "settlement (row %(line)d)", id=external,
                                  line=current.number))
        elif found is not None and found[0] in current.unit_ids:
            c.problem("lokal", _l("this unit is already given above in this settlement"))
        settlement = current.settlement
        area = c.number("powierzchnia", places=2)
        consumption = c.number("zuzycie", negative_message=_l(
            "the consumption cannot be negative"))
        fixed, variable = c.money("koszt_staly"), c.money("koszt_zmienny")
        difference = c.money("koszt_roznicy", negative=True)
        cost, advances = c.money("koszt", required=True), c.money("zaliczki")
        result = c.money("wynik", required=True, negative=True)
        _parts_add_up(c, fixed, variable, difference, cost)
        if c.ok and cost - advances != result:
            c.problem("wynik", _l("the cost (%(cost)s zł) less the advances (%(advances)s zł) "
                                  "is %(sum)s zł, not %(result)s zł", cost=_money(cost),
                                  advances=_money(advances), sum=_money(cost - advances),
                                  result=_money(result)))
        _split(c, ("powierzchnia", area), settlement.fixed_rate, ("koszt_staly", fixed),
               _l("the fixed part is split by area: give the unit's area"),
               N_("%(basis)s m² × %(rate)s zł/m² is %(sum)s zł, not %(cost)s zł"))
        _split(c, ("zuzycie", consumption), settlement.variable_rate, ("koszt_zmienny", variable),
               _l("the variable part is split by consumption: give the unit's consumption"),
               N_("%(basis)s × %(rate)s zł is %(sum)s zł, not %(cost)s zł"))
        monthly = self._monthly(c, advances, settlement)
        due_on = c.date("termin")
        refund = ""
        if result > 0 and due_on is None and c.ok:
            c.problem("termin", _l("a surcharge needs the day it is to be paid by"))
        if result < 0:
            word = plain_name(c.string("nadplata", 60))
            refund = REFUND_WORDS.get(word, "") if word else self.settings.refund
            if not refund:
                c.problem("nadplata", _l("unknown value; allowed: zaliczenie (counted towards "
                                         "the fees), wypłata (paid out)"))
        document_no = c.string("dokument", 60)
        if not c.ok or found is None:
            current.broken = True
            self.line = Line(c.line, 0, external, {}, bad=True)
            return
        current.unit_ids.add(found[0])
        self.line = Line(c.line, found[0], external, {
            "area": area, "consumption": consumption, "fixed_cost": fixed,
            "variable_cost": variable, "difference_cost": difference, "cost": cost,
            "advances": advances, "advances_monthly": monthly, "result": result,
            "due_on": due_on, "refund": refund, "document_no": document_no})

    def _monthly(self, c: Cells, advances: Decimal, settlement: Settlement) -> dict[str, str]:
        """``2025-01=45,00|2025-02=45,00|…``: the advances month by month, within the period,
        adding up to the advances."""
        raw = c.string("zaliczki_miesieczne", 4000)
        if not raw:
            return {}
        months: dict[str, str] = {}
        total = Decimal("0.00")
        first = settlement.period_start.replace(day=1)
        for part in raw.split("|"):
            month, _, amount = part.strip().partition("=")
            month = month.strip()
            try:
                day = date.fromisoformat(f"{month}-01")
                value = parse_amount(amount)
            except ValueError:
                c.problem("zaliczki_miesieczne", _l("write the months as 2025-01=45,00|"
                                                    "2025-02=45,00 (“%(part)s”)",
                                                    part=part.strip()[:40]))
                return {}
            if not first <= day <= settlement.period_end or month in months:
                c.problem("zaliczki_miesieczne", _l(
                    "the month %(month)s is outside the period or given twice", month=month))
                return {}
            months[month] = f"{value:.2f}"
            total += value
        if c.ok and total != advances:
            c.problem("zaliczki_miesieczne", _l("the months add up to %(sum)s zł, the advances "
                                                "are %(advances)s zł", sum=_money(total),
                                                advances=_money(advances)))
        return months

    # -- a meter ---------------------------------------------------------------------------

    def _meter(self, c: Cells, line: Line) -> None:
        serial = c.string("licznik", 40, required=True)
        place = c.string("miejsce", 80)
        start = c.number("stan_poczatkowy")
        end = c.number("stan_koncowy")
        consumption = c.number("zuzycie", required=True, negative_message=_l(
            "the consumption cannot be negative"))
        if c.ok and start is not None and end is not None and end - start != consumption:
            if end < start:
                c.problem("stan_koncowy", _l("the reading at the end is lower than at the start: "
                                             "the consumption cannot be negative"))
            else:
                c.problem("zuzycie", _l("%(end)s − %(start)s is %(sum)s, not %(given)s",
                                        end=_text(end), start=_text(start),
                                        sum=_text(end - start), given=_text(consumption)))
        coefficient = c.number("wspolczynnik", places=4)
        units = c.number("jednostki")
        if c.ok and consumption is not None:
            factor = coefficient if coefficient is not None else Decimal(1)
            exact = (consumption * factor).quantize(Decimal("0.001"), ROUND_HALF_UP)
            if units is None:
                units = exact
            elif abs(units - exact) > GROSZ:
                c.problem("jednostki", _l("%(consumption)s × %(coefficient)s is %(sum)s, not "
                                          "%(units)s", consumption=_text(consumption),
                                          coefficient=_text(factor), sum=_text(exact),
                                          units=_text(units)))
        if not c.ok or units is None:
            if self.open is not None:
                self.open.broken = True
            return
        if line.bad:
            return
        line.readings.append({"serial": serial, "place": place, "start": _text(start),
                              "end": _text(end), "consumption": _text(consumption),
                              "coefficient": _text(coefficient), "units": _text(units)})
        line.serials.append((c.line, serial))
        line.units += units

    # -- ends ------------------------------------------------------------------------------

    def _end_line(self) -> None:
        line, self.line = self.line, None
        current = self.open
        if line is None or current is None or line.bad:
            return
        consumption = line.values["consumption"]
        if line.readings and consumption is not None and \
                abs(line.units - consumption) > GROSZ:
            self.report.add(line.number, self.names["zuzycie"], _l(
                "the unit's meters add up to %(sum)s, not %(given)s",
                sum=_text(line.units), given=_text(consumption)))
            current.broken = True
            return
        values = line.values
        current.fixed += values["fixed_cost"]
        current.variable += values["variable_cost"]
        current.difference += values["difference_cost"]
        current.cost += values["cost"]
        current.area += values["area"] or 0
        current.units += consumption or 0
        current.lines += 1
        self.batch.append(line)
        if len(self.batch) >= BATCH:
            self._write()

    def _write(self, last: bool = False) -> None:
        """The batch's lines: their meters found, their advances checked against the ledger,
        then saved."""
        batch, self.batch = self.batch, []
        current = self.open
        if not batch or current is None:
            return
        settlement = current.settlement
        meter_kind = METER_KIND[settlement.medium]
        meters = settlement_sql.meters_of(
            db.session, self.tenant_id, [line.unit_id for line in batch], meter_kind,
            settlement.period_start, settlement.period_end)
        component = self.components.get(settlement.medium)
        ledger = settlement_sql.charged(
            db.session, self.tenant_id, [line.unit_id for line in batch], component,
            f"{settlement.period_start:%Y-%m}", f"{settlement.period_end:%Y-%m}"
        ) if component else {}
        rows = []
        for line in batch:
            if not self._meters_found(line, meters.get(line.unit_id, {}), current) or (
                    component and not self._ledger_agrees(line, ledger, component)):
                current.broken = True
                continue
            values = line.values
            digest = _digest({k: v for k, v in values.items()} | {
                "readings": [{k: v for k, v in r.items() if k != "meter_id"}
                             for r in line.readings],
                "building": current.building_digest, "unit": line.external_id})
            current.mix = (current.mix + int(digest, 16)) % (1 << 256)
            rows.append(values | {
                "tenant_id": self.tenant_id, "settlement_id": settlement.id,
                "unit_id": line.unit_id, "line": line.number, "readings": line.readings,
                "digest": digest})
        if not rows or not self.report.ok:
            return
        if last and not current.written and current.previous is not None:
            current.held = rows  # written only if the settlement is not the same as before
            return
        _insert_lines(rows)
        current.written += len(rows)

    def _meters_found(self, line: Line, meters: dict[str, int], current: Open) -> bool:
        """The unit's meter rows name its meters of the medium; a unit consuming the medium
        has one."""
        ok = True
        for number, serial in line.serials:
            meter_id = meters.get(serial)
            if meter_id is None:
                self.report.add(number, self.names["licznik"], _l(
                    "the unit has no meter “%(serial)s” of this medium in the system",
                    serial=serial))
                ok = False
        for reading in line.readings:
            reading["meter_id"] = meters.get(reading["serial"])
        consumption = line.values["consumption"]
        if not meters and (line.readings or (consumption or 0) > 0) and \
                current.settlement.variable_rate is not None:
            self.report.add(line.number, self.names["lokal"], _l(
                "the unit has no meter of this medium in the system, but the settlement gives "
                "its consumption"))
            ok = False
        return ok

    def _ledger_agrees(self, line: Line, ledger: dict[tuple[int, str], Decimal],
                       component: str) -> bool:
        """The file's advances month by month against the ledger's charges of the component,
        for the months the ledger holds."""
        for month, amount in line.values["advances_monthly"].items():
            charged = ledger.get((line.unit_id, month))
            if charged is not None and charged != Decimal(amount):
                self.report.add(line.number, self.names["zaliczki_miesieczne"], _l(
                    "the advance for %(month)s is %(amount)s zł, the ledger charged "
                    "%(charged)s zł (“%(component)s”)", month=month,
                    amount=_money(Decimal(amount)), charged=_money(charged),
                    component=component))
                return False
        return True

    def _end_settlement(self) -> None:
        current = self.open
        if current is None:
            return
        self._write(last=True)
        self.open = None
        settlement = current.settlement
        checks = [
            ("koszt_staly", current.fixed, settlement.fixed_cost, True),
            ("koszt_zmienny", current.variable, settlement.variable_cost, True),
            ("koszt_roznicy", current.difference, settlement.difference_cost, True),
            ("koszt", current.cost, settlement.cost, True),
            ("powierzchnia", current.area, settlement.area, False),
            ("jednostki", current.units, settlement.units, False),
        ]
        if current.broken:
            return  # its rows' problems are listed; sums over them would only repeat them
        if current.lines == 0:
            self.report.add(current.number, "", _l("the settlement has no unit rows"))
            return
        for ours, summed, given, money in checks:
            if given is None or summed == given:
                continue
            self.report.add(current.number, self.names[ours], _l(
                "the units' rows add up to %(sum)s, the building's row gives %(given)s "
                "(%(settlement)s)", sum=_money(summed) if money else _text(summed),
                given=_money(given) if money else _text(given), settlement=current.label))
        if not self.report.ok:
            return
        digest = hashlib.sha256(
            f"{current.building_digest}:{current.mix:064x}".encode()).hexdigest()
        previous = current.previous
        if previous is not None and previous.digest == digest:
            if current.written:  # longer than a batch: its first lines were written
                db.session.execute(SettlementLine.__table__.delete().where(
                    SettlementLine.settlement_id == settlement.id))
            db.session.delete(settlement)
            db.session.flush()
            self.outcome.unchanged += 1
            self.outcome.unchanged_lines += current.lines
            return
        if current.held:
            _insert_lines(current.held)
        settlement.digest = digest
        self.outcome.settlements += 1
        self.outcome.lines += current.lines
        if previous is None:
            self.outcome.new += current.lines
        else:
            previous.replaced_at = self.now
            corrected, kept = _link_versions(previous.id, settlement.id)
            self.outcome.corrected += corrected
            self.outcome.unchanged_lines += kept
            self.outcome.new += current.lines - corrected - kept
        db.session.flush()


def _insert_lines(rows: list[dict[str, Any]]) -> None:
    """One executemany for the batch (``render_nulls``: a line without a due day does not
    start a statement of its own)."""
    db.session.execute(insert(SettlementLine).execution_options(render_nulls=True), rows)


def _link_versions(old_id: int, new_id: int) -> tuple[int, int]:
    """A new version's lines: the ones that differ from the old version's line of their unit
    name it (corrected); the same ones keep its delivered document. Returns how many differ
    and how many are the same."""
    old = aliased(SettlementLine)
    same = and_(old.settlement_id == old_id, old.unit_id == SettlementLine.unit_id)
    db.session.execute(update(SettlementLine).where(
        SettlementLine.settlement_id == new_id).values(
        corrects_id=select(old.id).where(same, old.digest != SettlementLine.digest)
        .scalar_subquery(),
        document_id=select(old.document_id).where(same, old.digest == SettlementLine.digest)
        .scalar_subquery(),
        delivered_at=select(old.delivered_at).where(same, old.digest == SettlementLine.digest)
        .scalar_subquery()), execution_options={"synchronize_session": False})
    corrected = db.session.scalar(select(func.count()).select_from(SettlementLine).where(
        SettlementLine.settlement_id == new_id, SettlementLine.corrects_id.is_not(None)))
    kept = db.session.scalar(select(func.count()).select_from(SettlementLine).join(
        old, and_(same, old.digest == SettlementLine.digest))
        .where(SettlementLine.settlement_id == new_id))
    return corrected or 0, kept or 0


def _rows(stream: BinaryIO, settings: Settlements, report: ImportReport
          ) -> Iterator[tuple[int, dict[str, str]]]:
    """Every row by our column names (the file's names by the cooperative's mapping)."""
    theirs = {plain_name(settings.columns.get(ours, ours)): ours for ours in SETTLEMENT_COLUMNS}
    if report.json:
        detect_encoding(stream, json=True)
        for line, row in json_rows(stream, tuple(theirs), report, key=settings.json_rows,
                                   others=True):
            yield line, {theirs[name]: value for name, value in row.items() if name in theirs}
        return
    header: list[str] = []
    typ = plain_name(settings.columns.get("typ", "typ"))
    rows = csv_cells(stream, detect_encoding(stream), tuple(theirs), (typ,), report,
                     delimiter=settings.delimiter.replace("\\t", "\t"), others=True,
                     header=header, section="settlements")
    first = next(rows, None)
    if first is None:
        return
    spots = [(index, theirs[name]) for index, name in enumerate(header) if name in theirs]
    for line, cells in itertools.chain((first,), rows):
        yield line, {ours: cells[index] for index, ours in spots}


def import_settlements(stream: BinaryIO, report: ImportReport, tenant_id: int,
                       settings: Settlements, run_id: int | None, dry_run: bool,
                       deliver: bool, progress: Any = None, size: int = 0) -> Outcome:
    """Read the file and save its settlements (the caller commits or rolls back); once
    committed, each new or corrected line's explanation is delivered to its unit (``deliver``)."""
    reader = Reader(report, tenant_id, settings, run_id, dry_run)
    try:
        for line, row in _rows(stream, settings, report):
            report.rows += 1
            reader.row(line, row)
            if progress is not None and report.rows % 10000 == 0:
                progress(stream.tell(), size)
    except ImportFileError:
        raise
    outcome = reader.finish()
    report.added, report.changed = outcome.new, outcome.corrected
    report.unchanged = outcome.unchanged_lines
    if report.ok:
        if outcome.unchanged:
            report.notes.append(str(_l(
                "Settlements already imported with the same figures (nothing changed): "
                "%(num)d.", num=outcome.unchanged)))
        if outcome.corrected:
            report.notes.append(str(_l(
                "Corrected lines (a new version; the previous one stays readable): %(num)d.",
                num=outcome.corrected)))
    if report.ok and not dry_run and deliver and outcome.lines:
        enqueue(DELIVERY_JOB, tenant_id, bulk=True, run_id=run_id)
    return outcome
