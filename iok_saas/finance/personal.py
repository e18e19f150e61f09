"""The financial record of the units a person holds, for the download of their data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.db import db
from iok_saas.estate.services import unit_ids_of
from iok_saas.finance.models import Account, LedgerEntry


def ledger_rows(user_id: int) -> list[dict[str, Any]]:
    """Every entry of every account of the person's units, oldest first."""
    held = unit_ids_of(user_id)
    rows = db.session.execute(
        select(Account, LedgerEntry).join(LedgerEntry, LedgerEntry.account_id == Account.id)
        .where(Account.unit_id.in_(held))
        .order_by(Account.id, LedgerEntry.booked_on, LedgerEntry.id)).all()
    return [{"lokal": account.unit.address, "konto": account.name, "data": entry.booked_on,
             "termin": entry.due_on, "okres": entry.period, "dokument": entry.document_no,
             "skladnik": entry.component, "opis": entry.description,
             "naliczenie": entry.charge, "wplata": entry.payment}
            for account, entry in rows]
