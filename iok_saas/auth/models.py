"""User accounts: residents and staff, each belonging to exactly one cooperative."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.db import Timestamped, UtcDateTime, db, utcnow
from iok_saas.db.sealed import Sealed
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

if TYPE_CHECKING:
    from iok_saas.estate.models import UnitTitle

RESIDENT = "resident"
CLERK = "clerk"
ADMIN = "admin"
ROLES = (RESIDENT, CLERK, ADMIN)
STAFF_ROLES = (CLERK, ADMIN)


class User(UserMixin, TenantScoped, Timestamped, db.Model):
    """A person who signs in to one cooperative's portal."""

    __tablename__ = "user_account"
    __table_args__ = (tenant_fk_target(), UniqueConstraint("tenant_id", "identifier"),
                      UniqueConstraint("tenant_id", "external_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(40))
    # The person's id in the accounting system (kontrahent), set by the titles import.
    external_id: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default=RESIDENT)
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    # Staff: the office's department, shown to residents beside the first name of who answered.
    department: Mapped[str] = mapped_column(String(80), default="", server_default="")
    email: Mapped[str | None] = mapped_column(String(254))
    # When the person confirmed this address by its link, or staff recorded it from a paper
    # request; an import never changes a confirmed address.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # An address asked for and not yet confirmed: the old one stays in use until then.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    pending_email_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # The mobile phone (E.164 once entered through the contact details); the landline beside it.
    phone: Mapped[str | None] = mapped_column(String(40))
    landline: Mapped[str | None] = mapped_column(String(20))
    # When the person (or staff, on paper) last changed the contact details in IOK.
    contacts_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    initial_password_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Two-step verification (``account_security.second_factor``): the authenticator app's
    # secret once set up, the one being set up, and the last time step used (a code never
    # works twice). The secrets are sealed with the data keys: codes are computed from them,
    # so no hash will do.
    totp_secret: Mapped[str | None] = mapped_column(Sealed(64))
    totp_pending: Mapped[str | None] = mapped_column(Sealed(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    totp_last_step: Mapped[int | None]
    # The resident asked for an e-mail when the cooperative's reading window opens.
    reading_reminders: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Consent to receive the cooperative's announcements by e-mail (the history of these
    # choices, with their dates: ``ConsentEvent``).
    announcement_emails: Mapped[bool] = mapped_column(default=False, server_default=false())
    # An e-mail when the accounting system's import posts new charges or payments.
    finance_emails: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The monthly consumption information, and alerts on unusual consumption (remote meters).
    consumption_emails: Mapped[bool] = mapped_column(default=False, server_default=false())
    consumption_alerts: Mapped[bool] = mapped_column(default=False, server_default=false())
    titles: Mapped[list[UnitTitle]] = relationship(
        back_populates="user",
        primaryjoin="User.id == UnitTitle.user_id", foreign_keys="UnitTitle.user_id",
    )

    @property
    def is_active(self) -> bool:
        """Flask-Login: a deactivated account cannot sign in."""
        return self.active

    @property
    def is_admin(self) -> bool:
        """A staff admin of this cooperative."""
        return self.role == ADMIN

    @property
    def is_staff(self) -> bool:
        """Whether the user works in the staff panel."""
        return self.role in STAFF_ROLES

    @property
    def is_locked(self) -> bool:
        """Whether sign-in is blocked (blokada) right now."""
        return self.locked_at is not None

    @property
    def full_name(self) -> str:
        """First and last name, or the identifier when none is known."""
        return f"{self.first_name} {self.last_name}".strip() or self.identifier

    def get_id(self) -> str:
        """Flask-Login: id and session version, so old cookies stop working after a rotation."""
        return f"{self.id}:{self.session_version}"


class SignedInSession(TenantScoped, db.Model):
    """One sign-in on one device (``auth.sessions``): the cookie holds a token, this row only
    its SHA-256; ending the row ends the session."""

    __tablename__ = "user_session"
    __table_args__ = (
        tenant_fk("user_id", "user_account"),
        UniqueConstraint("tenant_id", "token_hash"),
        Index("ix_user_session_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    token_hash: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(120), default="", server_default="")
    ip: Mapped[str] = mapped_column(String(45), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
