"""Fault reports (zgłoszenia awarii i usterek): the report, its history, its photos, numbered
without gaps per year (``AW/2026/00042``).

Numbers come from the cooperative's ``AW`` register (``iok_saas.registers``).

A report is about one of the resident's units or a common area of a building where they hold a
unit. Its history is a list of events: status changes, public replies (residents see them),
internal notes (never shown to residents), residents' comments, assignment, merges. A duplicate
is merged into another report: it keeps its number and points at the report that goes on; every
reporter of the merged reports follows that one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, UtcDateTime, db
from iok_saas.estate.models import Building, Unit
from iok_saas.registers import label
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

RECEIVED, IN_PROGRESS, DONE, REJECTED, MERGED = (
    "received", "in_progress", "done", "rejected", "merged")
STATUSES = (RECEIVED, IN_PROGRESS, DONE, REJECTED, MERGED)
OPEN = (RECEIVED, IN_PROGRESS)
PREFIX = "AW"

# What an event in a report's history is.
CREATED, STATUS, REPLY, NOTE, COMMENT, ASSIGNED, PLANNED, MERGED_IN, MERGED_INTO, CONFIRMED, \
    REOPENED = ("created", "status", "reply", "note", "comment", "assigned", "planned",
                "merged_in", "merged_into", "confirmed", "reopened")
# Events residents never see.
INTERNAL = (NOTE, ASSIGNED)


class FaultReport(TenantScoped, Timestamped, db.Model):
    """One report of a fault."""

    __tablename__ = "fault_report"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("building_id", "building"),
        tenant_fk("unit_id", "unit"),
        tenant_fk("reporter_id", "user_account", "fk_fault_report_reporter"),
        tenant_fk("assigned_to_id", "user_account", "fk_fault_report_assigned_to"),
        tenant_fk("merged_into_id", "fault_report"),
        UniqueConstraint("tenant_id", "year", "number"),
        # The same form sent twice (a double click, a resend) makes one report.
        UniqueConstraint("tenant_id", "reporter_id", "submission"),
        Index("ix_fault_report_tenant_status", "tenant_id", "status", "created_at"),
        Index("ix_fault_report_tenant_reporter", "tenant_id", "reporter_id"),
        Index("ix_fault_report_tenant_merged", "tenant_id", "merged_into_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    number: Mapped[int]
    submission: Mapped[str] = mapped_column(String(36))
    reporter_id: Mapped[int]
    category: Mapped[str] = mapped_column(String(60))
    building_id: Mapped[int]
    unit_id: Mapped[int | None]  # None: a common area of the building
    place: Mapped[str] = mapped_column(String(120), default="", server_default="")
    description: Mapped[str] = mapped_column(Text)
    entry_allowed: Mapped[bool] = mapped_column(default=False, server_default=false())
    contact_phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    contact_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status: Mapped[str] = mapped_column(String(12), default=RECEIVED, server_default=RECEIVED)
    status_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assigned_to_id: Mapped[int | None]
    planned_on: Mapped[date | None]
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    merged_into_id: Mapped[int | None]

    building: Mapped[Building] = relationship(
        primaryjoin="Building.id == FaultReport.building_id",
        foreign_keys="FaultReport.building_id")
    unit: Mapped[Unit | None] = relationship(
        primaryjoin="Unit.id == FaultReport.unit_id", foreign_keys="FaultReport.unit_id")

    @property
    def registry_number(self) -> str:
        """``AW/2026/00042``: what the resident quotes."""
        return label(PREFIX, self.year, self.number)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class FaultEvent(TenantScoped, db.Model):
    """One step in a report's history."""

    __tablename__ = "fault_event"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("report_id", "fault_report"),
        Index("ix_fault_event_tenant_report", "tenant_id", "report_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str | None] = mapped_column(String(12))  # the status it moved to
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    author_id: Mapped[int | None]
    author_label: Mapped[str] = mapped_column(String(160), default="", server_default="")
    by_staff: Mapped[bool] = mapped_column(default=False, server_default=false())
    at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def public(self) -> bool:
        return self.kind not in INTERNAL


class FaultPhoto(TenantScoped, db.Model):
    """A photo a resident attached (re-encoded JPEG, metadata stripped), in the file store."""

    __tablename__ = "fault_photo"
    __table_args__ = (
        tenant_fk("report_id", "fault_report"),
        tenant_fk("file_id", "stored_file"),
        tenant_fk("event_id", "fault_event"),
        Index("ix_fault_photo_tenant_report", "tenant_id", "report_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int]
    event_id: Mapped[int | None]
    file_id: Mapped[int]
