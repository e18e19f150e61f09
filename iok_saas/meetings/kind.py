"""Members' draft resolutions (projekty uchwał) as a kind of case: a letter to the office in
its ``KO`` register (the number is the proof of filing), with the signed list of supporting
members attached; the statuses, e-mails and audit entries are those of letters
(``iok_saas.cases.kinds.letter_kind``). The office decides by putting the draft on the agenda
or refusing it with the reason, both closing the case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.cases.kinds import attachment_rules, letter_kind, register_kind
from iok_saas.meetings.models import (
    CLOSED,
    DRAFT_KIND,
    DRAFT_REGISTER,
    IN_PROGRESS,
    RECEIVED,
    WAITING,
    MeetingDraft,
)
from iok_saas.web.problems import DomainError

TEXT_MAX = 20_000
ATTACHMENTS_PER_MESSAGE = 5
ATTACHMENTS_PER_CASE = 20
ATTACHMENT_MAX_MB = 10
PURPOSE = "meeting_draft_attachment"


# A letter's "received" would read to a member as "accepted": a draft is filed, considered and
# decided (put on the agenda or not: the page says which).
DRAFT_STATUS_LABELS = {RECEIVED: _l("filed"), IN_PROGRESS: _l("being considered"),
                       WAITING: _l("waiting for your reply"), CLOSED: _l("decided")}
DRAFT_STAFF_STATUS_LABELS = DRAFT_STATUS_LABELS | {
    WAITING: _l("waiting for the member's reply")}


class DraftError(DomainError):
    """A draft or a step on it refused (message for the person, form field if any)."""


DRAFTS = register_kind(letter_kind(
    statuses=DRAFT_STAFF_STATUS_LABELS, name=DRAFT_KIND, register=DRAFT_REGISTER,
    model=MeetingDraft,
    path="/walne-zgromadzenie/projekty/{id}", error=DraftError, purpose=PURPOSE,
    text_max=TEXT_MAX,
    files=lambda rules: attachment_rules(ATTACHMENT_MAX_MB, ATTACHMENTS_PER_MESSAGE,
                                         ATTACHMENTS_PER_CASE),
    words={
        "not_own": (_l("Only the member who filed the draft can add to this case."), None),
        "closed": (_l("The office has decided on this draft. A new draft can be filed until "
                      "the deadline."), "text"),
        "empty": (_l("Write your message or attach a file."), "text"),
    },
))
