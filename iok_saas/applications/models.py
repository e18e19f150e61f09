"""Access applications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, UtcDateTime, db
from iok_saas.estate.models import Unit
from iok_saas.tenancy import TenantScoped, tenant_fk

UNCONFIRMED = "unconfirmed"  # e-mail address not confirmed yet
SUBMITTED = "submitted"  # złożony: waiting for the cooperative
APPROVED = "approved"  # account prepared: waiting for the visit with an identity document
REJECTED = "rejected"
COMPLETED = "completed"  # identity checked, application signed, document handed over
STATUSES = (UNCONFIRMED, SUBMITTED, APPROVED, REJECTED, COMPLETED)


class AccessApplication(TenantScoped, Timestamped, db.Model):
    """A person's online application for access to the IOK."""

    __tablename__ = "access_application"
    __table_args__ = (
        tenant_fk("unit_id", "unit"),
        tenant_fk("user_id", "user_account"),
        Index("ix_access_application_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int]
    title_kind: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40))
    terms_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default=UNCONFIRMED)
    confirm_by: Mapped[datetime] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reviewed_by: Mapped[str] = mapped_column(String(120), default="")
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None]
    identity_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    identity_checked_by: Mapped[str] = mapped_column(String(120), default="")
    unit: Mapped[Unit] = relationship(primaryjoin="Unit.id == AccessApplication.unit_id",
                                      foreign_keys="AccessApplication.unit_id")

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"

