"""Staff: the queue of letters and the register's export for the management board (the cases
room's, ``iok_saas.cases.views``), one case with its actions, moving a letter into the fault
reports, the answer templates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from iok_saas.cases import operations, views
from iok_saas.cases import services as cases
from iok_saas.correspondence import services
from iok_saas.correspondence.forms import FilterForm, MoveForm, StaffForm, TemplateForm
from iok_saas.correspondence.models import Letter
from iok_saas.correspondence.routes import attachments_limit, rules
from iok_saas.db import db
from iok_saas.estate.services import places_of
from iok_saas.files.uploads import takes_upload
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.forms import ActionForm
from iok_saas.web.problems import commit_or_show

bp = Blueprint("staff_correspondence", __name__, url_prefix="/panel/sprawy",
               template_folder="templates")
require_feature(bp, "correspondence")


def _csv_row(c: Any, names: Any, linked: Any) -> dict[str, Any]:
    """A letter for the management board's report: when it came, when it was first answered
    and how long that took, and where it stands."""
    hours = ((c.first_answer_at - c.created_at).total_seconds() / 3600
             if c.first_answer_at else None)
    moved = linked.get(c.moved_to_id)
    return views.letter_csv_row(c, names) | {
        "temat": c.category, "przedmiot": c.subject,
        "godzin_do_odpowiedzi": f"{hours:.1f}".replace(".", ",") if hours is not None else "",
        "zgloszenie_awarii": moved.registry_number if moved else "",
    }


views.add_staff_views(bp, views.Queue(
    Letter, FilterForm, "topic", lambda: rules().topics, "correspondence/staff_queue.html",
    "case", "case_id",
    ("numer", "wplynelo", "temat", "przedmiot", "lokal", "status", "mieszkaniec",
     "przydzielona", "pierwsza_odpowiedz", "godzin_do_odpowiedzi", "zamknieta",
     "powod_zamkniecia", "zgloszenie_awarii"),
    "rejestr-korespondencji.csv", _csv_row))
views.add_file_view(bp, Letter, "/<int:case_id>/zalaczniki/<int:attachment_id>", "attachment",
                    staff=True)


def _staff_form(case: Letter) -> StaffForm:
    form = views.fill_staff_form(StaffForm(), case)
    form.template.choices = [("", _("— none —"))] + [
        (str(t.id), t.title) for t in services.answer_templates(case.topic)]
    return form


def _places(case: Letter) -> list[tuple[str, str]]:
    """Where the report can be made: the author's units and the buildings they are in, as
    (value, label) for a choice; the letter's own unit first."""
    held = places_of(case.filed_by_id)
    units = sorted(held.units, key=lambda u: u.id != case.unit_id)
    return ([(f"unit:{u.id}", _("Unit: %(address)s", address=u.address)) for u in units]
            + [(f"building:{b.id}", _("Common areas: %(address)s", address=b.address))
               for b in held.buildings])


def _move_form(case: Letter) -> MoveForm | None:
    """The form that moves a letter into the fault reports, where the cooperative has them."""
    if not g.tenant.has_feature("faults") or not case.is_open:
        return None
    form = MoveForm()
    form.category.choices = [("", _("— choose —"))] + [
        (c, c) for c in g.tenant.settings.faults.categories]
    form.where.choices = _places(case)
    return form


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@staff_required
@takes_upload(attachments_limit)
def case(case_id: int):
    """One case: the whole thread (internal notes too), the resident, the actions."""
    found = views.staff_case_or_404(
        Letter, case_id, lambda c: _("letter %(number)s", number=c.registry_number))
    form = _staff_form(found)
    if request.method == "GET":
        chosen = services.template_of(request.args.get("szablon", 0, type=int))
        if chosen is not None and chosen.topic in ("", found.topic):
            form.template.data, form.answer.data = str(chosen.id), chosen.body
    done = views.staff_answer_sent(form, found, rules, "staff_correspondence.case")
    if done is not None:
        return done
    return _case_page(found, form, _move_form(found))


def _case_page(found: Letter, form: StaffForm, move: MoveForm | None):
    return views.case_page("correspondence/staff_case.html", found, form, rules(), staff=True,
                           move=move, moved_to=cases.linked([found]).get(found.moved_to_id))


@bp.post("/<int:case_id>/przenies")
@staff_required
def move(case_id: int):
    """Move the letter into the fault reports (where the cooperative has them)."""
    found = one_or_404(cases.staff_case(Letter, case_id))
    form = _move_form(found)
    if form is None:
        flash(_("This letter cannot be moved to the fault reports."), "error")
        return redirect(url_for("staff_correspondence.case", case_id=case_id))
    made = []
    if form.validate_on_submit() and commit_or_show(
            lambda: made.append(operations.move(
                found, current_user, "fault",
                {"category": form.category.data, "where": form.where.data},
                g.tenant.settings.faults)),
            None, form):
        flash(_("The letter has been moved to the fault reports as %(number)s.",
                number=made[0].registry_number), "success")
        return redirect(url_for("staff_correspondence.case", case_id=case_id))
    return _case_page(found, _staff_form(found), form)


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
