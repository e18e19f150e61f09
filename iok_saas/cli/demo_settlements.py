"""The demo's yearly settlements of 2025 (issue 35): heating by allocators and cold water and
sewage by the units' meters, for every unit of both cooperatives, written as the settlement
company's file in each cooperative's own format (Zielone Wzgórza: our column names; Bałtyk:
its company's names and row marks, ``[settlements]`` in its tenant file), left in
``instance/demo/`` and imported through the import's own checks.

What the demo shows:

* advances month by month exactly as the ledger charged them (``c.o.``, ``woda i ścieki``);
* heating: a fixed part by area and a variable part by the allocators' units (a corner room's
  radiator with a reduction coefficient), results both ways — a refund in the first demo
  resident's first unit, a surcharge in the second;
* water: the units' meter readings at the start and the end of the year (from the meters'
  own history), the difference between the building's main meter and the units' meters split
  by area, a surcharge booked in the ledger as the settlement's document (the page links to
  it);
* a correction: the first building's heating, issued again with two units' areas corrected
  (the resident sees "korekta", the first version stays readable);
* the water settlements are the documents the delivery demo delivered in March 2026 (with
  their proof; the time for questions has passed); the heating settlements were imported today
  (questions may be asked for 14 or 30 days).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import insert, select

from iok_saas.db import db
from iok_saas.estate.models import Unit
from iok_saas.finance.models import Account, LedgerEntry
from iok_saas.imports.reading import ImportReport
from iok_saas.imports.settlements import import_settlements
from iok_saas.meters.models import Meter, Reading
from iok_saas.settlements.models import COLD_WATER, Settlement, SettlementLine
from iok_saas.tenancy.info import TenantInfo
from iok_saas.tenancy.settings import SETTLEMENT_COLUMNS

YEAR = 2025
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
HEATING_MONTHS = {1, 2, 3, 4, 10, 11, 12}
FIXED_RATE = Decimal("9.8500")  # zł per m² a year: the heat supplier's fixed charges
UNIT_RATE = Decimal("2.4500")  # zł per allocator unit
WATER_PRICE = {"zielone-wzgorza": Decimal("14.2600"), "baltyk": Decimal("15.3800")}
COMPANY = {"zielone-wzgorza": "Rozliczenia Mediów Wielkopolska sp. z o.o.",
           "baltyk": "Pomorskie Centrum Rozliczeń sp. z o.o."}
# How much heat each unit used against what its advances would pay for (a refund below 1).
SHARE = {0: Decimal("0.86"), 1: Decimal("0.90"), 14: Decimal("1.12"), 26: Decimal("1.09")}
CENTS = Decimal("0.01")
Fees = list[tuple[str, Decimal, Decimal]]


@dataclass
class Settled:
    """The demo's settlements of one cooperative: the water lines by unit index (the delivery
    demo delivers them) and the rows of its file."""

    water: dict[int, SettlementLine]
    rows: list[dict[str, str]]


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _advances(fees: Fees, component: str, year: int = YEAR) -> list[tuple[str, Decimal]]:
    low, high = next((low, high) for name, low, high in fees if name == component)
    return [(f"{year}-{m:02d}", high if m in HEATING_MONTHS else low) for m in range(1, 13)]


def _area(index: int) -> Decimal:
    return Decimal("38.00") + Decimal(index % 5) * Decimal("9.50")


def _heating(building: str, units: list[tuple[int, Unit]], fees: list[Fees],
             corrected: dict[int, Decimal] | None = None, year: int = YEAR,
             milder: Decimal = Decimal(1)) -> list[dict[str, str]]:
    """One building's heating in ``year``: its units' lines (each with its allocator) under the
    building's row, the building's figures the sums of its units'; ``milder`` scales the heat
    the units used (the year before was colder or milder)."""
    lines = []
    totals = {"fixed": Decimal(0), "variable": Decimal(0), "area": Decimal(0),
              "units": Decimal(0)}
    for index, unit in units:
        area = (corrected or {}).get(index, _area(index))
        fixed = (area * FIXED_RATE).quantize(CENTS, ROUND_HALF_UP)
        months = _advances(fees[index], "c.o.", year)
        paid = sum(amount for _, amount in months)
        share = SHARE.get(index, Decimal("0.85") + Decimal((index * 13) % 31) / 100) * milder
        coefficient = Decimal("0.85") if index % 4 == 0 else Decimal("1")
        raw = ((paid - _area(index) * FIXED_RATE) / UNIT_RATE * share / coefficient
               ).quantize(Decimal("1"))
        units_after = (raw * coefficient).quantize(Decimal("0.001"))
        variable = (units_after * UNIT_RATE).quantize(CENTS, ROUND_HALF_UP)
        cost = fixed + variable
        result = cost - paid
        totals["fixed"] += fixed
        totals["variable"] += variable
        totals["area"] += area
        totals["units"] += units_after
        lines.append([{
            "typ": "unit", "lokal": unit.external_id, "powierzchnia": _amount(area),
            "zuzycie": _number(units_after), "koszt_staly": _amount(fixed),
            "koszt_zmienny": _amount(variable), "koszt": _amount(cost),
            "zaliczki": _amount(paid),
            "zaliczki_miesieczne": "|".join(f"{m}={_amount(a)}" for m, a in months),
            "wynik": _amount(result),
            "termin": f"{year + 2}-01-31" if result > 0 else "",
            "dokument": f"RC/{year}/{unit.external_id}"}, {
            "typ": "meter", "licznik": unit.heat_serial, "miejsce": "pokój narożny"
            if coefficient != 1 else "pokój", "stan_poczatkowy": "0",
            "stan_koncowy": _number(raw), "zuzycie": _number(raw),
            "wspolczynnik": _number(coefficient), "jednostki": _number(units_after)}])
    quantity = (totals["area"] * Decimal("0.52")).quantize(Decimal("0.1"))
    head = {"typ": "building", "budynek": building, "medium": "CO",
            "okres_od": f"{year}-01-01", "okres_do": f"{year}-12-31",
            "ilosc": _number(quantity), "jednostka": "GJ",
            "koszt": _amount(totals["fixed"] + totals["variable"]),
            "koszt_staly": _amount(totals["fixed"]), "koszt_zmienny": _amount(totals["variable"]),
            "powierzchnia": _amount(totals["area"]), "stawka_stala": _number(FIXED_RATE),
            "stawka_zmienna": _number(UNIT_RATE), "jednostki": _number(totals["units"])}
    return [head, *(row for pair in lines for row in pair)]


def _water(building: str, units: list[tuple[int, Unit]], fees: list[Fees], price: Decimal,
           readings: dict[int, tuple[Decimal, Decimal]]) -> list[dict[str, str]]:
    """One building's cold water and sewage: the units' meters, the main meter 3.5 % above
    their sum, the difference's cost split by area (the last unit takes the grosze left)."""
    used = {index: end - start for index, (start, end) in readings.items()}
    metered = sum(used.values(), Decimal(0))
    main = (metered * Decimal("1.035")).quantize(Decimal("0.1"))
    difference_cost = ((main - metered) * price).quantize(CENTS, ROUND_HALF_UP)
    area = sum((_area(index) for index, _ in units), Decimal(0))
    rows, left = [], difference_cost
    variable_total = Decimal(0)
    for number, (index, unit) in enumerate(units):
        start, end = readings[index]
        variable = (used[index] * price).quantize(CENTS, ROUND_HALF_UP)
        share = left if number == len(units) - 1 else (
            difference_cost * _area(index) / area).quantize(CENTS, ROUND_HALF_UP)
        left -= share
        months = _advances(fees[index], "woda i ścieki")
        paid = sum(amount for _, amount in months)
        cost = variable + share
        result = cost - paid
        variable_total += variable
        rows.append({
            "typ": "unit", "lokal": unit.external_id, "powierzchnia": _amount(_area(index)),
            "zuzycie": _number(used[index]), "koszt_zmienny": _amount(variable),
            "koszt_roznicy": _amount(share), "koszt": _amount(cost), "zaliczki": _amount(paid),
            "zaliczki_miesieczne": "|".join(f"{m}={_amount(a)}" for m, a in months),
            "wynik": _amount(result), "termin": "2026-04-30" if result > 0 else "",
            "dokument": f"RW/{YEAR}/{unit.external_id}"})
        rows.append({"typ": "meter", "licznik": unit.water_serial, "miejsce": "łazienka",
                     "stan_poczatkowy": _number(start), "stan_koncowy": _number(end),
                     "zuzycie": _number(used[index])})
    head = {"typ": "building", "budynek": building, "medium": "zimna woda",
            "okres_od": START.isoformat(), "okres_do": END.isoformat(), "ilosc": _number(main),
            "jednostka": "m³", "koszt": _amount(variable_total + difference_cost),
            "koszt_zmienny": _amount(variable_total), "koszt_roznicy": _amount(difference_cost),
            "stawka_zmienna": _number(price), "jednostki": _number(metered),
            "powierzchnia": _amount(area)}
    return [head, *rows]


def _meters(units: list[Unit]) -> None:
    """Each unit's allocator and cold water meter serial numbers, on the unit for the rows."""
    found = {(unit_id, kind): serial for unit_id, kind, serial in db.session.execute(
        select(Meter.unit_id, Meter.kind, Meter.serial_number).where(
            Meter.unit_id.in_([u.id for u in units]), Meter.kind.in_(("heat", "cold_water"))))}
    for unit in units:
        unit.heat_serial = found[(unit.id, "heat")]  # type: ignore[attr-defined]
        unit.water_serial = found[(unit.id, "cold_water")]  # type: ignore[attr-defined]


def _readings(units: list[tuple[int, Unit]]) -> dict[int, tuple[Decimal, Decimal]]:
    """Each unit's cold water meter at the start and the end of the year: the last accepted
    reading on or before each day (the meter's own history)."""
    values: dict[int, list[tuple[date, Decimal]]] = {}
    for unit_id, day, value in db.session.execute(
            select(Meter.unit_id, Reading.read_on, Reading.value)
            .join(Reading, Reading.meter_id == Meter.id)
            .where(Meter.unit_id.in_([u.id for _, u in units]), Meter.kind == "cold_water",
                   Reading.status == "accepted").order_by(Reading.read_on)):
        values.setdefault(unit_id, []).append((day, Decimal(value)))

    def at(unit_id: int, day: date) -> Decimal:
        return max(((d, v) for d, v in values[unit_id] if d <= day), default=values[unit_id][0]
                   )[1]

    return {index: (at(unit.id, START), at(unit.id, date(YEAR + 1, 1, 1)))
            for index, unit in units}


def _file(info: TenantInfo, rows: list[dict[str, str]]) -> str:
    """The rows as the cooperative's settlement company writes them (its column names and row
    marks)."""
    settings = info.settings.settlements
    words = {kind: word for word, kind in reversed(list(settings.rows.items()))}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=settings.delimiter.replace("\\t", "\t"),
                        lineterminator="\r\n")
    writer.writerow([settings.columns.get(name, name) for name in SETTLEMENT_COLUMNS])
    for row in rows:
        cells = row | {"typ": words[row["typ"]]}
        writer.writerow([cells.get(name, "") for name in SETTLEMENT_COLUMNS])
    return buffer.getvalue()


def demo_file(slug: str) -> Path:
    """Where the demo leaves the cooperative's settlement file."""
    return Path(current_app.config["INSTANCE_PATH"]) / "demo" / f"rozliczenia-{slug}.csv"


def _import(info: TenantInfo, rows: list[dict[str, str]], name: str) -> None:
    text = _file(info, rows)
    path = demo_file(info.slug).with_name(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    report = ImportReport(kind="settlements")
    import_settlements(io.BytesIO(text.encode()), report, info.id, info.settings.settlements,
                       None, False, False)
    if not report.ok:
        raise RuntimeError("The demo's settlement file is refused: " + "; ".join(report.lines()))


def populate(info: TenantInfo, units: list[Unit], fees: list[Fees]) -> Settled:
    """Import the cooperative's 2025 settlements and a correction (no commit). The water
    settlements are delivered by the delivery demo (``water_documents``, ``delivered``); the
    heating settlements were imported today and wait for the worker's delivery."""
    _meters(units)
    buildings: dict[int, list[tuple[int, Unit]]] = {}
    for index, unit in enumerate(units):
        buildings.setdefault(unit.building_id, []).append((index, unit))
    price = WATER_PRICE.get(info.slug, Decimal("14.5000"))
    rows: list[dict[str, str]] = []
    before: list[dict[str, str]] = []  # the heating of the year before, to compare with
    for members in buildings.values():
        external = members[0][1].building.external_id
        before += _heating(external, members, fees, year=YEAR - 1, milder=Decimal("0.94"))
        rows += _heating(external, members, fees)
        rows += _water(external, members, fees, price, _readings(members))
    for row in (*before, *rows):
        if row["typ"] == "building":
            row["firma"] = COMPANY.get(info.slug, "")
    _import(info, before, f"rozliczenia-{info.slug}-{YEAR - 1}.csv")
    _import(info, rows, f"rozliczenia-{info.slug}.csv")
    # The company's correction of the first building's heating: two areas were wrong.
    first = next(iter(buildings.values()))
    fixed = {first[0][0]: _area(first[0][0]) - Decimal("0.70"),
             first[1][0]: _area(first[1][0]) + Decimal("0.70")}
    correction = _heating(first[0][1].building.external_id, first, fees, fixed)
    correction[0]["firma"] = COMPANY.get(info.slug, "")
    _import(info, correction, f"rozliczenia-{info.slug}-korekta.csv")
    _book_water(units)
    lines = list(db.session.scalars(
        select(SettlementLine).join(SettlementLine.settlement)
        .where(Settlement.replaced_at.is_(None), Settlement.medium == COLD_WATER)))
    index_of = {unit.id: index for index, unit in enumerate(units)}
    return Settled({index_of[line.unit_id]: line for line in lines}, rows)


_PDFS: dict[tuple[str, str, str], bytes] = {}  # kept for the process: tests reset the demo often


def water_documents(info: TenantInfo, settled: Settled, units: list[Unit]
                    ) -> dict[int, tuple[bytes, str, str]]:
    """Each unit's water settlement as the delivery demo delivers it: (its explanation's PDF,
    title, file name) by unit index."""
    from iok_saas.cli.demo_delivery import PLANS
    from iok_saas.settlements.delivery import filename_of
    from iok_saas.settlements.pdf import explanation_pdf
    from iok_saas.settlements.services import title_of

    plan = PLANS.get(info.slug)
    found = {}
    for index, line in settled.water.items():
        if plan is not None:  # as delivered (the deadline for questions counts from it)
            line.settlement.imported_at = plan.settlement_at.astimezone(UTC) - timedelta(days=3)
            line.delivered_at = plan.settlement_at.astimezone(UTC) + timedelta(seconds=index)
        key = (info.slug, units[index].external_id or "", line.digest)
        if key not in _PDFS:
            _PDFS[key] = explanation_pdf(line, info.settings.settlements, info)
        found[index] = (_PDFS[key], title_of(line.settlement), filename_of(line))
    return found


def delivered(settled: Settled, documents: list) -> None:
    """The water lines keep the documents the delivery demo made of them."""
    for kind, index, document in documents:
        line = settled.water.get(index)
        if kind == "settlement" and line is not None:
            line.document_id, line.delivered_at = document.id, document.made_available_at


def _book_water(units: list[Unit]) -> None:
    """The accounting system booked each water settlement's result at the end of March 2026
    (its document number is the settlement's): a surcharge as a charge, a refund as a credit."""
    accounts = dict(db.session.execute(select(Account.unit_id, Account.id).where(
        Account.unit_id.in_([u.id for u in units]), Account.kind == "fees")).all())
    entries = []
    for line in db.session.scalars(select(SettlementLine).join(SettlementLine.settlement).where(
            Settlement.medium == COLD_WATER, Settlement.replaced_at.is_(None))):
        account_id = accounts.get(line.unit_id)
        if account_id is None or not line.result:
            continue
        entries.append({
            "account_id": account_id, "external_id": f"RW-{YEAR}-{line.unit_id}",
            "booked_on": date(YEAR + 1, 3, 31), "due_on": line.due_on,
            "period": f"{YEAR + 1}-03", "document_no": line.document_no,
            "component": "rozliczenie wody",
            "description": f"Rozliczenie wody i ścieków za {YEAR} r.",
            "charge": max(line.result, Decimal(0)), "payment": max(-line.result, Decimal(0))})
    if entries:
        db.session.execute(insert(LedgerEntry), entries)
