"""Home: public information for visitors, the list of units for a signed-in resident."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user

from iok_saas.estate.services import as_units, unit_ids_of, unit_rows
from iok_saas.web.home import tiles_for

bp = Blueprint("public", __name__, template_folder="templates")


@bp.get("/regulamin")
def terms():
    """The cooperative's terms (with their version) and the data-protection notice."""
    return render_template("public/terms.html", terms=g.tenant.settings.terms)


# The platform's accessibility self-assessment (docs/accessibility.md): when it was last done and
# when the service last changed in a way that matters for accessibility. Update with each review.
STATEMENT = {"assessed": date(2026, 11, 30), "updated": date(2026, 11, 30)}


@bp.get("/deklaracja-dostepnosci")
def accessibility():
    """The cooperative's accessibility statement (deklaracja dostępności): the platform's
    self-assessment with the cooperative's own contact and office."""
    return render_template("public/accessibility.html", statement=STATEMENT)


@bp.get("/")
def home():
    """Visitors see what the IOK offers here and how to get an account."""
    if not current_user.is_authenticated:
        return render_template("public/home.html", settings=g.tenant.settings)
    if current_user.is_staff:
        return redirect(url_for("staff.dashboard"))
    units, tiles = tiles_for(current_user.id, unit_rows, unit_ids_of)
    return render_template("public/resident_home.html", units=as_units(units), tiles=tiles)
