"""What a settlement needs of other capabilities' tables, read by hand (settlements do not
import meters, finance or delivery: pyproject's layers): a unit's meters of a kind, the
ledger's charges of a component month by month, the ledger line a settlement was booked as,
when the documents delivered with the settlements were first opened (the delivery's proof).

Every statement names the cooperative (``:tenant``); row-level security checks it again on
PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, Numeric, bindparam, column, text
from sqlalchemy.orm import Session

from iok_saas.db import UtcDateTime

_METERS = text(
    "SELECT m.unit_id, m.serial_number, m.id FROM meter m WHERE m.tenant_id = :tenant "
    "AND m.unit_id IN :units AND m.kind = :kind "
    "AND (m.installed_on IS NULL OR m.installed_on <= :last) "
    "AND (m.removed_on IS NULL OR m.removed_on >= :first) ORDER BY m.id"
).bindparams(bindparam("units", expanding=True))
_CHARGED = text(
    "SELECT a.unit_id, e.period, sum(e.charge) FROM ledger_entry e JOIN finance_account a "
    "ON a.tenant_id = e.tenant_id AND a.id = e.account_id WHERE e.tenant_id = :tenant "
    "AND a.unit_id IN :units AND e.component = :component AND e.period >= :first "
    "AND e.period <= :last GROUP BY a.unit_id, e.period"
).bindparams(bindparam("units", expanding=True))
_BOOKED = text(
    "SELECT e.id, e.account_id, e.booked_on, e.charge, e.payment FROM ledger_entry e "
    "JOIN finance_account a ON a.tenant_id = e.tenant_id AND a.id = e.account_id "
    "WHERE e.tenant_id = :tenant AND a.unit_id = :unit AND e.document_no = :document "
    "ORDER BY e.booked_on, e.id LIMIT 1").columns(
    column("id", Integer), column("account_id", Integer), column("booked_on", Date),
    column("charge", Numeric(12, 2)), column("payment", Numeric(12, 2)))


def meters_of(session: Session, tenant_id: int, unit_ids: list[int], kind: str, first: date,
              last: date) -> dict[int, dict[str, int]]:
    """unit → {serial number: meter id} of its meters of ``kind`` in service at some time
    between ``first`` and ``last``."""
    found: dict[int, dict[str, int]] = {}
    if not unit_ids:
        return found
    for unit_id, serial, meter_id in session.execute(_METERS, {
            "tenant": tenant_id, "units": unit_ids, "kind": kind, "first": first,
            "last": last}):
        found.setdefault(unit_id, {})[serial] = meter_id
    return found


def charged(session: Session, tenant_id: int, unit_ids: list[int], component: str, first: str,
            last: str) -> dict[tuple[int, str], Decimal]:
    """(unit, ``YYYY-MM``) → what the ledger charged under ``component`` that month (on all
    the unit's accounts), for the months it holds between ``first`` and ``last``."""
    if not unit_ids:
        return {}
    return {(unit_id, period): Decimal(str(total)).quantize(Decimal("0.01"))
            for unit_id, period, total in session.execute(_CHARGED, {
                "tenant": tenant_id, "units": unit_ids, "component": component,
                "first": first, "last": last})}


def booked(session: Session, tenant_id: int, unit_id: int, document_no: str) -> Any:
    """The ledger line (id, account, date, charge, payment) the accounting system booked the
    settlement's result as (the same document number on one of the unit's accounts), or
    None."""
    if not document_no:
        return None
    return session.execute(_BOOKED, {"tenant": tenant_id, "unit": unit_id,
                                     "document": document_no}).first()


# The delivery's proof (``unit_document_event``), read for the office's list of settlements:
# a settlement's line is opened when its delivered document has an "opened" event (by any
# of the people it was delivered to).
_OPENED_COUNTS = text(
    "SELECT l.settlement_id, count(*) FROM settlement_line l WHERE l.tenant_id = :tenant "
    "AND l.settlement_id IN :settlements AND l.document_id IS NOT NULL AND EXISTS ("
    "SELECT 1 FROM unit_document_event e WHERE e.tenant_id = :tenant "
    "AND e.document_id = l.document_id AND e.kind = 'opened') GROUP BY l.settlement_id"
).bindparams(bindparam("settlements", expanding=True))
_FIRST_OPENED = text(
    "SELECT l.id, min(e.at) AS at FROM settlement_line l JOIN unit_document_event e "
    "ON e.tenant_id = l.tenant_id AND e.document_id = l.document_id "
    "WHERE l.tenant_id = :tenant AND l.id IN :lines AND e.kind = 'opened' GROUP BY l.id"
).bindparams(bindparam("lines", expanding=True)).columns(
    column("id", Integer), column("at", UtcDateTime))
_FIRST_OPENED_OF_SETTLEMENT = text(
    "SELECT l.id, min(e.at) AS at FROM settlement_line l JOIN unit_document_event e "
    "ON e.tenant_id = l.tenant_id AND e.document_id = l.document_id "
    "WHERE l.tenant_id = :tenant AND l.settlement_id = :settlement AND e.kind = 'opened' "
    "GROUP BY l.id").columns(column("id", Integer), column("at", UtcDateTime))


def opened_counts(session: Session, tenant_id: int, settlement_ids: list[int]
                  ) -> dict[int, int]:
    """settlement → how many of its lines' delivered documents have been opened."""
    if not settlement_ids:
        return {}
    return {settlement_id: count for settlement_id, count in session.execute(
        _OPENED_COUNTS, {"tenant": tenant_id, "settlements": settlement_ids})}


def first_opened(session: Session, tenant_id: int, *, line_ids: list[int] | None = None,
                 settlement_id: int | None = None) -> dict[int, datetime]:
    """line → when its delivered document was first opened, for these lines or for every
    line of one settlement (lines never opened are left out)."""
    if settlement_id is not None:
        rows = session.execute(_FIRST_OPENED_OF_SETTLEMENT,
                               {"tenant": tenant_id, "settlement": settlement_id})
    elif line_ids:
        rows = session.execute(_FIRST_OPENED, {"tenant": tenant_id, "lines": line_ids})
    else:
        return {}
    return {line_id: at for line_id, at in rows}


_RECIPIENT = text(
    "SELECT 1 FROM unit_document_recipient r WHERE r.tenant_id = :tenant "
    "AND r.document_id = :document AND r.user_id = :user")


def is_recipient(session: Session, tenant_id: int, document_id: int, user_id: int) -> bool:
    """Whether the document was delivered to the person (someone who took the unit over
    later was not among its recipients)."""
    return session.execute(_RECIPIENT, {"tenant": tenant_id, "document": document_id,
                                        "user": user_id}).first() is not None
