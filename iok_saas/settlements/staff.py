"""The office's pages of settlements (``/panel/rozliczenia``): the list per building with what
became of each settlement (delivered, opened, questioned), one settlement version with its
units' lines and its versions, one unit's line as the resident reads it; and the questions
about settlements (``/panel/rozliczenia/pytania``): the cases room's queue with its export,
and one question's page where the office answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField

from iok_saas.audit import services as audit
from iok_saas.cases import forms as case_forms
from iok_saas.cases import queue as queues
from iok_saas.cases import services as cases
from iok_saas.cases import views
from iok_saas.cases.kinds import LETTER_STAFF_STATUS_LABELS as STAFF_STATUS_LABELS
from iok_saas.db import db
from iok_saas.files.uploads import takes_upload
from iok_saas.settlements import services
from iok_saas.settlements.kind import TEXT_MAX
from iok_saas.settlements.models import IN_PROGRESS, RECEIVED, SettlementQuestion
from iok_saas.tenancy.features import require_feature
from iok_saas.tenancy.settings import Settlements as Rules
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.figures import NP_, WAITING, Figure, register_figure
from iok_saas.web.formatting import day
from iok_saas.web.navigation import N_, NavItem
from iok_saas.web.navigation import register as register_link

bp = Blueprint("staff_settlements", __name__, url_prefix="/panel/rozliczenia",
               template_folder="templates")
# The queue's pages are the cases room's, added at a blueprint's root: a blueprint of their own.
questions_bp = Blueprint("staff_settlement_questions", __name__,
                         url_prefix="/panel/rozliczenia/pytania", template_folder="templates")
for _blueprint in (bp, questions_bp):
    require_feature(_blueprint, "settlements")


def rules() -> Rules:
    """The cooperative's rules for settlements."""
    return g.tenant.settings.settlements


def _helpers() -> dict[str, Any]:
    """What the office's settlement pages write with."""
    return {"media": services.MEDIUM_LABELS,
            "period_label": services.period_label, "title_of": services.title_of,
            "question_statuses": STAFF_STATUS_LABELS}


for _blueprint in (bp, questions_bp):
    _blueprint.context_processor(_helpers)


# --- settlements ------------------------------------------------------------------------------


def _building_filter(buildings: list[Any]) -> int | None:
    """The building the address asks for, if it is one of those listed (else all)."""
    wanted = request.args.get("budynek", "")
    if not wanted.isdigit() or len(wanted) > 9:
        return None
    return int(wanted) if int(wanted) in {b.id for b in buildings} else None


@bp.get("/")
@staff_required
def index():
    """The current settlements, newest period first, per building: delivered, opened and
    questioned."""
    buildings = services.settled_buildings()
    chosen = _building_filter(buildings)
    rows = services.building_settlements(chosen) if buildings else []
    return render_template("settlements/staff_index.html", rows=rows, buildings=buildings,
                           chosen=chosen, opened=services.opened_counts(rows),
                           asked=services.question_counts(rows))


@bp.get("/<int:settlement_id>")
@staff_required
def settlement(settlement_id: int):
    """One version of a settlement: the building's part, each unit's line with its delivery
    and questions, the other versions."""
    found = one_or_404(services.staff_settlement(settlement_id))
    lines = services.settlement_lines(found.id)
    questions = services.settlement_questions(found)
    return render_template(
        "settlements/staff_settlement.html", settlement=found, lines=lines,
        opened=services.first_opened(found.id), questions=questions,
        delivered=sum(1 for row in lines if row[0].document_id is not None),
        asked=sum(len(asked) for asked in questions.values()),
        versions=services.versions_of(found))


@bp.get("/lokal/<int:line_id>")
@staff_required
def line(line_id: int):
    """One unit's settlement as the resident reads it, with the questions about it; kept as
    staff having looked at the data of the people holding the unit and of those who asked."""
    found = one_or_404(services.staff_line(line_id))
    questions = services.line_questions(found)
    title = services.title_of(found.settlement)
    audit.record_view(services.looked_at(found, [q.filed_by_id for q, _v in questions]),
                      current_user, _("settlement of %(address)s: %(title)s",
                                      address=found.unit.address, title=title))
    db.session.commit()
    return render_template(
        "settlements/staff_line.html", line=found, settlement=found.settlement,
        x=services.explain(found, rules()), questions=questions,
        opened=services.line_opened(found),
        names=queues.people(q.filed_by_id for q, _v in questions), staff=True, pdf=False,
        line_endpoint="staff_settlements.line")


# --- questions about settlements --------------------------------------------------------------


class QuestionsFilter(queues.FilterForm):
    """The questions' queue filters: the medium (a question's category) besides the shared
    ones."""

    category = SelectField(_l("Medium"), default="")


# The office answers a question: answer (with files), note, status, assignment, close.
StaffForm = case_forms.staff_form(TEXT_MAX, _l(
    "For example: the settlement has been corrected; the readings were checked and are right."))


def _media() -> list[str]:
    """The questions' categories: the media, as a question names its settlement's."""
    return [str(label) for label in services.MEDIUM_LABELS.values()]


def _csv_row(c: Any, names: Any, linked: Any) -> dict[str, Any]:
    """A question for the office's records: when it came and whether by the deadline, when it
    was first answered, where it stands."""
    return views.letter_csv_row(c, names) | {
        "medium": c.category, "rozliczenie": c.subject, "termin": day(c.deadline_on),
        "w_terminie": _("yes") if c.in_time else _("no")}


views.add_staff_views(questions_bp, views.Queue(
    SettlementQuestion, QuestionsFilter, "category", _media, "settlements/staff_queue.html",
    "case", "case_id",
    ("numer", "wplynelo", "medium", "rozliczenie", "lokal", "status", "mieszkaniec",
     "przydzielona", "termin", "w_terminie", "pierwsza_odpowiedz", "zamknieta",
     "powod_zamkniecia"),
    "pytania-o-rozliczenia.csv", _csv_row))
views.add_file_view(questions_bp, SettlementQuestion,
                    "/<int:case_id>/zalaczniki/<int:attachment_id>", "attachment", staff=True)
attachments_limit = views.upload_limit(SettlementQuestion, rules)


@questions_bp.route("/<int:case_id>", methods=["GET", "POST"])
@staff_required
@takes_upload(attachments_limit)
def case(case_id: int):
    """One question: the settlement it is about, the deadline it came by, the whole thread
    (internal notes too), the actions."""
    found = views.staff_case_or_404(
        SettlementQuestion, case_id,
        lambda c: _("question about a settlement %(number)s", number=c.registry_number))
    form = views.fill_staff_form(StaffForm(), found)
    done = views.staff_answer_sent(form, found, rules, "staff_settlement_questions.case")
    if done is not None:
        return done
    line = (services.staff_line(found.settlement_line_id)
            if found.settlement_line_id is not None else None)
    return views.case_page("settlements/staff_case.html", found, form, rules(), staff=True,
                           line=line)


def waiting() -> Any:
    """For the staff start page: questions waiting for the office (received, being dealt
    with)."""
    return cases.open_count(SettlementQuestion, (RECEIVED, IN_PROGRESS))


def register(app: Flask) -> None:
    """The office's pages, its menu link and its start-page figure (from ``init_app``)."""
    app.register_blueprint(bp)
    app.register_blueprint(questions_bp)
    register_link(app, NavItem("staff_settlements.index", N_("Settlements"), "staff",
                               "settlements", order=32))
    register_figure(app, Figure(
        "settlement_questions", waiting,
        NP_("%(num)d question about a settlement waits for the office.",
            "%(num)d questions about settlements wait for the office."),
        kind=WAITING, endpoint="staff_settlement_questions.queue", feature="settlements",
        order=37))
