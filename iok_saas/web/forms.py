"""Field rules and form pieces every capability shares."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from iok_saas.web.phones import PhoneProblem, normalise, shown

# No control characters, no bidirectional overrides, no markup.
SAFE_TEXT = Regexp(r"^[^\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069<>]*$",
                   message=_l("Contains characters that are not allowed."))
# Multi-line text: line breaks allowed, other control characters and direction overrides not.
# "<" and ">" are allowed ("temperatura < 18°C"): every page shows the text escaped, as text.
SAFE_LINES = Regexp(r"^[^\x00-\x09\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]*$",
                    message=_l("Contains characters that are not allowed."))
# One line that is shown escaped, as text ("<" and ">" allowed): subjects, reasons, names.
SAFE_LINE = Regexp(r"^[^\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]*$",
                   message=_l("Contains characters that are not allowed."))
NAME = [Length(max=80, message=_l("At most %(max)d characters.")), SAFE_TEXT]
PHONE = Regexp(r"^\+?[0-9 ()-]{6,20}$", message=_l("Enter the phone number with digits only."))


class PhoneNumber:
    """A phone number ``phonenumbers`` accepts (of ``kind``, mobile or landline, when given);
    its E.164 form is kept for ``e164(field)`` (the field still shows what was typed)."""

    def __init__(self, kind: str | None = None) -> None:
        self.kind = kind

    def __call__(self, form, field) -> None:
        field.e164 = None
        if not field.data:
            return
        kept = getattr(field, "kept", None)
        if kept and field.data.strip() == kept[0]:  # left as it was: not checked again
            field.e164 = kept[1]
            return
        try:
            field.e164 = normalise(field.data, self.kind)
        except PhoneProblem as problem:
            raise ValidationError(str(problem.args[0])) from problem


def keep_number(field, stored: str | None) -> None:
    """The number the person has now: left unchanged in the form, it is kept as it is (one
    saved before numbers were checked does not block saving the rest)."""
    field.kept = (shown(stored), stored) if stored else None


def e164(field) -> str | None:
    """The number a validated ``PhoneNumber`` field holds, in E.164; None when left empty."""
    return getattr(field, "e164", None)


NO_LINE_BREAKS = Regexp(r"^[^\r\n]*$", message=_l("An e-mail address is one line."))
EMAIL = [DataRequired(_l("Enter the e-mail address.")), NO_LINE_BREAKS,
         Email(_l("This is not a valid e-mail address: it needs a name, @ and a domain, without "
                  "spaces (for example jan.kowalski@example.org).")),
         Length(max=254, message=_l("At most %(max)d characters."))]


class Form(FlaskForm):
    """The base of every form: its CSRF token is written without an id, so a page of several
    forms (the menu's sign-out button, actions on a list) has no id twice."""

    class Meta(FlaskForm.Meta):
        def render_field(self, field, render_kw):
            """Each field as WTForms writes it; the token without an id (no label points to it)."""
            if field.type == "CSRFTokenField":
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


class PersonFields(Form):
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


class ActionForm(Form):
    """A button that changes something (CSRF only)."""
