"""Sign in, sign out, change the password, forgotten password — on the cooperative's own host."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from iok_saas.audit import services as audit
from iok_saas.audit.models import SIGN_IN, SIGN_OUT
from iok_saas.auth import (
    activation,
    consents,
    contacts,
    devices,
    limits,
    policy,
    reset,
    second_factor,
    services,
)
from iok_saas.auth.activation import Outcome
from iok_saas.auth.forms import (
    ActivationForm,
    ChangePasswordForm,
    ForgottenForm,
    LoginForm,
    NewPasswordForm,
)
from iok_saas.auth.services import SignInResult
from iok_saas.db import db, utcnow
from iok_saas.web.forms import ActionForm
from iok_saas.web.redirects import local_path

bp = Blueprint("auth", __name__, template_folder="templates")


def start_session(user) -> None:
    """Sign the user in on this cooperative's host (a new row in their devices, committed)
    and start the idle clock."""
    devices.begin(user)
    db.session.commit()
    login_user(user)
    session["seen"] = int(time.time())


PENDING = "second_step"  # the session's key while the code is awaited
PENDING_SECONDS = 300


def device_cookie() -> str:
    """The remembered browser's cookie: ``__Host-`` where cookies are secure (production), so
    no neighbouring subdomain can set it; plain on the demo's http."""
    return "__Host-iok-device" if current_app.config.get("SESSION_COOKIE_SECURE") \
        else "iok-device"


def ask_for_code(user: Any, next_path: str | None) -> Response:
    """The password was right: remember who (for five minutes) and ask for the code, unless
    this browser is remembered."""
    rules = g.tenant.settings.second_factor
    if rules.remember_devices and second_factor.remembered(
            user, request.cookies.get(device_cookie())):
        services.finish_sign_in(user)
        start_session(user)
        return redirect(next_path or url_for("public.home"))
    session[PENDING] = {"u": user.id, "v": user.session_version, "at": int(time.time()),
                        "next": next_path or ""}
    return redirect(url_for("auth.second_step"))


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
        if result is SignInResult.SECOND_FACTOR:
            return ask_for_code(user, local_path(request.args.get("next")))
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
    row = devices.current_id()
    if row is not None:
        devices.end(current_user.id, row)
    audit.record(SIGN_OUT, subject=current_user, actor=current_user)
    db.session.commit()
    logout_user()
    session.pop("seen", None)
    flash(_("You have been signed out."), "success")
    return redirect(url_for("public.home"))


OUTCOMES = {
    Outcome.WRONG: _l("The identifier or the code is incorrect."),
    Outcome.USED: _l("This code has already been used: the account is active. Please sign in "
                     "with your password."),
    Outcome.EXPIRED: _l("This code has expired. Please ask the office for a new one."),
    Outcome.REVOKED: _l("This code is no longer valid: a newer one was issued, or it was "
                        "blocked after wrong attempts. Please ask the office for a new one."),
    Outcome.ACTIVE: _l("This account is already in use: a code is not needed. Please sign in "
                       "with your password."),
}


@bp.route("/aktywacja", methods=["GET", "POST"])
@limits.limiter.limit(limits.login_limit_per_ip, key_func=limits.per_ip, methods=["POST"])
@limits.limiter.limit(limits.login_limit_per_tenant_ip, key_func=limits.per_tenant_ip,
                      methods=["POST"])
def activate():
    """Open the account with the code from a letter or the fee notice: the person's own
    password, an e-mail address to confirm, and they are in (where the cooperative does so)."""
    if not g.tenant.settings.onboarding.letter_code:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = ActivationForm()
    if not form.is_submitted():
        typed = request.args.get("identyfikator", "")
        form.identifier.data = typed[:40] if typed.isprintable() else ""
    problems: list[str] = []
    outcome = None
    if form.validate_on_submit():
        result, user, code = activation.check(form.identifier.data, form.code.data)
        if result is Outcome.OK:
            problems = services.new_password_problems(user, form.new_password.data, g.tenant)
        else:
            outcome = OUTCOMES[result]
        if result is Outcome.OK and not problems:
            services.apply_new_password(user, form.new_password.data)
            services.clear_lock(user)  # wrong initial passwords tried before the letter came
            activation.use(code, user)
            if form.email.data and (user.email_confirmed_at is None or not
                                    contacts.same_address(form.email.data, user.email)):
                contacts.ask_email_change(user, form.email.data.strip(), g.tenant)
            user.last_login_at = utcnow()
            audit.record(SIGN_IN, subject=user, actor=user)
            db.session.commit()
            start_session(user)
            flash(_("Your account is active. Welcome!") + (
                " " + _("Please confirm your e-mail address with the link we have sent.")
                if user.pending_email else ""), "success")
            return redirect(url_for("public.home"))
        db.session.commit()  # wrong codes are counted, expired ones logged
    rules = g.tenant.settings.password
    return render_template("auth/activate.html", form=form, problems=problems,
                           outcome=outcome, rules=rules, rule_text=policy.describe(rules),
                           floor_text=policy.floor_text())


@bp.get("/zalogowane-urzadzenia")
@login_required
def my_devices():
    """Where the person is signed in: browser and system, network address, sign-in time and
    last activity; this device marked."""
    idle, this = g.tenant.settings.accounts.idle_timeout_minutes, devices.current_id()
    rows = sorted(devices.of(current_user.id, idle), key=lambda row: row.id != this)
    return render_template("auth/devices.html", sessions=rows, this=this, action=ActionForm())


@bp.post("/zalogowane-urzadzenia/<int:row_id>/wyloguj")
@login_required
def end_device(row_id: int):
    """Sign out one other device (this one signs out with "Wyloguj się")."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if row_id == devices.current_id() or not devices.end(current_user.id, row_id):
        abort(404)
    audit.record(SIGN_OUT, subject=current_user, actor=current_user, device="other")
    db.session.commit()
    flash(_("That device has been signed out."), "success")
    return redirect(url_for("auth.my_devices"))


@bp.post("/zalogowane-urzadzenia/wyloguj-pozostale")
@login_required
def end_other_devices():
    """Sign out every device but this one."""
    if not ActionForm().validate_on_submit():
        abort(400)
    ended = devices.end_others(current_user.id, devices.current_id())
    if ended:
        audit.record(SIGN_OUT, subject=current_user, actor=current_user, device="others",
                     count=ended)
    db.session.commit()
    flash(ngettext("%(num)d other device has been signed out.",
                   "%(num)d other devices have been signed out.", ended) if ended
          else _("No other device was signed in."), "success")
    return redirect(url_for("auth.my_devices"))


@bp.route(consents.UNSUBSCRIBE_PATH + "<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The link in an optional e-mail: a page with one button, or (RFC 8058) a mail program's
    one-click POST. It only ever withdraws the choice, so it needs no sign-in and no CSRF."""
    found = consents.read_unsubscribe(token, g.tenant)
    if found is None:
        return render_template("auth/unsubscribe.html", choice=None), 404
    user, choice = found
    if request.method == "POST":
        consents.choose(user, choice.name, False, way=consents.LINK)
        db.session.commit()
        return render_template("auth/unsubscribe.html", choice=choice, done=True)
    return render_template("auth/unsubscribe.html", choice=choice, done=False,
                           wanted=getattr(user, choice.field))
