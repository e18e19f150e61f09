"""Statements of a unit's account: CSV that Polish Excel opens as it is, and a PDF to print."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from iok_saas.db import utcnow
from iok_saas.finance.services import ZERO, Record
from iok_saas.web.formatting import day, excel_csv
from iok_saas.web.pdf import render_pdf

HEADER = (_l("Date"), _l("Document"), _l("Period"), _l("Description"), _l("Charge"),
          _l("Payment"), _l("Balance"))


def _amount(value: Decimal) -> str:
    """``1234,56``: decimal comma, no thousands separator (Excel reads it as a number)."""
    return f"{value:.2f}".replace(".", ",")


def csv_text(record: Record) -> str:
    """The chosen year's entries, oldest first, with the balance after each; BOM for Excel."""
    return excel_csv([str(name) for name in HEADER], (
        (day(row.entry.booked_on), row.entry.document_no, row.entry.period,
         row.entry.description or row.entry.component,
         _amount(row.entry.charge) if row.entry.charge else "",
         _amount(row.entry.payment) if row.entry.payment else "", _amount(row.balance))
        for row in reversed(record.rows)))


@dataclass(frozen=True)
class Totals:
    """The year in four figures: balance brought forward, charges, payments, balance after."""

    opening: Decimal
    charges: Decimal
    payments: Decimal
    closing: Decimal
    closing_on: date | None


def totals(record: Record) -> Totals:
    """Sums of the chosen year; opening + charges − payments = closing."""
    charges = sum((row.entry.charge for row in record.rows), ZERO)
    payments = sum((row.entry.payment for row in record.rows), ZERO)
    if not record.rows:
        return Totals(ZERO, ZERO, ZERO, ZERO, None)
    latest = record.rows[0]  # rows are newest first
    closing = latest.balance
    return Totals(closing - charges + payments, charges, payments, closing,
                  latest.entry.booked_on)


def pdf_bytes(record: Record) -> bytes:
    """The chosen year's entries, oldest first, on the cooperative's letterhead (A4)."""
    return render_pdf("finance/statement_pdf.html", record=record, rows=record.rows[::-1],
                      totals=totals(record), produced=utcnow())
