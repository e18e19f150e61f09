"""Audit events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import UtcDateTime, db, utcnow
from iok_saas.tenancy import TenantScoped

# What can happen; the Polish labels live in the audit log page.
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
SIGN_OUT = "sign_out"
LOCKED = "locked"
UNLOCKED = "unlocked"
PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET = "password_reset"
ACCOUNT_CREATED = "account_created"
ACCOUNT_CHANGED = "account_changed"
ACCOUNT_DEACTIVATED = "account_deactivated"
ACCOUNT_REACTIVATED = "account_reactivated"
FAULT_STATUS = "fault_status"
FAULT_ASSIGNED = "fault_assigned"
FAULT_MERGED = "fault_merged"
CONTACTS_CHANGED = "contacts_changed"
EMAIL_CHANGE_ASKED = "email_change_asked"
EMAIL_CHANGED = "email_changed"
CONSENT_CHANGED = "consent_changed"
DOCUMENT_PUBLISHED = "document_published"
DOCUMENT_CHANGED = "document_changed"
DOCUMENT_WITHDRAWN = "document_withdrawn"
DELETION_REQUESTED = "deletion_requested"
CASE_ANSWERED = "case_answered"
CASE_ASSIGNED = "case_assigned"
CASE_MOVED = "case_moved"
CASE_CLOSED = "case_closed"
ACTIVATION_CODE_ISSUED = "activation_code_issued"
ACTIVATION_CODE_USED = "activation_code_used"
ACTIVATION_CODE_EXPIRED = "activation_code_expired"
ACTIVATION_CODE_REVOKED = "activation_code_revoked"
SECOND_FACTOR_ON = "second_factor_on"
SECOND_FACTOR_OFF = "second_factor_off"
SECOND_FACTOR_USED = "second_factor_used"
REMOTE_READING_FAULT = "remote_reading_fault"
METER_REPLACED = "meter_replaced"
UNIT_DOCUMENTS_DELIVERED = "unit_documents_delivered"
UNIT_DOCUMENT_WITHDRAWN = "unit_document_withdrawn"
UNIT_DOCUMENT_REDELIVERED = "unit_document_redelivered"
UNIT_DOCUMENTS_PRINTED = "unit_documents_printed"
DELIVERY_CONSENT_CHANGED = "delivery_consent_changed"
MEETING_CHANGED = "meeting_changed"
MEETING_CONVENED = "meeting_convened"
MEETING_DRAFT_DECIDED = "meeting_draft_decided"
MEETING_PROXY_REGISTERED = "meeting_proxy_registered"
MEETING_PROXY_WITHDRAWN = "meeting_proxy_withdrawn"
MEETING_ATTENDANCE = "meeting_attendance"
MEETING_VOTES = "meeting_votes"
MEETING_RESULTS = "meeting_results"
ACTIONS = (SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, LOCKED, UNLOCKED, PASSWORD_CHANGED, PASSWORD_RESET,
           ACCOUNT_CREATED, ACCOUNT_CHANGED, ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED,
           FAULT_STATUS, FAULT_ASSIGNED, FAULT_MERGED, CONTACTS_CHANGED, EMAIL_CHANGE_ASKED,
           EMAIL_CHANGED, CONSENT_CHANGED, DOCUMENT_PUBLISHED, DOCUMENT_CHANGED,
           DOCUMENT_WITHDRAWN, DELETION_REQUESTED, CASE_ANSWERED, CASE_ASSIGNED, CASE_MOVED,
           CASE_CLOSED, ACTIVATION_CODE_ISSUED, ACTIVATION_CODE_USED, ACTIVATION_CODE_EXPIRED,
           ACTIVATION_CODE_REVOKED, SECOND_FACTOR_ON, SECOND_FACTOR_OFF, SECOND_FACTOR_USED,
           REMOTE_READING_FAULT, METER_REPLACED, UNIT_DOCUMENTS_DELIVERED,
           UNIT_DOCUMENT_WITHDRAWN, UNIT_DOCUMENT_REDELIVERED, UNIT_DOCUMENTS_PRINTED,
           DELIVERY_CONSENT_CHANGED, MEETING_CHANGED, MEETING_CONVENED, MEETING_DRAFT_DECIDED,
           MEETING_PROXY_REGISTERED, MEETING_PROXY_WITHDRAWN, MEETING_ATTENDANCE, MEETING_VOTES,
           MEETING_RESULTS)


class AuditEvent(TenantScoped, db.Model):
    """One thing that happened to an account. Ids, not foreign keys: the log outlives accounts."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_tenant_time", "tenant_id", "created_at"),
        Index("ix_audit_event_tenant_subject", "tenant_id", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None]
    actor_label: Mapped[str] = mapped_column(String(120), default="")
    subject_id: Mapped[int | None]
    subject_label: Mapped[str] = mapped_column(String(120), default="")
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DataView(TenantScoped, db.Model):
    """A member of staff looked at a resident's data (RODO: the resident may see who)."""

    __tablename__ = "data_view"
    __table_args__ = (Index("ix_data_view_tenant_subject", "tenant_id", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int]  # the resident whose data was shown
    viewer_id: Mapped[int | None]
    viewer_label: Mapped[str] = mapped_column(String(160), default="")
    viewer_role: Mapped[str] = mapped_column(String(16), default="")
    what: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
