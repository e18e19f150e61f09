"""Letters to the office as a kind of case: their register, statuses, words, e-mails, audit
entries and attachments."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from iok_saas import files
from iok_saas.audit.models import CASE_ANSWERED, CASE_ASSIGNED, CASE_CLOSED, CASE_MOVED
from iok_saas.auth.models import User
from iok_saas.cases.kinds import CaseKind, FileRules, Upload, register_kind
from iok_saas.correspondence.models import (
    CLOSED,
    IN_PROGRESS,
    KIND,
    OPEN,
    PREFIX,
    RECEIVED,
    WAITING,
    Letter,
)
from iok_saas.web.problems import DomainError

SUBJECT_MAX = 200
BODY_MAX = 10_000
ATTACHMENTS_PER_MESSAGE = 5
ATTACHMENTS_PER_CASE = 30
PURPOSE = "correspondence_attachment"
STATUS_LABELS = {RECEIVED: _l("received"), IN_PROGRESS: _l("being dealt with"),
                 WAITING: _l("waiting for your reply"), CLOSED: _l("closed")}
# Staff read "waiting for the resident's reply" where the resident reads "waiting for your reply".
STAFF_STATUS_LABELS = STATUS_LABELS | {WAITING: _l("waiting for the resident's reply")}


class CaseError(DomainError):
    """A letter or step refused (message for the person, form field if any)."""


def signature(user: User) -> str:
    """What a resident sees of who answered: the first name and the department, never the
    personal e-mail or the surname."""
    name = user.first_name or user.identifier
    return f"{name}, {user.department}" if user.department else name


def _files(rules: Any) -> FileRules:
    def check(upload: Upload) -> files.Checked:
        return files.check_attachment(upload.filename, upload.data, rules.attachment_max_mb)
    return FileRules(rules.attachment_max_mb, ATTACHMENTS_PER_MESSAGE, ATTACHMENTS_PER_CASE,
                     check)


def _mail_context(letter: Any) -> dict[str, Any]:
    return {"subject": letter.subject, "topic": letter.category}


LETTERS = register_kind(CaseKind(
    name=KIND, register=PREFIX, model=Letter, path="/sprawy/{id}",
    statuses=STAFF_STATUS_LABELS, open=OPEN,
    moves={RECEIVED: (IN_PROGRESS, WAITING), IN_PROGRESS: (RECEIVED, WAITING),
           WAITING: (IN_PROGRESS,), CLOSED: (IN_PROGRESS,)},
    closing=(CLOSED,), closed=CLOSED, error=CaseError, files=_files, purpose=PURPOSE,
    text_max=BODY_MAX, reply_field="answer", signature=signature, reply_when_closed=False,
    replying_moves={RECEIVED: IN_PROGRESS}, comment_moves={WAITING: IN_PROGRESS},
    words={
        "not_own": (_l("Only the resident who wrote the letter can add to this case."), None),
        "closed": (_l("This case is closed. If the matter is not settled, please write a "
                      "new letter and give this case's number in it."), "text"),
        "empty": (_l("Write your answer or attach a file."), "text"),
        "per_message": (_l("At most %(count)d attachments at a time."), "attachments"),
        "per_case": (_l("A case holds at most %(count)d attachments."), "attachments"),
        "status": (_l("This status cannot be set now."), "status"),
        "already_closed": (_l("This case is already closed."), "close_reason"),
        "close_reason": (_l("Give the reason for closing the case (the resident sees it)."),
                         "close_reason"),
        "reply_closed": (_l("This case is closed: open it again (status “being dealt with”) "
                            "to answer."), "status"),
        "files_need_reply": (_l("Attachments are sent with an answer: write the answer too."),
                             "attachments"),
        "assignee": (_l("Choose a member of staff."), "assign_to"),
        "nothing": (_l("Nothing to save: write an answer or a note, change the status, "
                       "assign the case or close it."), None),
        "move_closed": (_l("This case is closed: it can no longer be moved."), None),
        "move_no_filer": (_l("The author of this letter no longer has an account."), None),
    },
    mail={"received": "case_received", "reply": "case_answer", "closed": "case_closed"},
    audit={"reply": CASE_ANSWERED, "assigned": CASE_ASSIGNED, "close": CASE_CLOSED,
           "moved": CASE_MOVED},
    mail_context=_mail_context,
))
