"""The resident's settlements (Rozliczenia): each unit's current settlements with their result
first, one settlement explained step by step (and as a PDF), a question about it filed in one
click and followed on its case page.

A line is found only among the units the person holds (``services.line_of``); a question only
among the cases they follow. Anyone else's id — another person's, another cooperative's — is
not found.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, TextAreaField

from iok_saas import files
from iok_saas.cases import forms as case_forms
from iok_saas.cases import services as cases
from iok_saas.cases import views
from iok_saas.cases.kinds import LETTER_STATUS_LABELS
from iok_saas.estate.services import places_of
from iok_saas.files.attachments import ACCEPT
from iok_saas.files.uploads import takes_upload
from iok_saas.settlements import services
from iok_saas.settlements.kind import ATTACHMENT_MAX_MB, ATTACHMENTS_PER_MESSAGE, TEXT_MAX
from iok_saas.settlements.models import SettlementLine, SettlementQuestion
from iok_saas.settlements.pdf import explanation_pdf, file_name
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404
from iok_saas.web.forms import SAFE_LINES, Form
from iok_saas.web.problems import commit_or_show

bp = Blueprint("settlements", __name__, template_folder="templates")
require_feature(bp, "settlements")


@bp.record_once
def _helpers(state: Any) -> None:
    """What the explanation writes with, wherever it is shown (the resident's page, the
    office's, the PDF made in a job): a moment's day in Poland, the words of an overpayment,
    the advances by month, a change in per cent, the building's figures per m²."""
    state.app.jinja_env.globals["settlement_help"] = SimpleNamespace(
        refund=services.refund_label, months=services.advances_by_month,
        change=services.percent_change, per_m2=services.quantity_per_m2,
        period=services.period_label, media=services.MEDIUM_LABELS)


@bp.context_processor
def _words() -> dict[str, Any]:
    """The statuses of a question as the resident reads them."""
    return {"question_statuses": LETTER_STATUS_LABELS}


def rules() -> Any:
    """The cooperative's rules for settlements."""
    return g.tenant.settings.settlements


class QuestionForm(Form):
    """A question about one settlement: what does not add up, files if any."""

    submission = HiddenField()
    # Empty and too long are the service's to say (one rule for the page and the API).
    text = TextAreaField(_l("Your question or objection"), validators=[SAFE_LINES],
                         render_kw={"rows": 6, "maxlength": TEXT_MAX})
    attachments = MultipleFileField(_l("Attachments (optional)"), render_kw={"accept": ACCEPT})


FollowUpForm = case_forms.follow_up_form(TEXT_MAX)  # the resident writes again in their case
attachments_limit = views.upload_limit(SettlementQuestion, rules)


def _line_or_404(line_id: int) -> SettlementLine:
    return one_or_404(services.line_of(current_user.id, line_id))


@bp.get("/rozliczenia")
@login_required
def index():
    """Per unit the person holds, its current settlements with the result first; their
    questions."""
    by_unit: dict[int, list[SettlementLine]] = {}
    for line in services.lines_of(current_user.id):
        by_unit.setdefault(line.unit_id, []).append(line)
    return render_template("settlements/index.html", units=places_of(current_user.id).units,
                           by_unit=by_unit, questions=services.questions_of(current_user.id))


@bp.get("/rozliczenia/<int:line_id>")
@login_required
def line(line_id: int):
    """One settlement explained: the result, then the way to it step by step."""
    found = _line_or_404(line_id)
    unit = services.unit_of(found)
    x = services.explain(found, rules(), user_id=current_user.id)
    return render_template("settlements/line.html", x=x, unit=unit)


@bp.get("/rozliczenia/<int:line_id>.pdf")
@login_required
def line_pdf(line_id: int) -> Response:
    """The explanation as a PDF: the document delivered to the unit where there is one
    (opening it there is recorded as proof), else drawn now."""
    found = _line_or_404(line_id)
    if found.document_id is not None and g.tenant.has_feature("delivery") and \
            services.delivered_to(found.document_id, current_user.id):
        return redirect(url_for("delivery.download", delivered_id=found.document_id))
    return files.download(explanation_pdf(found, rules(), g.tenant), filename=file_name(found),
                          content_type="application/pdf")


@bp.route("/rozliczenia/<int:line_id>/pytanie", methods=["GET", "POST"])
@login_required
@takes_upload(attachments_limit)
def ask(line_id: int):
    """A question about the settlement (reklamacja rozliczenia): a short form, a case with a
    number at once."""
    found = _line_or_404(line_id)
    if found.settlement.replaced_at is not None:
        flash(_("This version of the settlement has been replaced by a correction: please ask "
                "about the current version."), "error")
        return redirect(url_for("settlements.line", line_id=line_id), 303)
    form = QuestionForm()
    if request.method == "GET":
        form.submission.data = cases.new_submission()
    elif form.validate_on_submit():
        made: list[SettlementQuestion] = []
        submission = (form.submission.data or cases.new_submission())[:36]
        if commit_or_show(lambda: made.append(services.ask(
                found, current_user, form.text.data or "", views.uploads(form.attachments),
                submission, rules())), None, form, "text"):
            flash(_("Your question has been registered as %(number)s. The office answers "
                    "here, on the case's page.", number=made[0].registry_number), "success")
            return redirect(url_for("settlements.question", case_id=made[0].id), 303)
    return render_template("settlements/ask.html", form=form, line=found,
                           title=services.title_of(found.settlement,
                                                   corrected=found.corrects_id is not None),
                           unit=services.unit_of(found),
                           deadline=services.deadline_of(found, rules()),
                           max_mb=ATTACHMENT_MAX_MB, per_message=ATTACHMENTS_PER_MESSAGE)


@bp.route("/rozliczenia/pytania/<int:case_id>", methods=["GET", "POST"])
@login_required
@takes_upload(attachments_limit)
def question(case_id: int):
    """The question's case: what was asked, the office's answers, the resident's replies while
    it is open, and whether it was asked within the deadline."""
    found = views.followed_or_404(SettlementQuestion, case_id)
    form = FollowUpForm()
    sent = views.comment_sent(form, found, rules, "settlements.question", 303)
    if sent is not None:
        return sent
    return views.case_page("settlements/question.html", found, form, rules())


views.add_file_view(bp, SettlementQuestion,
                    "/rozliczenia/pytania/<int:case_id>/zalaczniki/<int:attachment_id>",
                    "attachment", staff=False)
