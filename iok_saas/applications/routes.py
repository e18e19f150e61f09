"""The public side: the application form and the e-mail confirmation link."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from iok_saas.applications import services
from iok_saas.applications.forms import ApplicationForm
from iok_saas.auth import limits
from iok_saas.db import db
from iok_saas.estate import services as estate
from iok_saas.tenancy.features import require_feature

bp = Blueprint("applications", __name__, url_prefix="/wniosek", template_folder="templates")
require_feature(bp, "online_application")


def application_limit() -> str:
    """How many applications one address may send to one cooperative."""
    return current_app.config["APPLICATION_LIMIT_PER_TENANT_IP"]


@bp.route("", methods=["GET", "POST"])
@limits.limiter.limit(application_limit, key_func=limits.per_tenant_ip, methods=["POST"])
def apply():
    """The form; sending it means accepting the terms (the page says so)."""
    form = ApplicationForm()
    form.building.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(b.id, f"{b.street} {b.number}") for b in estate.buildings()]
    if form.validate_on_submit():
        unit = estate.find_unit(form.building.data, form.unit_number.data)
        if unit is None:
            form.unit_number.errors.append(_("There is no such unit in this building."))
        else:
            services.submit(services.Applicant(
                form.first_name.data.strip(), form.last_name.data.strip(), unit,
                form.title_kind.data, form.email.data.strip(), form.phone.data.strip()),
                g.tenant)
            db.session.commit()
            return redirect(url_for("applications.sent"))
    return render_template("applications/apply.html", form=form, terms=g.tenant.settings.terms)


@bp.get("/wyslany")
def sent():
    """The same answer for every address: check your mailbox."""
    return render_template("applications/sent.html")


@bp.get("/potwierdz/<token>")
def confirm(token: str):
    """The link from the e-mail: the application goes to the cooperative."""
    application = services.confirm(token, g.tenant)
    db.session.commit()
    return render_template("applications/confirmed.html", ok=application is not None)
