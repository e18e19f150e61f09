"""The members' library: residents holding a unit read and download; staff publish, replace,
change and withdraw. Anyone else — signed out, another cooperative — finds nothing (404)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from iok_saas import files
from iok_saas.db import db
from iok_saas.documents import services
from iok_saas.documents.forms import STATUS_LABELS, DocumentForm, VersionForm
from iok_saas.documents.models import Document
from iok_saas.files.uploads import takes_upload
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.forms import ActionForm
from iok_saas.web.problems import commit_or_show

bp = Blueprint("documents", __name__, template_folder="templates")
staff_bp = Blueprint("staff_documents", __name__, url_prefix="/panel/dokumenty",
                     template_folder="templates")
require_feature(bp, "documents")
require_feature(staff_bp, "documents")


def _member_document(document_id: int) -> Document:
    """A document the signed-in member may read; for anyone else — signed out too — not found
    (no sign-in page that would tell an id exists)."""
    if not current_user.is_authenticated or not services.is_member(current_user):
        abort(404)
    return one_or_404(services.member_get(document_id))


def _download(document: Document, version_id: int) -> Response:
    version = one_or_404(services.version_of(document, version_id))
    return files.download(files.read(version.file_id), filename=version.filename,
                          content_type="application/pdf")


@bp.get("/dokumenty")
@login_required
def index():
    """The library by category; search by title and number; what is new since the last visit."""
    query = "".join(ch for ch in request.args.get("q", "") if ch.isprintable()).strip()[:100]
    category = request.args.get("kategoria", "")
    categories = g.tenant.settings.documents.categories
    category = category if category in categories else ""
    member, previous, found = services.library(current_user, query, category)
    page = render_template(
        "documents/index.html", member=member, documents=found, categories=categories,
        groups=[(c, [d for d in found if d.category == c]) for c in categories],
        query=query, category=category, previous=previous, statuses=STATUS_LABELS)
    if member:  # after the page is drawn: the commit expires the signed-in person
        services.visited(current_user.id, previous)
        db.session.commit()
    return page


@bp.get("/dokumenty/<int:document_id>")
def show(document_id: int):
    """One document with its versions: the one in force first, the replaced ones below."""
    document = _member_document(document_id)
    return render_template("documents/show.html", document=document,
                           versions=services.versions(document.id), statuses=STATUS_LABELS)


@bp.get("/dokumenty/<int:document_id>/wersje/<int:version_id>")
def download(document_id: int, version_id: int) -> Response:
    """A version's PDF, for members only, never kept by a cache."""
    return _download(_member_document(document_id), version_id)


# --- staff --------------------------------------------------------------------------------------


def _pdf_limit() -> int:
    """The largest PDF the cooperative publishes, in bytes."""
    return g.tenant.settings.documents.max_mb << 20


def _upload(field) -> services.Upload | None:
    data = field.data
    if not data or not getattr(data, "filename", ""):
        field.errors = [_("Choose the PDF file.")]
        return None
    return services.Upload(data.filename, data.stream)


def _categories(form: DocumentForm) -> DocumentForm:
    form.category.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(c, c) for c in g.tenant.settings.documents.categories]
    return form


@staff_bp.get("/")
@staff_required
def staff_index():
    """Every document (withdrawn ones too), by category."""
    return render_template("documents/staff_index.html", documents=services.staff_list(),
                           statuses=STATUS_LABELS)


@staff_bp.route("/nowy", methods=["GET", "POST"])
@staff_required
@takes_upload(_pdf_limit)
def new():
    """Publish a document with its PDF."""
    form = _categories(DocumentForm())
    if form.validate_on_submit() and (upload := _upload(form.file)) is not None:
        made: list[Document] = []
        if commit_or_show(lambda: made.append(services.publish(
                form.draft(), upload, current_user, g.tenant, form.note.data or "")),
                _("The document has been published."), form):
            return redirect(url_for("staff_documents.edit", document_id=made[0].id))
    status = 422 if request.method == "POST" else 200
    return render_template("documents/staff_edit.html", form=form, document=None), status


@staff_bp.route("/<int:document_id>", methods=["GET", "POST"])
@staff_required
@takes_upload(_pdf_limit)
def edit(document_id: int):
    """A document's data, its versions, a new version, withdrawal."""
    document = one_or_404(services.staff_get(document_id))
    form = _categories(DocumentForm(obj=document if request.method == "GET" else None))
    if form.validate_on_submit() and commit_or_show(
            lambda: services.change(document, form.draft(), current_user, g.tenant),
            _("Saved."), form):
        return redirect(url_for("staff_documents.edit", document_id=document.id))
    status = 422 if request.method == "POST" else 200
    return _staff_page(document, form, VersionForm(), status)


def _staff_page(document: Document, form: DocumentForm, version_form: VersionForm,
                status: int = 200):
    return render_template("documents/staff_edit.html", form=form, document=document,
                           version_form=version_form, versions=services.versions(document.id),
                           action=ActionForm(), statuses=STATUS_LABELS), status


@staff_bp.post("/<int:document_id>/wersje")
@staff_required
@takes_upload(_pdf_limit)
def new_version(document_id: int):
    """Replace the PDF: the new version is in force, the earlier one stays, marked replaced."""
    document = one_or_404(services.staff_get(document_id))
    version_form = VersionForm()
    if version_form.validate_on_submit() and (upload := _upload(version_form.file)) is not None \
            and commit_or_show(lambda: services.add_version(
                document, upload, current_user, g.tenant, version_form.note.data or ""),
                _("The new version has been published."), version_form):
        return redirect(url_for("staff_documents.edit", document_id=document.id))
    form = _categories(DocumentForm(obj=document))
    return _staff_page(document, form, version_form, 422)


@staff_bp.post("/<int:document_id>/wycofaj")
@staff_required
def withdraw(document_id: int):
    """Members no longer see the document."""
    document = one_or_404(services.staff_get(document_id))
    if ActionForm().validate_on_submit():
        services.withdraw(document, current_user)
        db.session.commit()
        flash(_("The document has been withdrawn: members no longer see it."), "success")
    return redirect(url_for("staff_documents.edit", document_id=document.id))


@staff_bp.get("/<int:document_id>/wersje/<int:version_id>")
@staff_required
def staff_download(document_id: int, version_id: int) -> Response:
    """A version's PDF, for staff (withdrawn documents too)."""
    return _download(one_or_404(services.staff_get(document_id)), version_id)
