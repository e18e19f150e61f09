"""What residents see of the financial record: balances, the ledger, this month's charges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, extract, func, select
from sqlalchemy.orm import aliased

from iok_saas.db import db
from iok_saas.db.rowsets import ordered
from iok_saas.estate.models import Unit
from iok_saas.finance.models import Account, LedgerEntry

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Balance:
    """An account's balance: positive = due, negative = overpaid."""

    account: Account | Named
    amount: Decimal
    due_on: date | None

    @property
    def state(self) -> str:
        """``due``, ``overpaid`` or ``settled``."""
        return "due" if self.amount > 0 else "overpaid" if self.amount < 0 else "settled"


@dataclass
class Row:
    """One ledger line with the account's running balance after it."""

    entry: LedgerEntry
    balance: Decimal


@dataclass
class Record:
    """A unit's financial record as the resident asked for it."""

    unit: Unit
    balances: list[Balance]
    account: Account | None
    years: list[int]
    year: int | None
    rows: list[Row] = field(default_factory=list)
    breakdown: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)
    months: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)


def balances_for(unit_ids: list[int]) -> dict[int, list[Balance]]:
    """Every account of these units with its balance, in one query."""
    if not unit_ids:
        return {}
    due = func.max(LedgerEntry.due_on).filter(LedgerEntry.charge > 0)
    amount = func.coalesce(func.sum(LedgerEntry.charge - LedgerEntry.payment), ZERO)
    rows = db.session.execute(
        select(Account, amount, due)
        .outerjoin(LedgerEntry, LedgerEntry.account_id == Account.id)
        .where(Account.unit_id.in_(unit_ids))
        .group_by(Account.id).order_by(Account.kind, Account.name)
    ).all()
    result: dict[int, list[Balance]] = {}
    for account, total, due_on in rows:
        result.setdefault(account.unit_id, []).append(Balance(account, Decimal(total), due_on))
    return result


@dataclass(frozen=True)
class Named:
    """What a list shows of an account: its name."""

    name: str


def balance_rows(user_id: int, held: Select) -> Select:
    """Each account of the person's units with its balance and due date, as the home page
    lists them (a part of ``rowsets.together``; ``held``: the units' ids)."""
    due = func.max(LedgerEntry.due_on).filter(LedgerEntry.charge > 0)
    amount = func.coalesce(func.sum(LedgerEntry.charge - LedgerEntry.payment), ZERO)
    return ordered(
        select(Account.unit_id, Account.name, amount.label("amount"), due.label("due_on"))
        .outerjoin(LedgerEntry, LedgerEntry.account_id == Account.id)
        .where(Account.unit_id.in_(held)).group_by(Account.id),
        Account.kind, Account.name)


def balances_by_unit(rows: list) -> dict[int, list[Balance]]:
    """``balance_rows``' rows as each unit's balances."""
    result: dict[int, list[Balance]] = {}
    for row in rows:
        result.setdefault(row.unit_id, []).append(
            Balance(Named(row.name), Decimal(row.amount), row.due_on))
    return result


def record(unit: Unit, account_id: int | None, year: int | None) -> Record:
    """The record of one unit: balances, years with entries, one account's ledger for a year."""
    balances = balances_for([unit.id]).get(unit.id, [])
    accounts = {b.account.id: b.account for b in balances}
    account = accounts.get(account_id) or (balances[0].account if balances else None)
    if account is None:
        return Record(unit, balances, None, [], None)
    years = [int(y) for y in db.session.scalars(
        select(extract("year", LedgerEntry.booked_on)).where(LedgerEntry.account_id == account.id)
        .distinct().order_by(extract("year", LedgerEntry.booked_on).desc()))]
    year = year if year in years else (years[0] if years else None)
    return Record(unit, balances, account, years, year, _rows(account.id, year),
                  _breakdown(account.id), _months(account.id))


def _months(account_id: int, count: int = 24) -> list[tuple[str, Decimal, Decimal]]:
    """(period, charges, payments) for the last ``count`` months with entries, oldest first."""
    rows = db.session.execute(
        select(LedgerEntry.period, func.sum(LedgerEntry.charge), func.sum(LedgerEntry.payment))
        .where(LedgerEntry.account_id == account_id, LedgerEntry.period != "")
        .group_by(LedgerEntry.period).order_by(LedgerEntry.period.desc()).limit(count)).all()
    return [(period, Decimal(c), Decimal(p)) for period, c, p in reversed(rows)]


def _rows(account_id: int, year: int | None) -> list[Row]:
    """The year's entries, newest first, each with the balance after it (earlier years count)."""
    running = func.sum(LedgerEntry.charge - LedgerEntry.payment).over(
        order_by=(LedgerEntry.booked_on, LedgerEntry.id))
    # One pass over the account's entries: the window runs in the subquery, the year is
    # picked from its result (a join back to the table made PostgreSQL loop over it).
    inner = (select(LedgerEntry, running.label("balance"))
             .where(LedgerEntry.account_id == account_id).subquery())
    entry = aliased(LedgerEntry, inner)
    stmt = (select(entry, inner.c.balance)
            .order_by(entry.booked_on.desc(), entry.id.desc()))
    if year is not None:
        stmt = stmt.where(extract("year", entry.booked_on) == year)
    return [Row(entry, Decimal(balance)) for entry, balance in db.session.execute(stmt)]


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


def _breakdown(account_id: int) -> list[tuple[str, Decimal, Decimal]]:
    """The latest month's charges by component next to the month before: (component, now, then)."""
    periods = list(db.session.scalars(
        select(LedgerEntry.period).where(LedgerEntry.account_id == account_id,
                                         LedgerEntry.charge > 0, LedgerEntry.period != "")
        .distinct().order_by(LedgerEntry.period.desc()).limit(2)))
    if not periods:
        return []
    rows = db.session.execute(
        select(LedgerEntry.component, LedgerEntry.period, func.sum(LedgerEntry.charge))
        .where(LedgerEntry.account_id == account_id, LedgerEntry.period.in_(periods),
               LedgerEntry.charge > 0)
        .group_by(LedgerEntry.component, LedgerEntry.period)).all()
    table: dict[str, list[Decimal]] = {}
    for component, period, total in rows:
        slot = table.setdefault(component, [ZERO, ZERO])
        slot[0 if period == periods[0] else 1] = Decimal(total)
    return sorted(((c, v[0], v[1]) for c, v in table.items()), key=lambda r: -r[1])
