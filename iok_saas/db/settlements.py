"""What a settlement needs of other capabilities' tables, read by hand (settlements do not
import meters or finance: pyproject's layers): a unit's meters of a kind, the ledger's
charges of a component month by month, the ledger line a settlement was booked as.

Every statement names the cooperative (``:tenant``); row-level security checks it again on
PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

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
    "ORDER BY e.booked_on, e.id LIMIT 1")


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
