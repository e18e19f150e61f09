"""Choosing a unit as people know it, and the names of legal titles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from iok_saas.web.forms import SAFE_TEXT, Form

TITLE_LABELS = {
    "cooperative_ownership": _l("cooperative ownership right"),
    "cooperative_tenancy": _l("cooperative tenancy right"),
    "ownership": _l("ownership"),
    "lease": _l("lease"),
}


def chosen_id(value) -> int | None:
    """The id picked in a list; None for its empty first choice ("please choose")."""
    return None if value in (None, "") else int(value)


class UnitFields(Form):
    """A unit chosen as people know it: building, then the flat number."""

    building = SelectField(_l("Building"), coerce=chosen_id,
                           validators=[DataRequired(_l("Choose the building."))])
    unit_number = StringField(_l("Unit number"), validators=[
        DataRequired(_l("Enter the unit number.")), Length(max=20), SAFE_TEXT])
    title_kind = SelectField(_l("Legal title"),
                             choices=[SelectChoice(k, v) for k, v in TITLE_LABELS.items()])
