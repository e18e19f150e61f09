"""Recording and reading audit events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import func, select

from iok_saas.audit.models import ACTIONS, AuditEvent, DataView
from iok_saas.db import db, utcnow

SECRET_WORDS = ("password", "token", "haslo", "hasło")
PAGE_SIZE = 50


def _label(user: Any) -> str:
    return f"{user.identifier} ({user.full_name})" if user is not None else ""


def record(action: str, *, subject: Any = None, actor: Any = None, identifier: str = "",
           **detail: Any) -> AuditEvent:
    """Add an event to the current transaction; refuses anything that looks like a secret."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if any(word in key.lower() for key in detail for word in SECRET_WORDS):
        raise ValueError("audit events never hold passwords or tokens")
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None), actor_label=_label(actor),
        subject_id=getattr(subject, "id", None),
        subject_label=_label(subject) or identifier[:120],
        ip=request.remote_addr if has_request_context() else None,
        detail=detail,
    )
    db.session.add(event)
    return event


def page_of_events(page: int, action: str | None = None) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and the number of pages."""
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(
        stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    return list(rows), pages


def events_about(subject_id: int, actions: tuple[str, ...], limit: int = 20) -> list[AuditEvent]:
    """The newest events of these kinds about one account."""
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == subject_id,
                                 AuditEvent.action.in_(actions))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)))


VISIT = timedelta(minutes=30)  # a member of staff's views of the same data within it: one visit


def record_view(subject_ids: list[int], viewer: Any, what: str) -> None:
    """Staff were shown these residents' data (no commit; their own data is not counted). A
    visit is recorded once: the same data seen again by the same person within ``VISIT`` (the
    page shown again after each change made on it) adds nothing."""
    if viewer is None or not getattr(viewer, "is_staff", False):
        return
    what = what[:200]
    subjects = [s for s in dict.fromkeys(subject_ids) if s != viewer.id]
    if not subjects:
        return
    seen = set(db.session.scalars(select(DataView.subject_id).where(
        DataView.subject_id.in_(subjects), DataView.viewer_id == viewer.id,
        DataView.what == what, DataView.at > utcnow() - VISIT)))
    for subject_id in subjects:
        if subject_id not in seen:
            db.session.add(DataView(subject_id=subject_id, viewer_id=viewer.id,
                                    viewer_label=viewer.full_name, viewer_role=viewer.role,
                                    what=what))


def views_of(subject_id: int, limit: int = 200) -> list[DataView]:
    """Who of the staff viewed a resident's data, newest first."""
    return list(db.session.scalars(select(DataView).where(DataView.subject_id == subject_id)
                                   .order_by(DataView.at.desc(), DataView.id.desc())
                                   .limit(limit)))
