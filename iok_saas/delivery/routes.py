"""The resident's "Moje dokumenty": the documents the cooperative delivered to them (new ones
marked until opened, withdrawn ones without their file), each PDF for its recipients only —
the first opening recorded as proof — and the consent to electronic delivery with its history.

Who sees a document is whom it was delivered to (its recipient rows): a co-owner who held the
unit on the day, not one who did not; a former owner keeps what came while they held the unit
and nothing after. Anyone else's id — another person's, another cooperative's — is not found.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from iok_saas import files
from iok_saas.db import db
from iok_saas.delivery import resident, rules, services
from iok_saas.delivery.models import STAFF
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404
from iok_saas.web.formatting import local_day
from iok_saas.web.forms import Form
from iok_saas.web.problems import commit_or_show

bp = Blueprint("delivery", __name__, template_folder="templates")
require_feature(bp, "delivery")

LARGEST_ID = 2**31 - 1  # a unit's id is an INTEGER: anything above it is no unit
GIVE, WITHDRAW = "give", "withdraw"


@bp.record_once
def _labels(state) -> None:
    """The kinds' names for the page and the home tile; a moment's day in Poland."""
    state.app.jinja_env.globals.update(
        delivery_kinds={name: kind.label for name, kind in rules.KINDS.items()},
        delivery_staff=STAFF)


class GiveConsentForm(Form):
    """Consent to electronic delivery: the person confirms they know the rules."""

    choice = HiddenField(default=GIVE)
    agreed = BooleanField(
        _l("I know the rules above and consent to documents being delivered to me "
           "electronically"),
        validators=[DataRequired(_l("To give the consent, please tick the box confirming "
                                    "that you know the rules."))])


class WithdrawConsentForm(Form):
    """Withdrawing the consent: documents go on paper again."""

    choice = HiddenField(default=WITHDRAW)


def _number(name: str) -> int | None:
    """A whole number from the address (``?rok=``, ``?lokal=``), or None when absent, empty or
    not a number."""
    raw = request.args.get(name, "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= LARGEST_ID:
        return int(raw)
    return None


def _filters() -> resident.Filters:
    """``?lokal=``, ``?rodzaj=``, ``?rok=``: what is not a unit id, a kind or a year narrows
    nothing (as if left empty)."""
    kind = request.args.get("rodzaj", "")
    return resident.Filters(unit_id=_number("lokal"),
                            kind=kind if kind in rules.KINDS else "",
                            year=_number("rok"))


def _page(filters: resident.Filters, give: GiveConsentForm | None = None,
          status: int = 200):
    found = resident.page(current_user.id, filters)
    return render_template(
        "delivery/resident.html", page=found, filters=found.filters,
        rules_text=g.tenant.settings.delivery.consent_rules,
        give=give or GiveConsentForm(), withdraw=WithdrawConsentForm()), status


@bp.get("/moje-dokumenty")
@login_required
def index():
    """The documents delivered to the person, newest first, and their consent."""
    return _page(_filters())


@bp.get("/moje-dokumenty/<int:delivered_id>.pdf")
@login_required
def download(delivered_id: int):
    """The PDF, for its recipients only; the first opening is recorded. A withdrawn one is not
    given out: the page says so."""
    document = one_or_404(services.recipient_document(current_user.id, delivered_id))
    withdrawn = resident.withdrawn_at(document.id)
    if withdrawn is not None:
        flash(_("The cooperative withdrew this document on %(date)s: it can no longer be "
                "downloaded.", date=local_day(withdrawn)), "error")
        return redirect(url_for("delivery.index"), 303)
    data = files.read(document.file_id)
    # A HEAD (a link checker, a browser's preview) is not an opening: only a real download.
    if request.method == "GET" and services.opened(document, current_user):
        db.session.commit()
    return files.download(data, filename=document.filename, content_type="application/pdf")


@bp.post("/moje-dokumenty/zgoda")
@login_required
def consent():
    """Give or withdraw the consent to electronic delivery (each recorded with its date); the
    page opens again where the person was, at the consent showing its new state."""
    if request.form.get("choice") == WITHDRAW:
        form = WithdrawConsentForm()
        if form.validate_on_submit():
            commit_or_show(lambda: services.set_consent(current_user, False, g.tenant,
                                                        actor=current_user),
                           _("The consent has been withdrawn. The cooperative will deliver "
                             "documents to you on paper."))
        return redirect(url_for("delivery.index", _anchor="zgoda"), 303)
    form = GiveConsentForm()
    if form.validate_on_submit():
        commit_or_show(lambda: services.set_consent(current_user, True, g.tenant,
                                                    actor=current_user),
                       _("Thank you. The consent has been recorded: from now on the cooperative "
                         "delivers documents to you here."))
        return redirect(url_for("delivery.index", _anchor="zgoda"), 303)
    return _page(resident.Filters(), give=form, status=422)
