"""Forms for letters to the office (residents and staff) and the labels the pages use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from iok_saas.cases import forms as case_forms
from iok_saas.cases import queue as queues
from iok_saas.correspondence.kind import BODY_MAX, SUBJECT_MAX
from iok_saas.files.attachments import ACCEPT
from iok_saas.web.forms import SAFE_LINE, SAFE_LINES, Form

LONG = _l("At most %(max)d characters.")


class LetterForm(Form):
    """A resident writes to the office."""

    submission = HiddenField()
    # The choices are checked by the service, with a message that says what to do.
    topic = SelectField(_l("Topic"), validate_choice=False,
                        validators=[DataRequired(_l("Choose a topic from the list."))])
    unit = SelectField(_l("Which unit it concerns"), validate_choice=False)
    subject = StringField(_l("Subject"), validators=[
        DataRequired(_l("Give the letter a subject.")), Length(max=SUBJECT_MAX, message=LONG),
        SAFE_LINE], description=_l("In a few words, for example: water charge for October."))
    body = TextAreaField(_l("Your letter"), validators=[
        DataRequired(_l("Write what the letter is about.")),
        Length(max=BODY_MAX, message=LONG), SAFE_LINES], render_kw={"rows": 10})
    attachments = MultipleFileField(_l("Attachments (optional)"), render_kw={"accept": ACCEPT})


FollowUpForm = case_forms.follow_up_form(BODY_MAX)  # the resident writes again in their case


class StaffForm(case_forms.staff_form(BODY_MAX, _l(
        "For example: the charge has been corrected; the copies were sent."))):
    """Staff move a case on: the cases room's answer, note, status, assignment and close, the
    answer started from a template."""

    template = SelectField(_l("Start from a template"), validate_choice=False,
                           validators=[Optional()])


class MoveForm(Form):
    """Staff move a letter into the fault reports."""

    category = SelectField(_l("Fault category"), validate_choice=False,
                           validators=[DataRequired(_l("Choose a category from the list."))])
    # Chosen already: the letter's own unit comes first (a default, so no empty first choice,
    # and no HTML "required", which asks for one).
    where = SelectField(_l("Where"), validate_choice=False,
                        validators=[DataRequired(_l("Choose where the fault is."))],
                        render_kw={"required": False})


class TemplateForm(Form):
    """A ready answer the office keeps."""

    topic = SelectField(_l("Topic"), validate_choice=False)
    title = StringField(_l("Name of the template"), validators=[
        DataRequired(_l("Give the template a name.")), Length(max=120, message=LONG),
        SAFE_LINE])
    body = TextAreaField(_l("Text of the answer"), validators=[
        DataRequired(_l("Write the text of the answer.")), Length(max=BODY_MAX, message=LONG),
        SAFE_LINES], render_kw={"rows": 8})


class FilterForm(queues.FilterForm):
    """The staff queue's filters."""

    topic = SelectField(_l("Topic"), default="")
