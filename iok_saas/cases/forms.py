"""The forms of a kind that goes as a letter does (``kinds.letter_kind``): the resident writing
again in their case, the office answering it. A kind makes its own with its text's limit (and
the office's with its example of a reason for closing); it may add fields of its own.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from iok_saas.cases.services import REASON_MAX
from iok_saas.files.attachments import ACCEPT
from iok_saas.web.forms import SAFE_LINE, SAFE_LINES, Form

LONG = _l("At most %(max)d characters.")


def follow_up_form(text_max: int) -> type[Form]:
    """The resident's form on their case's page: text and files (``views.comment_sent``)."""

    class FollowUpForm(Form):
        """The resident writes again in their case."""

        text = TextAreaField(_l("Your answer"), validators=[
            Length(max=text_max, message=LONG), SAFE_LINES], render_kw={"rows": 5})
        attachments = MultipleFileField(_l("Attachments (optional)"),
                                        render_kw={"accept": ACCEPT})

    return FollowUpForm


def staff_form(text_max: int, close_example: Any) -> type[Form]:
    """The office's form on a case's page (``views.staff_answer_sent``); ``close_example``:
    what a reason for closing says, for example."""

    class StaffForm(Form):
        """The office moves a case on: answer (with files), note, status, assignment, close."""

        answer = TextAreaField(_l("Answer to the resident (the resident sees it and gets an "
                                  "e-mail)"), validators=[Length(max=text_max, message=LONG),
                                                          SAFE_LINES], render_kw={"rows": 8})
        attachments = MultipleFileField(_l("Attachments to the answer (optional)"),
                                        render_kw={"accept": ACCEPT})
        note = TextAreaField(_l("Internal note (the resident never sees it)"),
                             validators=[Length(max=text_max, message=LONG), SAFE_LINES],
                             render_kw={"rows": 3})
        status = SelectField(_l("Status"), validators=[Optional()])
        assign_to = SelectField(_l("Assigned to"), validators=[Optional()])
        close = BooleanField(_l("Close the case"))
        close_reason = StringField(_l("Reason for closing (the resident sees it)"), validators=[
            Length(max=REASON_MAX, message=LONG), SAFE_LINE], description=close_example)

    return StaffForm
