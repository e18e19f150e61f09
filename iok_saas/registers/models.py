"""The counters of a cooperative's numbered registers."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import db
from iok_saas.tenancy import TenantScoped


class RegistryCounter(TenantScoped, db.Model):
    """The last number given in a register (``AW``, ``KO``) in a year."""

    __tablename__ = "registry_counter"

    tenant_id: Mapped[int] = mapped_column(  # type: ignore[assignment]
        ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    register: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
