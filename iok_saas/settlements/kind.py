"""Questions about a settlement (reklamacje rozliczeń) as a kind of case: their register
(``RR``), statuses, words, e-mails (those of letters: a question is a letter about one
settlement), audit entries and attachments."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from iok_saas import files
from iok_saas.audit.models import CASE_ANSWERED, CASE_ASSIGNED, CASE_CLOSED
from iok_saas.auth.models import User
from iok_saas.cases.kinds import CaseKind, FileRules, Upload, register_kind
from iok_saas.settlements.models import (
    CLOSED,
    IN_PROGRESS,
    OPEN,
    QUESTION,
    QUESTION_REGISTER,
    RECEIVED,
    WAITING,
    SettlementQuestion,
)
from iok_saas.web.problems import DomainError

TEXT_MAX = 10_000
ATTACHMENTS_PER_MESSAGE = 5
ATTACHMENTS_PER_CASE = 30
ATTACHMENT_MAX_MB = 10
PURPOSE = "settlement_question_attachment"
STATUS_LABELS = {RECEIVED: _l("received"), IN_PROGRESS: _l("being dealt with"),
                 WAITING: _l("waiting for your reply"), CLOSED: _l("closed")}
STAFF_STATUS_LABELS = STATUS_LABELS | {WAITING: _l("waiting for the resident's reply")}


class QuestionError(DomainError):
    """A question or a step refused (message for the person, form field if any)."""


def signature(user: User) -> str:
    """What a resident sees of who answered: the first name and the department."""
    name = user.first_name or user.identifier
    return f"{name}, {user.department}" if user.department else name


def _files(rules: Any) -> FileRules:
    def check(upload: Upload) -> files.Checked:
        return files.check_attachment(upload.filename, upload.data, ATTACHMENT_MAX_MB)
    return FileRules(ATTACHMENT_MAX_MB, ATTACHMENTS_PER_MESSAGE, ATTACHMENTS_PER_CASE, check)


def _mail_context(question: Any) -> dict[str, Any]:
    return {"subject": question.subject, "topic": question.category}


QUESTIONS = register_kind(CaseKind(
    name=QUESTION, register=QUESTION_REGISTER, model=SettlementQuestion,
    path="/rozliczenia/pytania/{id}", statuses=STAFF_STATUS_LABELS, open=OPEN,
    moves={RECEIVED: (IN_PROGRESS, WAITING), IN_PROGRESS: (RECEIVED, WAITING),
           WAITING: (IN_PROGRESS,), CLOSED: (IN_PROGRESS,)},
    closing=(CLOSED,), closed=CLOSED, error=QuestionError, files=_files, purpose=PURPOSE,
    text_max=TEXT_MAX, reply_field="answer", signature=signature, reply_when_closed=False,
    replying_moves={RECEIVED: IN_PROGRESS}, comment_moves={WAITING: IN_PROGRESS},
    words={
        "not_own": (_l("Only the resident who asked the question can add to this case."), None),
        "closed": (_l("This case is closed. If the matter is not settled, please ask again "
                      "from the settlement's page and give this case's number."), "text"),
        "empty": (_l("Write your question or attach a file."), "text"),
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
    },
    mail={"received": "case_received", "reply": "case_answer", "closed": "case_closed"},
    audit={"reply": CASE_ANSWERED, "assigned": CASE_ASSIGNED, "close": CASE_CLOSED},
    mail_context=_mail_context,
))
