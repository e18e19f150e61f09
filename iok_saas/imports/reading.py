"""Reading import files: CSV (UTF-8 or Windows-1250) and JSON, streamed row by row.

Every problem is kept with its place (line or element, column) and a reason for the
cooperative's accountant, translated when it is noted (outside a request: Polish) and stored as
text. Nothing here writes to the database.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO

import ijson
from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l

from iok_saas.web.formatting import parse_decimal
from iok_saas.web.problems import DomainError

MAX_REPORTED = 500
CHUNK = 1 << 20
MAX_LINE = 1 << 20  # characters in one physical line of a CSV file
MAX_DEPTH = 20  # nesting in a JSON file
MAX_DIGITS = 100  # digits in a row in a JSON file

Row = dict[str, str]
Progress = Callable[[int, int], None]
Message = str | LazyString
MAX_AMOUNT = Decimal("10000000000")
CENTS = Decimal("0.01")


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
    # Row by row (remote readings): a bad row is reported and left out, the others are saved;
    # only a problem with the file as a whole (line 0) stops it.
    partial: bool = False
    file_problems: int = 0
    held: int = 0  # rows kept aside for the office to decide (remote readings)

    @property
    def ok(self) -> bool:
        """The file was (or would be) imported: whole, or for a row-by-row kind, every row
        without a problem."""
        return self.file_problems == 0 if self.partial else self.problem_count == 0

    def add(self, line: int, column: str, reason: Message, *, whole_file: bool | None = None
            ) -> None:
        """Note a problem (the first ``MAX_REPORTED`` are kept with their place, as text: a
        translated message becomes a string now). A problem without a line is one of the file
        as a whole, unless ``whole_file`` is False: one file of a ZIP (``column``: its name)
        that is left out like a bad row."""
        self.problem_count += 1
        self.file_problems += (not line) if whole_file is None else whole_file
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(line, column, str(reason)))

    def row(self, line: int) -> str:
        """``wiersz 12`` (CSV) or ``element 12`` (JSON)."""
        return str(_l("element %(num)d", num=line) if self.json else _l("row %(num)d", num=line))

    def place(self, problem: Problem) -> str:
        """``wiersz 12, kolumna konto`` (CSV) or ``element 12, pole konto`` (JSON)."""
        if not problem.line:
            return str(_l("file %(name)s in the ZIP", name=problem.column) if problem.column
                       else _l("file"))
        if not problem.column:
            return self.row(problem.line)
        if self.json:
            return str(_l("element %(num)d, field %(column)s", num=problem.line,
                          column=problem.column))
        return str(_l("row %(num)d, column %(column)s", num=problem.line, column=problem.column))

    def lines(self) -> list[str]:
        """Every kept problem as one line of text, then how many more there were."""
        text = [f"{self.place(p)}: {p.reason}" for p in self.problems]
        if self.problem_count > len(self.problems):
            text.append(ngettext("… and %(num)d more error", "… and %(num)d more errors",
                                 self.problem_count - len(self.problems)))
        return text


class ImportFileError(DomainError):
    """The file as a whole cannot be read (encoding, header, empty, too large)."""


class FileTooLarge(ImportFileError):
    """Over the platform's limit (``IOK_IMPORT_MAX_MB``)."""


def plain_name(name: str) -> str:
    """A column name as written by people: ``Wpłata `` → ``wplata``."""
    text = name.strip().lower().replace("ł", "l").replace(" ", "_")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def parse_amount(raw: str) -> Decimal:
    """``1 234,56`` / ``1234,56`` / ``1234.56`` / ``1.234,56`` → Decimal (an empty cell: 0.00);
    a ``DomainError`` (a ValueError) otherwise. Numbers are read by ``parse_decimal``."""
    if not (raw or "").strip():
        return Decimal("0.00")
    try:
        amount = parse_decimal(raw)
    except ValueError:
        raise DomainError(_l("not an amount (e.g. 1234,56)")) from None
    if abs(amount) >= MAX_AMOUNT:
        raise DomainError(_l("the amount is too large"))
    if amount != amount.quantize(CENTS):
        raise DomainError(_l("an amount may have at most 2 decimal places"))
    return amount.quantize(CENTS)


def parse_date(raw: str) -> date:
    """``2026-11-21`` or ``21.11.2026``."""
    try:
        if len(raw) == 10 and raw[4] == "-":
            return date.fromisoformat(raw)
        return datetime.strptime(raw, "%d.%m.%Y").date()
    except ValueError:
        raise DomainError(_l("not a date (YYYY-MM-DD or DD.MM.YYYY)")) from None


EMPTY = _l("The file is empty.")


def file_size(stream: BinaryIO) -> int:
    """The size of an open file in bytes."""
    return os.fstat(stream.fileno()).st_size


NUL_CHARACTERS = _l("The file contains NUL characters: it is not a text file.")


def _utf8_problem(stream: BinaryIO) -> tuple[bool, Message | None]:
    """(decodes as UTF-8, why not when it is clearly meant to be UTF-8)."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines, polish = 1, False
    while chunk := stream.read(CHUNK):
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            if not polish and not any(b > 0x7F for b in chunk[:exc.start]):
                return False, None  # no UTF-8 letters before: probably Windows-1250
            line = lines + chunk[:exc.start].count(b"\n")
            return False, _l("The file is saved in UTF-8, but line %(line)d has a byte that "
                             "is not a valid UTF-8 character. Please save the file again.",
                             line=line)
        polish = polish or not text.isascii()
        lines += text.count("\n")
        if "\x00" in text:
            raise ImportFileError(NUL_CHARACTERS)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False, _l("The file ends in the middle of a UTF-8 character: it is incomplete.")
    return True, None


def detect_encoding(stream: BinaryIO, *, json: bool = False) -> str:
    """UTF-8 if the whole file is UTF-8; else Windows-1250 (CSV only); NUL bytes are refused.

    A file with Polish letters in UTF-8 and one broken byte is reported, not read as
    Windows-1250 (which would turn every ``ą`` into two wrong letters).
    """
    utf8, problem = _utf8_problem(stream)
    if utf8:
        return "utf-8-sig"
    if problem:
        raise ImportFileError(problem)
    if json:
        raise ImportFileError(_l("A JSON file must be saved in UTF-8."))
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("cp1250")()
    try:
        while chunk := stream.read(CHUNK):
            if "\x00" in decoder.decode(chunk):
                raise ImportFileError(NUL_CHARACTERS)
    except UnicodeDecodeError:
        raise ImportFileError(_l("The file is saved neither in UTF-8 nor in Windows-1250.")
                              ) from None
    return "cp1250"


def _check_header(names: list[str], columns: tuple[str, ...], required: tuple[str, ...],
                  others: bool = False, section: str = "remote_readings") -> None:
    expected = ", ".join(columns)
    missing = [name for name in required if name not in names]
    if missing and others:  # a mapping names the columns: say which the file has
        raise ImportFileError(_l(
            "The file has no column %(missing)s, which the cooperative's settings name "
            "([%(section)s] in its file). The file's columns: %(found)s.",
            missing=", ".join(f"“{name}”" for name in missing), section=section,
            found=", ".join(name for name in names if name) or "–"))
    if missing:
        raise ImportFileError(_l("Columns are missing: %(missing)s. Expected columns: "
                                 "%(expected)s.", missing=", ".join(missing), expected=expected))
    unknown = [] if others else [name for name in names if name and name not in columns]
    if unknown:
        raise ImportFileError(_l("Unknown columns: %(unknown)s. Expected columns: %(expected)s.",
                                 unknown=", ".join(unknown), expected=expected))
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise ImportFileError(_l("Repeated columns: %(repeated)s.", repeated=", ".join(repeated)))


def _lines(text: io.TextIOWrapper) -> Iterator[str]:
    """Physical lines, each at most ``MAX_LINE`` characters (a file of one endless line
    must not fill the memory)."""
    number = 0
    while line := text.readline(MAX_LINE):
        number += 1
        if len(line) >= MAX_LINE and not line.endswith(("\n", "\r")):
            raise ImportFileError(_l("Line %(line)d is longer than %(limit)d KB: it is not a "
                                     "line of data.", line=number, limit=MAX_LINE // 1024))
        yield line


CSV_ERRORS = {  # the csv module's words → ours
    "unexpected end of data": _l("a quotation mark opened and not closed until the end of the "
                                 "file"),
    "expected after": _l("a closing quotation mark must be followed by a semicolon"),
    "field larger than field limit": _l("a field longer than 128 KB"),
    "new-line character seen in unquoted field": _l("a new-line character in a field without "
                                                    "quotation marks"),
}


def _csv_message(exc: csv.Error, line: int) -> Message:
    text = str(exc)
    reason = next((ours for theirs, ours in CSV_ERRORS.items() if theirs in text), text)
    return _l("The file is not a valid CSV file: line %(line)d: %(reason)s.", line=line,
              reason=reason)


def csv_rows(stream: BinaryIO, encoding: str, columns: tuple[str, ...],
             required: tuple[str, ...], report: ImportReport, *, delimiter: str = ";",
             others: bool = False) -> Iterator[tuple[int, Row]]:
    """(line, {column: text}) for every data row; the header is checked first. With
    ``others``, columns not in ``columns`` are allowed and left out of the rows (a metering
    company's export carries many)."""
    header: list[str] = []
    for line, cells in csv_cells(stream, encoding, columns, required, report,
                                 delimiter=delimiter, others=others, header=header):
        row = {}
        for name, value in zip(header, cells, strict=True):
            if name:
                row[name] = value.strip()
            elif value.strip() and not others:
                report.add(line, "", _l("a value in a column without a name in the header"))
        yield line, row


def csv_cells(stream: BinaryIO, encoding: str, columns: tuple[str, ...],
              required: tuple[str, ...], report: ImportReport, *, delimiter: str = ";",
              others: bool = False, header: list[str] | None = None,
              section: str = "remote_readings") -> Iterator[tuple[int, list[str]]]:
    """(line, cells as read) for every data row of the header's width, once the header is
    checked; ``header`` (a list given) receives the header's plain names, those not asked
    for blanked when ``others``. The rows of millions of readings are read this way, without a
    dictionary per row."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    start = 1  # the line where the record being read began (a quoted value may span lines)
    names = header if header is not None else []
    try:
        while not any(names):
            try:
                names[:] = [plain_name(name) for name in next(reader)]
            except StopIteration:
                raise ImportFileError(EMPTY) from None
        _check_header(names, columns, required, others, section)
        width = len(names)
        if others:  # the columns not asked for are read past, not kept
            names[:] = [name if name in columns else "" for name in names]
        while True:
            start = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            if not cells or cells == [""]:
                continue
            if len(cells) != width:
                report.add(reader.line_num, "", ngettext(
                    "the row has %(num)d column and the header %(header)d (a semicolon in a "
                    "text must be put in quotation marks)",
                    "the row has %(num)d columns and the header %(header)d (a semicolon in a "
                    "text must be put in quotation marks)", len(cells), header=width))
                continue
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ImportFileError(_csv_message(exc, start)) from None
    finally:
        text.detach()


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NOT_TEXT = _l("the value must be text or a number")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise DomainError(NOT_TEXT)
    text = str(value).strip()
    if CONTROL.search(text):
        raise DomainError(_l("the value contains control characters (e.g. NUL)"))
    return text


def _skip(events: Iterator[tuple[str, Any]], depth: int = 1) -> None:
    """Skip a nested object or list (linearly; nesting deeper than ``MAX_DEPTH`` is refused)."""
    while depth:
        event, _ = next(events)
        if event in ("start_map", "start_array"):
            depth += 1
            if depth > MAX_DEPTH:
                raise ImportFileError(_l("The JSON file is nested too deeply."))
        elif event in ("end_map", "end_array"):
            depth -= 1


LONG_DIGITS = re.compile(rb"[0-9]{%d}" % (MAX_DIGITS + 1))


def _refuse_long_numbers(stream: BinaryIO) -> None:
    """ijson's C parser breaks (even crashes) on integers of thousands of digits; no real value
    has more than ``MAX_DIGITS``, so such a file is refused before it is parsed."""
    stream.seek(0)
    tail = b""
    while chunk := stream.read(CHUNK):
        if LONG_DIGITS.search(tail + chunk):
            raise ImportFileError(_l("The JSON file contains a number or a run of digits "
                                     "longer than %(limit)d digits.", limit=MAX_DIGITS))
        tail = chunk[-MAX_DIGITS:]


def _json_start(events: Iterator[tuple[str, Any]], key: str = "wiersze") -> None:
    """Position ``events`` inside the list of rows (alone, or under ``key``)."""
    event, value = next(events, ("", None))
    if event == "":
        raise ImportFileError(EMPTY)
    if event == "start_map":
        event, value = next(events)
        if event != "map_key" or value != key or next(events)[0] != "start_array":
            raise ImportFileError(_l('The JSON file contains no rows: expected '
                                     '{"%(key)s": [ {…}, … ]}.', key=key))
    elif event != "start_array":
        raise ImportFileError(_l('A JSON file must contain a list of rows: [ {…}, … ] or '
                                 '{"wiersze": [ {…}, … ]}.'))


def _json_row(events: Iterator[tuple[str, Any]], number: int, columns: tuple[str, ...],
              report: ImportReport, others: bool = False) -> Row:
    row: Row = {}
    for event, key in events:
        if event == "end_map":
            return row
        name = plain_name(key)
        event, value = next(events)
        if others and name not in columns:  # not asked for: read past
            if event in ("start_map", "start_array"):
                _skip(events)
        elif event in ("start_map", "start_array"):
            _skip(events)
            report.add(number, key, NOT_TEXT)
        elif name not in columns:
            report.add(number, key, _l("unknown field; expected: %(columns)s",
                                       columns=", ".join(columns)))
        elif name in row:
            report.add(number, key, _l("this field is already given above in this element"))
        else:
            try:
                row[name] = _text(value)
            except ValueError as exc:
                report.add(number, key, str(exc))
    return row


def json_rows(stream: BinaryIO, columns: tuple[str, ...], report: ImportReport, *,
              key: str = "wiersze", others: bool = False) -> Iterator[tuple[int, Row]]:
    """(element number, {field: text}) for a top-level list or ``{"wiersze": [...]}`` (or
    another ``key``); with ``others``, fields not in ``columns`` are read past.

    Built from ijson's flat event stream, so memory stays flat whatever the nesting, and
    numbers come as exact decimals.
    """
    _refuse_long_numbers(stream)
    stream.seek(0)
    stream.seek(3 if stream.read(3) == codecs.BOM_UTF8 else 0)
    events = iter(ijson.basic_parse(stream, use_float=False))
    number = 0
    try:
        _json_start(events, key)
        for event, _ in events:
            if event == "end_array":
                break
            number += 1
            if event != "start_map":
                if event == "start_array":
                    _skip(events)
                report.add(number, "", _l("an element of the list must be an object {…}"))
                continue
            yield number, _json_row(events, number, columns, report, others)
        for _ in events:  # the rest must still be well-formed JSON
            pass
    except (ijson.JSONError, ValueError, SystemError, StopIteration) as exc:
        raise ImportFileError(_l("The JSON file is damaged after element %(num)d: %(error)s.",
                                 num=number, error=exc)) from None
