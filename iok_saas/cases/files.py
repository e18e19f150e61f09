"""A case's files: checked by the file store's validators before anything is kept (a photo
re-encoded upright without metadata, a PDF read for scripts and passwords), kept in the file
store with the event they came with, shown only through the case's pages and only to those
who may see that event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response
from sqlalchemy import func, select

from iok_saas import files
from iok_saas.cases.kinds import CaseKind, Upload, kind_of
from iok_saas.cases.models import Case, CaseAttachment, CaseEvent
from iok_saas.db import db


def check_uploads(kind: CaseKind, uploads: Sequence[Upload], rules: Any, already: int = 0
                  ) -> list[files.Checked]:
    """The files as they will be kept; the kind's refusal when there are too many for one
    message or for the case (``already`` it holds), or one is not fit."""
    limits = kind.files(rules)
    if len(uploads) > limits.per_message:
        raise kind.refuse("per_message", count=limits.per_message)
    if already + len(uploads) > limits.per_case:
        raise kind.refuse("per_case", count=limits.per_case)
    try:
        return [limits.check(upload) for upload in uploads]
    except files.FileProblem as problem:
        raise kind.error(problem.message, kind.words["per_message"][1]) from None


def file_count(case: Case) -> int:
    """How many files the case holds."""
    return db.session.scalar(select(func.count()).select_from(CaseAttachment).where(
        CaseAttachment.case_id == case.id)) or 0


def attach(case: Case, event: CaseEvent, checked: Iterable[files.Checked]) -> None:
    """Keep checked files with the event they came with (no commit). A file without a name of
    its own (a photo) is named after the case and the event."""
    kind = kind_of(case)
    for number, item in enumerate(checked, start=1):
        name = item.filename or f"{case.file_stem}-{event.id}-{number}.jpg"
        stored = files.store(item.data, filename=name, content_type=item.content_type,
                             purpose=kind.purpose)
        db.session.add(CaseAttachment(case_id=case.id, event_id=event.id, file_id=stored.id,
                                      filename=name[:160], content_type=item.content_type,
                                      size=len(item.data)))


def by_event(events: Iterable[CaseEvent]) -> dict[int, list[CaseAttachment]]:
    """The files of these events, per event (one query)."""
    ids = [e.id for e in events]
    found: dict[int, list[CaseAttachment]] = {}
    if ids:
        for attachment in db.session.scalars(select(CaseAttachment).where(
                CaseAttachment.event_id.in_(ids)).order_by(CaseAttachment.id)):
            found.setdefault(attachment.event_id, []).append(attachment)
    return found


def file_of(events: Iterable[CaseEvent], attachment_id: int) -> CaseAttachment | None:
    """One file of these events (the ones the viewer may see); None: a 404."""
    ids = [e.id for e in events]
    return db.session.scalar(select(CaseAttachment).where(
        CaseAttachment.id == attachment_id, CaseAttachment.event_id.in_(ids))) if ids else None


def download(case: Case, attachment: CaseAttachment) -> Response:
    """The file as a private response: shown in the page (photos) or saved, as the kind says."""
    return files.download(files.read(attachment.file_id), filename=attachment.filename,
                          content_type=attachment.content_type,
                          inline=kind_of(case).inline_files)
