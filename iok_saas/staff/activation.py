"""Staff panel — activation codes on paper (``onboarding.letter_code``): codes for the members
who have never signed in, as a CSV for the fee notice and as letters; one person's letter and
revoking a code from the account page."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from iok_saas import files
from iok_saas.account_security import activation, letters
from iok_saas.auth import services as accounts
from iok_saas.auth.models import RESIDENT, User
from iok_saas.db import db
from iok_saas.estate import services as estate
from iok_saas.staff.forms import LetterCodesForm
from iok_saas.staff.routes import bp
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.forms import ActionForm

MAX_BATCH = 500  # letters one request makes (more: building by building, or the command)


def letter_codes_on(view):
    """Pages that exist only where the cooperative activates accounts by letter."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not g.tenant.settings.onboarding.letter_code:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def _form() -> LetterCodesForm:
    form = LetterCodesForm()
    form.building.choices = [SelectChoice(0, _("all buildings"))] + [
        SelectChoice(b.id, b.address) for b in estate.buildings()]
    if not form.is_submitted():
        form.days.data = g.tenant.settings.onboarding.letter_code_days
    return form


@bp.route("/kody-aktywacyjne", methods=["GET", "POST"])
@staff_required
@letter_codes_on
def letter_codes():
    """Issue codes for a building or for everyone: a ZIP with the CSV and the letters."""
    form = _form()
    if form.validate_on_submit():
        people = activation.recipients(form.building.data, everyone=form.who.data == "all")
        if not people:
            flash(_("Nobody to issue codes for: everyone chosen has signed in already or holds "
                    "a code that still works."), "info")
        elif len(people) > MAX_BATCH:
            form.building.errors.append(ngettext(
                "That is %(num)d people; the panel makes at most %(max)d letters at a time. "
                "Please choose one building (or ask the operator for the command that makes "
                "them all).", "That is %(num)d people; the panel makes at most %(max)d letters "
                "at a time. Please choose one building (or ask the operator for the command "
                "that makes them all).", len(people), max=MAX_BATCH))
        else:
            issued = activation.issue(people, form.days.data, current_user)
            archive = letters.bundle(issued)  # made before the commit: no codes without paper
            db.session.commit()
            return files.download(archive, filename="kody-aktywacyjne.zip",
                                  content_type="application/zip")
    waiting, holding = activation.counts()
    return render_template("staff/letter_codes.html", form=form, waiting=waiting,
                           holding=holding)


def _resident(user_id: int) -> User:
    user = one_or_404(accounts.get_account(user_id, (RESIDENT,)))
    if not ActionForm().validate_on_submit():
        abort(404)
    return user


@bp.post("/konta/<int:user_id>/kod-aktywacyjny")
@staff_required
@letter_codes_on
def letter_code(user_id: int):
    """One resident's letter with a new code (an earlier code stops working)."""
    user = _resident(user_id)
    if user.last_login_at is not None:
        flash(_("This resident already uses the account: a code is not needed."), "error")
        return redirect(url_for("staff.account", user_id=user.id))
    issued = activation.issue([user], g.tenant.settings.onboarding.letter_code_days,
                              current_user)
    letter = letters.letters_pdf(issued)
    db.session.commit()
    return files.download(letter, filename=f"aktywacja-{user.identifier}.pdf",
                          content_type="application/pdf")


@bp.post("/konta/<int:user_id>/kod-aktywacyjny/uniewaznij")
@staff_required
@letter_codes_on
def revoke_letter_code(user_id: int):
    """Stop the resident's code (a lost letter, one sent to the wrong person)."""
    user = _resident(user_id)
    revoked = activation.revoke(user, current_user)
    db.session.commit()
    flash(_("The activation code no longer works.") if revoked
          else _("The resident has no activation code that works."), "success")
    return redirect(url_for("staff.account", user_id=user.id))
