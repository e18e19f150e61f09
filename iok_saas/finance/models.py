"""The financial record (kartoteka finansowa): accounts of a unit and their ledger entries.

The cooperative's accounting system is the source of truth; rows carry its external ids.
Money is NUMERIC(12,2) and Decimal, never float. Balance = charges − payments: positive is
the amount due (do zapłaty / zaległość), negative an overpayment (nadpłata).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, db
from iok_saas.estate.models import Unit
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

FEES = "fees"  # opłaty mieszkaniowe (czynsz)
LOAN = "loan"  # kredyt
OTHER = "other"
ACCOUNT_KINDS = (FEES, LOAN, OTHER)
Money = Numeric(12, 2)


class Account(TenantScoped, Timestamped, db.Model):
    """One account of a unit in the cooperative's books (housing fees, loan, …)."""

    __tablename__ = "finance_account"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("unit_id", "unit"),
        UniqueConstraint("tenant_id", "external_id"),
        Index("ix_finance_account_tenant_unit", "tenant_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10), default=FEES)
    name: Mapped[str] = mapped_column(String(120))
    nrb: Mapped[str | None] = mapped_column(String(26))
    unit: Mapped[Unit] = relationship(primaryjoin="Unit.id == Account.unit_id",
                                      foreign_keys="Account.unit_id")


class LedgerEntry(TenantScoped, Timestamped, db.Model):
    """A charge (naliczenie) or a payment (wpłata) on an account."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        tenant_fk("account_id", "finance_account"),
        UniqueConstraint("tenant_id", "external_id"),
        Index("ix_ledger_entry_tenant_account_date", "tenant_id", "account_id", "booked_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int]
    booked_on: Mapped[date]
    due_on: Mapped[date | None]
    period: Mapped[str] = mapped_column(String(7), default="")  # YYYY-MM
    document_no: Mapped[str] = mapped_column(String(60), default="")
    component: Mapped[str] = mapped_column(String(60), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    charge: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    payment: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
