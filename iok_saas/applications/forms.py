"""The public application form and the staff decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Regexp

from iok_saas.estate.forms import UnitFields
from iok_saas.web.forms import NAME, PHONE, Form, PersonFields


class ApplicationForm(PersonFields, UnitFields):
    """First and last name, the unit, the title, e-mail, phone; consent to terms and privacy."""

    first_name = StringField(_l("First name"), validators=[
        DataRequired(_l("Enter the first name.")), *NAME],
        render_kw={"autocomplete": "given-name"})
    last_name = StringField(_l("Last name"), validators=[
        DataRequired(_l("Enter the last name.")), *NAME],
        render_kw={"autocomplete": "family-name"})
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("This is not a valid e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "email"})
    phone = TelField(_l("Phone"), validators=[DataRequired(_l("Enter your phone number.")), PHONE],
                     render_kw={"autocomplete": "tel"})
    accept = BooleanField(
        _l("I have read and accept the terms of the online customer service and the "
           "information on the processing of personal data."),
        validators=[InputRequired(_l("Without accepting the terms we cannot accept the "
                                     "application."))])


class RejectForm(Form):
    """Why the application is refused (the applicant is told)."""

    reason = TextAreaField(_l("Reason (the applicant will receive it by e-mail)"), validators=[
        DataRequired(_l("Write the reason.")), Length(max=1000),
        Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
               message=_l("Contains characters that are not allowed."))])


class VisitForm(Form):
    """What staff confirm at the office before the document is handed over."""

    identity_checked = BooleanField(_l("I checked the identity document"), validators=[
        InputRequired(_l("Confirm that you checked the identity document."))])
    signed = BooleanField(_l("The application has been signed"), validators=[
        InputRequired(_l("Confirm that the application has been signed."))])
