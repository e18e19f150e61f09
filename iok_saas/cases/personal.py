"""What the cases room holds about a person, for the download of their data: the files they
sent with their own cases (never the office's, never another resident's in a merged case)."""

from __future__ import annotations

from sqlalchemy import select

from iok_saas.cases.models import Case, CaseAttachment, CaseEvent
from iok_saas.db import db


def own_files(model: type[Case], user_id: int) -> list[tuple[str, int, str, int]]:
    """The files the person sent in their own cases of a kind, oldest first: (the case's
    number for a file name, the attachment's id, its name, the stored file's id)."""
    found = db.session.execute(
        select(model.register, model.year, model.number, CaseAttachment.id,
               CaseAttachment.filename, CaseAttachment.file_id)
        .join(model, model.id == CaseAttachment.case_id)
        .join(CaseEvent, CaseEvent.id == CaseAttachment.event_id)
        .where(model.filed_by_id == user_id, CaseEvent.by_staff.is_(False),
               CaseEvent.author_id == user_id)
        .order_by(CaseAttachment.id))
    return [(f"{register}-{year}-{number:05d}", attachment_id, filename, file_id)
            for register, year, number, attachment_id, filename, file_id in found]
