"""Staff: the queue of fault reports and its export (the cases room's, ``iok_saas.cases.views``),
one report with its actions, merging duplicates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from iok_saas.cases import files as case_files
from iok_saas.cases import operations, views
from iok_saas.cases import queue as queues
from iok_saas.cases import services as cases
from iok_saas.faults.forms import STATUS_LABELS, FilterForm, MergeForm, StaffForm
from iok_saas.faults.models import FaultReport
from iok_saas.faults.routes import rules
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.formatting import day, daytime
from iok_saas.web.problems import commit_or_show

bp = Blueprint("staff_faults", __name__, url_prefix="/panel/awarie", template_folder="templates")
require_feature(bp, "faults")


def _csv_row(r: Any, names: Any, linked: Any) -> dict[str, Any]:
    """A report for the cooperative's own records."""
    reporter, assignee = names.get(r.filed_by_id), names.get(r.assigned_to_id)
    target = linked.get(r.merged_into_id)
    return {
        "numer": r.registry_number, "zgloszono": daytime(r.created_at), "kategoria": r.category,
        "adres": r.address, "miejsce": r.place, "opis": r.description,
        "status": str(STATUS_LABELS.get(r.status, r.status)),
        "polaczone_z": target.registry_number if target else "",
        "zglaszajacy": reporter.full_name if reporter else "",
        "przydzielone": assignee.full_name if assignee else "",
        "termin": day(r.planned_on) if r.planned_on else "",
        "zakonczono": daytime(r.closed_at) if r.closed_at else "",
    }


views.add_staff_views(bp, views.Queue(
    FaultReport, FilterForm, "category", lambda: rules().categories, "faults/staff_queue.html",
    "report", "report_id",
    ("numer", "zgloszono", "kategoria", "adres", "miejsce", "opis", "status", "polaczone_z",
     "zglaszajacy", "przydzielone", "termin", "zakonczono"),
    "zgloszenia-awarii.csv", _csv_row))
views.add_file_view(bp, FaultReport, "/<int:report_id>/zdjecia/<int:photo_id>", "photo",
                    staff=True)


def _staff_form(report: FaultReport) -> StaffForm:
    form = views.fill_staff_form(StaffForm(), report)
    if request.method == "GET":
        form.planned_on.data = report.planned_on
    return form


def _merge_form(report: FaultReport) -> MergeForm:
    form = MergeForm()
    form.duplicates.choices = [
        (r.id, f"{r.registry_number} · {daytime(r.created_at)} · {r.category} · "
               f"{r.place or r.address}")
        for r in operations.merge_candidates(report)]
    return form


@bp.route("/<int:report_id>", methods=["GET", "POST"])
@staff_required
def report(report_id: int):
    """One report: everything about it, its whole history (internal notes too), the actions."""
    found = views.staff_case_or_404(
        FaultReport, report_id, lambda r: _("fault report %(number)s", number=r.registry_number))
    form = _staff_form(found)
    if request.method == "POST" and form.validate_on_submit():
        action = views.staff_action(
            form, found, reply=form.reply.data or "", planned_on=form.planned_on.data,
            clear_planned=form.planned_on.data is None and found.planned_on is not None)
        if commit_or_show(lambda: cases.act(found, current_user, action, rules()), _("Saved."),
                          form):
            return redirect(url_for("staff_faults.report", report_id=report_id))
    return _report_page(found, form, _merge_form(found))


def _report_page(found: FaultReport, form: StaffForm, merge: MergeForm):
    events = cases.history(found)
    duplicates = cases.merged_into(found)
    names = queues.people([found.filed_by_id, found.assigned_to_id,
                           *(d.filed_by_id for d in duplicates)])
    target = cases.linked([found]).get(found.merged_into_id)
    return render_template("faults/staff_report.html", report=found, events=events,
                           files=case_files.by_event(events), form=form,
                           merge=merge, duplicates=duplicates, names=names, target=target)


@bp.post("/<int:report_id>/polacz")
@staff_required
def merge(report_id: int):
    """Merge the chosen reports into this one."""
    found = one_or_404(cases.staff_case(FaultReport, report_id))
    form = _merge_form(found)
    if form.validate_on_submit():
        chosen = [r for r in (cases.staff_case(FaultReport, i) for i in form.duplicates.data)
                  if r is not None]
        merged: list[int] = []
        if commit_or_show(lambda: merged.append(operations.merge(found, chosen, current_user)),
                          None):
            flash(ngettext("%(num)d report merged into this one.",
                           "%(num)d reports merged into this one.", merged[0]), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("staff_faults.report", report_id=report_id))
