"""Residents read the announcements meant for their buildings; staff write and manage them."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import bindparam

from iok_saas import files
from iok_saas.announcements import render, services
from iok_saas.announcements.forms import AnnouncementForm, EmailChoiceForm, local
from iok_saas.announcements.models import Announcement
from iok_saas.contacts import consents
from iok_saas.db import db, utcnow
from iok_saas.db.rowsets import together
from iok_saas.estate.services import buildings
from iok_saas.files.uploads import takes_upload
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.forms import ActionForm
from iok_saas.web.problems import DomainError, commit_or_show, show

bp = Blueprint("announcements", __name__, template_folder="templates")
staff_bp = Blueprint("staff_announcements", __name__, url_prefix="/panel/ogloszenia",
                     template_folder="templates")
require_feature(bp, "announcements")
require_feature(staff_bp, "announcements")


# --- residents ----------------------------------------------------------------------------------


@bp.get("/ogloszenia")
@login_required
def index():
    """Current announcements for the resident's buildings: pinned and outages first."""
    rows = together(_current_parts, key="announcements.index", user_id=current_user.id,
                    now=utcnow())
    attached: dict[int, list] = {}
    for row in rows["files"]:
        attached.setdefault(row.announcement_id, []).append(row)
    return render_template("announcements/index.html", announcements=rows["shown"],
                           read={a.id for a in rows["shown"] if not a.unread},
                           attachments=attached,
                           choice=EmailChoiceForm(wanted=current_user.announcement_emails))


def _current_parts() -> dict[str, Any]:
    person, now = bindparam("user_id"), bindparam("now")
    return {"shown": services.current_rows(person, None, Announcement.pinned,
                                           Announcement.publish_from, Announcement.edited_at,
                                           Announcement.service, now=now),
            "files": services.current_attachment_rows(person, now=now)}


@bp.get("/ogloszenia/archiwum")
@login_required
def archive():
    """Announcements no longer shown, newest first, a page at a time."""
    page = request.args.get("strona", 1, type=int)
    shown, pages = services.archive_for(current_user.id, page)
    return render_template("announcements/archive.html", announcements=shown, pages=pages,
                           page=min(max(page, 1), pages),
                           read=services.read_ids(current_user.id, [a.id for a in shown]))


@bp.get("/ogloszenia/<int:announcement_id>")
@login_required
def show_one(announcement_id: int):
    """One announcement; opening it marks it read."""
    found = one_or_404(services.for_resident(current_user.id, announcement_id))
    services.mark_read(current_user.id, found)
    db.session.commit()
    return render_template("announcements/show.html", announcement=found,
                           attachments=services.attachments([found.id]).get(found.id, []))


@bp.get("/ogloszenia/<int:announcement_id>/zalaczniki/<int:attachment_id>")
@login_required
def attachment(announcement_id: int, attachment_id: int) -> Response:
    """An attachment of an announcement the resident may read."""
    found = one_or_404(services.for_resident(current_user.id, announcement_id))
    return _download(found, attachment_id)


def _download(found: Announcement, attachment_id: int) -> Response:
    chosen = one_or_404(next((a for a in services.attachments([found.id]).get(found.id, [])
                              if a.id == attachment_id), None))
    return files.download(files.read(chosen.file_id), filename=chosen.filename,
                          content_type=chosen.content_type,
                          inline=chosen.content_type != "application/pdf")


@bp.post("/ogloszenia/e-mail")
@login_required
def email_choice():
    """Switch announcements by e-mail on or off."""
    form = EmailChoiceForm()
    if form.validate_on_submit():
        consents.choose(current_user, "announcements", bool(form.wanted.data))
        db.session.commit()
        flash(_("You will get announcements by e-mail.") if form.wanted.data
              else _("You will no longer get announcements by e-mail."), "success")
    return redirect(url_for("announcements.index"))


# --- staff --------------------------------------------------------------------------------------

STATUSES = ("current", "planned", "past", "withdrawn", "all")


@staff_bp.get("/")
@staff_required
def staff_index():
    """Every announcement with its reach and how many have read it."""
    status = request.args.get("pokaz", "current")
    status = status if status in STATUSES else "current"
    return render_template("announcements/staff_index.html", rows=services.staff_list(status),
                           status=status, statuses=STATUSES, action=ActionForm())


def _choices(form: AnnouncementForm) -> None:
    form.estates.choices = [(e, e) for e in services.estates()]
    form.building_ids.choices = [(b.id, b.address) for b in buildings()]


def _attachments_limit() -> int:
    """The attachments of one announcement, together, in bytes."""
    return (services.ATTACHMENT_MAX_MB * services.ATTACHMENTS_MAX) << 20


def _uploads(form: AnnouncementForm) -> list[services.Upload]:
    return [services.Upload(f.filename, f.read())
            for f in (form.attachments.data or []) if f and getattr(f, "filename", "")]


def _edit(found: Announcement | None):
    form = AnnouncementForm(obj=None)
    _choices(form)
    if request.method == "GET" and found is not None:
        ids, estates = services.audience_of(found)
        form.process(data={
            "title": found.title, "body": found.body_md, "kind": found.kind,
            "service": found.service or "", "starts_at": local(found.starts_at),
            "ends_at": local(found.ends_at), "audience": found.audience, "estates": estates,
            "building_ids": ids, "publish_from": local(found.publish_from),
            "publish_until": local(found.publish_until), "pinned": found.pinned,
            "send_email": found.send_email})
    preview = None
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("action") == "preview":
            try:
                preview = render.to_html(form.body.data or "")
            except DomainError as exc:
                show(exc, form)
        else:
            saved: list[Announcement] = []
            if commit_or_show(lambda: saved.append(services.save(
                    form.draft(), current_user, found, _uploads(form))),
                    _("The announcement has been saved."), form):
                return redirect(url_for("staff_announcements.edit",
                                        announcement_id=saved[0].id))
    attached = services.attachments([found.id]).get(found.id, []) if found else []
    return render_template("announcements/staff_edit.html", form=form, announcement=found,
                           preview=preview, attached=attached, action=ActionForm())


@staff_bp.route("/nowe", methods=["GET", "POST"])
@staff_required
@takes_upload(_attachments_limit)
def new():
    """Write an announcement (with a preview exactly as residents will see it)."""
    return _edit(None)


@staff_bp.route("/<int:announcement_id>", methods=["GET", "POST"])
@staff_required
@takes_upload(_attachments_limit)
def edit(announcement_id: int):
    """Change an announcement (residents see "zmieniono" once it was shown)."""
    return _edit(one_or_404(services.staff_get(announcement_id)))


@staff_bp.post("/<int:announcement_id>/wycofaj")
@staff_required
def withdraw(announcement_id: int):
    """Take an announcement down."""
    found = one_or_404(services.staff_get(announcement_id))
    if ActionForm().validate_on_submit():
        services.withdraw(found)
        db.session.commit()
        flash(_("The announcement has been withdrawn."), "success")
    return redirect(url_for("staff_announcements.staff_index"))


@staff_bp.get("/<int:announcement_id>/zalaczniki/<int:attachment_id>")
@staff_required
def staff_attachment(announcement_id: int, attachment_id: int) -> Response:
    """An attachment, for staff."""
    return _download(one_or_404(services.staff_get(announcement_id)), attachment_id)


@staff_bp.post("/<int:announcement_id>/zalaczniki/<int:attachment_id>/usun")
@staff_required
def remove_attachment(announcement_id: int, attachment_id: int):
    """Delete an attachment."""
    found = one_or_404(services.staff_get(announcement_id))
    if ActionForm().validate_on_submit() and services.remove_attachment(found, attachment_id):
        db.session.commit()
        flash(_("The attachment has been deleted."), "success")
    return redirect(url_for("staff_announcements.edit", announcement_id=announcement_id))
