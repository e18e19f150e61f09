"""Staff forms for accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from iok_saas.auth.models import STAFF_ROLES

TITLE_LABELS = {
    "cooperative_ownership": _l("cooperative ownership right"),
    "cooperative_tenancy": _l("cooperative tenancy right"),
    "ownership": _l("ownership"),
    "lease": _l("lease"),
}
ROLE_LABELS = {"clerk": _l("clerk"), "admin": _l("administrator")}
# No control characters, no bidirectional overrides, no markup.
SAFE_TEXT = Regexp(r"^[^\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069<>]*$",
                   message=_l("Contains characters that are not allowed."))
NAME = [Length(max=80, message=_l("At most %(max)d characters.")), SAFE_TEXT]
PHONE = Regexp(r"^\+?[0-9 ()-]{6,20}$", message=_l("Enter the phone number with digits only."))


class UnitFields(FlaskForm):
    """A unit chosen as people know it: building, then the flat number."""

    building = SelectField(_l("Building"), coerce=int,
                           validators=[DataRequired(_l("Choose the building."))])
    unit_number = StringField(_l("Unit number"), validators=[
        DataRequired(_l("Enter the unit number.")), Length(max=20), SAFE_TEXT])
    title_kind = SelectField(_l("Legal title"),
                             choices=[SelectChoice(k, v) for k, v in TITLE_LABELS.items()])


class PersonFields(FlaskForm):
    """Name and contact data."""

    first_name = StringField(_l("First name"), validators=[
        DataRequired(_l("Enter the first name.")), *NAME],
        render_kw={"autocomplete": "off"})
    last_name = StringField(_l("Last name"), validators=[
        DataRequired(_l("Enter the last name.")), *NAME],
        render_kw={"autocomplete": "off"})
    email = EmailField(_l("E-mail (optional)"), validators=[
        Optional(), Email(_l("This is not a valid e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "off"})
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), PHONE],
                     render_kw={"autocomplete": "off"})


class ResidentForm(PersonFields, UnitFields):
    """A resident's account from a paper application: person, first unit, contact data."""


class StaffForm(PersonFields):
    """A staff account."""

    identifier = StringField(_l("Identifier"), validators=[
        DataRequired(_l("Enter the identifier.")), Length(max=40),
        Regexp(r"^[A-Za-z0-9._-]+$",
               message=_l("Use letters, digits, dots, hyphens and underscores only."))])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in STAFF_ROLES])


class DocumentForm(FlaskForm):
    """Carries the just-issued initial password back for the PDF (it is never stored)."""

    password = PasswordField(validators=[DataRequired(), Length(max=64)])


class ActionForm(FlaskForm):
    """A button that changes something (CSRF only)."""
