"""Announcements (ogłoszenia): what the cooperative tells residents, who it is meant for, who
has read it, what is attached, and which e-mails it has handed over.

The body is Markdown as staff wrote it; the HTML residents see is rendered and sanitised once,
when it is saved (``body_html``), never from the request. The audience is the whole cooperative,
chosen estates or chosen buildings; a resident sees an announcement meant for a building where
they hold a unit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import Timestamped, UtcDateTime, db
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

GENERAL, OUTAGE, MEETING, URGENT = "general", "outage", "meeting", "urgent"
KINDS = (GENERAL, OUTAGE, MEETING, URGENT)
OUTAGE_SERVICES = ("water", "hot_water", "heating", "electricity", "gas", "lift")
EVERYONE, ESTATES, BUILDINGS = "all", "estates", "buildings"
AUDIENCES = (EVERYONE, ESTATES, BUILDINGS)


class Announcement(TenantScoped, Timestamped, db.Model):
    """One announcement."""

    __tablename__ = "announcement"
    __table_args__ = (
        tenant_fk_target(),
        Index("ix_announcement_tenant_publish", "tenant_id", "publish_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10), default=GENERAL, server_default=GENERAL)
    service: Mapped[str | None] = mapped_column(String(12))  # what an outage cuts off
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # an outage or a meeting
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    audience: Mapped[str] = mapped_column(String(10), default=EVERYONE, server_default=EVERYONE)
    publish_from: Mapped[datetime] = mapped_column(UtcDateTime)
    publish_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pinned: Mapped[bool] = mapped_column(default=False, server_default=false())
    send_email: Mapped[bool] = mapped_column(default=False, server_default=false())
    author_id: Mapped[int | None]
    author_label: Mapped[str] = mapped_column(String(160), default="", server_default="")
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # first shown
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # changed after that
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    emails_queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    emails_progress_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # last batch
    emails_done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AnnouncementBuilding(TenantScoped, db.Model):
    """A building an announcement is meant for (audience ``buildings``)."""

    __tablename__ = "announcement_building"
    __table_args__ = (
        tenant_fk("announcement_id", "announcement"),
        tenant_fk("building_id", "building"),
        UniqueConstraint("tenant_id", "announcement_id", "building_id"),
        Index("ix_announcement_building_building", "tenant_id", "building_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int]
    building_id: Mapped[int]


class AnnouncementEstate(TenantScoped, db.Model):
    """An estate (osiedle) an announcement is meant for (audience ``estates``)."""

    __tablename__ = "announcement_estate"
    __table_args__ = (
        tenant_fk("announcement_id", "announcement"),
        UniqueConstraint("tenant_id", "announcement_id", "estate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int]
    estate: Mapped[str] = mapped_column(String(120))


class AnnouncementRead(TenantScoped, db.Model):
    """That a person has opened an announcement (once; kept when it is edited)."""

    __tablename__ = "announcement_read"
    __table_args__ = (
        tenant_fk("announcement_id", "announcement"),
        tenant_fk("user_id", "user_account"),
        UniqueConstraint("tenant_id", "announcement_id", "user_id"),
        Index("ix_announcement_read_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int]
    user_id: Mapped[int]
    read_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AnnouncementAttachment(TenantScoped, db.Model):
    """A file attached to an announcement (PDF, JPEG, PNG), kept in the file store."""

    __tablename__ = "announcement_attachment"
    __table_args__ = (
        tenant_fk("announcement_id", "announcement"),
        tenant_fk("file_id", "stored_file"),
        Index("ix_announcement_attachment_announcement", "tenant_id", "announcement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int]
    file_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
