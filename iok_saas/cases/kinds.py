"""What makes one kind of case differ from another, in one place: its register, statuses and
the moves between them, its words, its e-mails and audit entries, its files, and how a case of
another kind is taken in. A capability defines its ``CaseKind`` next to its model and
registers it at import (``register_kind``); the room's services look it up by the case's
``kind`` column, so they never import a capability.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iok_saas.files.attachments import Checked
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
