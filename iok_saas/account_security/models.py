"""What account security keeps: one-time activation codes from letters, recovery codes and
remembered browsers of two-step verification (only keyed hashes of each)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import UtcDateTime, db, utcnow
from iok_saas.tenancy import TenantScoped, tenant_fk


class ActivationCode(TenantScoped, db.Model):
    """A one-time code on paper that opens a member's account (``activation``): only its keyed
    hash is kept; it works once, until it expires, unless revoked."""

    __tablename__ = "activation_code"
    __table_args__ = (
        tenant_fk("user_id", "user_account"),
        Index("ix_activation_code_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by_id: Mapped[int | None]  # None: the operator's command
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str] = mapped_column(String(12), default="", server_default="")
    failures: Mapped[int] = mapped_column(default=0, server_default="0")


class RecoveryCode(TenantScoped, db.Model):
    """One of a person's ten one-time codes for when the authenticator app is not at hand
    (a keyed hash only)."""

    __tablename__ = "recovery_code"
    __table_args__ = (
        tenant_fk("user_id", "user_account"),
        Index("ix_recovery_code_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TrustedDevice(TenantScoped, db.Model):
    """A browser where the person chose not to be asked for the code for 30 days (where the
    cooperative allows it): its cookie's token, as a SHA-256."""

    __tablename__ = "trusted_device"
    __table_args__ = (
        tenant_fk("user_id", "user_account"),
        Index("ix_trusted_device_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    token_hash: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(120), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
