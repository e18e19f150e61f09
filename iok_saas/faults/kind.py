"""Fault reports as a kind of case: their register, statuses, words, e-mails, audit entries and
photos, and how a letter that is really a fault becomes a report (``FAULTS.intake``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from iok_saas import files
from iok_saas.audit.models import FAULT_ASSIGNED, FAULT_MERGED, FAULT_STATUS
from iok_saas.cases.kinds import CaseKind, FileRules, Upload, register_kind
from iok_saas.cases.services import history
from iok_saas.faults import services
from iok_saas.faults.models import (
    DESCRIPTION_MAX,
    DONE,
    IN_PROGRESS,
    KIND,
    MERGED,
    OPEN,
    PREFIX,
    PURPOSE,
    RECEIVED,
    REJECTED,
    STATUS_LABELS,
    TEXT_MAX,
    FaultError,
    FaultReport,
)


def _photo(rules: Any):
    def check(upload: Upload) -> files.Checked:
        return files.Checked(files.clean_image(upload.data, rules.photo_max_mb), "",
                             "image/jpeg")
    return check


def _files(rules: Any) -> FileRules:
    return FileRules(rules.photo_max_mb, rules.photos_per_message, rules.photos_per_report,
                     _photo(rules))


def _mail_context(report: Any) -> dict[str, Any]:
    return {"category": report.category, "status": report.status, "address": report.address}


def _intake(source: Any, filer: Any, answers: Mapping[str, str], rules: Any) -> FaultReport:
    """A report made from a case of another kind (a letter): its subject and text, cut short
    so that the source's number always ends the description."""
    first = next(iter(history(source)), None)
    origin = str(_l("(Moved from the letter %(number)s.)", number=source.registry_number))
    text = "\n\n".join(p for p in (source.subject, first.body if first else "") if p)
    room = DESCRIPTION_MAX - len(origin) - 2
    if len(text) > room:
        text = text[:room - 1].rstrip() + "…"
    kind, _sep, place_id = answers.get("where", "").partition(":")
    return services.create(filer, services.NewReport(
        category=answers.get("category", ""), place_kind=kind,
        place_id=int(place_id) if place_id.isascii() and place_id.isdigit() else 0,
        place="", description=f"{text}\n\n{origin}" if text else origin,
        entry_allowed=False, contact_phone="", contact_note="",
        submission=f"ko-{source.id}"), rules)


FAULTS = register_kind(CaseKind(
    name=KIND, register=PREFIX, model=FaultReport, path="/awarie/{id}",
    statuses=STATUS_LABELS, open=OPEN,
    moves={RECEIVED: (IN_PROGRESS, DONE, REJECTED), IN_PROGRESS: (RECEIVED, DONE, REJECTED),
           DONE: (IN_PROGRESS,), REJECTED: (RECEIVED, IN_PROGRESS)},
    closing=(DONE, REJECTED), merged=MERGED, error=FaultError, files=_files,
    purpose=PURPOSE, text_max=TEXT_MAX, inline_files=True, reply_with_status=True,
    reply_required=(REJECTED,),
    words={
        "not_own": (_l("Only the resident who reported it can add to this report."), None),
        "closed": (_l("This report is closed: comments are no longer added."), None),
        "empty": (_l("Write a comment or attach a photo."), "text"),
        "per_message": (_l("At most %(count)d photos at a time."), "photos"),
        "per_case": (_l("A report holds at most %(count)d photos."), "photos"),
        "merged": (_l("This report was merged into another: work on that one."), None),
        "status": (_l("This status cannot be set now."), "status"),
        "reason_required": (_l("Give the resident the reason for rejecting the report."),
                            "reply"),
        "assignee": (_l("Choose a member of staff."), "assign_to"),
        "nothing": (_l("Nothing to save: change the status, write a reply or a note, "
                       "assign the report or set a date."), None),
        "merge_merged": (_l("This report was merged into another: merge into that one."),
                         None),
        "merge_none": (_l("Choose at least one other report to merge."), "duplicates"),
    },
    mail={"received": "fault_received", "status": "fault_status", "reply": "fault_reply",
          "merged": "fault_merged"},
    audit={"status": FAULT_STATUS, "assigned": FAULT_ASSIGNED, "merged": FAULT_MERGED},
    mail_context=_mail_context, intake=_intake,
    moved_reason=_l("Moved to the fault reports as %(number)s."),
))
