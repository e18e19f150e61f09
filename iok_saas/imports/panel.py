"""Staff panel: upload an import file, follow its progress, read the import history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from werkzeug.routing import BuildError
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from iok_saas.db import db
from iok_saas.files.uploads import takes_upload
from iok_saas.imports import models, queue
from iok_saas.imports.kinds import DOCUMENTS, KINDS, SETTLEMENTS
from iok_saas.imports.reading import ImportFileError
from iok_saas.imports.runner import max_bytes
from iok_saas.web.access import admin_required, one_or_404, staff_required
from iok_saas.web.forms import Form

bp = Blueprint("imports", __name__, url_prefix="/panel/import", template_folder="templates")
KIND_LABELS = {
    "buildings": _l("Buildings"),
    "units": _l("Units"),
    "accounts": _l("Accounts of units (with bank account numbers)"),
    "titles": _l("Residents' legal titles to units"),
    "ledger": _l("Ledger: charges and payments"),
    "meters": _l("Meters of units"),
    "readings": _l("Meter readings (accepted)"),
    "remote": _l("Remote readings from the metering company"),
    SETTLEMENTS: _l("Yearly settlements of water and heat"),
    DOCUMENTS: _l("Documents for units (ZIP of PDFs with a manifest)"),
}
SOURCE_LABELS = {models.CLI: _l("command line"), models.PANEL: _l("staff panel"),
                 models.API: _l("API")}


class UploadForm(Form):
    """A file exported by the accounting system."""

    kind = SelectField(_l("What the file contains"),
                       choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    file = FileField(_l("File (CSV or JSON; documents: ZIP)"),
                     validators=[FileRequired(_l("Choose the file to import."))])
    dry_run = BooleanField(_l("Only check the file, do not save anything"))


NOT_ZIP = _l("Choose a ZIP file (.zip) holding the PDF files and manifest.csv.")


def _queued(form: Form, kind: str) -> Any:
    """Queue the form's file as an import of ``kind`` (the file's name checked first): a
    redirect to the run's page, or None with the reason on the form's file field."""
    upload_file = form.file.data
    name = (upload_file.filename or "").lower()
    if kind == DOCUMENTS and not name.endswith(".zip"):
        form.file.errors.append(NOT_ZIP)
        return None
    if kind != DOCUMENTS and not name.endswith((".csv", ".json", ".txt")):
        form.file.errors.append(_l("Choose a CSV or JSON file (.csv, .json)."))
        return None
    actor = f"{current_user.full_name} ({current_user.identifier})"
    try:
        run = queue.queue_upload(kind, upload_file.stream, upload_file.filename,
                                 dry_run=form.dry_run.data, origin=models.PANEL, actor=actor)
    except ImportFileError as exc:
        db.session.rollback()
        form.file.errors.append(str(exc))
        return None
    db.session.commit()
    return redirect(url_for("imports.run", run_id=run.id))


@bp.route("/", methods=["GET", "POST"])
@admin_required
@takes_upload(max_bytes)
def upload():
    """The form and the history of imports."""
    form = UploadForm()
    kinds = dict(KINDS)
    # Documents for units only where delivered; settlements where they are shown.
    for kind, feature in ((DOCUMENTS, "delivery"), (SETTLEMENTS, "settlements")):
        if not g.tenant.has_feature(feature):
            del kinds[kind]
            form.kind.choices = [c for c in form.kind.choices if c.value != kind]
    if form.validate_on_submit() and (done := _queued(form, form.kind.data)) is not None:
        return done
    return render_template("imports/upload.html", form=form, runs=queue.history(),
                           kinds=kinds, labels=KIND_LABELS, sources=SOURCE_LABELS)


class DeliveryForm(Form):
    """A ZIP of PDFs for units with its manifest."""

    file = FileField(_l("ZIP file with the PDF files and manifest.csv"),
                     validators=[FileRequired(_l("Choose the ZIP file to deliver."))])
    dry_run = BooleanField(_l("Only check the file, do not deliver anything"))


@bp.route("/doreczenia", methods=["GET", "POST"])
@staff_required
@takes_upload(max_bytes)
def deliver():
    """Documents for units in bulk (a ZIP with its manifest): every member of staff who
    delivers documents may send one, not only the admins who load the accounting data."""
    if not g.tenant.has_feature("delivery"):
        abort(404)
    form = DeliveryForm()
    if form.validate_on_submit() and (done := _queued(form, DOCUMENTS)) is not None:
        return done
    return render_template("imports/deliver.html", form=form,
                           columns=KINDS[DOCUMENTS].columns)


@bp.get("/<int:run_id>")
@staff_required
def run(run_id: int):
    """One import: progress while it runs, then what it did or what is wrong in the file.
    Staff who are not admins see bulk deliveries of documents only."""
    found = one_or_404(queue.find_run(run_id))
    if found.kind != DOCUMENTS and not current_user.is_admin:
        abort(404)
    if found.status == models.FAILED:
        flash(_l("The import stopped because of an error on our side. Nothing was saved; "
                 "please try again or contact the platform's support."), "error")
    return render_template("imports/run.html", run=found, labels=KIND_LABELS,
                           sources=SOURCE_LABELS, percent=queue.progress_percent(found),
                           proof=_proof_page(found))


def _proof_page(run: models.ImportRun) -> str | None:
    """A bulk delivery's page in the office's deliveries (its proof), if there is one."""
    if run.kind != DOCUMENTS or run.dry_run or not run.added or not g.tenant.has_feature(
            "delivery"):
        return None
    try:
        return url_for("staff_delivery.run_page", run_id=run.id)
    except BuildError:  # the deliveries' pages are not part of this app
        return None
