"""Letters to the office as a kind of case: their register, words, attachments (by the
cooperative's rules) and the move into the fault reports; the statuses, e-mails and audit
entries are the cases room's for letter-like kinds (``iok_saas.cases.kinds.letter_kind``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.audit.models import CASE_MOVED
from iok_saas.cases.kinds import attachment_rules, letter_kind, register_kind
from iok_saas.correspondence.models import KIND, PREFIX, Letter
from iok_saas.web.problems import DomainError

SUBJECT_MAX = 200
BODY_MAX = 10_000
ATTACHMENTS_PER_MESSAGE = 5
ATTACHMENTS_PER_CASE = 30
PURPOSE = "correspondence_attachment"


class CaseError(DomainError):
    """A letter or step refused (message for the person, form field if any)."""


LETTERS = register_kind(letter_kind(
    name=KIND, register=PREFIX, model=Letter, path="/sprawy/{id}", error=CaseError,
    purpose=PURPOSE, text_max=BODY_MAX,
    files=lambda rules: attachment_rules(rules.attachment_max_mb, ATTACHMENTS_PER_MESSAGE,
                                         ATTACHMENTS_PER_CASE),
    words={
        "not_own": (_l("Only the resident who wrote the letter can add to this case."), None),
        "closed": (_l("This case is closed. If the matter is not settled, please write a "
                      "new letter and give this case's number in it."), "text"),
        "empty": (_l("Write your answer or attach a file."), "text"),
        "move_closed": (_l("This case is closed: it can no longer be moved."), None),
        "move_no_filer": (_l("The author of this letter no longer has an account."), None),
    },
    audit={"moved": CASE_MOVED},
))
