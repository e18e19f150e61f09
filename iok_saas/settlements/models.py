"""Yearly settlements of water and heat (rozliczenia mediów), as the settlement company made
them: the building's part (``settlement``: the bill, how it is split, the rates) and one line
per unit (``settlement_line``: the unit's area, its meters' readings and coefficients, its
parts of the cost, the advances it paid month by month, the result).

Every number is the settlement company's, imported and checked to add up to the grosz
(``iok_saas.settlements.importer``); the pages add and show, never compute differently.

A settlement is one building, one medium and one period. The same settlement imported again
with other figures is a correction: a new version; the old one stays readable, marked
replaced (``replaced_at``), and each line that differs names the line it corrects.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, Numeric, String, UniqueConstraint, column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.cases.kinds import (  # noqa: F401 (a question's statuses: a letter's)
    CLOSED,
    IN_PROGRESS,
    LETTER_OPEN,
    RECEIVED,
    WAITING,
)
from iok_saas.cases.models import Case
from iok_saas.db import UtcDateTime, db
from iok_saas.estate.models import Building, Unit
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target
from iok_saas.web.formatting import WARSAW

COLD_WATER, HOT_WATER, HEATING, WATER_HEATING = (
    "cold_water", "hot_water", "heating", "water_heating")
MEDIA = (COLD_WATER, HOT_WATER, HEATING, WATER_HEATING)
# The meters (``meter.kind``) a medium's readings come from.
METER_KIND = {COLD_WATER: "cold_water", HOT_WATER: "hot_water", HEATING: "heat",
              WATER_HEATING: "hot_water"}
CREDIT, PAYOUT = "credit", "payout"  # an overpayment counted towards the fees, or paid out
REFUNDS = (CREDIT, PAYOUT)
Money = Numeric(12, 2)
Quantity = Numeric(14, 3)
Rate = Numeric(12, 4)


class Settlement(TenantScoped, db.Model):
    """One version of a building's settlement of one medium for one period."""

    __tablename__ = "settlement"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("building_id", "building"),
        UniqueConstraint("tenant_id", "building_id", "medium", "period_start", "version"),
        Index("ix_settlement_tenant_building", "tenant_id", "building_id", "medium",
              "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int]
    medium: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date]
    period_end: Mapped[date]
    version: Mapped[int] = mapped_column(default=1)
    company: Mapped[str] = mapped_column(String(120), default="")
    quantity: Mapped[Decimal | None] = mapped_column(Quantity)  # heat taken, main water meter
    measure: Mapped[str] = mapped_column(String(12), default="")  # GJ, m³
    cost: Mapped[Decimal] = mapped_column(Money)
    fixed_cost: Mapped[Decimal] = mapped_column(Money)
    variable_cost: Mapped[Decimal] = mapped_column(Money)
    difference_cost: Mapped[Decimal] = mapped_column(Money)  # water: main meter − unit meters
    area: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # the fixed part's basis
    fixed_rate: Mapped[Decimal | None] = mapped_column(Rate)  # zł per m²
    units: Mapped[Decimal | None] = mapped_column(Quantity)  # the variable part's basis
    variable_rate: Mapped[Decimal | None] = mapped_column(Rate)  # zł per unit or m³
    digest: Mapped[str] = mapped_column(String(64))  # the building part and every line
    run_id: Mapped[int | None]  # the import that brought it
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # by a correction

    building: Mapped[Building] = relationship(
        primaryjoin="Building.id == Settlement.building_id",
        foreign_keys="Settlement.building_id")

    @property
    def difference(self) -> Decimal | None:
        """Water: the main meter less the sum of the units' meters."""
        if self.quantity is None or self.units is None:
            return None
        return self.quantity - self.units


class SettlementLine(TenantScoped, db.Model):
    """One unit's part of one settlement version."""

    __tablename__ = "settlement_line"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("settlement_id", "settlement"),
        tenant_fk("unit_id", "unit"),
        tenant_fk("corrects_id", "settlement_line", "fk_settlement_line_corrects"),
        UniqueConstraint("tenant_id", "settlement_id", "unit_id"),
        Index("ix_settlement_line_tenant_unit", "tenant_id", "unit_id"),
        # The foreign key's check when a line is deleted looks up the lines correcting it.
        Index("ix_settlement_line_tenant_corrects", "tenant_id", "corrects_id",
              postgresql_where=column("corrects_id").is_not(None)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int]
    unit_id: Mapped[int]
    line: Mapped[int] = mapped_column(default=0)  # the file's line, for the office
    area: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # The unit's meters: [{"meter_id", "serial", "place", "start", "end", "consumption",
    # "coefficient", "units"}] — numbers as text, exactly as imported.
    readings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    consumption: Mapped[Decimal | None] = mapped_column(Quantity)  # units or m³, after coefficients
    fixed_cost: Mapped[Decimal] = mapped_column(Money)
    variable_cost: Mapped[Decimal] = mapped_column(Money)
    difference_cost: Mapped[Decimal] = mapped_column(Money)
    cost: Mapped[Decimal] = mapped_column(Money)
    advances: Mapped[Decimal] = mapped_column(Money)
    advances_monthly: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # "2025-01"
    result: Mapped[Decimal] = mapped_column(Money)  # cost − advances: > 0 to pay, < 0 returned
    due_on: Mapped[date | None]  # a surcharge is paid by
    refund: Mapped[str] = mapped_column(String(8), default="")  # credit, payout
    document_no: Mapped[str] = mapped_column(String(60), default="")  # in the ledger
    digest: Mapped[str] = mapped_column(String(64))  # this line with its building part
    corrects_id: Mapped[int | None]  # the line of the version before, where this one differs
    document_id: Mapped[int | None]  # the PDF delivered to the unit (unit_document)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # made available

    settlement: Mapped[Settlement] = relationship(
        primaryjoin="Settlement.id == SettlementLine.settlement_id",
        foreign_keys="SettlementLine.settlement_id")
    unit: Mapped[Unit] = relationship(primaryjoin="Unit.id == SettlementLine.unit_id",
                                      foreign_keys="SettlementLine.unit_id")


QUESTION = "settlement_question"
QUESTION_REGISTER = "RR"
OPEN = LETTER_OPEN


class SettlementQuestion(Case):
    """A question about a settlement (reklamacja rozliczenia), numbered ``RR/2026/00003``:
    linked to the unit's settlement line, with the cooperative's deadline for questions as it
    stood when the question was asked."""

    __mapper_args__ = {"polymorphic_identity": QUESTION}

    settlement_line_id: Mapped[int | None] = mapped_column(use_existing_column=True)

    line: Mapped[SettlementLine] = relationship(
        primaryjoin="SettlementLine.id == SettlementQuestion.settlement_line_id",
        foreign_keys="SettlementQuestion.settlement_line_id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def in_time(self) -> bool:
        """Asked by the deadline (or there was none)."""
        return (self.deadline_on is None
                or self.created_at.astimezone(WARSAW).date() <= self.deadline_on)


# The question's line is in its cooperative (the cases room's table, this kind's column).
Case.__table__.append_constraint(  # type: ignore[attr-defined]
    tenant_fk("settlement_line_id", "settlement_line", "fk_office_case_settlement_line"))
# A settlement line's deletion (a correction's cleanup, a cooperative removed) finds the
# questions pointing at it by this index, not by reading every case.
Index("ix_office_case_settlement_line", Case.__table__.c.tenant_id,  # type: ignore[attr-defined]
      Case.__table__.c.settlement_line_id,  # type: ignore[attr-defined]
      postgresql_where=Case.__table__.c.settlement_line_id.is_not(None))
