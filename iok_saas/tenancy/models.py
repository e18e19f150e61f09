"""Platform tables: the cooperatives and the hosts they answer on. Not tenant-scoped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, UtcDateTime, db

ACTIVE = "active"
DISABLED = "disabled"


class Tenant(Timestamped, db.Model):
    """A cooperative (spółdzielnia) hosted on the platform."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    maintenance_message: Mapped[str | None] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # SHA-256 of the import API token (``iok tenants api-token``); the token itself is shown once.
    api_token_hash: Mapped[str | None] = mapped_column(String(64))
    api_token_created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    domains: Mapped[list[TenantDomain]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", order_by="TenantDomain.host"
    )

    @property
    def is_active(self) -> bool:
        """Whether residents and staff can use the cooperative's portal."""
        return self.status == ACTIVE


class TenantDomain(db.Model):
    """A host name that leads to one cooperative: ``<slug>.<base domain>`` or a custom domain."""

    __tablename__ = "tenant_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )
    host: Mapped[str] = mapped_column(String(253), unique=True)
    is_custom: Mapped[bool] = mapped_column(default=False)
    tenant: Mapped[Tenant] = relationship(back_populates="domains")


class ImmutableRelease(db.Model):
    """A cooperative whose proof may be deleted in this transaction (the operator removes
    the whole cooperative). Empty otherwise; the web app's role cannot write it
    (``db.immutable``)."""

    __tablename__ = "immutable_release"

    tenant_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
