"""Sign-in and password forms (visible labels, autocomplete for password managers)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from iok_saas.auth.policy import MAX_LENGTH
from iok_saas.web.forms import Form


def printable(form: FlaskForm, field) -> None:
    """Refuse control characters (NUL and the like) with a clear message."""
    if field.data and not field.data.isprintable():
        raise ValidationError(_l("The identifier contains characters that are not allowed."))


def identifier_field() -> StringField:
    """The identifier as people type it: no autocorrect, checked for stray characters."""
    return StringField(
        _l("User identifier"),
        validators=[DataRequired(_l("Enter your user identifier.")),
                    Length(max=40, message=_l("The identifier is too long.")), printable],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )


class LoginForm(Form):
    """Identifier and password."""

    identifier = identifier_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")),
                    Length(max=MAX_LENGTH, message=_l("The password is too long."))],
        render_kw={"autocomplete": "current-password"},
    )


class ForgottenForm(Form):
    """The identifier of the account whose password was forgotten."""

    identifier = identifier_field()


class NewPasswordForm(Form):
    """A new password twice (from the e-mailed link)."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter the new password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Enter the new password again.")),
                    EqualTo("new_password", _l("The two new passwords are different."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")),
                    Length(max=MAX_LENGTH, message=_l("The password is too long."))],
        render_kw={"autocomplete": "current-password"},
    )


class DocumentForm(Form):
    """Carries the just-issued initial password back for the PDF (it is never stored)."""

    password = PasswordField(validators=[DataRequired(), Length(max=64)])
