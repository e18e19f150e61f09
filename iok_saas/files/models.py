"""Stored files: one row per file, its content in chunks; both owned by a cooperative."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import UtcDateTime, db, utcnow
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target


class StoredFile(TenantScoped, db.Model):
    """A file a resident or staff uploaded, or the platform keeps for them."""

    __tablename__ = "stored_file"
    __table_args__ = (tenant_fk_target(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))  # reading_photo, import_upload, …
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FileChunk(TenantScoped, db.Model):
    """At most ``CHUNK`` bytes of a file: a large import never sits in memory whole."""

    __tablename__ = "stored_file_chunk"
    __table_args__ = (tenant_fk("file_id", "stored_file"),)

    file_id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
