"""Meters of units (liczniki) and their readings (odczyty).

A reading submitted by a resident waits for staff (``pending``); staff accept or reject it.
Staff and imports enter accepted readings. A correction keeps the old value in a trail.
Values are NUMERIC(14,3), never float. A replaced meter is a new meter: readings of one meter
never go down.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint, column, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, UtcDateTime, db, utcnow
from iok_saas.estate.models import Unit
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

COLD_WATER, HOT_WATER, HEAT, GAS, ELECTRICITY = (
    "cold_water", "hot_water", "heat", "gas", "electricity")
METER_KINDS = (COLD_WATER, HOT_WATER, HEAT, GAS, ELECTRICITY)
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
# How a meter's readings come: typed (the resident submits, the office accepts) or remote (from
# the metering company's radio system, by import; the resident's form is not offered).
TYPED, REMOTE = "typed", "remote"
READING_MODES = (TYPED, REMOTE)
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
    reading_mode: Mapped[str] = mapped_column(String(10), default=TYPED, server_default=TYPED)
    radio_id: Mapped[str | None] = mapped_column(String(40))  # the radio module's own number
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


class RemoteReading(TenantScoped, db.Model):
    """A reading that arrived from the metering company's system (a remote meter).

    Kept narrow and keyed by meter and moment, so a month of daily readings of every device
    loads at close to ``COPY``'s speed and a re-sent file adds nothing. Only values that do
    not go down are here; a lower one waits in ``HeldReading``.
    """

    __tablename__ = "meter_remote_reading"
    __table_args__ = (
        tenant_fk("meter_id", "meter"),
        # A month's ends across all meters (the monthly figures, the leak check) without
        # reading years of history: readings arrive month by month, so a block range index
        # on the time is tiny, costs the import next to nothing, and skips the old blocks.
        Index("ix_meter_remote_reading_time", "read_at", postgresql_using="brin"),
    )

    # The key leads with the cooperative: no second index on it (the mixin's would be one
    # more index to keep up on millions of rows).
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"),
                                           primary_key=True)
    meter_id: Mapped[int] = mapped_column(primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    value: Mapped[Decimal] = mapped_column(READING)


HELD_DECREASE, HELD_AFTER = "decrease", "above_later"
HELD_REASONS = (HELD_DECREASE, HELD_AFTER)
HELD_FAULT, HELD_REPLACED = "fault", "replaced"


class HeldReading(TenantScoped, db.Model):
    """A remote reading the import did not use: lower than the one before it (a replaced meter
    or a fault) or higher than a later one already stored. The office decides."""

    __tablename__ = "meter_held_reading"
    __table_args__ = (tenant_fk_target(), tenant_fk("meter_id", "meter"),
                      UniqueConstraint("tenant_id", "meter_id", "read_at"),
                      Index("ix_meter_held_reading_open", "tenant_id", "decided_at", "meter_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int]
    read_at: Mapped[datetime] = mapped_column(UtcDateTime)
    value: Mapped[Decimal] = mapped_column(READING)
    previous_value: Mapped[Decimal | None] = mapped_column(READING)  # what it is compared with
    reason: Mapped[str] = mapped_column(String(12), default=HELD_DECREASE)
    import_run_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str] = mapped_column(String(160), default="", server_default="")
    decision: Mapped[str] = mapped_column(String(10), default="", server_default="")
    meter: Mapped[Meter] = relationship(primaryjoin="Meter.id == HeldReading.meter_id",
                                        foreign_keys="HeldReading.meter_id")


class MeterMonth(TenantScoped, db.Model):
    """One meter's consumption in one month, from its readings nearest the month's ends
    (interpolated where no reading is within a day of an end: ``estimated``). Made again
    whenever readings of that month arrive."""

    __tablename__ = "meter_month"
    __table_args__ = (tenant_fk("meter_id", "meter"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"),
                                           primary_key=True)
    meter_id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)  # its first day
    start_value: Mapped[Decimal] = mapped_column(READING)
    end_value: Mapped[Decimal] = mapped_column(READING)
    consumption: Mapped[Decimal] = mapped_column(READING)
    estimated: Mapped[bool] = mapped_column(default=False, server_default=false())
    readings: Mapped[int] = mapped_column(default=0, server_default="0")
    # Days of the month with a daily reading showing no flow at all (water: a leak shows as none).
    zero_days: Mapped[int | None]


class BuildingMonth(TenantScoped, db.Model):
    """The median monthly consumption of one kind of device in a building, kept only where at
    least five units have such a device: residents compare without seeing a neighbour's
    figure."""

    __tablename__ = "meter_building_month"
    __table_args__ = (tenant_fk("building_id", "building"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"),
                                           primary_key=True)
    building_id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    measure: Mapped[str] = mapped_column(String(12), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    units: Mapped[int]
    median: Mapped[Decimal] = mapped_column(READING)


ALERT_HIGH, ALERT_LEAK = "high", "leak"
ALERT_KINDS = (ALERT_HIGH, ALERT_LEAK)


class ConsumptionAlert(TenantScoped, db.Model):
    """A month far above the same month last year or the 12-month median (``high``), or water
    flowing every day for days on end (``leak``): once per meter, kind and month."""

    __tablename__ = "meter_consumption_alert"
    __table_args__ = (tenant_fk_target(), tenant_fk("meter_id", "meter"),
                      UniqueConstraint("tenant_id", "meter_id", "kind", "month"),
                      Index("ix_meter_consumption_alert_recent", "tenant_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))
    month: Mapped[date]
    value: Mapped[Decimal] = mapped_column(READING)  # the month's consumption, or days of flow
    compared_with: Mapped[Decimal | None] = mapped_column(READING)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    meter: Mapped[Meter] = relationship(primaryjoin="Meter.id == ConsumptionAlert.meter_id",
                                        foreign_keys="ConsumptionAlert.meter_id")


class ConsumptionStatement(TenantScoped, db.Model):
    """The monthly consumption information of one unit (art. 45c ust. 2 of the energy law): the
    figures as they stood when the month's readings were in (``figures``; its PDF is drawn from
    them, so a later file or a decision of the office does not change what was given), kept for
    the years the cooperative sets. ``file_id``: the PDF itself once kept (delivered with
    proof)."""

    __tablename__ = "meter_consumption_statement"
    __table_args__ = (tenant_fk_target(), tenant_fk("unit_id", "unit"),
                      tenant_fk("file_id", "stored_file"),
                      UniqueConstraint("tenant_id", "unit_id", "month"),
                      Index("ix_meter_consumption_statement_month", "tenant_id", "month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int]
    month: Mapped[date]
    figures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    file_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
