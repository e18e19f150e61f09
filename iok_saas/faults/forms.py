"""Forms for fault reports (residents and staff) and the labels the pages use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from iok_saas.cases import queue as queues
from iok_saas.faults.models import DESCRIPTION_MAX, STATUS_LABELS, TEXT_MAX
from iok_saas.web.forms import PHONE, SAFE_LINES, SAFE_TEXT, Form

__all__ = ["STATUS_LABELS", "CommentForm", "FilterForm", "MergeForm", "ReopenForm",
           "ReportForm", "StaffForm"]
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


class ReportForm(Form):
    """A resident reports a fault."""

    submission = HiddenField()
    # The choices are checked by the service, with a message that says what to do.
    category = SelectField(_l("What is broken"), validate_choice=False, validators=[
        DataRequired(_l("Choose a category from the list."))])
    where = RadioField(_l("Where"), validate_choice=False,
                       validators=[DataRequired(_l("Choose where the fault is."))])
    place = StringField(_l("Exactly where (optional)"), validators=[
        Length(max=120, message=_l("At most %(max)d characters.")), SAFE_TEXT],
        description=_l("For example: bathroom, staircase II, 3rd floor, the cellar door."))
    description = TextAreaField(_l("Description of the fault"), validators=[
        DataRequired(_l("Describe the fault.")),
        Length(max=DESCRIPTION_MAX, message=_l("At most %(max)d characters.")), SAFE_LINES],
        description=_l("What is happening, since when, and whether it is getting worse."),
        render_kw={"rows": 6})
    photos = MultipleFileField(_l("Photos (optional)"), render_kw={"accept": PHOTO_ACCEPT})
    entry_allowed = BooleanField(
        _l("Staff may enter the unit when I am not at home (with the caretaker)"))
    contact_phone = TelField(_l("Phone for the technician (optional)"), validators=[
        Optional(), PHONE], render_kw={"autocomplete": "tel"})
    contact_note = StringField(_l("When and how to reach me (optional)"), validators=[
        Length(max=200, message=_l("At most %(max)d characters.")), SAFE_TEXT],
        description=_l("For example: weekdays after 15:00."))


class CommentForm(Form):
    """A resident adds to an open report."""

    text = TextAreaField(_l("Your comment"), validators=[
        Length(max=TEXT_MAX, message=_l("At most %(max)d characters.")), SAFE_LINES],
        render_kw={"rows": 3})
    photos = MultipleFileField(_l("Photos (optional)"), render_kw={"accept": PHOTO_ACCEPT})


class ReopenForm(Form):
    """A resident says the fault is still there."""

    text = TextAreaField(_l("What is still wrong"), validators=[
        DataRequired(_l("Say what is still wrong.")),
        Length(max=TEXT_MAX, message=_l("At most %(max)d characters.")), SAFE_LINES],
        render_kw={"rows": 3})


class StaffForm(Form):
    """Staff move a report on: status, public reply, internal note, assignment, date."""

    status = SelectField(_l("Status"), validators=[Optional()])
    reply = TextAreaField(_l("Reply to the resident (the resident sees it and gets it by e-mail)"),
                          validators=[Length(max=TEXT_MAX), SAFE_LINES], render_kw={"rows": 3})
    note = TextAreaField(_l("Internal note (residents never see it)"),
                         validators=[Length(max=TEXT_MAX), SAFE_LINES], render_kw={"rows": 2})
    assign_to = SelectField(_l("Assigned to"), validators=[Optional()])
    planned_on = DateField(_l("Planned date"), validators=[Optional()])


class MergeForm(Form):
    """Staff merge duplicates into the report on the page."""

    duplicates = SelectMultipleField(_l("Reports of the same fault"), coerce=int,
                                     validators=[DataRequired(
                                         _l("Choose at least one other report to merge."))])


class FilterForm(queues.FilterForm):
    """The staff queue's filters."""

    category = SelectField(_l("Category"), default="")
    older = SelectField(_l("Reported"), default="")
