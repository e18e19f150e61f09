"""Forms of account security: activation by letter, the second step, turning it off."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from iok_saas.auth.forms import NewPasswordForm, identifier_field
from iok_saas.auth.policy import MAX_LENGTH
from iok_saas.web.forms import EMAIL, Form


class ActivationForm(NewPasswordForm):
    """Identifier and the code from the letter, the person's own password, an e-mail address."""

    identifier = identifier_field()
    code = StringField(
        _l("Activation code"),
        validators=[DataRequired(_l("Please type the activation code from the letter.")),
                    Length(max=40, message=_l("The code is too long: it has 16 characters."))],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters",
                   "spellcheck": "false"},
    )
    email = EmailField(_l("E-mail address (optional)"), validators=[Optional(), *EMAIL[1:]],
                       render_kw={"autocomplete": "email"})


def _code_field() -> StringField:
    return StringField(
        _l("Code"),
        validators=[DataRequired(_l("Please type the code.")),
                    Length(max=40, message=_l("The code is too long."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text",
                   "autocapitalize": "none", "spellcheck": "false"},
        description=_l("Six digits from the authenticator app, or one of your recovery codes."))


class CodeForm(Form):
    """The code from the authenticator app (or a recovery code)."""

    code = _code_field()
    remember = BooleanField(_l("Do not ask for the code on this browser for 30 days"))


class TurnOffForm(Form):
    """Turning two-step verification off: the password and a code."""

    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")),
        Length(max=MAX_LENGTH, message=_l("The password is too long."))],
        render_kw={"autocomplete": "current-password"})
    code = _code_field()
