"""A download of everything held about a person, prepared by a job when it is large."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import UtcDateTime, db, utcnow
from iok_saas.tenancy import TenantScoped, tenant_fk

PREPARING, READY, FAILED = "preparing", "ready", "failed"


class DataExport(TenantScoped, db.Model):
    """One request for the ZIP: ready within minutes, downloadable once, for 24 hours, by the
    person who asked (the file is deleted afterwards)."""

    __tablename__ = "data_export"
    __table_args__ = (
        tenant_fk("user_id", "user_account"),
        Index("ix_data_export_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=PREPARING)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    downloaded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    file_id: Mapped[int | None]
