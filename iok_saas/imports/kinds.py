"""What can be imported: buildings, units, accounts, titles and ledger entries; meters and
readings; the metering company's remote readings; documents for units (a ZIP of PDFs).

Each kind names its columns (the same names in CSV headers and JSON fields), checks one row
into the values it stores, and says how rows are matched: by the accounting system's
external id, and for buildings and units also by what people know them by (an address, a
unit number), so rows entered before the first import are taken over, not doubled.
Columns are documented in docs/import-format.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from iok_saas.db import db
from iok_saas.estate.models import Building, Unit
from iok_saas.finance.models import FEES, LOAN, OTHER, Account
from iok_saas.finance.payments import nrb_is_valid
from iok_saas.imports.reading import (
    ImportReport,
    Message,
    Row,
    parse_amount,
    parse_date,
    plain_name,
)

ID = "id_zewnetrzne"
REMOTE = "remote"  # the kind read row by row, by the mapping in the tenant file
# Documents delivered to units: a ZIP of PDFs whose manifest is read row by row
# (iok_saas.delivery.bulk; docs/import-format.md).
DOCUMENTS = "documents"
# The settlement company's yearly settlements of water and heat: building, unit and meter rows,
# named by the cooperative's mapping, all or nothing (iok_saas.imports.settlements).
SETTLEMENTS = "settlements"


@dataclass(frozen=True)
class Choices:
    """Words a column accepts, as people write them (case, Polish letters and spaces do not
    matter), and the value an empty cell means."""

    words: dict[str, str]
    default: str

    def get(self, raw: str) -> str | None:
        """The value of a cell, or None when the word is not on the list."""
        return self.default if not raw else self._plain.get(plain_name(raw))

    @functools.cached_property
    def _plain(self) -> dict[str, str]:
        return {plain_name(word): value for word, value in self.words.items()}


UNIT_KINDS = Choices({"mieszkanie": "flat", "lokal mieszkalny": "flat", "garaż": "garage",
                      "lokal użytkowy": "commercial", "miejsce postojowe": "parking",
                      "komórka": "storage"}, "flat")
ACCOUNT_KINDS = Choices({"czynsz": FEES, "opłaty": FEES, "opłaty mieszkaniowe": FEES,
                         "kredyt": LOAN, "inne": OTHER}, FEES)
ACCOUNT_NAMES = {FEES: "Opłaty mieszkaniowe (czynsz)", LOAN: "Kredyt", OTHER: "Inne należności"}
TITLE_KINDS = Choices({"własnościowe": "cooperative_ownership",
                       "spółdzielcze własnościowe": "cooperative_ownership",
                       "lokatorskie": "cooperative_tenancy",
                       "spółdzielcze lokatorskie": "cooperative_tenancy",
                       "własność": "ownership", "odrębna własność": "ownership",
                       "najem": "lease"}, "cooperative_ownership")
POSTAL_CODE = re.compile(r"\d{2}-\d{3}")
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
NEGATIVE_PAYMENT = _l("a payment cannot be negative (a refund is a separate operation)")
PHONE = re.compile(r"\+?[0-9 ()-]{6,20}")
REQUIRED = _l("empty field, but it is required")
# What ``Checker.ref`` says when the row refers to something unknown; ``%(id)s``: the value.
NO_BUILDING = _l("there is no building with the identifier “%(id)s” in this cooperative")
NO_UNIT = _l("there is no unit with the identifier “%(id)s” in this cooperative")
NO_ACCOUNT = _l("there is no account with the identifier “%(id)s” in this cooperative")
NO_METER = _l("there is no meter with the identifier “%(id)s” in this cooperative")


class Checker:
    """Checks the cells of one row, noting each problem with its line and column."""

    def __init__(self, line: int, row: Row, report: ImportReport, today: date) -> None:
        self.line, self.row, self.report, self.today = line, row, report, today
        self.before = report.problem_count

    @property
    def ok(self) -> bool:
        """No problem found in this row so far."""
        return self.report.problem_count == self.before

    def problem(self, column: str, reason: Message) -> None:
        """Note a problem in one column."""
        self.report.add(self.line, column, reason)

    def string(self, column: str, limit: int, *, required: bool = False) -> str:
        """A text cell, at most ``limit`` characters."""
        value = self.row.get(column, "")
        if required and not value:
            self.problem(column, REQUIRED)
        elif len(value) > limit:
            self.problem(column, _l("too long: at most %(limit)d characters, there are "
                                    "%(length)d", limit=limit, length=len(value)))
        return value

    def external_id(self, column: str = ID) -> str:
        """The accounting system's id of the row."""
        return self.string(column, 64, required=True)

    def ref(self, column: str, known: dict[str, int], unknown: LazyString) -> int | None:
        """The database id of a row referred to by its external id (a unit, an account…);
        ``unknown``: the message when there is no such row (``%(id)s`` stands for the value)."""
        value = self.row.get(column, "")
        found = known.get(value)
        if found is None:
            self.problem(column, unknown % {"id": value} if value else REQUIRED)
        return found

    def choice(self, column: str, choices: Choices) -> str:
        """A word from a fixed list."""
        value = choices.get(self.row.get(column, ""))
        if value is None:
            self.problem(column, _l("unknown value; allowed: %(words)s",
                                    words=", ".join(choices.words)))
        return value or ""

    def date(self, column: str, *, required: bool = False, past: bool = False) -> date | None:
        """A date ``RRRR-MM-DD`` or ``DD.MM.RRRR``; with ``past``, not in the future."""
        raw = self.row.get(column, "")
        if not raw:
            if required:
                self.problem(column, REQUIRED)
            return None
        try:
            value = parse_date(raw)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None
        if past and value > self.today:
            self.problem(column, _l("the date is in the future"))
        return value

    def amount(self, column: str, *, negative: Message = "") -> Decimal:
        """An amount in any usual notation (``1 234,56``, ``1234.56``…); ``negative``: the
        message when a negative amount is not allowed."""
        try:
            value = parse_amount(self.row.get(column, ""))
        except ValueError as exc:
            self.problem(column, str(exc))
            return Decimal("0.00")
        if negative and value < 0:
            self.problem(column, negative)
        return value


@dataclass(frozen=True)
class Kind:
    """One importable kind of row."""

    name: str
    label: str  # Polish, for the panel and the history
    columns: tuple[str, ...]
    required: tuple[str, ...]
    load: Callable[[], Any]  # what rows refer to (external id → database id)
    check: Callable[[Checker, Any], tuple | None]  # values in ``stage`` order, or None
    table: str = ""
    stage: tuple[tuple[str, str], ...] = ()  # staged columns; the first is the external id
    natural: tuple[str, ...] = ()
    # A job (its function's path) queued once the import added rows, with ``at``: the moment
    # stamped on them (``created_at``) — the ledger's e-mails about new charges.
    after: str = ""
    # Fields a file may leave empty to keep what is stored (→ the value a new row gets).
    kept: tuple[tuple[str, str], ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """The columns a changed row overwrites."""
        return tuple(name for name, _ in self.stage[1:])


def _ids(column: Any, key: Any = None) -> dict[str, int]:
    key = key if key is not None else column.class_.id
    return {ext: ident for ext, ident in db.session.execute(
        select(column, key).where(column.is_not(None)))}


def _building(c: Checker, _: Any) -> tuple | None:
    postal = c.string("kod_pocztowy", 6, required=True)
    if postal and not POSTAL_CODE.fullmatch(postal):
        c.problem("kod_pocztowy", _l("a postal code is written as NN-NNN"))
    values = (c.external_id(), c.string("osiedle", 120),
              c.string("ulica", 120, required=True), c.string("numer", 20, required=True),
              postal, c.string("miejscowosc", 80, required=True))
    return values if c.ok else None


def _unit(c: Checker, buildings: dict[str, int]) -> tuple | None:
    values = (c.external_id(), c.ref("budynek", buildings, NO_BUILDING),
              c.string("numer", 20, required=True), c.choice("rodzaj", UNIT_KINDS))
    return values if c.ok else None


def _nrb(c: Checker) -> str | None:
    raw = c.row.get("nrb", "")
    digits = re.sub(r"[\s-]", "", raw).upper().removeprefix("PL")
    if not digits:
        return None
    if not nrb_is_valid(digits):
        c.problem("nrb", _l("the bank account number is wrong (26 digits with a correct "
                            "check sum)"))
    return digits


def _account(c: Checker, units: dict[str, int]) -> tuple | None:
    kind = c.choice("rodzaj", ACCOUNT_KINDS)
    values = (c.external_id(), c.ref("lokal", units, NO_UNIT), kind,
              c.string("nazwa", 120) or ACCOUNT_NAMES.get(kind, ""), _nrb(c))
    return values if c.ok else None


def _ledger(c: Checker, accounts: dict[str, int]) -> tuple | None:
    period = c.row.get("okres", "")
    if period and not PERIOD.fullmatch(period):
        c.problem("okres", _l("a period is written as YYYY-MM"))
    values = (c.external_id(), c.ref("konto", accounts, NO_ACCOUNT),
              c.date("data", required=True, past=True), c.date("termin"), period,
              c.string("dokument", 60), c.string("skladnik", 60), c.string("opis", 200),
              c.amount("naliczenie"), c.amount("wplata", negative=NEGATIVE_PAYMENT))
    return values if c.ok else None


@dataclass(frozen=True)
class TitleRow:
    """A checked row of the titles file."""

    unit_id: int
    person: str
    first_name: str
    last_name: str
    kind: str
    since: date | None
    email: str | None
    phone: str | None


def _email(c: Checker) -> str | None:
    raw = c.string("email", 254)
    if not raw:
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        c.problem("email", _l("this is not a valid e-mail address"))
        return None


def _title(c: Checker, units: dict[str, int]) -> tuple | None:
    phone = c.string("telefon", 40)
    if phone and not PHONE.fullmatch(phone):
        c.problem("telefon", _l("a phone number is written with digits only (+48 may come "
                                "first)"))
    row = TitleRow(unit_id=c.ref("lokal", units, NO_UNIT) or 0,
                   person=c.external_id("osoba"), first_name=c.string("imie", 80),
                   last_name=c.string("nazwisko", 120, required=True),
                   kind=c.choice("tytul", TITLE_KINDS),
                   since=c.date("od", past=True), email=_email(c), phone=phone or None)
    return (row,) if c.ok else None


METER_KINDS = Choices({"zimna woda": "cold_water", "ciepła woda": "hot_water", "ciepło": "heat",
                       "podzielnik kosztów": "heat", "gaz": "gas", "energia elektryczna":
                       "electricity", "prąd": "electricity"}, "")
MEASURES = {"cold_water": "m³", "hot_water": "m³", "gas": "m³", "heat": "jedn.",
            "electricity": "kWh"}
# Empty: a new meter is typed, a known one keeps its mode (the accounting system's file may
# not know which meters the metering company reads by radio).
READING_MODES = Choices({"ręczny": "typed", "wpisywany": "typed", "zdalny": "remote",
                         "radiowy": "remote"}, "")


def _reading_value(c: Checker, column: str, *, required: bool) -> Decimal | None:
    from iok_saas.meters.checks import ReadingError, parse_value

    raw = c.row.get(column, "")
    if not raw and not required:
        return Decimal("0")
    try:
        return parse_value(raw)
    except ReadingError as exc:
        c.problem(column, str(exc).rstrip(".").lower())
        return None


def _meter(c: Checker, units: dict[str, int]) -> tuple | None:
    kind = c.choice("rodzaj", METER_KINDS)
    if not kind and c.ok:
        c.problem("rodzaj", REQUIRED)
    values = (c.external_id(), c.ref("lokal", units, NO_UNIT), kind,
              c.string("numer_seryjny", 40, required=True), c.string("miejsce", 80),
              c.string("jednostka", 12) or MEASURES.get(kind, "m³"),
              c.date("zamontowany", past=True), c.date("legalizacja_do"),
              c.date("zdemontowany", past=True), _reading_value(c, "stan_poczatkowy",
                                                                 required=False),
              c.choice("odczyt", READING_MODES) or None, c.string("radio_id", 40) or None)
    return values if c.ok else None


def _reading(c: Checker, meters: dict[str, int]) -> tuple | None:
    values = (c.external_id(), c.ref("licznik", meters, NO_METER),
              c.date("data", required=True, past=True),
              _reading_value(c, "wartosc", required=True))
    return values if c.ok else None


def _document(c: Checker, _: Any) -> tuple | None:
    """A manifest row's cells (what they mean is checked as the row is delivered)."""
    values = (c.string("lokal", 64, required=True), c.string("rodzaj", 80, required=True),
              c.string("tytul", 300, required=True), c.string("plik", 255, required=True),
              c.date("data_obowiazywania"), c.string("osoba", 64), c.string("ksef", 40))
    return values if c.ok else None


def _meter_ids() -> dict[str, int]:
    from iok_saas.meters.models import Meter

    return _ids(Meter.external_id)


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("buildings", "budynki",
         (ID, "osiedle", "ulica", "numer", "kod_pocztowy", "miejscowosc"),
         (ID, "ulica", "numer", "kod_pocztowy", "miejscowosc"),
         load=lambda: None, check=_building, table="building",
         stage=(("external_id", "text"), ("estate", "text"), ("street", "text"),
                ("number", "text"), ("postal_code", "text"), ("city", "text")),
         natural=("street", "number", "city")),
    Kind("units", "lokale", (ID, "budynek", "numer", "rodzaj"), (ID, "budynek", "numer"),
         load=lambda: _ids(Building.external_id), check=_unit, table="unit",
         stage=(("external_id", "text"), ("building_id", "int"), ("number", "text"),
                ("kind", "text")),
         natural=("building_id", "number")),
    Kind("accounts", "konta lokali", (ID, "lokal", "rodzaj", "nazwa", "nrb"), (ID, "lokal"),
         load=lambda: _ids(Unit.external_id), check=_account, table="finance_account",
         stage=(("external_id", "text"), ("unit_id", "int"), ("kind", "text"),
                ("name", "text"), ("nrb", "text"))),
    Kind("titles", "tytuły prawne do lokali",
         ("lokal", "osoba", "imie", "nazwisko", "tytul", "od", "email", "telefon"),
         ("lokal", "osoba", "nazwisko"),
         load=lambda: _ids(Unit.external_id), check=_title),
    Kind("ledger", "zapisy kartoteki finansowej",
         (ID, "konto", "data", "termin", "okres", "dokument", "skladnik", "opis", "naliczenie",
          "wplata"), (ID, "konto", "data"),
         load=lambda: _ids(Account.external_id), check=_ledger, table="ledger_entry",
         stage=(("external_id", "text"), ("account_id", "int"), ("booked_on", "date"),
                ("due_on", "date"), ("period", "text"), ("document_no", "text"),
                ("component", "text"), ("description", "text"), ("charge", "money"),
                ("payment", "money")),
         after="iok_saas.finance.notify.posted"),
    Kind("meters", "liczniki",
         (ID, "lokal", "rodzaj", "numer_seryjny", "miejsce", "jednostka", "zamontowany",
          "legalizacja_do", "zdemontowany", "stan_poczatkowy", "odczyt", "radio_id"),
         (ID, "lokal", "rodzaj", "numer_seryjny"),
         load=lambda: _ids(Unit.external_id), check=_meter, table="meter",
         stage=(("external_id", "text"), ("unit_id", "int"), ("kind", "text"),
                ("serial_number", "text"), ("place", "text"), ("measure", "text"),
                ("installed_on", "date"), ("legalised_until", "date"), ("removed_on", "date"),
                ("initial_value", "reading"), ("reading_mode", "text"), ("radio_id", "text")),
         kept=(("reading_mode", "typed"), ("radio_id", ""))),
    Kind("readings", "odczyty liczników", (ID, "licznik", "data", "wartosc"),
         (ID, "licznik", "data", "wartosc"),
         load=_meter_ids, check=_reading, table="meter_reading",
         stage=(("external_id", "text"), ("meter_id", "int"), ("read_on", "date"),
                ("value", "reading"))),

    # The metering company's radio readings: columns named by the cooperative's mapping,
    # read row by row (iok_saas.imports.remote).
    Kind(REMOTE, "odczyty zdalne liczników", (), (), load=lambda: None,
         check=lambda c, _: None),

    # Yearly settlements of water and heat: building, unit and meter rows, checked to add up
    # (iok_saas.imports.settlements).
    Kind(SETTLEMENTS, "rozliczenia wody i ciepła", (), (), load=lambda: None,
         check=lambda c, _: None),

    # PDFs for units: the ZIP's manifest.csv, row by row; good rows are delivered, bad ones
    # listed (iok_saas.delivery.bulk).
    Kind(DOCUMENTS, "dokumenty dla lokali",
         ("lokal", "rodzaj", "tytul", "plik", "data_obowiazywania", "osoba", "ksef"),
         ("lokal", "rodzaj", "tytul", "plik"), load=lambda: None, check=_document),
)}
