"""The unsubscribe link in an optional e-mail (every cooperative, whatever its features)."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from iok_saas.contacts import consents
from iok_saas.db import db

bp = Blueprint("consents", __name__)


@bp.route(consents.UNSUBSCRIBE_PATH + "<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The link in an optional e-mail: a page with one button, or (RFC 8058) a mail program's
    one-click POST. It only ever withdraws the choice, so it needs no sign-in and no CSRF."""
    found = consents.read_unsubscribe(token, g.tenant)
    if found is None:
        return render_template("contacts/unsubscribe.html", choice=None), 404
    user, choice = found
    if request.method == "POST":
        consents.choose(user, choice.name, False, way=consents.LINK)
        db.session.commit()
        return render_template("contacts/unsubscribe.html", choice=choice, done=True)
    return render_template("contacts/unsubscribe.html", choice=choice, done=False,
                           wanted=getattr(user, choice.field))
