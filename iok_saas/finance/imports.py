"""Import from the cooperative's accounting system: ledger entries from CSV.

* streamed, never loaded whole: two passes over the file (check everything, then write);
* UTF-8 (with or without BOM) or Windows-1250, ``;``-separated, a header row, decimal comma;
* idempotent by external id: the same file twice changes nothing, a corrected row replaces
  the old one;
* all or nothing: one bad row and nothing is written; the report names line, column, reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import insert, select

from iok_saas.db import db, utcnow
from iok_saas.finance.models import Account, ImportRun, LedgerEntry

LEDGER_COLUMNS = ("id_zewnetrzne", "konto", "data", "termin", "okres", "dokument", "skladnik",
                  "opis", "naliczenie", "wplata")
REQUIRED = ("id_zewnetrzne", "konto", "data")
BATCH = 2000
MAX_REPORTED = 500
ENCODINGS = ("utf-8-sig", "cp1250")
FIELDS = ("account_id", "booked_on", "due_on", "period", "document_no", "component",
          "description", "charge", "payment")


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: where and why (in Polish, for the cooperative's accountant)."""

    line: int
    column: str
    reason: str


@dataclass
class ImportReport:
    """What an import did or would do."""

    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        """No problems: the file was (or would be) imported whole."""
        return self.problem_count == 0

    def add(self, line: int, column: str, reason: str) -> None:
        """Note a problem (the first ``MAX_REPORTED`` are kept with their place)."""
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(line, column, reason))


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, empty)."""


def detect_encoding(stream: BinaryIO) -> str:
    """UTF-8 if the whole file decodes as UTF-8, else Windows-1250, else an error."""
    for encoding in ENCODINGS:
        stream.seek(0)
        decoder = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            while decoder.read(1 << 20):
                pass
            return encoding
        except UnicodeDecodeError:
            continue
        finally:
            decoder.detach()
    raise ImportFileError("Plik nie jest zapisany w UTF-8 ani w Windows-1250.")


def _rows(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, dict[str, str]]]:
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        reader = csv.DictReader(text, delimiter=";")
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
        if not header:
            raise ImportFileError("Plik jest pusty.")
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise ImportFileError(
                "W pierwszym wierszu brakuje kolumn: " + ", ".join(missing)
                + ". Oczekiwane kolumny: " + ";".join(LEDGER_COLUMNS) + ".")
        reader.fieldnames = header
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
    finally:
        text.detach()


def parse_amount(raw: str) -> Decimal:
    """``1 234,56`` / ``1234,56`` / ``1234.56`` / ``1.234,56`` → Decimal; ValueError otherwise."""
    text = raw.replace("\xa0", "").replace(" ", "")
    if not text:
        return Decimal("0.00")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("to nie jest kwota (np. 1234,56)") from None
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("kwota może mieć najwyżej 2 miejsca po przecinku")
    if abs(amount) >= Decimal("10000000000"):
        raise ValueError("kwota jest za duża")
    return amount.quantize(Decimal("0.01"))


def parse_date(raw: str) -> date:
    """``2026-11-21`` or ``21.11.2026``."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError("to nie jest data (RRRR-MM-DD albo DD.MM.RRRR)")


def _entry(line: int, row: dict[str, str], accounts: dict[str, int], report: ImportReport,
           today: date) -> dict[str, Any] | None:
    """One checked row as column values, or None (problems noted)."""
    values: dict[str, Any] = {"external_id": row.get("id_zewnetrzne", "")}
    before = report.problem_count
    if not values["external_id"] or len(values["external_id"]) > 64:
        report.add(line, "id_zewnetrzne", "brak identyfikatora albo dłuższy niż 64 znaki")
    account_id = accounts.get(row.get("konto", ""))
    if account_id is None:
        report.add(line, "konto", f"nie ma konta {row.get('konto', '')!r} w tej spółdzielni")
    values["account_id"] = account_id
    for column, key, required in (("data", "booked_on", True), ("termin", "due_on", False)):
        raw = row.get(column, "")
        try:
            values[key] = parse_date(raw) if raw or required else None
        except ValueError as exc:
            report.add(line, column, str(exc))
    if isinstance(values.get("booked_on"), date) and values["booked_on"] > today:
        report.add(line, "data", "data księgowania jest w przyszłości")
    for column, key in (("naliczenie", "charge"), ("wplata", "payment")):
        try:
            values[key] = parse_amount(row.get(column, ""))
        except ValueError as exc:
            report.add(line, column, str(exc))
    if isinstance(values.get("payment"), Decimal) and values["payment"] < 0:
        report.add(line, "wplata", "wpłata nie może być ujemna (zwrot to osobna operacja)")
    period = row.get("okres", "")
    if period and (len(period) != 7 or period[4] != "-" or not period.replace("-", "").isdigit()):
        report.add(line, "okres", "okres zapisuje się jako RRRR-MM")
    values.update(period=period, document_no=row.get("dokument", "")[:60],
                  component=row.get("skladnik", "")[:60], description=row.get("opis", "")[:200])
    return values if report.problem_count == before else None


def check(stream: BinaryIO, report: ImportReport) -> str | None:
    """First pass: every row checked, duplicates found; returns the encoding (None: unusable)."""
    try:
        encoding = detect_encoding(stream)
        accounts = _account_ids()
        seen: set[str] = set()  # the ids themselves: a hash could report a false duplicate
        today = date.today()
        for line, row in _rows(stream, encoding):
            report.rows += 1
            _entry(line, row, accounts, report, today)
            external_id = row.get("id_zewnetrzne", "")
            if external_id in seen:
                report.add(line, "id_zewnetrzne", "ten identyfikator jest już wyżej w pliku")
            seen.add(external_id)
    except ImportFileError as exc:
        report.add(0, "", str(exc))
        return None
    except csv.Error as exc:
        report.add(0, "", f"plik nie jest poprawnym plikiem CSV: {exc}")
        return None
    if report.rows == 0:
        report.add(0, "", "Plik nie zawiera żadnych wierszy z danymi.")
    return encoding


def _account_ids() -> dict[str, int]:
    rows = db.session.execute(select(Account.external_id, Account.id))
    return {external_id: account_id for external_id, account_id in rows}


def import_ledger(path: Path, *, dry_run: bool = False, actor: str = "") -> ImportReport:
    """Check the whole file, then (unless a dry run or a problem) write it in one transaction."""
    report = ImportReport()
    with path.open("rb") as stream:
        encoding = check(stream, report)
        if report.ok and not dry_run and encoding:
            _write(stream, encoding, report)
    _record_run(path.name, report, dry_run, actor)
    return report


def _write(stream: BinaryIO, encoding: str, report: ImportReport) -> None:
    accounts = _account_ids()
    today = date.today()
    batch: list[dict[str, Any]] = []
    for line, row in _rows(stream, encoding):
        values = _entry(line, row, accounts, ImportReport(), today)
        batch.append(values)
        if len(batch) >= BATCH:
            _upsert(batch, report)
            batch = []
    if batch:
        _upsert(batch, report)


def _upsert(batch: list[dict[str, Any]], report: ImportReport) -> None:
    """Insert new rows, replace changed ones, leave equal ones alone (counted)."""
    ids = [values["external_id"] for values in batch]
    existing = {entry.external_id: entry for entry in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.external_id.in_(ids)))}
    new = []
    for values in batch:
        entry = existing.get(values["external_id"])
        if entry is None:
            new.append(values)
        elif any(getattr(entry, key) != values[key] for key in FIELDS):
            for key in FIELDS:
                setattr(entry, key, values[key])
            report.changed += 1
        else:
            report.unchanged += 1
    if new:
        db.session.execute(insert(LedgerEntry), new)  # tenant_id stamped by the scoping layer
        report.added += len(new)
    db.session.flush()
    db.session.expunge_all()  # memory stays flat however long the file is


def _record_run(filename: str, report: ImportReport, dry_run: bool, actor: str) -> None:
    """The import history staff see: who, when, what changed, what was wrong."""
    db.session.add(ImportRun(
        kind="ledger", filename=filename[:200], actor=actor[:120], finished_at=utcnow(),
        dry_run=dry_run, ok=report.ok, rows=report.rows, added=report.added,
        changed=report.changed, problem_count=report.problem_count,
        problems=[{"line": p.line, "column": p.column, "reason": p.reason}
                  for p in report.problems[:100]]))

