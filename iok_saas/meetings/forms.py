"""The office's forms of the general meeting: the meeting, its parts and agenda, members placed
in a part, drafts decided or registered from paper, the register of proxies, each part's
attendance and votes. What the law says of the values is the services' to check (one rule for
every page); the forms check only what a field can hold."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from iok_saas.meetings import rules as law
from iok_saas.meetings.models import (
    BOARD,
    HOLDER_KINDS,
    MEMBERS,
    SIMPLE,
    SUPERVISORY_BOARD,
    TWO_THIRDS,
)
from iok_saas.web.forms import SAFE_LINE, SAFE_LINES, Form

YES, NO = "yes", "no"
YES_NO = [SelectChoice(YES, _l("yes")), SelectChoice(NO, _l("no"))]
NO_YES = [SelectChoice(NO, _l("no")), SelectChoice(YES, _l("yes"))]
SOURCE_LABELS = {BOARD: _l("the board"), SUPERVISORY_BOARD: _l("the supervisory board"),
                 MEMBERS: _l("members")}
MAJORITY_LABELS = {SIMPLE: _l("simple majority (more for than against)"),
                   TWO_THIRDS: _l("two thirds of the votes cast")}
COUNT = [Optional(), NumberRange(0, 1_000_000, _l("Give a number from 0 upwards."))]


def _line(max_len: int) -> list:
    return [Length(max=max_len, message=_l("At most %(max)d characters.")), SAFE_LINE]


class MeetingForm(Form):
    """A new meeting: its name."""

    title = StringField(_l("Name of the meeting"), validators=_line(200),
                        description=_l("For example: Walne Zgromadzenie Członków 2027."),
                        render_kw={"autocomplete": "off"})


class PartForm(Form):
    """A part of the meeting: when, where, and the buildings whose members sit in it."""

    name = StringField(_l("Name of the part"), validators=_line(120),
                       description=_l("For example: Część I — osiedle Zielone Wzgórza."),
                       render_kw={"autocomplete": "off"})
    on = DateField(_l("Day"), validators=[InputRequired(_l("Give the day of the part."))])
    at = TimeField(_l("Hour (Polish time)"),
                   validators=[InputRequired(_l("Give the hour the part begins."))])
    place = StringField(_l("Place"), validators=_line(200), render_kw={"autocomplete": "off"})
    buildings = SelectMultipleField(_l("Buildings whose members sit in this part"), coerce=int,
                                    validate_choice=False, render_kw={"size": 8})


class SeatForm(Form):
    """A member holding units in several parts' buildings (or in none) placed in one part."""

    member = HiddenField()
    part = SelectField(_l("Part"), coerce=int, validate_choice=False)


class ItemForm(Form):
    """An item at the end of the agenda."""

    title = StringField(_l("Item"), validators=_line(300), render_kw={"autocomplete": "off"})
    resolution = SelectField(_l("A resolution voted on"), choices=YES_NO, default=YES)
    elects = SelectField(_l("The election or recall of members of the supervisory board or "
                            "the board"), choices=NO_YES, default=NO,
                         description=_l("Proxy holders do not vote on it (art. 8³ ust. 16)."))
    majority = SelectField(_l("Majority needed"), default="", choices=[
        SelectChoice("", _l("as the statute says")),
        *(SelectChoice(*c) for c in MAJORITY_LABELS.items())])
    source = SelectField(_l("Proposed by"), default=BOARD,
                         choices=[SelectChoice(*c) for c in SOURCE_LABELS.items()])


class RefuseForm(Form):
    """A members' draft refused, with the reason the member reads."""

    reason = StringField(_l("Reason for the refusal"), validators=_line(300),
                         render_kw={"autocomplete": "off"})


class PaperDraftForm(Form):
    """A draft resolution handed in at the office on paper."""

    member = StringField(_l("Member's identifier"), validators=_line(60),
                         render_kw={"autocomplete": "off"})
    title = StringField(_l("Title of the draft resolution"), validators=_line(200),
                        render_kw={"autocomplete": "off"})
    text = TextAreaField(_l("Text of the draft resolution"),
                         validators=[Length(max=20_000), SAFE_LINES], render_kw={"rows": 5})
    supporters = IntegerField(_l("Members who signed the list of support"),
                              validators=[Optional()], render_kw={"inputmode": "numeric"})
    received_on = DateField(_l("Received by the office on"), validators=[
        InputRequired(_l("Give the day the office received the draft."))])


class ProxyForm(Form):
    """A proxy the office received, entered into the register from the paper."""

    member = StringField(_l("Identifier of the member giving the proxy"), validators=_line(60),
                         render_kw={"autocomplete": "off"})
    holder_kind = SelectField(_l("Who holds the proxy"),
                              choices=[SelectChoice(k, law.HOLDER_CHOICES[k])
                                       for k in HOLDER_KINDS])
    holder_name = StringField(_l("Holder's name"), validators=_line(160),
                              render_kw={"autocomplete": "off"})
    holder_identifier = StringField(_l("Holder's identifier (a holder who is a member)"),
                                    validators=_line(60), render_kw={"autocomplete": "off"})
    statement = BooleanField(_l("The close person's statement under penalty for a false "
                                "statement is attached"))
    received_on = DateField(_l("Received by the office on"), validators=[
        InputRequired(_l("Give the day the office received the proxy."))])
    scan = FileField(_l("Scan of the proxy (optional)"))
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=2000), SAFE_LINES],
                         render_kw={"rows": 2})


class AttendanceForm(Form):
    """A part's attendance from the signed list."""

    present = IntegerField(_l("Present in person"), validators=COUNT,
                           render_kw={"inputmode": "numeric", "min": 0})
    by_proxy = IntegerField(_l("Represented by a proxy holder"), validators=COUNT,
                            render_kw={"inputmode": "numeric", "min": 0})


class VotesForm(Form):
    """The votes a part cast on one resolution."""

    votes_for = IntegerField(_l("For"), validators=COUNT,
                             render_kw={"inputmode": "numeric", "min": 0})
    against = IntegerField(_l("Against"), validators=COUNT,
                           render_kw={"inputmode": "numeric", "min": 0})
    abstained = IntegerField(_l("Abstained"), validators=COUNT,
                             render_kw={"inputmode": "numeric", "min": 0})


class DocumentForm(Form):
    """A PDF published in the members' library and laid out for the meeting (the roles the
    meeting takes now are the view's choices)."""

    title = StringField(_l("Title of the document"), validators=[
        DataRequired(_l("Give the document's title.")), *_line(300)],
        render_kw={"autocomplete": "off"})
    number = StringField(_l("Number (optional)"), validators=_line(60),
                         description=_l("For example the resolution's number: 3/2027."),
                         render_kw={"autocomplete": "off"})
    role = SelectField(_l("What the document is"), validate_choice=False)
    file = FileField(_l("The document (PDF)"), render_kw={"accept": "application/pdf,.pdf"})
