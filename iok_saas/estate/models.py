"""Buildings, units (lokale) and legal titles linking residents to units."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, db
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

if TYPE_CHECKING:
    from iok_saas.auth.models import User

TITLE_KINDS = ("ownership", "cooperative_ownership", "cooperative_tenancy", "lease")


class Building(TenantScoped, Timestamped, db.Model):
    """A building (budynek) of the cooperative, on one of its estates (osiedla)."""

    __tablename__ = "building"
    __table_args__ = (tenant_fk_target(), UniqueConstraint("tenant_id", "street", "number", "city"),
                      UniqueConstraint("tenant_id", "external_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))  # the accounting system's id
    estate: Mapped[str] = mapped_column(String(120), default="")
    street: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(20))
    postal_code: Mapped[str] = mapped_column(String(6))
    city: Mapped[str] = mapped_column(String(80))
    units: Mapped[list[Unit]] = relationship(
        back_populates="building", order_by="Unit.number",
        primaryjoin="Building.id == Unit.building_id", foreign_keys="Unit.building_id",
    )

    @property
    def address(self) -> str:
        """``ul. Polna 3``: the street address."""
        return f"{self.street} {self.number}"


class Unit(TenantScoped, Timestamped, db.Model):
    """A unit (lokal): a flat, a garage, a commercial premises."""

    __tablename__ = "unit"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("building_id", "building"),
        UniqueConstraint("tenant_id", "building_id", "number"),
        UniqueConstraint("tenant_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))  # the accounting system's id
    building_id: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="flat")
    building: Mapped[Building] = relationship(
        back_populates="units",
        primaryjoin="Building.id == Unit.building_id", foreign_keys="Unit.building_id",
    )
    titles: Mapped[list[UnitTitle]] = relationship(
        back_populates="unit",
        primaryjoin="Unit.id == UnitTitle.unit_id", foreign_keys="UnitTitle.unit_id",
    )

    @property
    def address(self) -> str:
        """``ul. Polna 3 m. 12, 62-095 Murowana Goślina``."""
        b = self.building
        return f"{b.street} {b.number} m. {self.number}, {b.postal_code} {b.city}"


class UnitTitle(TenantScoped, Timestamped, db.Model):
    """A resident's legal title to a unit (ownership, cooperative right, lease…)."""

    __tablename__ = "unit_title"
    __table_args__ = (
        tenant_fk("unit_id", "unit"),
        tenant_fk("user_id", "user_account"),
        UniqueConstraint("tenant_id", "unit_id", "user_id"),
        Index("ix_unit_title_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int]
    user_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(30), default="cooperative_ownership")
    since: Mapped[date | None]
    unit: Mapped[Unit] = relationship(
        back_populates="titles",
        primaryjoin="Unit.id == UnitTitle.unit_id", foreign_keys="UnitTitle.unit_id",
    )
    user: Mapped[User] = relationship(
        back_populates="titles",
        primaryjoin="User.id == UnitTitle.user_id", foreign_keys="UnitTitle.user_id",
    )
