"""Sign in, sign out, change the password, forgotten password — on the cooperative's own host."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from iok_saas.audit import services as audit
from iok_saas.audit.models import SIGN_OUT
from iok_saas.auth import hooks, limits, policy, reset, services, sessions
from iok_saas.auth.forms import (
    ChangePasswordForm,
    ForgottenForm,
    LoginForm,
    NewPasswordForm,
)
from iok_saas.auth.services import SignInResult
from iok_saas.db import db
from iok_saas.web.redirects import local_path

bp = Blueprint("auth", __name__, template_folder="templates")


def start_session(user) -> None:
    """Sign the user in on this cooperative's host (a new row in their devices, committed)
    and start the idle clock."""
    sessions.begin(user)
    db.session.commit()
    login_user(user)
    session["seen"] = int(time.time())


@bp.route("/logowanie", methods=["GET", "POST"])
@limits.limiter.limit(limits.login_limit_per_ip, key_func=limits.per_ip, methods=["POST"])
@limits.limiter.limit(limits.login_limit_per_tenant_ip, key_func=limits.per_tenant_ip,
                      methods=["POST"])
def login():
    """The sign-in page: one message for every kind of failure."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result, user = services.authenticate(form.identifier.data, form.password.data, g.tenant)
        db.session.commit()  # whatever the answer: failed attempts and locks must be kept
        if result is SignInResult.NEXT_STEP:
            step = hooks.next_step(user, g.tenant)
            return step.begin(user, local_path(request.args.get("next")))
        if result is SignInResult.OK:
            start_session(user)
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(local_path(request.args.get("next")) or url_for("public.home"))
        if result is SignInResult.LOCKED:
            return render_template("auth/login.html", form=form, locked=user), 403
        if result is SignInResult.EXPIRED:
            flash(_("Your initial password has expired. Please come to the office for a new "
                    "one."), "error")
        else:
            flash(_("The identifier or password is incorrect."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/zmiana-hasla", methods=["GET", "POST"])
@login_required
@limits.limiter.limit(limits.login_limit_per_tenant_ip, key_func=limits.per_tenant_ip,
                      methods=["POST"])
def change_password():
    """Change the password; with an initial password this is the only page available."""
    form = ChangePasswordForm()
    problems: list[str] = []
    rules = g.tenant.settings.password
    if form.validate_on_submit():
        problems = services.change_password(current_user, form.current_password.data,
                                            form.new_password.data, g.tenant)
        if current_user.is_locked:  # too many wrong current passwords
            db.session.commit()
            logout_user()
            flash(_("The identifier or password is incorrect."), "error")
            return redirect(url_for("auth.login"))
        if problems:
            db.session.commit()  # a wrong current password is counted
        else:
            db.session.commit()
            # The session version changed: renew this session (with the user, not the proxy).
            start_session(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("public.home"))
    return render_template("auth/change_password.html", form=form, problems=problems,
                           rules=rules, rule_text=policy.describe(rules),
                           floor_text=policy.floor_text())


@bp.route("/nie-pamietam-hasla", methods=["GET", "POST"])
@limits.limiter.limit(limits.login_limit_per_tenant_ip, key_func=limits.per_tenant_ip,
                      methods=["POST"])
def forgotten_password():
    """Paper path: how to get a new document. E-mail path: ask for a link (same answer always)."""
    by_email = g.tenant.settings.accounts.forgotten_password == "email"
    form = ForgottenForm()
    if by_email and form.validate_on_submit():
        reset.request_link(form.identifier.data.strip(), g.tenant)
        db.session.commit()
        flash(_("If the identifier is right and an e-mail address is known for it, we have sent "
                "a link to set a new password. Please check your mailbox."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgotten.html", form=form, by_email=by_email)


@bp.route("/nowe-haslo/<token>", methods=["GET", "POST"])
def reset_with_link(token: str):
    """Set a new password from the e-mailed link (once, within the hour, on this host only)."""
    if g.tenant.settings.accounts.forgotten_password != "email":
        abort(404)
    user = reset.user_for_token(token, g.tenant)
    if user is None:
        flash(_("This link is no longer valid. Please ask for a new one."), "error")
        return redirect(url_for("auth.forgotten_password"))
    form = NewPasswordForm()
    problems: list[str] = []
    if form.validate_on_submit():
        problems = reset.set_new_password(user, form.new_password.data, g.tenant)
        if not problems:
            db.session.commit()
            flash(_("Your password has been changed. Please sign in."), "success")
            return redirect(url_for("auth.login"))
    rules = g.tenant.settings.password
    return render_template("auth/reset.html", form=form, problems=problems, rules=rules,
                           rule_text=policy.describe(rules), floor_text=policy.floor_text())


@bp.post("/wyloguj")
@login_required
def logout():
    """Sign out here: this session's row goes, so copies of the cookie stop working; the
    person's other devices stay signed in (they end them on *Zalogowane urządzenia*)."""
    row = sessions.current_id()
    if row is not None:
        sessions.end(current_user.id, row)
    audit.record(SIGN_OUT, subject=current_user, actor=current_user)
    db.session.commit()
    logout_user()
    session.pop("seen", None)
    flash(_("You have been signed out."), "success")
    return redirect(url_for("public.home"))
