"""The letters a person wrote, for the download of their data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.correspondence.models import Case, CaseAttachment, CaseEntry
from iok_saas.correspondence.services import cases_of, thread
from iok_saas.db import db


def case_rows(user_id: int) -> list[dict[str, Any]]:
    """Everything in the person's cases that they may read, a row per entry, oldest case
    first (never staff's internal notes)."""
    rows = []
    for case in sorted(cases_of(user_id), key=lambda c: (c.year, c.number)):
        for entry in thread(case):
            rows.append({"numer": case.registry_number, "temat": case.topic,
                         "przedmiot": case.subject, "status_sprawy": case.status,
                         "kiedy": entry.at, "kto": entry.author_label, "wpis": entry.kind,
                         "tresc": entry.body})
    return rows


def case_files(user_id: int) -> list[tuple[str, int]]:
    """The files the person attached to their letters: (name in the ZIP, file id)."""
    found = db.session.execute(
        select(Case.year, Case.number, CaseAttachment.id, CaseAttachment.filename,
               CaseAttachment.file_id)
        .join(Case, Case.id == CaseAttachment.case_id)
        .join(CaseEntry, CaseEntry.id == CaseAttachment.entry_id)
        .where(Case.author_id == user_id, CaseEntry.by_staff.is_(False))
        .order_by(CaseAttachment.id))
    return [(f"KO-{year}-{number:05d}-{attachment_id}-{filename}", file_id)
            for year, number, attachment_id, filename, file_id in found]
