"""A small estate with its settlement company's files (issue 35), shared by the settlement
tests: one building of three units with heat-cost allocators and cold-water meters, a
resident holding the first unit, and the 2025 heating and water settlements written in the
cooperative's format (our column names for Zielone Wzgórza)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from itertools import count
from pathlib import Path

from iok_saas.auth.models import RESIDENT, User
from iok_saas.auth.passwords import hash_password
from iok_saas.db import db
from iok_saas.estate.models import Building, Unit, UnitTitle
from iok_saas.imports import run_import
from iok_saas.meters.models import Meter
from tests.helpers import TenantRef, in_tenant

PASSWORD = "Haslo12345x"
COLUMNS = ("typ", "budynek", "medium", "okres_od", "okres_do", "firma", "ilosc", "jednostka",
           "koszt", "koszt_staly", "koszt_zmienny", "koszt_roznicy", "powierzchnia",
           "stawka_stala", "stawka_zmienna", "jednostki", "lokal", "zuzycie", "zaliczki",
           "zaliczki_miesieczne", "wynik", "termin", "nadplata", "dokument", "licznik", "miejsce",
           "stan_poczatkowy", "stan_koncowy", "wspolczynnik")
_seq = count(1)


@dataclass(frozen=True)
class SettledEstate:
    """The building (``building``: its accounting id), its units A, B, C (accounting ids
    and database ids), the resident holding A, and the meters' serial numbers."""

    building: str
    building_id: int
    units: dict[str, str]  # "A" → accounting id
    unit_ids: dict[str, int]
    user_id: int
    identifier: str
    serial: str  # a prefix: f"{serial}-A1" …

    def __getitem__(self, letter: str) -> str:
        return self.units[letter]


def make_settled_estate(tenant: TenantRef, *, meters: bool = True, example: bool = False
                        ) -> SettledEstate:
    """The building, its units (50, 40 and 60 m²), allocators (A: two, B and C: one) and a
    cold-water meter in each, and a resident holding unit A; with ``example``, the ids
    docs/examples/rozliczenia-*.csv name (BUD-101, LOK-101-001…, meters H-EX-A1…)."""
    n = next(_seq)
    tag = "EX" if example else f"{tenant.slug[:3].upper()}{n}"
    with in_tenant(tenant):
        building = Building(street=f"ul. Rozliczeniowa {tag}", number=str(n),
                            postal_code="00-001", city="Testowo",
                            external_id="BUD-101" if example else f"B-{tag}")
        building.units = [Unit(number=str(i), external_id=f"LOK-101-00{i}" if example
                               else f"L-{tag}-{letter}") for i, letter in enumerate("ABC", 1)]
        user = User(identifier=f"R{tag}", role=RESIDENT, first_name="Anna",
                    last_name=f"Rozliczana{n}", email=f"r{tag.lower()}@example.org",
                    password_hash=hash_password(PASSWORD), must_change_password=False)
        db.session.add_all([building, user])
        db.session.flush()
        db.session.add(UnitTitle(unit_id=building.units[0].id, user_id=user.id,
                                 since=date(2020, 1, 1)))
        if meters:
            for unit, letter in zip(building.units, "ABC", strict=True):
                places = ["pokój", "kuchnia"] if letter == "A" else ["pokój"]
                for i, place in enumerate(places, 1):
                    db.session.add(Meter(unit_id=unit.id, kind="heat", measure="jedn.",
                                         serial_number=f"H-{tag}-{letter}{i}", place=place,
                                         installed_on=date(2020, 1, 1)))
                db.session.add(Meter(unit_id=unit.id, kind="cold_water",
                                     serial_number=f"W-{tag}-{letter}", place="łazienka",
                                     installed_on=date(2020, 1, 1)))
        db.session.flush()
        estate = SettledEstate(
            building.external_id, building.id,
            {letter: unit.external_id for letter, unit in zip("ABC", building.units,
                                                                strict=True)},
            {letter: unit.id for letter, unit in zip("ABC", building.units, strict=True)},
            user.id, user.identifier, tag)
    return estate


def _changed(rows: dict[str, dict], changes: dict[str, dict[str, str] | None]) -> list[dict]:
    """The rows with ``changes`` by row key: cells replaced, or (None) the row left out."""
    for key, cells in changes.items():
        if cells is None:
            del rows[key]
        else:
            rows[key] = rows[key] | cells
    return list(rows.values())


def months(amount: str, year: int = 2025) -> str:
    """Twelve equal monthly advances: ``2025-01=100,00|…``."""
    return "|".join(f"{year}-{m:02d}={amount}" for m in range(1, 13))


def heating_rows(e: SettledEstate, year: int = 2025, **changes: dict[str, str]) -> list[dict]:
    """The heating settlement for ``year``: 3000,00 zł = 1200,00 fixed (150 m² × 8 zł) +
    1800,00 variable (600 units × 3 zł). A: 1000,00, advances 1200,00 → refund 200,00; B:
    620,00, advances 600,00 → surcharge 20,00; C: 1380,00, advances 1380,00 → 0,00.
    ``changes`` by row key (building, A, A1, A2, B, B1, C, C1) replace cells."""
    tag = e.serial
    start, end = f"{year}-01-01", f"{year}-12-31"
    rows = {
        "building": {"typ": "budynek", "budynek": e.building, "medium": "CO", "okres_od": start,
                     "okres_do": end, "firma": "Rozliczenia Ciepła sp. z o.o.",
                     "ilosc": "420,5", "jednostka": "GJ", "koszt": "3000,00",
                     "koszt_staly": "1200,00", "koszt_zmienny": "1800,00",
                     "powierzchnia": "150,00", "stawka_stala": "8,0000",
                     "stawka_zmienna": "3,0000", "jednostki": "600"},
        "A": {"typ": "lokal", "lokal": e["A"], "powierzchnia": "50,00", "zuzycie": "200",
              "koszt_staly": "400,00", "koszt_zmienny": "600,00", "koszt": "1000,00",
              "zaliczki": "1200,00", "zaliczki_miesieczne": months("100,00", year),
              "wynik": "-200,00", "nadplata": "zaliczenie", "dokument": f"RZ/CO/{year}/A{tag}"},
        "A1": {"typ": "licznik", "licznik": f"H-{tag}-A1", "miejsce": "pokój",
               "stan_poczatkowy": "0", "stan_koncowy": "150", "zuzycie": "150",
               "wspolczynnik": "1", "jednostki": "150"},
        "A2": {"typ": "licznik", "licznik": f"H-{tag}-A2", "miejsce": "kuchnia",
               "stan_poczatkowy": "0", "stan_koncowy": "62,5", "zuzycie": "62,5",
               "wspolczynnik": "0,8", "jednostki": "50"},
        "B": {"typ": "lokal", "lokal": e["B"], "powierzchnia": "40,00", "zuzycie": "100",
              "koszt_staly": "320,00", "koszt_zmienny": "300,00", "koszt": "620,00",
              "zaliczki": "600,00", "zaliczki_miesieczne": months("50,00", year),
              "wynik": "20,00", "termin": f"{year + 2}-03-31", "dokument": f"RZ/CO/{year}/B{tag}"},
        "B1": {"typ": "licznik", "licznik": f"H-{tag}-B1", "miejsce": "pokój",
               "stan_poczatkowy": "10", "stan_koncowy": "110", "zuzycie": "100"},
        "C": {"typ": "lokal", "lokal": e["C"], "powierzchnia": "60,00", "zuzycie": "300",
              "koszt_staly": "480,00", "koszt_zmienny": "900,00", "koszt": "1380,00",
              "zaliczki": "1380,00", "wynik": "0,00"},
        "C1": {"typ": "licznik", "licznik": f"H-{tag}-C1", "stan_poczatkowy": "0",
               "stan_koncowy": "300", "zuzycie": "300"},
    }
    return _changed(rows, changes)


def water_rows(e: SettledEstate, year: int = 2025, **changes: dict[str, str]) -> list[dict]:
    """The cold water settlement for ``year``: the main meter 130 m³, the units' meters
    120 m³ (difference 10 m³ costing 150,00 zł, split by area); 120 m³ × 15 zł = 1800,00."""
    tag = e.serial
    rows = {
        "building": {"typ": "budynek", "budynek": e.building, "medium": "zimna woda",
                     "okres_od": f"{year}-01-01", "okres_do": f"{year}-12-31",
                     "ilosc": "130", "jednostka": "m³", "koszt": "1950,00",
                     "koszt_zmienny": "1800,00", "koszt_roznicy": "150,00",
                     "stawka_zmienna": "15,0000", "jednostki": "120", "powierzchnia": "150,00"},
        "A": {"typ": "lokal", "lokal": e["A"], "powierzchnia": "50,00", "zuzycie": "40",
              "koszt_zmienny": "600,00", "koszt_roznicy": "50,00", "koszt": "650,00",
              "zaliczki": "600,00", "wynik": "50,00", "termin": f"{year + 2}-03-31"},
        "A1": {"typ": "licznik", "licznik": f"W-{tag}-A", "stan_poczatkowy": "100",
               "stan_koncowy": "140", "zuzycie": "40"},
        "B": {"typ": "lokal", "lokal": e["B"], "powierzchnia": "40,00", "zuzycie": "30",
              "koszt_zmienny": "450,00", "koszt_roznicy": "40,00", "koszt": "490,00",
              "zaliczki": "500,00", "wynik": "-10,00"},
        "B1": {"typ": "licznik", "licznik": f"W-{tag}-B", "stan_poczatkowy": "0",
               "stan_koncowy": "30", "zuzycie": "30"},
        "C": {"typ": "lokal", "lokal": e["C"], "powierzchnia": "60,00", "zuzycie": "50",
              "koszt_zmienny": "750,00", "koszt_roznicy": "60,00", "koszt": "810,00",
              "zaliczki": "810,00", "wynik": "0,00"},
        "C1": {"typ": "licznik", "licznik": f"W-{tag}-C", "stan_poczatkowy": "5",
               "stan_koncowy": "55", "zuzycie": "50"},
    }
    return _changed(rows, changes)


def csv_text(rows: list[dict], columns: tuple[str, ...] = COLUMNS,
             names: dict[str, str] | None = None) -> str:
    """The rows as the company's CSV (``;``), with ``names`` renaming our columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([(names or {}).get(c, c) for c in columns])
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue()


def import_settlements(tenant: TenantRef, tmp_path: Path, rows: list[dict], *,
                       dry_run: bool = False, name: str = "rozliczenia.csv", text: str = ""):
    """Import the rows (or ``text``) as the cooperative's settlement file; the report."""
    path = tmp_path / f"{next(_seq)}-{name}"
    path.write_text(text or csv_text(rows), encoding="utf-8")
    with in_tenant(tenant):
        return run_import("settlements", path, filename=name, dry_run=dry_run,
                          actor="test")
