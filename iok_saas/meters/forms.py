"""Forms for readings (residents and staff)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from iok_saas.meters.checks import NeedsConfirmation, ReadingError, parse_value
from iok_saas.web.forms import SAFE_TEXT, Form
from iok_saas.web.problems import show


class ReadingForm(Form):
    """A meter's state on a day (and, from residents, optionally a photo of it)."""

    value = StringField(_l("Meter reading"), validators=[
        InputRequired(_l("Enter the meter reading.")), Length(max=40)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    read_on = DateField(_l("Date of the reading"), validators=[
        InputRequired(_l("Enter the date of the reading."))])
    photo = FileField(_l("Photo of the meter (optional)"))
    confirmed = BooleanField(_l("I have checked: the reading is correct"))


class CorrectionForm(ReadingForm):
    """Staff correct an accepted reading and say why."""

    reason = TextAreaField(_l("Reason for the correction"), validators=[
        DataRequired(_l("Give the reason for the correction.")), Length(max=300), SAFE_TEXT])


class RejectForm(Form):
    """Why staff reject readings (sent to the resident)."""

    # Not "required" in the browser: the same form also accepts, where no reason is needed.
    reason = TextAreaField(_l("Reason for rejection (the resident will see it)"), validators=[
        DataRequired(_l("Give the reason for rejection.")), Length(max=300), SAFE_TEXT],
        render_kw={"required": False})


class RemindersForm(Form):
    """The resident's choice of reading reminders."""

    reminders = BooleanField(_l("Remind me by e-mail when the cooperative collects readings"))


KIND_LABELS = {
    "cold_water": _l("cold water"),
    "hot_water": _l("hot water"),
    "heat": _l("heat (heat cost allocator)"),
    "gas": _l("gas"),
    "electricity": _l("electricity"),
}
STATUS_LABELS = {"pending": _l("waiting for acceptance"), "accepted": _l("accepted"),
                 "rejected": _l("rejected")}
SOURCE_LABELS = {"resident": _l("resident (online)"), "staff": _l("cooperative staff"),
                 "import": _l("accounting system")}


def apply(form: ReadingForm, action: Callable[..., object]) -> bool:
    """Run ``action(value)`` with the form's parsed value; put a refusal on the right field.
    True when it went through."""
    try:
        action(parse_value(form.value.data))
    except NeedsConfirmation as exc:
        form.needs_confirmation = True
        show(exc, form, "value")
        return False
    except ReadingError as exc:
        show(exc, form, "value")
        return False
    return True
