"""Staff forms for accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Regexp,
)

from iok_saas.auth.models import STAFF_ROLES
from iok_saas.estate.forms import UnitFields
from iok_saas.web.forms import SAFE_TEXT, Form, PersonFields

ROLE_LABELS = {"clerk": _l("clerk"), "admin": _l("administrator")}


def _department() -> StringField:
    return StringField(_l("Department (optional)"), validators=[
        Length(max=80, message=_l("At most %(max)d characters.")), SAFE_TEXT],
        description=_l("Residents see it with the first name under answers to their letters, "
                       "for example: Dział Czynszów."))


class ResidentForm(PersonFields, UnitFields):
    """A resident's account from a paper application: person, first unit, contact data."""


class StaffForm(PersonFields):
    """A staff account."""

    identifier = StringField(_l("Identifier"), validators=[
        DataRequired(_l("Enter the identifier.")), Length(max=40),
        Regexp(r"^[A-Za-z0-9._-]+$",
               message=_l("Use letters, digits, dots, hyphens and underscores only."))])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in STAFF_ROLES])
    department = _department()


class DepartmentForm(Form):
    """The department of a staff account."""

    department = _department()


class LetterCodesForm(Form):
    """Which members get activation codes, and for how long the codes work."""

    building = SelectField(_l("Building"), coerce=int)
    who = RadioField(_l("Who gets a code"), default="new", choices=[
        SelectChoice("new", _l("Those who have never signed in and hold no code that works")),
        SelectChoice("all", _l("Everyone who has never signed in (codes issued earlier stop "
                               "working)"))])
    days = IntegerField(_l("The codes work for (days)"), validators=[
        DataRequired(_l("Give a number of days from 1 to 365.")),
        NumberRange(1, 365, _l("Give a number of days from 1 to 365."))],
        description=_l("Long enough for the fee notice or the letter to arrive and be read."))
