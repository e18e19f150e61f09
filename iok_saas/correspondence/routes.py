"""Residents: write to the office, follow their cases, answer, print the confirmation."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from iok_saas import files
from iok_saas.cases import files as case_files
from iok_saas.cases import services as cases
from iok_saas.cases import views
from iok_saas.cases.models import CREATED
from iok_saas.correspondence import services
from iok_saas.correspondence.forms import FollowUpForm, LetterForm
from iok_saas.correspondence.kind import ATTACHMENTS_PER_MESSAGE
from iok_saas.correspondence.models import Letter
from iok_saas.estate.services import places_of
from iok_saas.files.uploads import takes_upload
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404
from iok_saas.web.pdf import render_pdf
from iok_saas.web.problems import commit_or_show

bp = Blueprint("correspondence", __name__, template_folder="templates")
require_feature(bp, "correspondence")
NO_UNIT = "none"


def rules():
    """The cooperative's rules for letters."""
    return g.tenant.settings.correspondence


attachments_limit = views.upload_limit(Letter, rules)


@bp.get("/sprawy")
@login_required
def index():
    """The resident's letters, open first, and the way to write a new one."""
    return render_template("correspondence/index.html",
                           cases=cases.filed_by(Letter, current_user.id))


@bp.route("/sprawy/nowa", methods=["GET", "POST"])
@login_required
@takes_upload(attachments_limit)
def new():
    """Write to the office: topic, unit, subject, text, attachments."""
    form = LetterForm()
    units = places_of(current_user.id).units
    form.topic.choices = [("", _("— choose —"))] + [(t, t) for t in rules().topics]
    form.unit.choices = [(str(u.id), u.address) for u in units] + [
        (NO_UNIT, _("Not about one unit"))]
    if request.method == "GET":
        form.submission.data = cases.new_submission()
        form.topic.data = request.args.get("temat", "")
        form.unit.data = request.args.get("lokal") or (str(units[0].id) if units else NO_UNIT)
    elif form.validate_on_submit():
        unit = form.unit.data or NO_UNIT
        # Anything but a unit's id or "none" names no unit of the resident's (0: refused).
        unit_id = (int(unit) if unit.isascii() and unit.isdigit()
                   else None if unit == NO_UNIT else 0)
        data = services.NewCase(
            topic=form.topic.data, unit_id=unit_id,
            subject=form.subject.data or "", body=form.body.data or "",
            submission=(form.submission.data or cases.new_submission())[:36],
            attachments=tuple(views.uploads(form.attachments)))
        created: list[Letter] = []
        if commit_or_show(lambda: created.append(services.create(current_user, data, rules())),
                          None, form):
            flash(_("Thank you. Your letter has been registered as %(number)s.",
                    number=created[0].registry_number), "success")
            return redirect(url_for("correspondence.case", case_id=created[0].id))
    return render_template("correspondence/new.html", form=form,
                           max_mb=rules().attachment_max_mb,
                           per_message=ATTACHMENTS_PER_MESSAGE)


@bp.route("/sprawy/<int:case_id>", methods=["GET", "POST"])
@login_required
@takes_upload(attachments_limit)
def case(case_id: int):
    """The case: the letter, the office's answers and the resident's follow-ups (never staff's
    internal notes); an answer while the case is open."""
    found = cases.followed(Letter, current_user.id, case_id)
    if found is None and request.method == "GET":
        moved = cases.renumbered(Letter, case_id)  # an address from before revision 0026
        if moved is not None and cases.followed(Letter, current_user.id, moved) is not None:
            return redirect(url_for("correspondence.case", case_id=moved), 301)
    found = one_or_404(found)
    form = FollowUpForm()
    sent = views.comment_sent(form, found, rules, "correspondence.case")
    if sent is not None:
        return sent
    return views.case_page("correspondence/case.html", found, form, rules())


@bp.get("/sprawy/<int:case_id>/potwierdzenie.pdf")
@login_required
def confirmation(case_id: int) -> Response:
    """The resident's proof of filing: number, date and time, and the letter as written."""
    found = views.followed_or_404(Letter, case_id)
    entries = cases.history(found, viewer_id=current_user.id)
    letter = next(e for e in entries if e.kind == CREATED)
    attached = case_files.by_event([letter]).get(letter.id, [])
    pdf = render_pdf("correspondence/confirmation_pdf.html", case=found, letter=letter,
                     attached=attached, author=current_user)
    return files.download(pdf, filename=f"potwierdzenie-{found.registry_number.replace('/', '-')}"
                          ".pdf", content_type="application/pdf")


views.add_file_view(bp, Letter, "/sprawy/<int:case_id>/zalaczniki/<int:attachment_id>",
                    "attachment", staff=False)
