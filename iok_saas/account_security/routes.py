"""Account security on the cooperative's host: activation by a letter's code, the devices a
person is signed in on, and (``second_routes``) two-step verification."""

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
from flask_login import current_user, login_required

from iok_saas.account_security import activation, second_factor
from iok_saas.account_security.activation import Outcome
from iok_saas.account_security.forms import ActivationForm
from iok_saas.audit import services as audit
from iok_saas.audit.models import SIGN_IN, SIGN_OUT
from iok_saas.auth import limits, policy, services, sessions
from iok_saas.auth.routes import start_session
from iok_saas.contacts import services as contacts
from iok_saas.db import db, utcnow
from iok_saas.web.forms import ActionForm

bp = Blueprint("account_security", __name__, template_folder="templates")


PENDING = "second_step"  # the session's key while the code is awaited
PENDING_SECONDS = 300


def device_cookie() -> str:
    """The remembered browser's cookie: ``__Host-`` where cookies are secure (production), so
    no neighbouring subdomain can set it; plain on the demo's http."""
    return "__Host-iok-device" if current_app.config.get("SESSION_COOKIE_SECURE") \
        else "iok-device"


def begin_second_step(user: Any, next_path: str | None) -> Response:
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
    return redirect(url_for("account_security.second_step"))


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
    return render_template("account_security/activate.html", form=form, problems=problems,
                           outcome=outcome, rules=rules, rule_text=policy.describe(rules),
                           floor_text=policy.floor_text())


@bp.get("/zalogowane-urzadzenia")
@login_required
def my_devices():
    """Where the person is signed in: browser and system, network address, sign-in time and
    last activity; this device marked."""
    idle, this = g.tenant.settings.accounts.idle_timeout_minutes, sessions.current_id()
    rows = sorted(sessions.of(current_user.id, idle), key=lambda row: row.id != this)
    return render_template("account_security/devices.html", sessions=rows, this=this,
                           action=ActionForm())


@bp.post("/zalogowane-urzadzenia/<int:row_id>/wyloguj")
@login_required
def end_device(row_id: int):
    """Sign out one other device (this one signs out with "Wyloguj się")."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if row_id == sessions.current_id() or not sessions.end(current_user.id, row_id):
        abort(404)
    audit.record(SIGN_OUT, subject=current_user, actor=current_user, device="other")
    db.session.commit()
    flash(_("That device has been signed out."), "success")
    return redirect(url_for("account_security.my_devices"))


@bp.post("/zalogowane-urzadzenia/wyloguj-pozostale")
@login_required
def end_other_devices():
    """Sign out every device but this one."""
    if not ActionForm().validate_on_submit():
        abort(400)
    ended = sessions.end_others(current_user.id, sessions.current_id())
    if ended:
        audit.record(SIGN_OUT, subject=current_user, actor=current_user, device="others",
                     count=ended)
    db.session.commit()
    flash(ngettext("%(num)d other device has been signed out.",
                   "%(num)d other devices have been signed out.", ended) if ended
          else _("No other device was signed in."), "success")
    return redirect(url_for("account_security.my_devices"))
