"""Statements of a unit's account: CSV that Polish Excel opens as it is."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from iok_saas.finance.services import Record

HEADER = ("Data", "Dokument", "Okres", "Opis", "Naliczenie", "Wpłata", "Saldo")


def _amount(value: Decimal) -> str:
    """``1234,56``: decimal comma, no thousands separator (Excel reads it as a number)."""
    return f"{value:.2f}".replace(".", ",")


def csv_text(record: Record) -> str:
    """The chosen year's entries, oldest first, with the balance after each; BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in reversed(record.rows):
        entry = row.entry
        writer.writerow((entry.booked_on.strftime("%d.%m.%Y"), entry.document_no, entry.period,
                         entry.description or entry.component,
                         _amount(entry.charge) if entry.charge else "",
                         _amount(entry.payment) if entry.payment else "",
                         _amount(row.balance)))
    return "\ufeff" + buffer.getvalue()
