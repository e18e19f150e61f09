"""The questions a person asked about settlements, for the download of their data."""

from __future__ import annotations

from typing import Any

from iok_saas.cases.models import COMMENT, CREATED, REPLY
from iok_saas.cases.personal import own_files
from iok_saas.cases.services import filed_by, history
from iok_saas.settlements.models import SettlementQuestion

# The words the download uses for a question's entries.
EXPORTED = {CREATED: "question", REPLY: "answer", COMMENT: "follow_up"}


def question_rows(user_id: int) -> list[dict[str, Any]]:
    """Everything in the person's questions that they may read, a row per entry, oldest
    question first (never staff's internal notes)."""
    rows = []
    for case in sorted(filed_by(SettlementQuestion, user_id), key=lambda c: (c.year, c.number)):
        for entry in history(case, viewer_id=user_id):
            rows.append({"numer": case.registry_number, "rozliczenie": case.subject,
                         "medium": case.category, "termin_pytan": case.deadline_on,
                         "status_sprawy": case.status, "kiedy": entry.at,
                         "kto": entry.author_label, "wpis": EXPORTED.get(entry.kind, entry.kind),
                         "tresc": entry.body})
    return rows


def question_files(user_id: int) -> list[tuple[str, int]]:
    """The files the person attached to their questions: (name in the ZIP, file id)."""
    return [(f"{stem}-{attachment_id}-{filename}", file_id)
            for stem, attachment_id, filename, file_id in own_files(SettlementQuestion, user_id)]
