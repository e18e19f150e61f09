"""Staff forms for accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from iok_saas.auth.models import STAFF_ROLES
from iok_saas.estate.forms import UnitFields
from iok_saas.web.forms import PersonFields

ROLE_LABELS = {"clerk": _l("clerk"), "admin": _l("administrator")}


class ResidentForm(PersonFields, UnitFields):
    """A resident's account from a paper application: person, first unit, contact data."""


class StaffForm(PersonFields):
    """A staff account."""

    identifier = StringField(_l("Identifier"), validators=[
        DataRequired(_l("Enter the identifier.")), Length(max=40),
        Regexp(r"^[A-Za-z0-9._-]+$",
               message=_l("Use letters, digits, dots, hyphens and underscores only."))])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in STAFF_ROLES])
