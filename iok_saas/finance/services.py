"""What residents see of the financial record: balances, the ledger, this month's charges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, cast, extract, func, select

from iok_saas.db.rowsets import ordered, together
from iok_saas.estate.services import UnitRow, as_units, unit_ids_of, unit_rows
from iok_saas.finance.models import Account, LedgerEntry

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Balance:
    """An account's balance: positive = due, negative = overpaid."""

    account: AccountLine
    amount: Decimal
    due_on: date | None

    @property
    def state(self) -> str:
        """``due``, ``overpaid`` or ``settled``."""
        return "due" if self.amount > 0 else "overpaid" if self.amount < 0 else "settled"


@dataclass
class Row:
    """One ledger line (the columns the record shows) with the account's running balance
    after it."""

    entry: Any
    balance: Decimal


@dataclass
class Record:
    """A unit's financial record as the resident asked for it."""

    unit: UnitRow
    balances: list[Balance]
    account: AccountLine | None
    years: list[int]
    year: int | None
    rows: list[Row] = field(default_factory=list)
    breakdown: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)
    months: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class AccountLine:
    """What a page shows of an account: its name (and, on the record, its id and NRB)."""

    name: str
    id: int | None = None
    nrb: str | None = None


def _balances(where: Any, *shown: Any) -> Select:
    """Accounts with their balance and due date, in the order residents see them."""
    due = func.max(LedgerEntry.due_on).filter(LedgerEntry.charge > 0)
    amount = func.coalesce(func.sum(LedgerEntry.charge - LedgerEntry.payment), ZERO)
    return ordered(
        select(Account.unit_id, Account.name, *shown, amount.label("amount"),
               due.label("due_on"))
        .outerjoin(LedgerEntry, LedgerEntry.account_id == Account.id)
        .where(where).group_by(Account.id),
        Account.kind, Account.name, Account.id)


def balance_rows(user_id: int, held: Select) -> Select:
    """Each account of the person's units with its balance and due date, as the home page
    lists them (a part of ``rowsets.together``; ``held``: the units' ids)."""
    return _balances(Account.unit_id.in_(held))


def balances_by_unit(rows: list) -> dict[int, list[Balance]]:
    """``balance_rows``' rows as each unit's balances."""
    result: dict[int, list[Balance]] = {}
    for row in rows:
        result.setdefault(row.unit_id, []).append(_balance(row))
    return result


def _balance(row: Any) -> Balance:
    account = AccountLine(row.name, getattr(row, "id", None), getattr(row, "nrb", None))
    return Balance(account, Decimal(row.amount), row.due_on)


def _stored(number: int | None) -> int | None:
    """A number from the address as the database can compare it; None if it cannot be one
    of its ids or years (``?konto=99999999999``)."""
    return number if number is not None and 0 < number < 2**31 else None


def _mine(user_id: Any, unit_id: Any) -> Any:
    """An account of this unit, if the person holds it."""
    return and_(Account.unit_id == unit_id, Account.unit_id.in_(unit_ids_of(user_id)))


def balances_of(user_id: int, unit_id: int) -> tuple[UnitRow | None, list[Balance]]:
    """One of the person's units (None if it is not theirs) with its accounts' balances:
    one statement."""
    if _stored(unit_id) is None:
        return None, []

    def parts() -> dict[str, Select]:
        person, unit = bindparam("user_id"), bindparam("unit_id")
        return {"unit": unit_rows(person, unit),
                "balances": _balances(_mine(person, unit), Account.id, Account.nrb)}

    rows = together(parts, key="finance.balances_of", user_id=user_id, unit_id=unit_id)
    units = as_units(rows["unit"])
    return (units[0], [_balance(row) for row in rows["balances"]]) if units else (None, [])


def record(user_id: int, unit_id: int, account_id: int | None, year: int | None
           ) -> Record | None:
    """The record of one of the person's units (None if it is not theirs): balances, the
    years with entries, one account's ledger for a year (the asked account and year if the
    unit has them, else the first account and its latest year), the latest month's charges
    by component and the last 24 months — one statement."""
    account_id, year = _stored(account_id), _stored(year)  # anything else is not there
    if _stored(unit_id) is None:
        return None
    rows = together(lambda: _record_parts(account_id is not None, year is not None),
                    key=("finance.record", account_id is not None, year is not None),
                    user_id=user_id, unit_id=unit_id, account_id=account_id, year=year)
    if not rows["unit"]:
        return None
    unit = as_units(rows["unit"])[0]
    balances = [_balance(row) for row in rows["balances"]]
    accounts = {b.account.id: b.account for b in balances}
    account = accounts.get(account_id) or (balances[0].account if balances else None)
    if account is None:
        return Record(unit, balances, None, [], None)
    years = [row.year for row in rows["years"]]
    year = year if year in years else next(iter(years), None)
    return Record(unit, balances, account, years, year,
                  [Row(entry, Decimal(entry.balance)) for entry in rows["entries"]],
                  _breakdown(rows["charges"]),
                  [(m.period, Decimal(m.c), Decimal(m.p)) for m in reversed(rows["months"])])


def _record_parts(asked_account: bool, asked_year: bool) -> dict[str, Select]:
    """The record's parts, for a person, unit, account and year given when it is sent."""
    person, unit = bindparam("user_id"), bindparam("unit_id")
    mine = _mine(person, unit)
    chosen = (select(Account.id).where(mine)
              .order_by(Account.kind, Account.name, Account.id).limit(1).scalar_subquery())
    if asked_account:
        chosen = func.coalesce(select(Account.id).where(
            mine, Account.id == bindparam("account_id")).scalar_subquery(), chosen)
    of_account = LedgerEntry.account_id == chosen
    booked_in = cast(extract("year", LedgerEntry.booked_on), Integer)
    shown_year = select(func.max(booked_in)).where(of_account).scalar_subquery()
    if asked_year:
        shown_year = func.coalesce(select(booked_in).where(
            of_account, booked_in == bindparam("year")).limit(1).scalar_subquery(), shown_year)
    return {
        "unit": unit_rows(person, unit),
        "balances": _balances(mine, Account.id, Account.nrb),
        "years": ordered(select(booked_in.label("year")).where(of_account)
                         .group_by(booked_in), booked_in.desc()),
        "entries": _entries(of_account, shown_year),
        "charges": _charges(of_account),
        "months": ordered(select(LedgerEntry.period, func.sum(LedgerEntry.charge).label("c"),
                                 func.sum(LedgerEntry.payment).label("p"))
                          .where(of_account, LedgerEntry.period != "")
                          .group_by(LedgerEntry.period), LedgerEntry.period.desc(), limit=24),
    }


def _entries(of_account: Any, year: Any) -> Select:
    """The year's entries, newest first, each with the balance after it (earlier years count)."""
    running = func.sum(LedgerEntry.charge - LedgerEntry.payment).over(
        order_by=(LedgerEntry.booked_on, LedgerEntry.id))
    # One pass over the account's entries: the window runs in the subquery, the year is
    # picked from its result (a join back to the table made PostgreSQL loop over it).
    inner = (select(LedgerEntry.id, LedgerEntry.booked_on, LedgerEntry.document_no,
                    LedgerEntry.period, LedgerEntry.description, LedgerEntry.component,
                    LedgerEntry.charge, LedgerEntry.payment, running.label("balance"))
             .where(of_account).subquery())
    return ordered(select(inner).where(cast(extract("year", inner.c.booked_on), Integer) == year),
                   inner.c.booked_on.desc(), inner.c.id.desc())


def _charges(of_account: Any) -> Select:
    """The charges of the account's two latest months with charges, by component."""
    latest = (select(LedgerEntry.period).where(of_account, LedgerEntry.charge > 0,
                                               LedgerEntry.period != "")
              .distinct().order_by(LedgerEntry.period.desc()).limit(2))
    return ordered(select(LedgerEntry.component, LedgerEntry.period,
                          func.sum(LedgerEntry.charge).label("total"))
                   .where(of_account, LedgerEntry.charge > 0, LedgerEntry.period.in_(latest))
                   .group_by(LedgerEntry.component, LedgerEntry.period),
                   LedgerEntry.component, LedgerEntry.period)


def _breakdown(rows: list) -> list[tuple[str, Decimal, Decimal]]:
    """The latest month's charges by component next to the month before: (component, now, then)."""
    if not rows:
        return []
    latest = max(row.period for row in rows)
    table: dict[str, list[Decimal]] = {}
    for row in rows:
        slot = table.setdefault(row.component, [ZERO, ZERO])
        slot[0 if row.period == latest else 1] = Decimal(row.total)
    return sorted(((c, v[0], v[1]) for c, v in table.items()), key=lambda r: -r[1])


@dataclass(frozen=True)
class Month:
    """A month of the record: its sums and the balance after its last entry, and its lines."""

    first_day: date
    charges: Decimal
    payments: Decimal
    balance: Decimal
    rows: list[Row]


def by_month(rows: list[Row]) -> list[Month]:
    """Rows (newest first) gathered by the month they were booked in, newest month first."""
    months: list[Month] = []
    for row in rows:
        first_day = row.entry.booked_on.replace(day=1)
        if not months or months[-1].first_day != first_day:
            months.append(Month(first_day, Decimal(0), Decimal(0), row.balance, []))
        month = months[-1]
        month.rows.append(row)
        months[-1] = Month(first_day, month.charges + (row.entry.charge or 0),
                           month.payments + (row.entry.payment or 0), month.balance, month.rows)
    return months
