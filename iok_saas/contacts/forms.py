"""The resident's contact details and choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, PasswordField, TelField
from wtforms.validators import DataRequired, Optional, ValidationError

from iok_saas.web.formatting import local_today
from iok_saas.web.forms import EMAIL, Form, PhoneNumber
from iok_saas.web.phones import LANDLINE, MOBILE


class ContactsForm(Form):
    """Both phones and the e-mail address; the current password confirms it is the person."""

    mobile = TelField(_l("Mobile phone"), validators=[Optional(), PhoneNumber(MOBILE)],
                      render_kw={"autocomplete": "tel", "inputmode": "tel"},
                      description=_l("For example 601 234 567; a foreign number with +."))
    landline = TelField(_l("Landline phone"), validators=[Optional(), PhoneNumber(LANDLINE)],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"},
                        description=_l("With the area code, for example 58 123 45 67."))
    email = EmailField(_l("E-mail address"), validators=[Optional(), *EMAIL[1:]],
                       render_kw={"autocomplete": "email"},
                       description=_l("A new address takes effect once you open the link we "
                                      "send to it."))
    current_password = PasswordField(_l("Your current password"), validators=[
        DataRequired(_l("Enter your current password to confirm the change."))],
        render_kw={"autocomplete": "current-password"})


class ChoicesForm(Form):
    """Optional e-mails, each on or off (the fields are the choices' names)."""

    announcements = BooleanField(_l("The cooperative's announcements by e-mail"))
    reading_reminders = BooleanField(_l("A reminder when the cooperative collects meter readings"))
    finance = BooleanField(_l("New charges and payments posted to my units"))
    consumption = BooleanField(
        _l("The monthly information on my units' consumption (remote meters)"))
    consumption_alerts = BooleanField(
        _l("A warning of unusual consumption in my units (e.g. a possible leak)"))


class ContactsOnPaperForm(Form):
    """Contact details from the resident's signed paper request (the date is recorded)."""

    mobile = TelField(_l("Mobile phone"), validators=[Optional(), PhoneNumber(MOBILE)])
    landline = TelField(_l("Landline phone"), validators=[Optional(), PhoneNumber(LANDLINE)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), *EMAIL[1:]],
                       description=_l("Changed only on a request the resident signed; leave it "
                                      "as it is otherwise (the resident can change it online, "
                                      "confirming it by a link)."))
    paper_date = DateField(_l("Date of the paper request"), validators=[
        DataRequired(_l("Enter the date of the resident's paper request."))])

    def validate_paper_date(self, field) -> None:
        if field.data and field.data > local_today():
            raise ValidationError(_l("The request cannot be dated in the future."))
