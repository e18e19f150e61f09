"""The resident's contact details, the change of them, the e-mail confirmation link, and the
choices of what to receive."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from iok_saas.auth import services
from iok_saas.contacts import consents
from iok_saas.contacts import services as contacts
from iok_saas.contacts.forms import ChoicesForm, ContactsForm
from iok_saas.db import db
from iok_saas.tenancy.features import require_feature
from iok_saas.web.forms import ActionForm, e164, keep_number
from iok_saas.web.phones import shown

bp = Blueprint("contacts", __name__, url_prefix="/dane-kontaktowe", template_folder="templates")
require_feature(bp, "contacts")


def _choices() -> list[consents.Choice]:
    return consents.offered(g.tenant)


@bp.get("/")
@login_required
def index():
    """What the office knows of how to reach the resident, and what they receive."""
    form = ChoicesForm(data={c.name: getattr(current_user, c.field) for c in _choices()})
    return render_template("contacts/index.html", choices=_choices(), form=form,
                           since=consents.since(current_user.id))


@bp.route("/zmien", methods=["GET", "POST"])
@login_required
def edit():
    """Change the phones and the e-mail address (the password asked again)."""
    form = ContactsForm(data={"mobile": shown(current_user.phone),
                              "landline": shown(current_user.landline),
                              "email": current_user.pending_email or current_user.email})
    keep_number(form.mobile, current_user.phone)
    keep_number(form.landline, current_user.landline)
    if form.validate_on_submit():
        if not services.confirm_password(current_user, form.current_password.data, g.tenant):
            db.session.commit()  # the wrong password is counted
            if current_user.is_locked:
                logout_user()
                flash(_("The identifier or password is incorrect."), "error")
                return redirect(url_for("auth.login"))
            form.current_password.errors.append(_("The current password is incorrect."))
            return render_template("contacts/edit.html", form=form), 422
        contacts.change_phones(current_user, current_user, mobile=e164(form.mobile),
                               landline=e164(form.landline))
        email = (form.email.data or "").strip() or None
        asked = contacts.update_email(current_user, email, g.tenant)
        db.session.commit()
        flash(_("Saved."), "success")
        if asked:
            flash(_("We have sent a link to %(address)s. The new address will be used once you "
                    "open it (within %(hours)d hours); until then we write to the previous one.",
                    address=email, hours=contacts.EMAIL_LINK_HOURS), "info")
        return redirect(url_for("contacts.index"))
    status = 422 if form.errors else 200
    return render_template("contacts/edit.html", form=form), status


@bp.route("/e-mail/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link sent to a new address: a button to confirm it (mail scanners open links)."""
    user = contacts.pending_for(token, g.tenant)
    if user is None:
        return render_template("contacts/confirm.html", user=None), 404
    form = ActionForm()
    if form.validate_on_submit():
        address = user.pending_email
        contacts.confirm_email(user)
        db.session.commit()
        return render_template("contacts/confirm.html", user=user, done=True, address=address)
    return render_template("contacts/confirm.html", user=user, done=False, form=form,
                           address=user.pending_email)


@bp.post("/powiadomienia")
@login_required
def choices():
    """Turn the optional e-mails on or off (each change dated)."""
    form = ChoicesForm()
    if form.validate_on_submit():
        changed = [consents.choose(current_user, c.name, bool(form[c.name].data))
                   for c in _choices()]
        db.session.commit()
        flash(_("Your choices have been saved.") if any(changed)
              else _("Nothing has changed."), "success")
    return redirect(url_for("contacts.index"))
