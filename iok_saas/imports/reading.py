"""Reading import files: CSV (UTF-8 or Windows-1250) and JSON, streamed row by row.

Every problem is kept with its place (line or element, column) and a reason in Polish, for
the cooperative's accountant. Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

import ijson

MAX_REPORTED = 500
ENCODINGS = ("utf-8-sig", "cp1250")
CHUNK = 1 << 20

Row = dict[str, str]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: where and why."""

    line: int
    column: str
    reason: str


@dataclass
class ImportReport:
    """What an import did or would do."""

    kind: str = ""
    json: bool = False
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problems: the file was (or would be) imported whole."""
        return self.problem_count == 0

    def add(self, line: int, column: str, reason: str) -> None:
        """Note a problem (the first ``MAX_REPORTED`` are kept with their place)."""
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(line, column, reason))

    def place(self, problem: Problem) -> str:
        """``wiersz 12, kolumna konto`` (CSV) or ``element 12, pole konto`` (JSON)."""
        if not problem.line:
            return "plik"
        where = f"element {problem.line}" if self.json else f"wiersz {problem.line}"
        if problem.column:
            where += f", {'pole' if self.json else 'kolumna'} {problem.column}"
        return where

    def lines(self) -> list[str]:
        """Every kept problem as one line of text, then how many more there were."""
        text = [f"{self.place(p)}: {p.reason}" for p in self.problems]
        if self.problem_count > len(self.problems):
            text.append(f"… i {self.problem_count - len(self.problems)} kolejnych błędów")
        return text


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, empty, too large)."""


class FileTooLarge(ImportFileError):
    """Over the platform's limit (``IOK_IMPORT_MAX_MB``)."""


def plain_name(name: str) -> str:
    """A column name as written by people: ``Wpłata `` → ``wplata``."""
    text = name.strip().lower().replace("ł", "l").replace(" ", "_")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


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
    if not amount.is_finite():
        raise ValueError("to nie jest kwota (np. 1234,56)")
    if abs(amount) >= Decimal("10000000000"):
        raise ValueError("kwota jest za duża")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("kwota może mieć najwyżej 2 miejsca po przecinku")
    return amount.quantize(Decimal("0.01"))


def parse_date(raw: str) -> date:
    """``2026-11-21`` or ``21.11.2026``."""
    try:
        if len(raw) == 10 and raw[4] == "-":
            return date.fromisoformat(raw)
        return datetime.strptime(raw, "%d.%m.%Y").date()
    except ValueError:
        raise ValueError("to nie jest data (RRRR-MM-DD albo DD.MM.RRRR)") from None


def file_size(stream: BinaryIO) -> int:
    """The size of an open file in bytes."""
    return os.fstat(stream.fileno()).st_size


def detect_encoding(stream: BinaryIO, encodings: tuple[str, ...] = ENCODINGS) -> str:
    """The first encoding the whole file decodes in; NUL bytes mean it is not text at all."""
    for encoding in encodings:
        stream.seek(0)
        decoder = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            while chunk := decoder.read(CHUNK):
                if "\x00" in chunk:
                    raise ImportFileError("Plik zawiera znaki NUL: to nie jest plik tekstowy.")
            return encoding
        except UnicodeDecodeError:
            continue
        finally:
            decoder.detach()
    if encodings == ("utf-8-sig",):
        raise ImportFileError("Plik JSON musi być zapisany w UTF-8.")
    raise ImportFileError("Plik nie jest zapisany w UTF-8 ani w Windows-1250.")


def _check_header(names: list[str], columns: tuple[str, ...], required: tuple[str, ...],
                  json: bool) -> None:
    what = "pola" if json else "kolumny"
    expected = f" Oczekiwane {what}: " + ", ".join(columns) + "."
    missing = [name for name in required if name not in names]
    if missing:
        raise ImportFileError(f"Brakuje {'pól' if json else 'kolumn'}: "
                              + ", ".join(missing) + "." + expected)
    unknown = [name for name in names if name not in columns]
    if unknown:
        raise ImportFileError(f"Nieznane {what}: " + ", ".join(unknown) + "." + expected)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ImportFileError(f"Powtórzone {what}: " + ", ".join(repeated) + ".")


def csv_rows(stream: BinaryIO, encoding: str, columns: tuple[str, ...],
             required: tuple[str, ...], report: ImportReport) -> Iterator[tuple[int, Row]]:
    """(line, {column: text}) for every data row; the header is checked first."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        reader = csv.reader(text, delimiter=";")
        try:
            header = [plain_name(name) for name in next(reader)]
        except StopIteration:
            raise ImportFileError("Plik jest pusty.") from None
        _check_header(header, columns, required, json=False)
        width = len(header)
        for cells in reader:
            if not cells or cells == [""]:
                continue
            if len(cells) != width:
                report.add(reader.line_num, "", f"wiersz ma {len(cells)} kolumn, a nagłówek "
                           f"{width} (średnik w tekście trzeba ująć w cudzysłów)")
                continue
            yield reader.line_num, {name: value.strip() for name, value in zip(header, cells,
                                                                              strict=True)}
    except csv.Error as exc:
        raise ImportFileError(f"Plik nie jest poprawnym plikiem CSV: {exc}.") from None
    finally:
        text.detach()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        raise ValueError("wartość musi być tekstem albo liczbą")
    return str(value).strip()


def json_rows(stream: BinaryIO, columns: tuple[str, ...],
              report: ImportReport) -> Iterator[tuple[int, Row]]:
    """(element number, {field: text}) for a top-level array or ``{"wiersze": [...]}``."""
    stream.seek(0)
    head = stream.read(CHUNK).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ImportFileError("Plik jest pusty.")
    prefix = {b"[": "item", b"{": "wiersze.item"}.get(head[:1])
    if prefix is None:
        raise ImportFileError('Plik JSON musi zawierać listę wierszy: [ {…}, … ] albo '
                              '{"wiersze": [ {…}, … ]}.')
    stream.seek(0)
    number = 0
    try:
        for number, item in enumerate(ijson.items(stream, prefix), start=1):
            if not isinstance(item, dict):
                report.add(number, "", "element listy musi być obiektem {…}")
                continue
            row: Row = {}
            for key, value in item.items():
                name = plain_name(key)
                if name not in columns:
                    report.add(number, key, "nieznane pole; oczekiwane: " + ", ".join(columns))
                    continue
                try:
                    row[name] = _text(value)
                except ValueError as exc:
                    report.add(number, key, str(exc))
            yield number, row
    except ijson.JSONError as exc:
        raise ImportFileError(f"Plik JSON jest uszkodzony po elemencie {number}: {exc}.") from None
    if number == 0 and prefix != "item":
        raise ImportFileError('Plik JSON nie zawiera wierszy: oczekiwano {"wiersze": [ {…}, … ]}.')
