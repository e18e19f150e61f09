"""Sign in and sign out on the cooperative's own host."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from iok_saas.auth import services
from iok_saas.auth.forms import LoginForm
from iok_saas.db import db
from iok_saas.web.redirects import local_path

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/logowanie", methods=["GET", "POST"])
def login():
    """The sign-in page: one message for every kind of failure."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.identifier.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(local_path(request.args.get("next")) or url_for("public.home"))
        flash(_("The identifier or password is incorrect."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/wyloguj")
@login_required
def logout():
    """Sign out; the session version changes so copies of the old cookie stop working."""
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    flash(_("You have been signed out."), "success")
    return redirect(url_for("public.home"))
