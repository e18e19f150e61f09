"""Questions about a settlement (reklamacje rozliczeń) as a kind of case: their register
(``RR``), words, attachments; the statuses, e-mails and audit entries are those of letters (a
question is a letter about one settlement: ``iok_saas.cases.kinds.letter_kind``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.cases.kinds import attachment_rules, letter_kind, register_kind
from iok_saas.settlements.models import QUESTION, QUESTION_REGISTER, SettlementQuestion
from iok_saas.web.problems import DomainError

TEXT_MAX = 10_000
ATTACHMENTS_PER_MESSAGE = 5
ATTACHMENTS_PER_CASE = 30
ATTACHMENT_MAX_MB = 10
PURPOSE = "settlement_question_attachment"


class QuestionError(DomainError):
    """A question or a step refused (message for the person, form field if any)."""


QUESTIONS = register_kind(letter_kind(
    name=QUESTION, register=QUESTION_REGISTER, model=SettlementQuestion,
    path="/rozliczenia/pytania/{id}", error=QuestionError, purpose=PURPOSE, text_max=TEXT_MAX,
    files=lambda rules: attachment_rules(ATTACHMENT_MAX_MB, ATTACHMENTS_PER_MESSAGE,
                                         ATTACHMENTS_PER_CASE),
    words={
        "not_own": (_l("Only the resident who asked the question can add to this case."), None),
        "closed": (_l("This case is closed. If the matter is not settled, please ask again "
                      "from the settlement's page and give this case's number."), "text"),
        "empty": (_l("Write your question or attach a file."), "text"),
    },
))
