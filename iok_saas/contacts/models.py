"""What the resident chose to receive by e-mail, and when (the consents' history)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import UtcDateTime, db, utcnow
from iok_saas.tenancy import TenantScoped, tenant_fk


class ConsentEvent(TenantScoped, db.Model):
    """A choice of what to receive, given or withdrawn, when and how (kept: the dates shown)."""

    __tablename__ = "consent_event"
    __table_args__ = (
        tenant_fk("user_id", "user_account"),
        Index("ix_consent_event_user", "tenant_id", "user_id", "choice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    choice: Mapped[str] = mapped_column(String(30))
    given: Mapped[bool]
    # "resident" (their page), "link" (the unsubscribe link in an e-mail), "staff" (on paper).
    way: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
