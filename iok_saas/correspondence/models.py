"""Letters to the office (sprawy): a resident's case with its registry number
(``KO/2026/00017``, from the cooperative's ``KO`` register), its thread, its attachments, and
the answer templates the office keeps per topic.

A case's thread is a list of entries: the resident's letter and follow-ups, the office's
answers, status changes, and what only staff see (internal notes, assignments). A case that is
really a fault report is moved into the fault reports: it is closed with a link to the report,
which names the case's number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, UtcDateTime, db
from iok_saas.estate.models import Unit
from iok_saas.registers import label
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

PREFIX = "KO"
RECEIVED, IN_PROGRESS, WAITING, CLOSED = "received", "in_progress", "waiting", "closed"
STATUSES = (RECEIVED, IN_PROGRESS, WAITING, CLOSED)
OPEN = (RECEIVED, IN_PROGRESS, WAITING)

# What an entry in a case's thread is.
LETTER, ANSWER, FOLLOW_UP, NOTE, STATUS, ASSIGNED, CLOSE, MOVED = (
    "letter", "answer", "follow_up", "note", "status", "assigned", "close", "moved")
# Entries residents never see.
INTERNAL = (NOTE, ASSIGNED)


class Case(TenantScoped, Timestamped, db.Model):
    """One letter to the office and everything that follows it."""

    __tablename__ = "correspondence_case"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("author_id", "user_account", "fk_correspondence_case_author"),
        tenant_fk("assigned_to_id", "user_account", "fk_correspondence_case_assigned_to"),
        tenant_fk("unit_id", "unit"),
        tenant_fk("fault_report_id", "fault_report"),
        UniqueConstraint("tenant_id", "year", "number"),
        # The same form sent twice (a double click, a resend) makes one case.
        UniqueConstraint("tenant_id", "author_id", "submission"),
        Index("ix_correspondence_case_tenant_status", "tenant_id", "status", "created_at"),
        Index("ix_correspondence_case_tenant_author", "tenant_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    number: Mapped[int]
    submission: Mapped[str] = mapped_column(String(36))
    author_id: Mapped[int]
    topic: Mapped[str] = mapped_column(String(60))
    unit_id: Mapped[int | None]  # None: not about one unit
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=RECEIVED, server_default=RECEIVED)
    status_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assigned_to_id: Mapped[int | None]
    first_answer_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    fault_report_id: Mapped[int | None]  # moved into this fault report
    fault_number: Mapped[str] = mapped_column(String(20), default="", server_default="")

    unit: Mapped[Unit | None] = relationship(
        primaryjoin="Unit.id == Case.unit_id", foreign_keys="Case.unit_id")

    @property
    def registry_number(self) -> str:
        """``KO/2026/00017``: what the resident quotes."""
        return label(PREFIX, self.year, self.number)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class CaseEntry(TenantScoped, db.Model):
    """One step in a case's thread."""

    __tablename__ = "correspondence_entry"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("case_id", "correspondence_case"),
        Index("ix_correspondence_entry_tenant_case", "tenant_id", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str | None] = mapped_column(String(12))  # the status it moved to
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    author_id: Mapped[int | None]
    # What residents see of who wrote it: for staff the first name and the department.
    author_label: Mapped[str] = mapped_column(String(160), default="", server_default="")
    by_staff: Mapped[bool] = mapped_column(default=False, server_default=false())
    at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def public(self) -> bool:
        return self.kind not in INTERNAL


class CaseAttachment(TenantScoped, db.Model):
    """A file sent with a letter or a follow-up (a PDF, or a picture kept as a JPEG)."""

    __tablename__ = "correspondence_attachment"
    __table_args__ = (
        tenant_fk("case_id", "correspondence_case"),
        tenant_fk("entry_id", "correspondence_entry"),
        tenant_fk("file_id", "stored_file"),
        Index("ix_correspondence_attachment_tenant_case", "tenant_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int]
    entry_id: Mapped[int]
    file_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(160))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]


class AnswerTemplate(TenantScoped, Timestamped, db.Model):
    """A ready answer the office keeps for a topic ("" : any topic)."""

    __tablename__ = "correspondence_template"
    __table_args__ = (
        UniqueConstraint("tenant_id", "title"),
        Index("ix_correspondence_template_tenant_topic", "tenant_id", "topic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(60), default="", server_default="")
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
