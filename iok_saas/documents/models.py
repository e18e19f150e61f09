"""The cooperative's documents for members (art. 8¹ of the housing cooperatives act): statute,
regulations, resolutions, minutes, lustration reports, financial statements, price lists.

A document (its category, number, date, title, status) has one or more versions, each a PDF in
the file store; the newest is the one in force, earlier ones stay readable, marked replaced.
Withdrawn documents are no longer shown to members (staff still see them).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import Timestamped, UtcDateTime, db, utcnow
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

CURRENT, ARCHIVED = "current", "archived"
STATUSES = (CURRENT, ARCHIVED)


class Document(TenantScoped, Timestamped, db.Model):
    """One document of the members' library."""

    __tablename__ = "member_document"
    __table_args__ = (
        tenant_fk_target(),
        Index("ix_member_document_tenant_category", "tenant_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(60), default="", server_default="")
    dated: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=CURRENT, server_default=CURRENT)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)  # last version
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DocumentVersion(TenantScoped, db.Model):
    """One version of a document: its PDF and when it came."""

    __tablename__ = "member_document_version"
    __table_args__ = (
        tenant_fk("document_id", "member_document"),
        tenant_fk("file_id", "stored_file"),
        UniqueConstraint("tenant_id", "document_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int]
    number: Mapped[int]  # 1, 2, …: the highest is in force
    file_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(160), default="", server_default="")


class DocumentVisit(TenantScoped, db.Model):
    """When a person last opened the library ("new since your last visit")."""

    __tablename__ = "member_document_visit"
    __table_args__ = (
        tenant_fk("user_id", "user_account"),
        UniqueConstraint("tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
