"""Meters of units (liczniki) and their readings (odczyty).

A reading submitted by a resident waits for staff (``pending``); staff accept or reject it.
Staff and imports enter accepted readings. A correction keeps the old value in a trail.
Values are NUMERIC(14,3), never float. A replaced meter is a new meter: readings of one meter
never go down.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, UniqueConstraint, column, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, UtcDateTime, db
from iok_saas.estate.models import Unit
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

COLD_WATER, HOT_WATER, HEAT, GAS, ELECTRICITY = (
    "cold_water", "hot_water", "heat", "gas", "electricity")
METER_KINDS = (COLD_WATER, HOT_WATER, HEAT, GAS, ELECTRICITY)
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
RESIDENT_SOURCE, STAFF_SOURCE, IMPORT_SOURCE = "resident", "staff", "import"
READING = Numeric(14, 3)


class Meter(TenantScoped, Timestamped, db.Model):
    """A meter in a unit: water, heat (cost allocator), gas, electricity."""

    __tablename__ = "meter"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("unit_id", "unit"),
        UniqueConstraint("tenant_id", "external_id"),
        Index("ix_meter_tenant_unit", "tenant_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    serial_number: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(80), default="", server_default="")
    measure: Mapped[str] = mapped_column(String(12), default="m³", server_default="m³")
    installed_on: Mapped[date | None]
    legalised_until: Mapped[date | None]
    removed_on: Mapped[date | None]
    initial_value: Mapped[Decimal] = mapped_column(READING, default=Decimal("0"),
                                                   server_default="0")
    unit: Mapped[Unit] = relationship(primaryjoin="Unit.id == Meter.unit_id",
                                      foreign_keys="Meter.unit_id")

    def closed_reason(self, today: date) -> str | None:
        """Why the meter takes no new readings (removed, past its legalisation), or None."""
        return closed_reason(self.removed_on, self.legalised_until, today)


def closed_reason(removed_on: date | None, legalised_until: date | None, today: date
                  ) -> str | None:
    """Why a meter with these dates takes no new readings (removed, past its legalisation), or
    None."""
    if removed_on is not None and removed_on <= today:
        return "removed"
    if legalised_until is not None and legalised_until < today:
        return "expired"
    return None


class Reading(TenantScoped, Timestamped, db.Model):
    """One reading of a meter."""

    __tablename__ = "meter_reading"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("meter_id", "meter"),
        UniqueConstraint("tenant_id", "external_id"),
        Index("ix_meter_reading_tenant_meter_date", "tenant_id", "meter_id", "read_on"),
        Index("ix_meter_reading_tenant_status", "tenant_id", "status"),
        # One reading waiting for staff per meter: two submissions racing cannot both land.
        Index("uq_meter_reading_one_pending", "tenant_id", "meter_id", unique=True,
              postgresql_where=column("status") == PENDING,
              sqlite_where=column("status") == PENDING),
        # The clerk's queue, oldest first, a page at a time.
        Index("ix_meter_reading_pending_queue", "tenant_id", "created_at", "id",
              postgresql_where=column("status") == PENDING,
              sqlite_where=column("status") == PENDING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    meter_id: Mapped[int]
    read_on: Mapped[date]
    value: Mapped[Decimal] = mapped_column(READING)
    source: Mapped[str] = mapped_column(String(10), default=IMPORT_SOURCE,
                                        server_default=IMPORT_SOURCE)
    status: Mapped[str] = mapped_column(String(10), default=ACCEPTED, server_default=ACCEPTED)
    submitted_by_id: Mapped[int | None]
    decided_by_id: Mapped[int | None]
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reject_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    high_confirmed: Mapped[bool] = mapped_column(default=False, server_default=false())
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    meter: Mapped[Meter] = relationship(primaryjoin="Meter.id == Reading.meter_id",
                                        foreign_keys="Reading.meter_id")
    corrections: Mapped[list[ReadingCorrection]] = relationship(
        primaryjoin="Reading.id == ReadingCorrection.reading_id",
        foreign_keys="ReadingCorrection.reading_id", order_by="ReadingCorrection.id")


class ReadingPhoto(TenantScoped, db.Model):
    """The photo of the meter a resident attached (re-encoded JPEG, metadata stripped), kept
    in the file store."""

    __tablename__ = "meter_reading_photo"
    __table_args__ = (tenant_fk("reading_id", "meter_reading"),
                      tenant_fk("file_id", "stored_file"),
                      UniqueConstraint("tenant_id", "reading_id"),
                      Index("ix_meter_reading_photo_tenant_file", "tenant_id", "file_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int]
    file_id: Mapped[int]


class ReadingCorrection(TenantScoped, db.Model):
    """A staff correction of a reading: who, when, old, new, why."""

    __tablename__ = "meter_reading_correction"
    __table_args__ = (tenant_fk("reading_id", "meter_reading"),
                      Index("ix_meter_reading_correction_reading", "tenant_id", "reading_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int]
    actor: Mapped[str] = mapped_column(String(160))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    old_value: Mapped[Decimal] = mapped_column(READING)
    new_value: Mapped[Decimal] = mapped_column(READING)
    old_read_on: Mapped[date]
    new_read_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(300))
