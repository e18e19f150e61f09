"""What makes one kind of case differ from another, in one place: its register, statuses and
the moves between them, its words, its e-mails and audit entries, its files, and how a case of
another kind is taken in. A capability defines its ``CaseKind`` next to its model and
registers it at import (``register_kind``); the room's services look it up by the case's
``kind`` column, so they never import a capability.

Kinds that go as a letter to the office goes (a letter, a question about a settlement) share
their statuses, moves, e-mails, audit entries and most of their words: ``letter_kind`` builds
one from what is its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from iok_saas.audit.models import CASE_ANSWERED, CASE_ASSIGNED, CASE_CLOSED
from iok_saas.files.attachments import Checked, check_attachment
from iok_saas.web.problems import DomainError

if TYPE_CHECKING:
    from iok_saas.auth.models import User
    from iok_saas.cases.models import Case


@dataclass(frozen=True)
class Upload:
    """A file as sent: its name and bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class FileRules:
    """How many files a message and a case may hold, and how one is checked (the file store's
    validators: a photo re-encoded, a PDF read) — from the cooperative's settings."""

    max_mb: int  # one file at most
    per_message: int
    per_case: int
    check: Callable[[Upload], Checked]  # raises files.FileProblem


@dataclass(frozen=True)
class CaseKind:
    """One kind of case (``office_case.kind``)."""

    name: str  # "fault", "letter"
    register: str  # "AW", "KO"
    model: type[Case]
    path: str  # the resident's page, for e-mails: "/awarie/{id}"
    statuses: Mapping[str, Any]  # every status with the staff's label
    open: tuple[str, ...]  # statuses of a case still being dealt with
    moves: Mapping[str, tuple[str, ...]]  # where staff may move a case, from each status
    closing: tuple[str, ...]  # statuses that finish a case (``closed_at``)
    error: type[DomainError]  # what its refusals are raised as
    files: Callable[[Any], FileRules]  # from the cooperative's rules for the kind
    purpose: str  # the file store's purpose of its files
    text_max: int  # a comment, a reply, a note
    words: Mapping[str, tuple[Any, str | None]]  # refusals that name the kind: (message, field)
    mail: Mapping[str, str]  # what happened → e-mail template (received, status, reply, …)
    audit: Mapping[str, str]  # what happened → audit action (status, assigned, reply, …)
    mail_context: Callable[[Case], dict[str, Any]]  # what its e-mails say of a case
    inline_files: bool = False  # files shown in the page (photos) rather than saved
    reply_field: str = "reply"  # the staff form's field of the public reply
    signature: Callable[[User], str] | None = None  # how staff sign public events (else full name)
    closed: str | None = None  # the status "close with a reason" sets (None: no such action)
    merged: str | None = None  # the status of a duplicate merged into another case
    reply_required: tuple[str, ...] = ()  # statuses set only with a reply (the reason)
    reply_with_status: bool = False  # a reply sent with a new status is that status's text
    reply_when_closed: bool = True  # the office may reply to a finished case
    replying_moves: Mapping[str, str] = field(default_factory=dict)  # status → after a reply
    comment_moves: Mapping[str, str] = field(default_factory=dict)  # status → after a comment
    # How a case of another kind becomes one of this kind (a letter that is really a fault):
    # (the case, its filer, the staff's answers, the cooperative's rules) → the new case.
    intake: Callable[[Case, User, Mapping[str, str], Any], Case] | None = None
    moved_reason: Any = None  # what the moved case's filer reads: "Moved to … as %(number)s."

    def refuse(self, word: str, **values: Any) -> DomainError:
        """The kind's refusal ``word`` as an error to raise."""
        message, field_name = self.words[word]
        return self.error(message % values if values else message, field_name)


KINDS: dict[str, CaseKind] = {}


def register_kind(kind: CaseKind) -> CaseKind:
    """Make a kind known to the room (at the import of its capability)."""
    KINDS[kind.name] = kind
    return kind


def kind_of(case: Case | type[Case]) -> CaseKind:
    """The kind of a case, or of a case model."""
    name = case.kind if isinstance(getattr(case, "kind", None), str) else \
        case.__mapper__.polymorphic_identity
    return KINDS[name]


# --- kinds that go as a letter does ------------------------------------------------------------

RECEIVED, IN_PROGRESS, WAITING, CLOSED = "received", "in_progress", "waiting", "closed"
LETTER_OPEN = (RECEIVED, IN_PROGRESS, WAITING)
LETTER_STATUS_LABELS = {RECEIVED: _l("received"), IN_PROGRESS: _l("being dealt with"),
                        WAITING: _l("waiting for your reply"), CLOSED: _l("closed")}
# Staff read "waiting for the resident's reply" where the resident reads "waiting for your reply".
LETTER_STAFF_STATUS_LABELS = LETTER_STATUS_LABELS | {
    WAITING: _l("waiting for the resident's reply")}
# The refusals every such kind words alike; a kind adds "not_own", "closed" and "empty" (and
# the words of its own steps).
LETTER_WORDS = {
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
}


def signature(user: User) -> str:
    """What a resident sees of who answered: the first name and the department, never the
    personal e-mail or the surname."""
    name = user.first_name or user.identifier
    return f"{name}, {user.department}" if user.department else name


def attachment_rules(max_mb: int, per_message: int, per_case: int) -> FileRules:
    """Files as PDFs, photos or scans, each checked by the file store (a photo re-encoded)."""

    def check(upload: Upload) -> Checked:
        return check_attachment(upload.filename, upload.data, max_mb)

    return FileRules(max_mb, per_message, per_case, check)


def _subject_and_topic(case: Any) -> dict[str, Any]:
    return {"subject": case.subject, "topic": case.category}


def letter_kind(*, words: Mapping[str, tuple[Any, str | None]],
                audit: Mapping[str, str] | None = None, **own: Any) -> CaseKind:
    """A kind that goes as a letter to the office does: received, being dealt with, waiting
    for the resident's reply (their reply takes it back to the office), closed with a reason
    and not answered until opened again; answered as the ``answer`` of the staff form, signed
    with the first name and the department; the e-mails of a case received, answered and
    closed. ``own``: its name, register, model, path, error, files, purpose and text's
    limit (and its statuses' labels, if not a letter's); ``words`` and ``audit``: its own,
    besides the shared ones."""
    own.setdefault("statuses", LETTER_STAFF_STATUS_LABELS)
    return CaseKind(
        open=LETTER_OPEN,
        moves={RECEIVED: (IN_PROGRESS, WAITING), IN_PROGRESS: (RECEIVED, WAITING),
               WAITING: (IN_PROGRESS,), CLOSED: (IN_PROGRESS,)},
        closing=(CLOSED,), closed=CLOSED, reply_field="answer", signature=signature,
        reply_when_closed=False, replying_moves={RECEIVED: IN_PROGRESS},
        comment_moves={WAITING: IN_PROGRESS}, words=LETTER_WORDS | dict(words),
        mail={"received": "case_received", "reply": "case_answer", "closed": "case_closed"},
        audit={"reply": CASE_ANSWERED, "assigned": CASE_ASSIGNED, "close": CASE_CLOSED,
               **(audit or {})},
        mail_context=_subject_and_topic, **own)
