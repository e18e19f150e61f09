"""Staff forms for the members' library, and the labels pages use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from iok_saas.documents.models import ARCHIVED, CURRENT
from iok_saas.documents.services import Draft
from iok_saas.web.forms import SAFE_TEXT, Form

STATUS_LABELS = {CURRENT: _l("in force"), ARCHIVED: _l("archival")}
PDF_ACCEPT = {"accept": "application/pdf,.pdf"}


class DocumentForm(Form):
    """A document's data; on a new document also its first PDF."""

    category = SelectField(_l("Category"), validators=[DataRequired(_l("Choose the category."))])
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter the title.")),
        Length(max=300, message=_l("At most %(max)d characters.")), SAFE_TEXT])
    number = StringField(_l("Number (optional)"), validators=[
        Optional(), Length(max=60, message=_l("At most %(max)d characters.")), SAFE_TEXT],
        description=_l("For example the resolution's number: 12/2026."))
    dated = DateField(_l("Date of the document"), validators=[
        DataRequired(_l("Enter the document's date."))])
    status = SelectField(_l("Status"), choices=[SelectChoice(k, v)
                                                for k, v in STATUS_LABELS.items()])
    file = FileField(_l("The document (PDF)"), render_kw=PDF_ACCEPT)
    note = StringField(_l("Note on this version (optional)"), validators=[
        Optional(), Length(max=200, message=_l("At most %(max)d characters.")), SAFE_TEXT])

    def draft(self) -> Draft:
        return Draft(category=self.category.data, title=self.title.data,
                     number=self.number.data or "", dated=self.dated.data,
                     status=self.status.data)


class VersionForm(Form):
    """A new version of a document."""

    file = FileField(_l("The new version (PDF)"), render_kw=PDF_ACCEPT)
    note = StringField(_l("What has changed (optional)"), validators=[
        Optional(), Length(max=200, message=_l("At most %(max)d characters.")), SAFE_TEXT],
        description=_l("For example: the amendment adopted by the general meeting of "
                       "12.06.2026."))
