"""The member's forms of the general meeting: a draft resolution (projekt uchwały) filed with
the office, and the member writing again in its case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, StringField, TextAreaField

from iok_saas.cases import forms as case_forms
from iok_saas.files.attachments import ACCEPT
from iok_saas.meetings.kind import TEXT_MAX
from iok_saas.meetings.rules import DRAFT_SUPPORTERS
from iok_saas.web.forms import SAFE_LINE, SAFE_LINES, Form

TITLE_MAX = 200


class DraftForm(Form):
    """A members' draft resolution: its title and text, how many members support it and
    their signed list. Empty, too short a list and the deadline are the service's to say."""

    submission = HiddenField()
    title = StringField(_l("Title of the draft resolution"), validators=[SAFE_LINE],
                        render_kw={"maxlength": TITLE_MAX})
    text = TextAreaField(_l("Text of the draft resolution"), validators=[SAFE_LINES],
                         render_kw={"rows": 10, "maxlength": TEXT_MAX})
    # Read as text: anything that is not a whole number is the service's "at least 10".
    supporters = StringField(_l("Number of members supporting the draft"),
                             validators=[SAFE_LINE],
                             render_kw={"inputmode": "numeric", "maxlength": 6,
                                        "placeholder": str(DRAFT_SUPPORTERS)})
    attachments = MultipleFileField(_l("The list of supporting members with their signatures"),
                                    render_kw={"accept": ACCEPT})

    def supporters_count(self) -> int | None:
        """The number given, or None where it is not a whole number."""
        raw = (self.supporters.data or "").strip()
        return int(raw) if raw.isdigit() and len(raw) <= 6 else None


FollowUpForm = case_forms.follow_up_form(TEXT_MAX)  # the member writes again in their case
