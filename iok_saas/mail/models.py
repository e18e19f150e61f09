"""The outbox: one row per e-mail, written in the same transaction as the change behind it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import Timestamped, UtcDateTime, db
from iok_saas.tenancy import TenantScoped

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STATUSES = (PENDING, SENDING, SENT, FAILED)


class OutboxMessage(TenantScoped, Timestamped, db.Model):
    """An e-mail to send: template, recipient, context; its id is also its RQ job id, unless
    it is one of many sent together (``bulk``: then ``job_id`` names the job carrying it)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_outbox_message_tenant_status", "tenant_id", "status"),
        Index("ix_outbox_message_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid4()))
    template: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(254))
    # The account the message is about (none for an applicant or the office): what "Moje dane"
    # lists — by account, never by address, as two accounts may share one mailbox.
    user_id: Mapped[int | None]
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200), default=lambda: str(uuid4()))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sending_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set (and committed) just before the message itself (SMTP DATA) goes to the mail server:
    # only a send cut off after this may have been delivered ("delivery unknown").
    data_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    bulk: Mapped[bool] = mapped_column(default=False, server_default=false())
    job_id: Mapped[str | None] = mapped_column(String(64))
