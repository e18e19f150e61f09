"""Cases: what a fault report and a letter to the office (and later a draft resolution or a
visit request) have in common — one table of cases numbered per register and year
(``AW/2026/00042``, ``KO/2026/00017``), their events, their files and who follows them.

A capability's kind of case is a subclass of ``Case`` on the same table (single-table
inheritance on ``kind``): ``select(FaultReport)`` reads only fault reports, ``select(Case)``
every kind. A kind's own columns are declared on its subclass and are empty for the others.

The history of a case is a list of events. The room's own: ``created``, ``status``, ``reply``
(the office, public), ``note`` and ``assigned`` (staff only), ``comment`` (the filer writes
again), ``planned``, ``close``, ``merged_in``/``merged_into``, ``moved``. A kind may add its
own (faults: ``confirmed``, ``reopened``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, UtcDateTime, db
from iok_saas.estate.models import Building, Unit
from iok_saas.registers import label
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

CREATED, STATUS, REPLY, NOTE, COMMENT, ASSIGNED, PLANNED, CLOSE, MERGED_IN, MERGED_INTO, MOVED = (
    "created", "status", "reply", "note", "comment", "assigned", "planned", "close",
    "merged_in", "merged_into", "moved")
# Events residents never see.
INTERNAL = (NOTE, ASSIGNED)


class Case(TenantScoped, Timestamped, db.Model):
    """One case of any kind: its number, who filed it, where it stands, who deals with it."""

    __tablename__ = "office_case"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("filed_by_id", "user_account", "fk_office_case_filed_by"),
        tenant_fk("assigned_to_id", "user_account", "fk_office_case_assigned_to"),
        tenant_fk("building_id", "building"),
        tenant_fk("unit_id", "unit"),
        tenant_fk("merged_into_id", "office_case", "fk_office_case_merged_into"),
        tenant_fk("moved_to_id", "office_case", "fk_office_case_moved_to"),
        UniqueConstraint("tenant_id", "register", "year", "number"),
        # The same form sent twice (a double click, a resend) makes one case.
        UniqueConstraint("tenant_id", "kind", "filed_by_id", "submission"),
        UniqueConstraint("tenant_id", "kind", "legacy_id"),
        Index("ix_office_case_tenant_queue", "tenant_id", "kind", "status", "created_at"),
        Index("ix_office_case_tenant_filer", "tenant_id", "filed_by_id"),
        Index("ix_office_case_tenant_merged", "tenant_id", "merged_into_id"),
        Index("ix_office_case_tenant_building", "tenant_id", "kind", "building_id", "status"),
    )
    __mapper_args__ = {"polymorphic_on": "kind"}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    register: Mapped[str] = mapped_column(String(8))
    year: Mapped[int]
    number: Mapped[int]
    submission: Mapped[str] = mapped_column(String(36))
    filed_by_id: Mapped[int]
    category: Mapped[str] = mapped_column(String(60))  # a fault's category, a letter's topic
    subject: Mapped[str] = mapped_column(String(200), default="", server_default="")
    building_id: Mapped[int | None]
    unit_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12))
    status_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assigned_to_id: Mapped[int | None]
    planned_on: Mapped[date | None]
    # The deadline a case was filed under, as it stood then (a question about a settlement,
    # a members' draft resolution): kept, so a changed rule never moves it.
    deadline_on: Mapped[date | None]
    first_answer_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    merged_into_id: Mapped[int | None]  # a duplicate: the case that goes on
    moved_to_id: Mapped[int | None]  # moved to another kind: the case it became
    legacy_id: Mapped[int | None]  # a letter's number in the address before revision 0026

    building: Mapped[Building | None] = relationship(
        primaryjoin="Building.id == Case.building_id", foreign_keys="Case.building_id")
    unit: Mapped[Unit | None] = relationship(
        primaryjoin="Unit.id == Case.unit_id", foreign_keys="Case.unit_id")

    @property
    def registry_number(self) -> str:
        """``AW/2026/00042``: what the resident quotes."""
        return label(self.register, self.year, self.number)

    @property
    def file_stem(self) -> str:
        """``AW-2026-00042``: the number where a file name cannot hold a slash."""
        return self.registry_number.replace("/", "-")

    @property
    def address(self) -> str:
        """The unit's address, or the building's (common areas), or "" (about no place)."""
        place = self.unit or self.building
        return place.address if place is not None else ""

    def status_changed(self, status: str) -> None:
        """What a kind does when its status changes (besides the room's dates): nothing."""


class CaseEvent(TenantScoped, db.Model):
    """One step in a case's history."""

    __tablename__ = "case_event"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("case_id", "office_case"),
        Index("ix_case_event_tenant_case", "tenant_id", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str | None] = mapped_column(String(12))  # the status it moved to
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    author_id: Mapped[int | None]
    # What residents see of who wrote it (letters: the first name and the department).
    author_label: Mapped[str] = mapped_column(String(160), default="", server_default="")
    by_staff: Mapped[bool] = mapped_column(default=False, server_default=false())
    at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def public(self) -> bool:
        return self.kind not in INTERNAL


class CaseAttachment(TenantScoped, db.Model):
    """A file sent with an event (a photo kept as a re-encoded JPEG, or a PDF), in the file
    store, shown only through its case's pages."""

    __tablename__ = "case_attachment"
    __table_args__ = (
        tenant_fk("case_id", "office_case"),
        tenant_fk("event_id", "case_event"),
        tenant_fk("file_id", "stored_file"),
        Index("ix_case_attachment_tenant_case", "tenant_id", "case_id"),
        Index("ix_case_attachment_tenant_event", "tenant_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int]
    event_id: Mapped[int]
    file_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(160))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]


class CaseFollower(TenantScoped, db.Model):
    """Someone who follows a case: sees it among their own and gets its e-mails (the filer,
    the filers of duplicates merged into it)."""

    __tablename__ = "case_follower"
    __table_args__ = (
        tenant_fk("case_id", "office_case"),
        tenant_fk("user_id", "user_account"),
        UniqueConstraint("tenant_id", "case_id", "user_id"),
        Index("ix_case_follower_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int]
    user_id: Mapped[int]
    since: Mapped[datetime] = mapped_column(UtcDateTime)
