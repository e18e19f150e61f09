"""The staff side: the queue of confirmed applications, the decision, the visit at the office."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from iok_saas.applications import services
from iok_saas.applications.forms import RejectForm, VisitForm
from iok_saas.applications.models import STATUSES, UNCONFIRMED
from iok_saas.auth.credentials import show_document
from iok_saas.db import db
from iok_saas.estate.forms import TITLE_LABELS
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.forms import ActionForm

bp = Blueprint("staff_applications", __name__, url_prefix="/panel/wnioski",
               template_folder="templates")
require_feature(bp, "online_application")


def _application_or_404(application_id: int, for_update: bool = False):
    """A confirmed application of this cooperative; any other is not found."""
    return one_or_404(services.get(application_id, for_update=for_update))


def _page(application, reject_form=None, visit_form=None, status=200):
    return render_template(
        "applications/staff_detail.html", application=application,
        residents=services.residents_of(application), action=ActionForm(),
        same_person=services.same_person_accounts(application),
        reject_form=reject_form or RejectForm(), visit_form=visit_form or VisitForm(),
        title_labels=TITLE_LABELS), status


def _decide(application, decision, done: str):
    """Take the decision once; a second click (or a second clerk) gets a message, not a change."""
    try:
        decision()
    except services.ApplicationError:
        flash(_("This application has already been decided."), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for(".detail", application_id=application.id))


@bp.get("/")
@staff_required
def queue():
    """Confirmed applications waiting for a decision or a visit (or one status)."""
    status = request.args.get("status")
    status = status if status in STATUSES and status != UNCONFIRMED else None
    return render_template("applications/staff_queue.html", applications=services.queue(status),
                           status=status)


@bp.get("/<int:application_id>")
@staff_required
def detail(application_id: int):
    """The application next to the unit and the people who already hold it."""
    return _page(_application_or_404(application_id))


@bp.post("/<int:application_id>/zatwierdz")
@staff_required
def approve(application_id: int):
    """Prepare the account; the applicant is asked to come in with an identity document."""
    application = _application_or_404(application_id, for_update=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _decide(application, lambda: services.approve(application, current_user, g.tenant),
                   _("The account has been prepared and the applicant informed by e-mail."))


@bp.post("/<int:application_id>/odrzuc")
@staff_required
def reject(application_id: int):
    """Refuse, with the reason the applicant receives."""
    application = _application_or_404(application_id, for_update=True)
    form = RejectForm()
    if not form.validate_on_submit():
        return _page(application, reject_form=form, status=422)
    return _decide(application,
                   lambda: services.reject(application, current_user, form.reason.data.strip()),
                   _("The application has been rejected and the applicant informed by e-mail."))


@bp.post("/<int:application_id>/wizyta")
@staff_required
def visit(application_id: int):
    """At the office: identity checked, application signed → the document is printed."""
    application = _application_or_404(application_id, for_update=True)
    form = VisitForm()
    if not form.validate_on_submit():
        return _page(application, visit_form=form, status=422)
    try:
        user, password = services.hand_over(application, current_user, g.tenant)
    except services.ApplicationError:
        flash(_("The document can be handed over only for a prepared account."), "error")
        return redirect(url_for(".detail", application_id=application.id))
    db.session.commit()
    return show_document(user, password)
