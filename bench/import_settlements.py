"""Yearly settlements of heat (issue 35) against a plain PostgreSQL ``COPY`` of the same lines.

    .venv/bin/python bench/import_settlements.py [--units 100000] [--repetitions 2]
        [--again-limit 120] [--profile]

Makes a fresh database (dropped at the end) with both reference cooperatives; Zielone Wzgórza
(the feature ``settlements`` switched on, whatever its tenant file says; its file uses our
column names) gets ``--units`` units in buildings of 60, each with one heat-cost allocator
(meter kind ``heat``), made by PostgreSQL itself (``INSERT … SELECT``). The settlement
company's CSV (docs/import-format.md, "Yearly settlements"; as ``tests/settlement_data.py``
writes it) holds the 2025 heating settlement of every building: a building row, then for each
unit a unit row and its allocator's meter row. The figures add up to the grosz: area (35–75
m²) × 8,0000 zł = the fixed part, units (100–400) × 3,0000 zł = the variable part, twelve
monthly advances; a third of the units owe a surcharge (with its due day), a third get a
refund, a third come out at 0,00; each building row gives its units' sums. Then, interleaved,
``--repetitions`` times:

* **COPY** (the floor) — the same lines, already resolved (settlement and unit ids, the
  readings and the monthly advances as the JSON the import stores), copied by PostgreSQL into
  a twin of ``settlement_line`` (``LIKE … INCLUDING ALL``: the same indexes and unique key,
  the same foreign keys: to the unit, the tenant and a twin of ``settlement`` whose rows, one
  a building, are inserted in the same timed transaction), by the superuser (no row-level
  security);
* **import** — ``run_import("settlements", …)`` as ``iok import settlements`` runs it: every
  row mapped and checked, every sum compared, the meters and the ledger's months looked up a
  batch at a time, the lines written, one transaction; the app's role under row-level
  security. The delivery job it queues goes to Redis database 6 (no worker: it is emptied at
  the end);
* **again** — the same file a second time: every settlement is read and compared and nothing
  changes (each settlement "bez zmian"). After ``--again-limit`` seconds (120) it is stopped
  (its statement cancelled: rolled back, the log shows the cancelled statement) and how far
  it got and its pace are reported.

Before each repetition the settlements and both twins are emptied (``DELETE`` without
foreign-key checks, ``VACUUM ANALYZE``). Memory: a thread reads this process's resident size
(``VmRSS``) every 0.2 s during each import; reported are the size before, the peak during it
and the size at each 10 000th row; the cooperative's unit look-up (one entry a unit, kept for
the whole file by design) is sized at the end, so the rest of the growth can be compared
between sizes of file. Reports seconds, unit lines per second and rows of the file per second,
and the ratio import/COPY (the import's lines per second as a share of COPY's). ``--profile``
adds, after the measured runs, one import and one re-import under cProfile (their own
functions by total time).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import hashlib
import json
import os
import pstats
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ADMIN, ROLE, Database, url  # noqa: E402

SLUG = "zielone-wzgorza"
PER_BUILDING = 60
YEAR = 2025
REDIS = "redis://127.0.0.1:6379/6"
EVERY = 10_000  # rows between two calls of the import's progress callback
# Our column names (docs/import-format.md), in the order tests/settlement_data.py writes them.
COLUMNS = ("typ", "budynek", "medium", "okres_od", "okres_do", "firma", "ilosc", "jednostka",
           "koszt", "koszt_staly", "koszt_zmienny", "koszt_roznicy", "powierzchnia",
           "stawka_stala", "stawka_zmienna", "jednostki", "lokal", "zuzycie", "zaliczki",
           "zaliczki_miesieczne", "wynik", "termin", "nadplata", "dokument", "licznik", "miejsce",
           "stan_poczatkowy", "stan_koncowy", "wspolczynnik")
LINE_COLUMNS = ("tenant_id", "settlement_id", "unit_id", "line", "area", "readings",
                "consumption", "fixed_cost", "variable_cost", "difference_cost", "cost",
                "advances", "advances_monthly", "result", "due_on", "refund", "document_no",
                "digest")


def admin(database: Database) -> psycopg.Connection:
    """A connection as the database's owner (no row-level security)."""
    return psycopg.connect(url(ADMIN, database.name, "postgresql"))


def make_estate(database: Database, units: int) -> int:
    """Zielone Wzgórza with the feature on and ``units`` units in buildings of
    ``PER_BUILDING``, one heat-cost allocator each; the cooperative's id."""
    buildings = -(-units // PER_BUILDING)
    with admin(database) as conn:
        tenant_id = conn.execute("UPDATE tenant SET settings = jsonb_set(settings::jsonb, "
                                 "'{features,settlements}', 'true')::json WHERE slug = %s "
                                 "RETURNING id", (SLUG,)).fetchone()[0]
        conn.execute(
            "INSERT INTO building (tenant_id, external_id, estate, street, number, postal_code,"
            " city, created_at, updated_at) "
            "SELECT %(t)s, 'RB-' || lpad(b::text, 5, '0'), 'Osiedle Ciepłe', "
            "'ul. Rozliczeniowa', (b + 1)::text, '62-095', 'Murowana Goślina', now(), now() "
            "FROM generate_series(0, %(b)s - 1) b", {"t": tenant_id, "b": buildings})
        conn.execute(
            "INSERT INTO unit (tenant_id, external_id, building_id, number, kind, created_at, "
            "updated_at) "
            "SELECT %(t)s, 'RL-' || lpad((n / %(per)s)::text, 5, '0') || '-' "
            "|| lpad((n %% %(per)s + 1)::text, 2, '0'), b.id, (n %% %(per)s + 1)::text, "
            "'flat', now(), now() "
            "FROM generate_series(0, %(n)s - 1) n JOIN building b ON b.tenant_id = %(t)s "
            "AND b.external_id = 'RB-' || lpad((n / %(per)s)::text, 5, '0') ORDER BY n",
            {"t": tenant_id, "n": units, "per": PER_BUILDING})
        conn.execute(
            "INSERT INTO meter (tenant_id, unit_id, kind, serial_number, place, measure, "
            "installed_on, initial_value, reading_mode, created_at, updated_at) "
            "SELECT u.tenant_id, u.id, 'heat', 'HCA-' || lpad(u.id::text, 8, '0'), 'pokój', "
            "'jedn.', date '2020-01-01', 0, 'typed', now(), now() "
            "FROM unit u WHERE u.tenant_id = %(t)s ORDER BY u.id", {"t": tenant_id})
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE building, unit, meter")
    return tenant_id


def money(grosze: int) -> str:
    """``-1234,56`` from -123456 grosze."""
    sign = "-" if grosze < 0 else ""
    whole, part = divmod(abs(grosze), 100)
    return f"{sign}{whole},{part:02d}"


def point(grosze: int) -> str:
    """``-1234.56``: as the import stores a month's advance and as COPY reads a number."""
    return money(grosze).replace(",", ".")


@dataclass
class Figures:
    """One unit's settlement, in grosze (area in hundredths of m²)."""

    area: int
    units: int
    fixed: int
    variable: int
    cost: int
    months: list[int]
    start: int

    @classmethod
    def of(cls, n: int) -> Figures:
        area = 3500 + (n % 5) * 1000  # 35,00 … 75,00 m²
        units = 100 + (n % 7) * 50  # 100 … 400 allocator units
        fixed, variable = area * 8, units * 300  # × 8,0000 zł/m², × 3,0000 zł/unit
        cost = fixed + variable
        base = cost // 12
        kind = n % 3
        if kind == 0:  # the advances were exactly the cost: 0,00
            months = [base] * 11 + [cost - 11 * base]
        elif kind == 1:  # 2 zł a month too little: a surcharge
            months = [base - 200] * 12
        else:  # 2 zł a month too much: a refund
            months = [base + 200] * 12
        return cls(area, units, fixed, variable, cost, months, (n * 37) % 1000)

    @property
    def advances(self) -> int:
        return sum(self.months)

    @property
    def result(self) -> int:
        return self.cost - self.advances


def make_files(database: Database, tenant_id: int, folder: Path) -> tuple[Path, Path, int]:
    """The company's CSV and the same lines resolved for COPY; the rows of the CSV."""
    export, raw = folder / "rozliczenia-co-2025.csv", folder / "rozliczenia-copy.csv"
    rows = 0
    with admin(database) as conn, conn.cursor(name="units") as cursor, \
            export.open("w", encoding="utf-8", newline="") as out, \
            raw.open("w", encoding="utf-8", newline="") as plain:
        cursor.itersize = 5000
        cursor.execute(
            "SELECT b.external_id, u.external_id, u.id, m.serial_number, m.id FROM unit u "
            "JOIN building b ON b.id = u.building_id JOIN meter m ON m.unit_id = u.id "
            "WHERE u.tenant_id = %s ORDER BY u.id", (tenant_id,))
        company = csv.writer(out, delimiter=";", lineterminator="\n")
        lines = csv.writer(plain, lineterminator="\n")
        company.writerow(COLUMNS)
        group: list[tuple] = []
        line = 1  # the header

        def flush() -> None:
            nonlocal line, rows
            building = group[0][0]
            figures = [Figures.of(n) for *_, n in group]
            company.writerow(_cells({
                "typ": "budynek", "budynek": building, "medium": "CO",
                "okres_od": f"{YEAR}-01-01", "okres_do": f"{YEAR}-12-31",
                "firma": "Rozliczenia Ciepła sp. z o.o.", "jednostka": "GJ",
                "ilosc": money(sum(f.units for f in figures) * 10).rstrip("0").rstrip(","),
                "koszt": money(sum(f.cost for f in figures)),
                "koszt_staly": money(sum(f.fixed for f in figures)),
                "koszt_zmienny": money(sum(f.variable for f in figures)),
                "powierzchnia": money(sum(f.area for f in figures)),
                "stawka_stala": "8,0000", "stawka_zmienna": "3,0000",
                "jednostki": str(sum(f.units for f in figures))}))
            line += 1
            settlement_id = int(building[3:]) + 1  # the twin's settlement of the building
            for (_, unit, unit_id, serial, meter_id, _n), f in zip(group, figures, strict=True):
                monthly = "|".join(f"{YEAR}-{m:02d}={money(amount)}"
                                   for m, amount in enumerate(f.months, 1))
                result = f.result
                line += 1
                company.writerow(_cells({
                    "typ": "lokal", "lokal": unit, "powierzchnia": money(f.area),
                    "zuzycie": str(f.units), "koszt_staly": money(f.fixed),
                    "koszt_zmienny": money(f.variable), "koszt": money(f.cost),
                    "zaliczki": money(f.advances), "zaliczki_miesieczne": monthly,
                    "wynik": money(result), "termin": f"{YEAR + 2}-03-31" if result > 0 else "",
                    "nadplata": "zaliczenie" if result < 0 else "",
                    "dokument": f"RZ/CO/{YEAR}/{unit}"}))
                company.writerow(_cells({
                    "typ": "licznik", "licznik": serial, "miejsce": "pokój",
                    "stan_poczatkowy": str(f.start), "stan_koncowy": str(f.start + f.units),
                    "zuzycie": str(f.units), "wspolczynnik": "1", "jednostki": str(f.units)}))
                readings = [{"serial": serial, "place": "pokój", "start": str(f.start),
                             "end": str(f.start + f.units), "consumption": str(f.units),
                             "coefficient": "1", "units": str(f.units), "meter_id": meter_id}]
                advances = {f"{YEAR}-{m:02d}": point(amount)
                            for m, amount in enumerate(f.months, 1)}
                lines.writerow((
                    tenant_id, settlement_id, unit_id, line, point(f.area),
                    json.dumps(readings, ensure_ascii=False), f.units, point(f.fixed),
                    point(f.variable), "0.00", point(f.cost), point(f.advances),
                    json.dumps(advances), point(result),
                    f"{YEAR + 2}-03-31" if result > 0 else "",
                    "credit" if result < 0 else "", f"RZ/CO/{YEAR}/{unit}",
                    hashlib.sha256(unit.encode()).hexdigest()))
                line += 1
            rows += 1 + 2 * len(group)
            group.clear()

        for n, (building, unit, unit_id, serial, meter_id) in enumerate(cursor):
            if group and group[0][0] != building:
                flush()
            group.append((building, unit, unit_id, serial, meter_id, n))
        if group:
            flush()
    return export, raw, rows


def _cells(row: dict[str, str]) -> list[str]:
    return [row.get(column, "") for column in COLUMNS]


def make_twins(database: Database) -> None:
    """Twins of ``settlement`` and ``settlement_line`` for COPY, with the same indexes, keys
    and foreign keys."""
    with admin(database) as conn:
        conn.execute("CREATE TABLE bench_settlement (LIKE settlement INCLUDING ALL)")
        conn.execute("ALTER TABLE bench_settlement ADD FOREIGN KEY (tenant_id, building_id) "
                     "REFERENCES building (tenant_id, id)")
        conn.execute("ALTER TABLE bench_settlement ADD FOREIGN KEY (tenant_id) "
                     "REFERENCES tenant (id)")
        conn.execute("CREATE TABLE bench_line (LIKE settlement_line INCLUDING ALL)")
        conn.execute("ALTER TABLE bench_line ADD FOREIGN KEY (tenant_id, settlement_id) "
                     "REFERENCES bench_settlement (tenant_id, id)")
        conn.execute("ALTER TABLE bench_line ADD FOREIGN KEY (tenant_id, unit_id) "
                     "REFERENCES unit (tenant_id, id)")
        conn.execute("ALTER TABLE bench_line ADD FOREIGN KEY (tenant_id, corrects_id) "
                     "REFERENCES bench_line (tenant_id, id)")
        conn.execute("ALTER TABLE bench_line ADD FOREIGN KEY (tenant_id) REFERENCES tenant (id)")


def reset(database: Database) -> None:
    """No settlements, no lines in the twins; the tables vacuumed. Foreign keys are not
    checked while they are emptied (``session_replication_role``): deleting lines checks each
    against ``settlement_line.corrects_id``, which has no index — a scan of the table a line
    (100 000 lines: not done after 15 minutes)."""
    with admin(database) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("DELETE FROM settlement_line")
        conn.execute("DELETE FROM settlement")
        conn.execute("DELETE FROM bench_line")
        conn.execute("DELETE FROM bench_settlement")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE settlement_line, settlement, bench_line, bench_settlement")


def copy_floor(database: Database, tenant_id: int, raw: Path) -> float:
    """Seconds PostgreSQL takes to insert the buildings' settlements and COPY the lines."""
    with admin(database) as conn:
        started = time.perf_counter()
        conn.execute(
            "INSERT INTO bench_settlement (id, tenant_id, building_id, medium, period_start, "
            "period_end, version, company, quantity, measure, cost, fixed_cost, variable_cost, "
            "difference_cost, area, fixed_rate, units, variable_rate, digest, imported_at) "
            "SELECT substr(b.external_id, 4)::int + 1, b.tenant_id, b.id, 'heating', "
            "%(start)s, %(end)s, 1, 'Rozliczenia Ciepła sp. z o.o.', 0, 'GJ', 0, 0, 0, 0, 0, 8,"
            " 0, 3, md5(b.external_id) || md5(b.external_id), now() FROM building b "
            "WHERE b.tenant_id = %(t)s",
            {"t": tenant_id, "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"})
        with conn.cursor() as cursor, cursor.copy(
                f"COPY bench_line ({', '.join(LINE_COLUMNS)}) FROM STDIN "
                "WITH (FORMAT csv, FORCE_NOT_NULL (refund))") as copy, raw.open("rb") as source:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


def rss_mb() -> float:
    """This process's resident size now (``VmRSS``)."""
    with open("/proc/self/status") as status:
        for row in status:
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) / 1024
    return 0.0


class Sampler:
    """The resident size every ``every`` seconds while in the ``with`` block: its peak."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.before = self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> Sampler:
        self.before = self.peak = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


class Stopper:
    """After ``limit`` seconds, cancels the statements the app's role runs in the database
    (every 0.2 s, until the ``with`` block ends): the import then stops as on any refusal
    of the database — rolled back, its report naming the cancelled statement."""

    def __init__(self, database: Database, limit: float | None) -> None:
        self.database, self.limit = database, limit
        self.fired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        if self.limit is None or self._done.wait(self.limit):
            return
        self.fired = True
        with admin(self.database) as conn:
            conn.autocommit = True
            while not self._done.wait(0.2):
                conn.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE "
                             "datname = %s AND usename = %s AND state = 'active'",
                             (self.database.name, ROLE))

    def __enter__(self) -> Stopper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


@dataclass
class Measured:
    """One import: its time, its memory, and where it was at each 10 000th row."""

    seconds: float
    before: float  # MB resident before it
    peak: float  # MB, the sampled peak during it
    report: Any
    marks: list[tuple[int, float, float]] = field(default_factory=list)  # (row, s, MB)
    stopped: bool = False  # past the limit: rolled back, ``seconds`` is how far it got

    @property
    def done(self) -> int:
        """Rows read when it was stopped."""
        return self.report.rows if self.stopped and self.report is not None else 0


def timed_import(database: Database, path: Path, limit: float | None = None) -> Measured:
    """One ``run_import("settlements", …)`` (not a dry run), its memory sampled; with
    ``limit``, stopped (rolled back) after so many seconds."""
    from sqlalchemy.exc import DBAPIError

    from iok_saas.db import db
    from iok_saas.imports import run_import

    marks: list[tuple[int, float, float]] = []
    started = 0.0

    def progress(done: int, total: int) -> None:
        if 0 < done < total:
            marks.append((EVERY * (len(marks) + 1), time.perf_counter() - started, rss_mb()))

    report = None
    with Sampler() as sampler, Stopper(database, limit) as stopper:
        started = time.perf_counter()
        try:
            report = run_import("settlements", path, actor="bench", progress=progress)
        except DBAPIError:  # cancelled as it recorded the run
            db.session.rollback()
        seconds = time.perf_counter() - started
    stopped = stopper.fired and (report is None or not report.ok)  # not if it ended first
    return Measured(seconds, sampler.before, sampler.peak, report, marks, stopped)


@dataclass
class Run:
    """One repetition: the floor, the import, the same file again."""

    copy_seconds: float
    first: Measured
    again: Measured

    @property
    def ratio(self) -> float:
        """The import's lines per second as a share of COPY's."""
        return self.copy_seconds / self.first.seconds


def lookup_mb(tenant_id: int) -> float:
    """The size of the import's look-up of the cooperative's units and buildings (what grows
    with the cooperative, by design): dicts, keys, tuples and ids, by ``sys.getsizeof``."""
    from sqlalchemy import select

    from iok_saas.db import db
    from iok_saas.estate.models import Building, Unit

    units = {ext: (ident, building) for ext, ident, building in db.session.execute(
        select(Unit.external_id, Unit.id, Unit.building_id))}
    buildings = dict(db.session.execute(select(Building.external_id, Building.id)).all())
    size = sys.getsizeof(units) + sys.getsizeof(buildings)
    for key, value in units.items():
        size += sys.getsizeof(key) + sys.getsizeof(value) + sys.getsizeof(value[0])
    for key, value in buildings.items():
        size += sys.getsizeof(key) + sys.getsizeof(value)
    db.session.rollback()
    return size / 1024 ** 2


def profile(path: Path, top: int) -> None:
    """One import and one re-import under cProfile: functions by their own time."""
    from iok_saas.imports import run_import

    for label in ("import (new)", "again (unchanged)"):
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        report = run_import("settlements", path, actor="bench")
        profiler.disable()
        print(f"\n--- cProfile, {label}: {time.perf_counter() - started:.1f} s, ok={report.ok}")
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)


def empty_redis() -> None:
    """The delivery jobs the imports queued (no worker runs them here)."""
    from redis import Redis

    Redis.from_url(REDIS).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=2)
    parser.add_argument("--again-limit", type=float, default=120,
                        help="stop the same file's second import after so many seconds "
                             "(at its next 10 000th row) and report how far it got")
    parser.add_argument("--profile", action="store_true",
                        help="after the measured runs, profile one import and one re-import")
    parser.add_argument("--top", type=int, default=30, help="functions a profile lists")
    args = parser.parse_args()
    load_before = os.getloadavg()
    runs: list[Run] = []
    units = args.units
    with Database(REDIS_URL=REDIS) as database, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        tenant_id = make_estate(database, units)
        export, raw, rows = make_files(database, tenant_id, Path(folder))
        make_twins(database)
        buildings = -(-units // PER_BUILDING)
        print(f"{units:,} units in {buildings:,} buildings, {rows:,} rows "
              f"({export.stat().st_size / 1024 ** 2:.1f} MB CSV), made in "
              f"{time.perf_counter() - started:.1f} s; load average {load_before[0]:.2f}",
              flush=True)
        from iok_saas.tenancy import tenant_context

        try:
            with database.app().app_context(), tenant_context(tenant_id):
                for repetition in range(args.repetitions):
                    reset(database)
                    copy_seconds = copy_floor(database, tenant_id, raw)
                    first = timed_import(database, export)
                    assert first.report.ok and first.report.added == units, (
                        first.report.added, first.report.lines()[:5])
                    again = timed_import(database, export, args.again_limit)
                    if not again.stopped:
                        assert again.report.ok and again.report.added == 0 and \
                            again.report.changed == 0 and again.report.unchanged == units, (
                                again.report.unchanged, again.report.lines()[:5])
                    runs.append(Run(copy_seconds, first, again))
                    print(f"repetition {repetition + 1}: COPY {copy_seconds:.1f} s, import "
                          f"{first.seconds:.1f} s, again {again.seconds:.1f} s"
                          f"{' (stopped)' if again.stopped else ''}, memory {first.before:.0f}"
                          f" → peak {first.peak:.0f} MB (again: peak {again.peak:.0f} MB); "
                          f"load {os.getloadavg()[0]:.2f}", flush=True)
                lookup = lookup_mb(tenant_id)
                if args.profile:
                    reset(database)
                    profile(export, args.top)
        finally:
            empty_redis()
    load_after = os.getloadavg()
    print(f"\n{units:,} unit lines ({rows:,} rows of the file), {len(runs)} interleaved "
          "repetitions")
    print(f"{'':28}{'seconds':>10}{'lines/s':>10}{'rows/s':>10}{'import ÷ COPY':>15}")
    for index, run in enumerate(runs, 1):
        print(f"{f'{index}. COPY (floor)':28}{run.copy_seconds:>10.1f}"
              f"{units / run.copy_seconds:>10,.0f}{rows / run.copy_seconds:>10,.0f}")
        print(f"{f'{index}. import (new)':28}{run.first.seconds:>10.1f}"
              f"{units / run.first.seconds:>10,.0f}{rows / run.first.seconds:>10,.0f}"
              f"{run.ratio:>15.3f}")
        again = run.again
        if again.stopped:
            print(f"{f'{index}. again (unchanged)':28}{again.seconds:>10.1f}  stopped after "
                  f"{again.done:,} of {rows:,} rows ({again.done / again.seconds:,.0f} rows/s"
                  f" so far; the whole file ≥ {again.seconds * rows / max(again.done, 1):,.0f}"
                  " s at that pace)")
        else:
            print(f"{f'{index}. again (unchanged)':28}{again.seconds:>10.1f}"
                  f"{units / again.seconds:>10,.0f}{rows / again.seconds:>10,.0f}"
                  f"{run.copy_seconds / again.seconds:>15.3f}")
    for index, run in enumerate(runs, 1):
        first, again = run.first, run.again
        print(f"memory, repetition {index}: {first.before:.0f} MB before the import, peak "
              f"{first.peak:.0f} MB (+{first.peak - first.before:.0f}); the same file again: "
              f"peak {again.peak:.0f} MB; during the import: " + ", ".join(
                  f"row {row:,} {mb:.0f} MB" for row, _, mb in first.marks[::4]))
        if again.marks:
            print("  the same file again, seconds at each 10 000th row: " + ", ".join(
                f"{row:,}: {at:.0f} s" for row, at, _ in again.marks))
    print(f"the import's look-up of the cooperative's units and buildings: {lookup:.1f} MB")
    print(f"load average (1 min): {load_before[0]:.2f} before, {load_after[0]:.2f} after")


if __name__ == "__main__":
    main()
