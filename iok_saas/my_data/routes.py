"""*Moje dane*: the download of everything held about me, who of the staff viewed my data, how
long what is kept, a request to delete my account."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select, update

from iok_saas import files
from iok_saas.audit import services as audit
from iok_saas.audit.models import DELETION_REQUESTED, AuditEvent
from iok_saas.db import db, utcnow
from iok_saas.jobs import enqueue
from iok_saas.my_data import export
from iok_saas.my_data.models import PREPARING, READY, DataExport
from iok_saas.tenancy.features import require_feature
from iok_saas.web.forms import ActionForm

bp = Blueprint("my_data", __name__, url_prefix="/moje-dane", template_folder="templates")
require_feature(bp, "my_data")


def deletion_requested(user_id: int) -> AuditEvent | None:
    """The person's request to delete their account, if they made one."""
    return db.session.scalar(select(AuditEvent).where(
        AuditEvent.subject_id == user_id, AuditEvent.action == DELETION_REQUESTED)
        .order_by(AuditEvent.created_at.desc()).limit(1))


@bp.get("/")
@login_required
def index():
    """What is held, the download, who viewed it, how long it is kept."""
    latest = db.session.scalar(select(DataExport).where(DataExport.user_id == current_user.id)
                               .order_by(DataExport.id.desc()).limit(1))
    return render_template("my_data/index.html", parts=export.parts(g.tenant), latest=latest,
                           views=audit.views_of(current_user.id), action=ActionForm(),
                           deletion=deletion_requested(current_user.id), now=utcnow(),
                           retention=g.tenant.settings.my_data.retention)


@bp.post("/pobierz")
@login_required
def download():
    """The ZIP at once when the history is small; otherwise a job prepares it."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        data = export.build(current_user.id, g.tenant,
                            budget=current_app.config["EXPORT_INLINE_ROWS"])
    except export.TooLargeForNow:
        if _waiting() is None:  # asked again while one is being prepared or waits: that one
            request = DataExport(user_id=current_user.id)
            db.session.add(request)
            db.session.flush()
            enqueue(export.PREPARE, g.tenant.id, export_id=request.id)
            db.session.commit()
        flash(_("We are preparing the file: there is a lot of data. The link will appear on "
                "this page in a few minutes and will work for %(hours)d hours.",
                hours=export.LINK_HOURS), "info")
        return redirect(url_for("my_data.index"))
    return files.download(data, filename=_name(), content_type="application/zip")


def _waiting() -> DataExport | None:
    """The person's download still being prepared, or ready and not yet taken."""
    return db.session.scalar(select(DataExport).where(
        DataExport.user_id == current_user.id,
        or_(DataExport.status == PREPARING,
            and_(DataExport.status == READY, DataExport.downloaded_at.is_(None),
                 DataExport.expires_at > utcnow()))).limit(1))


def _name() -> str:
    return f"moje-dane-{current_user.identifier}-{date.today():%Y-%m-%d}.zip"


@bp.post("/pobierz/<int:export_id>")
@login_required
def prepared(export_id: int):
    """A prepared ZIP: once (taken in one statement: two clicks at once get it once), within
    its hours, for the person who asked only; a button, so link scanners cannot use it up."""
    if not ActionForm().validate_on_submit():
        abort(400)
    file_id = db.session.scalar(
        update(DataExport).where(
            DataExport.id == export_id, DataExport.user_id == current_user.id,
            DataExport.status == READY, DataExport.downloaded_at.is_(None),
            DataExport.expires_at > utcnow(), DataExport.file_id.is_not(None))
        .values(downloaded_at=utcnow()).returning(DataExport.file_id))
    if file_id is None:
        abort(404)
    data = files.read(file_id)
    db.session.commit()
    return files.download(data, filename=_name(), content_type="application/zip")


@bp.post("/usuniecie")
@login_required
def request_deletion():
    """Ask the cooperative to delete the account: recorded for the office, which decides
    (accounting data is never erased on its own)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if deletion_requested(current_user.id) is None:
        audit.record(DELETION_REQUESTED, subject=current_user, actor=current_user)
        db.session.commit()
    flash(_("Your request has been recorded. The office will contact you; accounting data "
            "is kept for as long as the law requires."), "success")
    return redirect(url_for("my_data.index"))
