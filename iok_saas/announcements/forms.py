"""The staff form for announcements, the residents' e-mail choice, and the labels pages use."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from iok_saas.announcements.models import (
    BUILDINGS,
    ESTATES,
    EVERYONE,
    GENERAL,
    MEETING,
    OUTAGE,
    URGENT,
)
from iok_saas.announcements.services import BODY_MAX, TITLE_MAX, Draft
from iok_saas.web.formatting import WARSAW
from iok_saas.web.forms import Form

KIND_LABELS = {GENERAL: _l("general"), OUTAGE: _l("planned outage"), MEETING: _l("meeting"),
               URGENT: _l("urgent")}
SERVICE_LABELS = {"water": _l("cold water"), "hot_water": _l("hot water"),
                  "heating": _l("heating"), "electricity": _l("electricity"), "gas": _l("gas"),
                  "lift": _l("lift")}
AUDIENCE_LABELS = {EVERYONE: _l("the whole cooperative"), ESTATES: _l("chosen estates"),
                   BUILDINGS: _l("chosen buildings")}


class AnnouncementForm(Form):
    """Write or change an announcement."""

    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Give the announcement a title.")),
        Length(max=TITLE_MAX, message=_l("At most %(max)d characters."))])
    kind = RadioField(_l("Kind"), choices=list(KIND_LABELS.items()), default=GENERAL)
    service = SelectField(_l("What will be switched off"), validate_choice=False,
                          choices=[("", "—"), *SERVICE_LABELS.items()])
    starts_at = DateTimeLocalField(_l("From (date and time)"), validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Until (date and time)"), validators=[Optional()])
    body = TextAreaField(_l("Text"), validators=[
        DataRequired(_l("Write the text of the announcement.")),
        Length(max=BODY_MAX, message=_l("At most %(max)d characters."))],
        description=_l("Plain text; **bold**, lists (lines starting with “- ”) and links "
                       "[text](https://…) work as in Markdown."),
        render_kw={"rows": 10})
    audience = RadioField(_l("For whom"), choices=list(AUDIENCE_LABELS.items()),
                          default=EVERYONE)
    estates = SelectMultipleField(_l("Estates"), validate_choice=False)
    building_ids = SelectMultipleField(_l("Buildings"), coerce=int, validate_choice=False)
    publish_from = DateTimeLocalField(_l("Show from (empty: now)"), validators=[Optional()])
    publish_until = DateTimeLocalField(_l("Show until (empty: until withdrawn)"),
                                       validators=[Optional()])
    pinned = BooleanField(_l("Pin it at the top"))
    send_email = BooleanField(_l("Also send it by e-mail to residents who asked for "
                                 "announcements by e-mail"))
    attachments = MultipleFileField(_l("Attachments (PDF, JPEG, PNG; optional)"),
                                    render_kw={"accept": "application/pdf,image/jpeg,image/png"})

    def draft(self) -> Draft:
        """What was typed, as the service takes it (times are Polish local times)."""
        return Draft(
            title=self.title.data or "", body=self.body.data or "", kind=self.kind.data or "",
            service=self.service.data or None, starts_at=_utc(self.starts_at.data),
            ends_at=_utc(self.ends_at.data), audience=self.audience.data or "",
            estates=list(self.estates.data or []),
            building_ids=[int(b) for b in self.building_ids.data or []],
            publish_from=_utc(self.publish_from.data), publish_until=_utc(self.publish_until.data),
            pinned=bool(self.pinned.data), send_email=bool(self.send_email.data))


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=WARSAW) if value is not None else None


def local(value: datetime | None) -> datetime | None:
    """A stored time as the form shows it (Polish local time, no zone)."""
    return value.astimezone(WARSAW).replace(tzinfo=None) if value is not None else None


class EmailChoiceForm(Form):
    """A resident's consent to announcements by e-mail."""

    wanted = BooleanField(_l("Send me the cooperative's announcements by e-mail"))
