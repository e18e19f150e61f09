"""Staff: the queue of letters, one case with its actions, moving a letter into the fault
reports, the answer templates, the register's export for the management board."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from iok_saas.audit import services as audit
from iok_saas.cases import queue as queues
from iok_saas.correspondence import moves, services
from iok_saas.correspondence.forms import (
    STAFF_STATUS_LABELS,
    FilterForm,
    MoveForm,
    StaffForm,
    TemplateForm,
)
from iok_saas.correspondence.models import Case
from iok_saas.correspondence.routes import attachments_limit, rules, uploads
from iok_saas.db import db
from iok_saas.estate.services import buildings
from iok_saas.files.uploads import takes_upload
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.formatting import daytime
from iok_saas.web.forms import ActionForm
from iok_saas.web.problems import commit_or_show

bp = Blueprint("staff_correspondence", __name__, url_prefix="/panel/sprawy",
               template_folder="templates")
require_feature(bp, "correspondence")


def _filter_form() -> tuple[FilterForm, queues.Filters]:
    """The queue's filters from the address (anything odd falls back to the default)."""
    return queues.read_filters(FilterForm, "topic", STAFF_STATUS_LABELS, rules().topics,
                               buildings())


@bp.get("/")
@staff_required
def queue():
    """Letters to deal with, oldest first, with their age in days."""
    form, filters = _filter_form()
    page = queues.page_of(services.queue(filters, current_user))
    names = queues.people([c.assigned_to_id for c in page.items]
                          + [c.author_id for c in page.items])
    return render_template("correspondence/staff_queue.html", form=form, queue=page,
                           names=names, now=datetime.now().astimezone())


def _staff_form(case: Case) -> StaffForm:
    form = StaffForm()
    moves_to = services.MOVES.get(case.status, ())
    form.status.choices = [("", _("— unchanged (%(status)s) —",
                                  status=STAFF_STATUS_LABELS[case.status]))] + [
        (status, str(STAFF_STATUS_LABELS[status])) for status in moves_to]
    form.assign_to.choices = queues.assignee_choices(_("nobody"))
    form.template.choices = [("", _("— none —"))] + [
        (str(t.id), t.title) for t in services.answer_templates(case.topic)]
    if request.method == "GET":
        form.assign_to.data = str(case.assigned_to_id or "")
    return form


def _move_form(case: Case) -> MoveForm | None:
    """The form that moves a letter into the fault reports, where the cooperative has them."""
    if not g.tenant.has_feature("faults") or not case.is_open:
        return None
    form = MoveForm()
    form.category.choices = [("", _("— choose —"))] + [
        (c, c) for c in g.tenant.settings.faults.categories]
    form.where.choices = moves.places(case)
    return form


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@staff_required
@takes_upload(attachments_limit)
def case(case_id: int):
    """One case: the whole thread (internal notes too), the resident, the actions."""
    found = one_or_404(services.staff_case(case_id))
    form = _staff_form(found)
    if request.method == "GET":
        audit.record_view([found.author_id], current_user,
                          _("letter %(number)s", number=found.registry_number))
        db.session.commit()
        chosen = services.template_of(request.args.get("szablon", 0, type=int))
        if chosen is not None and chosen.topic in ("", found.topic):
            form.template.data, form.answer.data = str(chosen.id), chosen.body
    if request.method == "POST" and form.validate_on_submit():
        assign = form.assign_to.data or ""
        action = services.Action(
            answer=form.answer.data or "", attachments=tuple(uploads(form.attachments)),
            note=form.note.data or "",
            status=form.status.data or None,
            assign_to=int(assign) if assign.isdigit() else None,
            unassign=not assign and found.assigned_to_id is not None,
            close=form.close.data, close_reason=form.close_reason.data or "")
        if commit_or_show(lambda: services.act(found, current_user, action, rules()),
                          _("Saved."), form):
            return redirect(url_for("staff_correspondence.case", case_id=case_id))
    return _case_page(found, form, _move_form(found))


def _case_page(found: Case, form: StaffForm, move: MoveForm | None):
    entries = services.thread(found, staff=True)
    names = queues.people([found.author_id, found.assigned_to_id])
    return render_template("correspondence/staff_case.html", case=found, form=form,
                           move=move, entries=entries, names=names,
                           signature=services.signature(current_user),
                           max_mb=rules().attachment_max_mb,
                           per_message=services.ATTACHMENTS_PER_MESSAGE,
                           attachments=services.attachments_by_entry(found))


@bp.post("/<int:case_id>/przenies")
@staff_required
def move(case_id: int):
    """Move the letter into the fault reports (where the cooperative has them)."""
    found = one_or_404(services.staff_case(case_id))
    form = _move_form(found)
    if form is None:
        flash(_("This letter cannot be moved to the fault reports."), "error")
        return redirect(url_for("staff_correspondence.case", case_id=case_id))
    made = []
    if form.validate_on_submit() and commit_or_show(
            lambda: made.append(moves.move(found, current_user, form.category.data,
                                           form.where.data, g.tenant.settings.faults)),
            None, form):
        flash(_("The letter has been moved to the fault reports as %(number)s.",
                number=made[0].registry_number), "success")
        return redirect(url_for("staff_correspondence.case", case_id=case_id))
    return _case_page(found, _staff_form(found), form)


@bp.get("/<int:case_id>/zalaczniki/<int:attachment_id>")
@staff_required
def attachment(case_id: int, attachment_id: int) -> Response:
    """An attachment of the case."""
    found = one_or_404(services.staff_case(case_id))
    return services.download(one_or_404(services.attachment_of(found, attachment_id)))


# --- answer templates ---------------------------------------------------------------------------


def _template_form(template=None) -> TemplateForm:
    form = TemplateForm(obj=template)
    form.topic.choices = [("", _("any topic"))] + [(t, t) for t in rules().topics]
    return form


@bp.route("/szablony", methods=["GET", "POST"])
@staff_required
def templates():
    """The office's ready answers, and a new one."""
    form = _template_form()
    if form.validate_on_submit() and commit_or_show(
            lambda: services.save_template(rules(), form.topic.data or "", form.title.data,
                                           form.body.data),
            _("The template has been saved."), form):
        return redirect(url_for("staff_correspondence.templates"))
    return render_template("correspondence/staff_templates.html", form=form,
                           templates=services.answer_templates(), action=ActionForm())


@bp.route("/szablony/<int:template_id>", methods=["GET", "POST"])
@staff_required
def template(template_id: int):
    """Change a ready answer."""
    found = one_or_404(services.template_of(template_id))
    form = _template_form(found)
    if form.validate_on_submit() and commit_or_show(
            lambda: services.save_template(rules(), form.topic.data or "", form.title.data,
                                           form.body.data, found),
            _("The template has been saved."), form):
        return redirect(url_for("staff_correspondence.templates"))
    return render_template("correspondence/staff_template.html", form=form, template=found)


@bp.post("/szablony/<int:template_id>/usun")
@staff_required
def delete_template(template_id: int):
    """Remove a ready answer (answers already sent keep their text)."""
    found = one_or_404(services.template_of(template_id))
    if ActionForm().validate_on_submit():
        db.session.delete(found)
        db.session.commit()
        flash(_("The template has been removed."), "success")
    return redirect(url_for("staff_correspondence.templates"))


# --- the register -------------------------------------------------------------------------------


EXPORT_COLUMNS = ("numer", "wplynelo", "temat", "przedmiot", "lokal", "status", "mieszkaniec",
                  "przydzielona", "pierwsza_odpowiedz", "godzin_do_odpowiedzi", "zamknieta",
                  "powod_zamkniecia", "zgloszenie_awarii")


@bp.get("/eksport.csv")
@staff_required
def export_csv() -> Response:
    """The cases the filters show, with the time to the first answer (Excel opens it)."""
    _form, filters = _filter_form()
    rows = services.export_rows(filters, current_user)
    for row in rows:
        row["status"] = str(STAFF_STATUS_LABELS.get(row["status"], row["status"]))
        for key in ("wplynelo", "pierwsza_odpowiedz", "zamknieta"):
            row[key] = daytime(row[key]) if row[key] else ""
    return queues.csv_download(EXPORT_COLUMNS, rows, "rejestr-korespondencji.csv")
