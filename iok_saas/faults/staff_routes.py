"""Staff: the queue of fault reports, one report with its actions, merging duplicates, the
export for the cooperative's own records."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from iok_saas.audit import services as audit
from iok_saas.cases import queue as queues
from iok_saas.db import db
from iok_saas.estate.services import buildings
from iok_saas.faults import photos, services
from iok_saas.faults.forms import STATUS_LABELS, FilterForm, MergeForm, StaffForm
from iok_saas.faults.models import FaultReport
from iok_saas.faults.routes import rules
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.formatting import day, daytime
from iok_saas.web.problems import commit_or_show

bp = Blueprint("staff_faults", __name__, url_prefix="/panel/awarie", template_folder="templates")
require_feature(bp, "faults")


def _filter_form() -> tuple[FilterForm, queues.Filters]:
    """The queue's filters from the address (anything odd falls back to the default)."""
    return queues.read_filters(FilterForm, "category", STATUS_LABELS, rules().categories,
                               buildings())


@bp.get("/")
@staff_required
def queue():
    """Reports to deal with, oldest first, with their age in days."""
    form, filters = _filter_form()
    page = queues.page_of(services.queue(filters, current_user))
    return render_template("faults/staff_queue.html", form=form, queue=page,
                           names=queues.people([r.assigned_to_id for r in page.items]),
                           now=datetime.now().astimezone())


def _staff_form(report: FaultReport) -> StaffForm:
    form = StaffForm()
    moves = services.MOVES.get(report.status, ())
    form.status.choices = [("", _("— unchanged (%(status)s) —",
                                  status=STATUS_LABELS[report.status]))] + [
        (status, str(STATUS_LABELS[status])) for status in moves]
    form.assign_to.choices = queues.assignee_choices(_("nobody"))
    if request.method == "GET":
        form.assign_to.data = str(report.assigned_to_id or "")
        form.planned_on.data = report.planned_on
    return form


def _merge_form(report: FaultReport) -> MergeForm:
    form = MergeForm()
    form.duplicates.choices = [
        (r.id, f"{r.registry_number} · {daytime(r.created_at)} · {r.category} · "
               f"{r.place or (r.unit.address if r.unit else r.building.address)}")
        for r in services.merge_candidates(report)]
    return form


@bp.route("/<int:report_id>", methods=["GET", "POST"])
@staff_required
def report(report_id: int):
    """One report: everything about it, its whole history (internal notes too), the actions."""
    found = one_or_404(services.staff_report(report_id))
    form = _staff_form(found)
    if request.method == "GET":
        audit.record_view([found.reporter_id], current_user,
                          _("fault report %(number)s", number=found.registry_number))
        db.session.commit()
    if request.method == "POST" and form.validate_on_submit():
        assign = form.assign_to.data or ""
        if commit_or_show(lambda: services.act(
                found, current_user, status=form.status.data or None,
                reply=form.reply.data or "", note=form.note.data or "",
                assign_to=int(assign) if assign.isdigit() else None,
                unassign=not assign and found.assigned_to_id is not None,
                planned_on=form.planned_on.data,
                clear_planned=form.planned_on.data is None and found.planned_on is not None),
                _("Saved."), form):
            return redirect(url_for("staff_faults.report", report_id=report_id))
    return _report_page(found, form, _merge_form(found))


def _report_page(found: FaultReport, form: StaffForm, merge: MergeForm):
    events = services.history(found)
    duplicates = list(db.session.scalars(select(FaultReport).where(
        FaultReport.merged_into_id == found.id).order_by(FaultReport.id)))
    names = queues.people([found.reporter_id, found.assigned_to_id,
                             *(d.reporter_id for d in duplicates)])
    target = services.merged_targets([found]).get(found.merged_into_id)
    return render_template("faults/staff_report.html", report=found, events=events,
                           photos=photos.by_event([e.id for e in events]), form=form,
                           merge=merge, duplicates=duplicates, names=names, target=target)


@bp.post("/<int:report_id>/polacz")
@staff_required
def merge(report_id: int):
    """Merge the chosen reports into this one."""
    found = one_or_404(services.staff_report(report_id))
    form = _merge_form(found)
    if form.validate_on_submit():
        chosen = [r for r in map(services.staff_report, form.duplicates.data) if r is not None]
        merged: list[int] = []
        if commit_or_show(lambda: merged.append(services.merge(found, chosen, current_user)),
                          None):
            flash(ngettext("%(num)d report merged into this one.",
                           "%(num)d reports merged into this one.", merged[0]), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("staff_faults.report", report_id=report_id))


@bp.get("/<int:report_id>/zdjecia/<int:photo_id>")
@staff_required
def photo(report_id: int, photo_id: int) -> Response:
    """A photo of the report (or of a report merged into it)."""
    found = one_or_404(services.staff_report(report_id))
    return photos.download(one_or_404(services.photo_of(found, photo_id)))


EXPORT_COLUMNS = ("numer", "zgloszono", "kategoria", "adres", "miejsce", "opis", "status",
                  "polaczone_z", "zglaszajacy", "przydzielone", "termin", "zakonczono")


@bp.get("/eksport.csv")
@staff_required
def export_csv() -> Response:
    """The reports the filters show, for the cooperative's own records (Excel opens it)."""
    _form, filters = _filter_form()
    rows = services.export_rows(filters, current_user)
    for row in rows:
        row["status"] = str(STATUS_LABELS.get(row["status"], row["status"]))
        for key in ("zgloszono", "zakonczono"):
            row[key] = daytime(row[key]) if row[key] else ""
        row["termin"] = day(row["termin"]) if row["termin"] else ""
    return queues.csv_download(EXPORT_COLUMNS, rows, "zgloszenia-awarii.csv")
