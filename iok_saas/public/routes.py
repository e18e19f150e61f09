"""Home: public information for visitors, the list of units for a signed-in resident."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user

from iok_saas.finance.services import balances_for
from iok_saas.public.services import units_of

bp = Blueprint("public", __name__, template_folder="templates")


@bp.get("/regulamin")
def terms():
    """The cooperative's terms (with their version) and the data-protection notice."""
    return render_template("public/terms.html", terms=g.tenant.settings.terms)


@bp.get("/")
def home():
    """Visitors see what the IOK offers here and how to get an account."""
    if not current_user.is_authenticated:
        return render_template("public/home.html", settings=g.tenant.settings)
    if current_user.is_staff:
        return redirect(url_for("staff.dashboard"))
    units = units_of(current_user)
    balances = balances_for([u.id for u in units]) if g.tenant.has_feature("finance") else {}
    return render_template("public/resident_home.html", units=units, balances=balances)
