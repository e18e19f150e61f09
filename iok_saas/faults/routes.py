"""Residents: report a fault, follow their reports, comment, confirm or reopen."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from iok_saas.cases import files as case_files
from iok_saas.cases import services as cases
from iok_saas.cases import views
from iok_saas.estate.services import places_of
from iok_saas.faults import services
from iok_saas.faults.forms import CommentForm, ReopenForm, ReportForm
from iok_saas.faults.models import FaultReport
from iok_saas.files.uploads import takes_upload
from iok_saas.tenancy.features import require_feature
from iok_saas.web.forms import ActionForm
from iok_saas.web.problems import commit_or_show

bp = Blueprint("faults", __name__, template_folder="templates")
require_feature(bp, "faults")


def rules():
    """The cooperative's rules for fault reports."""
    return g.tenant.settings.faults


photos_limit = views.upload_limit(FaultReport, rules)


@bp.get("/awarie")
@login_required
def index():
    """The resident's reports, open first, and the way to report a new one."""
    reports = cases.filed_by(FaultReport, current_user.id)
    return render_template("faults/index.html", reports=reports, targets=cases.linked(reports))


def _choices(form: ReportForm) -> bool:
    """Fill the category and place lists; False when the resident holds no unit."""
    places = places_of(current_user.id)
    units = places.units
    form.category.choices = [("", _("— choose —"))] + [(c, c) for c in rules().categories]
    form.where.choices = (
        [(f"unit:{u.id}", _("My unit: %(address)s", address=u.address)) for u in units]
        + [(f"building:{b.id}", _("Common areas of the building %(address)s", address=b.address))
           for b in places.buildings])
    return bool(units)


@bp.route("/awarie/nowa", methods=["GET", "POST"])
@login_required
@takes_upload(photos_limit)
def new():
    """What is not reported here (and whom to call), then the form."""
    form = ReportForm()
    has_units = _choices(form)
    if request.method == "GET":
        form.submission.data = cases.new_submission()
        if len(form.where.choices) == 1:
            form.where.data = form.where.choices[0][0]
    elif has_units and form.validate_on_submit():
        kind, _sep, place_id = (form.where.data or "").partition(":")
        data = services.NewReport(
            category=form.category.data, place_kind=kind,
            place_id=int(place_id) if place_id.isdigit() else 0, place=form.place.data or "",
            description=form.description.data or "", entry_allowed=form.entry_allowed.data,
            contact_phone=form.contact_phone.data or "",
            contact_note=form.contact_note.data or "",
            submission=(form.submission.data or cases.new_submission())[:36],
            photos=tuple(views.uploads(form.photos)))
        created = []
        if commit_or_show(lambda: created.append(services.create(current_user, data, rules())),
                          None, form):
            flash(_("Thank you. Your report has been registered as %(number)s.",
                    number=created[0].registry_number), "success")
            return redirect(url_for("faults.report", report_id=created[0].id))
    return render_template("faults/new.html", form=form, has_units=has_units)


@bp.route("/awarie/<int:report_id>", methods=["GET", "POST"])
@login_required
@takes_upload(photos_limit)
def report(report_id: int):
    """A report's status and history (without staff's internal notes); a comment or photo
    while it is open."""
    found = views.followed_or_404(FaultReport, report_id)
    form = CommentForm()
    if request.method == "POST" and form.validate_on_submit() and commit_or_show(
            lambda: cases.comment(found, current_user, form.text.data or "",
                                  views.uploads(form.photos), rules()),
            _("Your comment has been added."), form, "text"):
        return redirect(url_for("faults.report", report_id=report_id))
    return _report_page(found, form)


def _report_page(found: FaultReport, form: CommentForm, reopen: ReopenForm | None = None):
    events = cases.history(found, viewer_id=current_user.id)
    return render_template(
        "faults/report.html", report=found, events=events,
        files=case_files.by_event(events), form=form,
        reopen=reopen or ReopenForm(), action=ActionForm(),
        may_respond=services.may_respond(found, rules=rules()),
        mine=found.filed_by_id == current_user.id,
        own=cases.merged_into(found, current_user.id))


@bp.post("/awarie/<int:report_id>/potwierdz")
@login_required
def confirm(report_id: int):
    """The resident confirms the fault is fixed."""
    found = views.followed_or_404(FaultReport, report_id)
    if ActionForm().validate_on_submit():
        commit_or_show(lambda: services.confirm(found, current_user, rules()),
                       _("Thank you for confirming."))
    return redirect(url_for("faults.report", report_id=report_id))


@bp.post("/awarie/<int:report_id>/otworz")
@login_required
def reopen(report_id: int):
    """The resident says the fault is still there."""
    found = views.followed_or_404(FaultReport, report_id)
    form = ReopenForm()
    if form.validate_on_submit() and commit_or_show(
            lambda: services.reopen(found, current_user, form.text.data or "", rules()),
            _("The report has been opened again. The cooperative will look at it."),
            form, "text"):
        return redirect(url_for("faults.report", report_id=report_id))
    return _report_page(found, CommentForm(formdata=None), reopen=form)


views.add_file_view(bp, FaultReport, "/awarie/<int:report_id>/zdjecia/<int:photo_id>",
                    "photo", staff=False)
