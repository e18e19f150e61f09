"""Remote readings import against a plain PostgreSQL ``COPY`` of the same rows, in one run.

    .venv/bin/python bench/import_remote.py [--devices 30000] [--days 30]

Makes a fresh database (dropped at the end) with both reference cooperatives; Zielone Wzgórza
gets ``--devices`` remote meters (two a unit) and a month of their daily readings as its
metering company exports them (its mapping in tenants/zielone-wzgorza.toml: ``;``-separated,
``DD.MM.RRRR HH:MM`` local times, decimal comma, a unit column). Then, side by side:

* **COPY** — the same rows, already in the table's own shape (meter ids resolved, UTC times,
  decimal point), copied by PostgreSQL into a table made ``LIKE meter_remote_reading INCLUDING
  ALL`` with the same key and foreign keys, by the superuser (no row-level security);
* **import** — ``run_import("remote", …)`` as ``iok import remote`` runs it: every row mapped,
  checked (device, time, unit, value, order) and loaded; the app's role with row-level security;
* the same file again (nothing new), and the job that works out the months' consumption,
  medians and alerts afterwards (timed on its own: a job on the bulk queue, not the import).

Reports the rates, the ratio (issue 33 asks at least 0.66 of a keyed COPY) and the peak memory
of this process (the file is streamed: memory should not grow with the rows).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ADMIN, Database, url  # noqa: E402

TARGET = 0.66  # the import's rows/s as a share of a keyed COPY's (issue 33)
SLUG = "zielone-wzgorza"
END = date(2026, 12, 1)  # the measured file's readings end the day before
ZONE = ZoneInfo("Europe/Warsaw")


def make_meters(database: Database, devices: int) -> tuple[int, list[tuple[str, int]]]:
    """``devices`` remote meters of Zielone Wzgórza, two a unit: (tenant id, [(serial, id)…])."""
    from sqlalchemy import insert, select

    from iok_saas.db import db
    from iok_saas.estate.models import Building, Unit
    from iok_saas.meters.models import REMOTE, Meter
    from iok_saas.tenancy import services, tenant_context

    app = database.app()
    with app.app_context():
        tenant_id = services.get_tenant(SLUG).id
        with tenant_context(tenant_id):
            building = Building(street="ul. Pomiarowa", number="1", postal_code="62-095",
                                city="Murowana Goślina")
            db.session.add(building)
            db.session.flush()
            units = (devices + 1) // 2
            db.session.execute(insert(Unit), [{"building_id": building.id, "number": str(n + 1)}
                                              for n in range(units)])
            unit_ids = db.session.scalars(select(Unit.id).where(
                Unit.building_id == building.id).order_by(Unit.id)).all()
            db.session.execute(insert(Meter), [
                {"unit_id": unit_ids[n // 2], "kind": "hot_water" if n % 2 == 0 else "heat",
                 "measure": "m³" if n % 2 == 0 else "jedn.", "serial_number": f"RM{n:07d}",
                 "reading_mode": REMOTE, "installed_on": date(2024, 1, 1)}
                for n in range(devices)])
            found = db.session.execute(select(Meter.serial_number, Meter.id)
                                       .order_by(Meter.id)).all()
            db.session.commit()
        db.session.remove()
    return tenant_id, [(serial, ident) for serial, ident in found]


def make_files(folder: Path, tenant_id: int, meters: list[tuple[str, int]], days: int
               ) -> tuple[Path, Path]:
    """The vendor's export (device by device, day by day) and the same rows for COPY."""
    export, raw = folder / "odczyty.csv", folder / "odczyty-copy.tsv"
    first = END - timedelta(days=days)  # the file's days end with November
    moments = []
    for n in range(days):
        local = datetime.combine(first + timedelta(days=n), clock(0, 5), ZONE)
        moments.append((local.strftime("%d.%m.%Y %H:%M"),
                        local.astimezone(UTC).isoformat()))
    with export.open("w", encoding="utf-8") as out, raw.open("w") as plain:
        out.write("Nr fabryczny;Adres;Data odczytu;Stan;Jedn.\n")
        for serial, ident in meters:
            heat = serial[-1] in "13579"
            unit = "dz.j." if heat else "m3"
            value = 1000 * (ident % 50) + 200_100  # above any history's last value
            step = 7 if heat else 113  # thousandths a day
            for local, utc in moments:
                whole, part = divmod(value, 1000)
                out.write(f"{serial};ul. Pomiarowa 1;{local};{whole},{part:03d};{unit}\n")
                plain.write(f"{tenant_id}\t{ident}\t{utc}\t{whole}.{part:03d}\n")
                value += step
    return export, raw


def add_history(database: Database, tenant_id: int, years: int, days: int) -> int:
    """``years`` of daily readings of every meter before the measured month (as the
    superuser, server-side); the number of rows."""
    if not years:
        return 0
    first = END - timedelta(days=days)  # the file's first day
    start = first.replace(year=first.year - years)
    with psycopg.connect(url(ADMIN, database.name, "postgresql")) as conn:
        added = conn.execute(
            "INSERT INTO meter_remote_reading (tenant_id, meter_id, read_at, value) "
            "SELECT m.tenant_id, m.id, (d + time '00:05') AT TIME ZONE 'Europe/Warsaw', "
            "(m.id %% 50) + ((d::date - %(start)s::date) * 0.113)::numeric(14,3) "
            "FROM meter m, generate_series(%(start)s::date, %(end)s::date, interval '1 day') d "
            "WHERE m.tenant_id = %(tenant)s ORDER BY d, m.id",  # as months arrive: in time order
            {"start": start, "end": first - timedelta(days=2), "tenant": tenant_id}).rowcount
        conn.execute("ANALYZE meter_remote_reading")
    return added


def copy_reference(database: Database, raw: Path) -> float:
    """Seconds PostgreSQL's own ``COPY`` takes to load ``raw`` into a twin of the table."""
    with psycopg.connect(url(ADMIN, database.name, "postgresql")) as conn:
        conn.execute("CREATE TABLE bench_copy (LIKE meter_remote_reading INCLUDING ALL)")
        conn.execute("ALTER TABLE bench_copy ADD FOREIGN KEY (tenant_id, meter_id) "
                     "REFERENCES meter (tenant_id, id)")
        conn.execute("ALTER TABLE bench_copy ADD FOREIGN KEY (tenant_id) REFERENCES tenant (id)")
        conn.execute("INSERT INTO bench_copy SELECT * FROM meter_remote_reading")  # the history
        conn.execute("ANALYZE bench_copy")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(
                "COPY bench_copy (tenant_id, meter_id, read_at, value) FROM STDIN") as copy, \
                raw.open("rb") as source:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


@dataclass
class RemoteImport:
    """One measurement."""

    rows: int
    devices: int
    size_mb: float
    copy_seconds: float
    import_seconds: float
    again_seconds: float
    months_seconds: float
    peak_mb: float
    history: int

    @property
    def ratio(self) -> float:
        """The import's rows per second as a share of ``COPY``'s."""
        return self.copy_seconds / self.import_seconds


def measure(devices: int, days: int, years: int = 0) -> RemoteImport:
    """Load a month of daily readings of ``devices`` meters both ways on a fresh database
    (after ``years`` of daily history)."""
    with Database(REDIS_URL="redis://127.0.0.1:6379/15") as database, \
            tempfile.TemporaryDirectory() as folder:
        tenant_id, meters = make_meters(database, devices)
        history = add_history(database, tenant_id, years, days)
        export, raw = make_files(Path(folder), tenant_id, meters, days)
        rows = devices * days
        size_mb = export.stat().st_size / 1024 ** 2
        print(f"{rows:,} rows, {size_mb:.0f} MB CSV, {devices:,} devices, {history:,} rows of "
              "history", flush=True)
        copy_seconds = copy_reference(database, raw)
        from iok_saas.imports import run_import
        from iok_saas.meters.consumption import refresh
        from iok_saas.tenancy import tenant_context

        with database.app().app_context(), tenant_context(tenant_id):
            started = time.perf_counter()
            first = run_import("remote", export, actor="bench")
            import_seconds = time.perf_counter() - started
            assert first.ok and first.added == rows, (first.added, first.lines()[:5])
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            started = time.perf_counter()
            second = run_import("remote", export, actor="bench")
            again_seconds = time.perf_counter() - started
            assert second.ok and second.added == 0 and second.unchanged == rows, second.lines()
            started = time.perf_counter()
            refresh("2026-11-01T00:00:00+00:00", "2026-11-30T23:00:00+00:00")
            months_seconds = time.perf_counter() - started
    return RemoteImport(rows, devices, size_mb, copy_seconds, import_seconds, again_seconds,
                        months_seconds, peak_mb, history)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=30_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--history-years", type=int, default=0,
                        help="years of daily readings already stored before the month")
    args = parser.parse_args()
    result = measure(args.devices, args.days, args.history_years)
    print(f"{'':30}{'seconds':>10}{'rows/s':>12}")
    for label, seconds in (("PostgreSQL COPY", result.copy_seconds),
                           ("iok import remote (new)", result.import_seconds),
                           ("iok import remote (again)", result.again_seconds)):
        print(f"{label:30}{seconds:>10.1f}{result.rows / seconds:>12,.0f}")
    print(f"{'monthly figures (the job)':30}{result.months_seconds:>10.1f}")
    print(f"ratio import/COPY: {result.ratio:.2f} (target ≥ {TARGET}); peak memory of this "
          f"process after the import: {result.peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
