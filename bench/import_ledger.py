"""Ledger import against a plain PostgreSQL ``COPY`` of the same rows, in one run.

    .venv/bin/python bench/import_ledger.py [--rows 1000000] [--accounts 2000]

Makes a fresh database (dropped at the end), one cooperative with ``--accounts`` accounts,
and a ledger CSV of ``--rows`` rows in the documented format (decimal comma, Polish
headers). Then, side by side:

* **import** — ``run_import("ledger", …)`` as ``iok import ledger`` runs it: checks every row,
  stages, finds duplicates, counts, merges; the app's ordinary role with row-level security;
* **COPY** — the same rows, already in the table's own shape (account ids resolved, ISO dates,
  decimal point), copied by PostgreSQL into a table made ``LIKE ledger_entry INCLUDING ALL``
  with the same indexes and foreign keys, by the superuser (no row-level security): the
  fastest anything can get them in.

Reports both rates, their ratio (issue 18 asks at least 0.66; it was 1/3 before), the peak
memory of this process and the second run of the same file (everything unchanged).
``bench/scale.py`` (``./bench/run``) runs the same ``measure`` and writes its row.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Database  # noqa: E402

TARGET = 0.66  # the import's rows/s as a share of a keyed COPY's (issue 18)


def make_files(folder: Path, rows: int, accounts: list[tuple[str, int]]) -> tuple[Path, Path]:
    """The import file (as the accounting system exports it) and the same rows for COPY."""
    rng = random.Random(7)
    export, raw = folder / "ledger.csv", folder / "ledger-copy.csv"
    start = date(2016, 1, 1)
    with export.open("w", encoding="utf-8", newline="") as a, raw.open("w", newline="") as b:
        out, plain = csv.writer(a, delimiter=";"), csv.writer(b)
        out.writerow(("id_zewnetrzne", "konto", "data", "termin", "okres", "dokument",
                      "skladnik", "opis", "naliczenie", "wplata"))
        for n in range(rows):
            external, account_id = accounts[n % len(accounts)]
            booked = start + timedelta(days=n % 3600)
            amount = f"{rng.randint(100, 99999) // 100}.{rng.randint(0, 99):02d}"
            payment = n % 5 == 4
            period = booked.strftime("%Y-%m")
            document = f"N/{booked.year}/{n}"
            component = "wpłata" if payment else "eksploatacja"
            out.writerow((f"E{n}", external, booked.isoformat(), "", period, document, component,
                          "Opłata miesięczna", "" if payment else amount.replace(".", ","),
                          amount.replace(".", ",") if payment else ""))
            plain.writerow((f"E{n}", account_id, booked.isoformat(), "", period, document,
                            component, "Opłata miesięczna", "0" if payment else amount,
                            amount if payment else "0"))
    return export, raw


@dataclass
class LedgerImport:
    """One measurement: the same rows by ``COPY`` and by the import (new, then unchanged)."""

    rows: int
    accounts: int
    size_mb: float
    copy_seconds: float
    import_seconds: float
    again_seconds: float

    @property
    def ratio(self) -> float:
        """The import's rows per second as a share of ``COPY``'s."""
        return self.copy_seconds / self.import_seconds


def measure(rows: int, accounts: int) -> LedgerImport:
    """Load ``rows`` ledger rows by a keyed ``COPY`` and by ``run_import`` on a fresh database."""
    with Database() as database, tempfile.TemporaryDirectory() as folder:
        app, tenant_id = database.app(), database.tenant_id
        export, raw = make_files(Path(folder), rows, database.make_accounts(accounts))
        size_mb = export.stat().st_size / 1024 ** 2
        print(f"{rows:,} rows, {size_mb:.0f} MB CSV, {accounts} accounts", flush=True)

        copy_seconds = database.copy_reference(raw)
        from iok_saas.imports import run_import
        from iok_saas.tenancy import tenant_context

        with app.app_context(), tenant_context(tenant_id):
            started = time.perf_counter()
            first = run_import("ledger", export, actor="bench")
            import_seconds = time.perf_counter() - started
            assert first.ok and first.added == rows, first.lines()[:5]
            started = time.perf_counter()
            second = run_import("ledger", export, actor="bench")
            again_seconds = time.perf_counter() - started
            assert second.ok and second.unchanged == rows
    return LedgerImport(rows, accounts, size_mb, copy_seconds, import_seconds, again_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=2000)
    args = parser.parse_args()
    result = measure(args.rows, args.accounts)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'':24}{'seconds':>10}{'rows/s':>12}")
    for label, seconds in (("PostgreSQL COPY", result.copy_seconds),
                           ("iok import (new rows)", result.import_seconds),
                           ("iok import (unchanged)", result.again_seconds)):
        print(f"{label:24}{seconds:>10.1f}{result.rows / seconds:>12,.0f}")
    print(f"ratio import/COPY: {result.ratio:.2f} (target ≥ {TARGET}); "
          f"peak memory of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
