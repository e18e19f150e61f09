"""Two-step verification pages: the code after the password, setting it up and turning it off,
new recovery codes, remembered browsers, and a lost phone by e-mail where the cooperative
gives passwords back by e-mail."""

from __future__ import annotations

import time

from flask import (
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
from flask_login import current_user, login_required
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from iok_saas.account_security import second_factor
from iok_saas.account_security.forms import CodeForm, TurnOffForm
from iok_saas.account_security.routes import PENDING, PENDING_SECONDS, bp, device_cookie
from iok_saas.auth import limits, services, sessions
from iok_saas.auth.models import User
from iok_saas.auth.routes import start_session
from iok_saas.auth.tokens import person_in
from iok_saas.db import db
from iok_saas.mail.outbox import queue_message
from iok_saas.web.forms import ActionForm
from iok_saas.web.redirects import local_path

LINK_HOURS = 1


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.scalar(select(User).where(User.id == pending.get("u")).with_for_update())
    if user is None or user.session_version != pending.get("v") or not user.active or \
            user.is_locked or not user.totp_secret:
        return None
    return user


@bp.route("/logowanie/kod", methods=["GET", "POST"])
@limits.limiter.limit(limits.login_limit_per_ip, key_func=limits.per_ip, methods=["POST"])
@limits.limiter.limit(limits.login_limit_per_tenant_ip, key_func=limits.per_tenant_ip,
                      methods=["POST"])
def second_step():
    """The code from the authenticator app (or a recovery code) after the right password."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    rules = g.tenant.settings.second_factor
    form = CodeForm()
    if form.validate_on_submit():
        if second_factor.verify(user, form.code.data):
            services.finish_sign_in(user)
            token = second_factor.remember(user, sessions.describe(
                request.headers.get("User-Agent", ""))) \
                if rules.remember_devices and form.remember.data else None
            next_path = session.pop(PENDING).get("next") or url_for("public.home")
            start_session(user)
            answer = redirect(local_path(next_path) or url_for("public.home"))
            if token:
                answer.set_cookie(device_cookie(), token, max_age=second_factor.REMEMBER_DAYS
                                  * 86400, httponly=True, samesite="Lax",
                                  secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
            return answer
        services.count_failure(user, g.tenant, "second factor")
        db.session.commit()
        if user.is_locked:
            session.pop(PENDING, None)
            flash(_("The account was blocked after several unsuccessful attempts to sign in."),
                  "error")
            return redirect(url_for("auth.login"))
        form.code.errors.append(_("This code is not right, or it has been used already. "
                                  "Please type the code the app shows now."))
    return render_template("account_security/second_step.html", form=form, rules=rules,
                           by_email=_by_email(user), action=ActionForm())


def _by_email(user: User) -> bool:
    """Whether a lost phone may be dealt with by an e-mailed link: where passwords come back by
    e-mail, and not where the cooperative requires the second step of this person (a mailbox
    alone would then open the account: they go to the office)."""
    return g.tenant.settings.accounts.forgotten_password == "email" and bool(user.email) \
        and not second_factor.required(user, g.tenant.settings.second_factor)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"iok-second-factor-off:{g.tenant.id}")


@bp.post("/logowanie/kod/zgubiony-telefon")
@limits.limiter.limit(limits.login_limit_per_tenant_ip, key_func=limits.per_tenant_ip)
def lost_phone():
    """Where the cooperative gives passwords back by e-mail: a link (an hour, once) that turns
    the second step off, sent to the address the account has."""
    user = _pending_user()
    if user is None or not ActionForm().validate_on_submit() or not _by_email(user):
        abort(404)
    token = _serializer().dumps({"u": user.id, "s": user.totp_enabled_at.isoformat()})
    queue_message("second_factor_off", user.email, {
        "name": user.full_name, "identifier": user.identifier, "hours": LINK_HOURS,
        "link": g.tenant.url(url_for("account_security.second_factor_off_link", token=token))},
        user_id=user.id)
    db.session.commit()
    session.pop(PENDING, None)
    flash(_("We have sent a link to your e-mail address. It turns two-step verification off; "
            "then sign in with your password and set it up again."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/weryfikacja-dwuetapowa/wylacz/<token>", methods=["GET", "POST"])
def second_factor_off_link(token: str):
    """The e-mailed link: a page with one button (mail programs open links by themselves)."""
    found = person_in(_serializer(), token, LINK_HOURS * 3600)
    user = found[0] if found else None
    if user is None or not user.totp_enabled_at or \
            found[1].get("s") != user.totp_enabled_at.isoformat():
        flash(_("This link is no longer valid."), "error")
        return redirect(url_for("auth.login"))
    if request.method == "POST" and ActionForm().validate_on_submit():
        second_factor.turn_off(user, user, reason="e-mail link")
        services.end_sessions(user)
        db.session.commit()
        flash(_("Two-step verification is off. Please sign in with your password."), "success")
        return redirect(url_for("auth.login"))
    return render_template("account_security/second_factor_off.html", action=ActionForm())


# --- the person's own settings ------------------------------------------------------------------


@bp.route("/weryfikacja-dwuetapowa", methods=["GET", "POST"])
@login_required
def second_factor_page():
    """The state of two-step verification; setting it up (QR code, then a code to confirm)."""
    rules = g.tenant.settings.second_factor
    if rules.mode == "off":
        abort(404)
    user = current_user._get_current_object()
    form = CodeForm()
    codes: list[str] = []
    if not user.totp_secret:
        if not user.totp_pending:  # kept until confirmed: reloading the page after scanning
            user.totp_pending = second_factor.new_secret()  # must not change the key
            db.session.commit()
        elif request.method == "POST" and form.validate_on_submit():
            step = second_factor.check_new(user.totp_pending, form.code.data)
            if step is not None:
                codes = second_factor.turn_on(user, user.totp_pending, step)
                user.totp_pending = None
                db.session.commit()
                form = CodeForm(formdata=None)  # the forms below start empty
            else:
                form.code.errors.append(_("This code is not right. Please type the code the "
                                          "app shows now (it changes every 30 seconds)."))
    return _page(user, form, codes)


def _page(user: User, form: CodeForm, codes: list[str]) -> str:
    """The page: set-up (QR code, key) while it is off, else its state, the recovery codes just
    made, the remembered browsers and the forms."""
    rules = g.tenant.settings.second_factor
    setup = None
    if not user.totp_secret and user.totp_pending:
        uri, qr = second_factor.provisioning(user, user.totp_pending, g.tenant.short_name)
        setup = {"qr": qr, "uri": uri, "secret": second_factor.grouped(user.totp_pending)}
    return render_template(
        "account_security/second_factor.html", form=form, setup=setup, codes=codes, rules=rules,
        required=second_factor.required(user, rules), off_form=TurnOffForm(),
        left=second_factor.recovery_left(user) if user.totp_secret else 0,
        trusted=second_factor.trusted_of(user.id), action=ActionForm())


def _me_locked() -> User:
    """The signed-in person's row, locked: two requests at once cannot both use one code."""
    return db.session.scalar(select(User).where(User.id == current_user.id).with_for_update())


@bp.post("/weryfikacja-dwuetapowa/nowe-kody")
@login_required
@limits.limiter.limit(limits.login_limit_per_tenant_ip, key_func=limits.per_tenant_ip)
def new_recovery_codes():
    """Ten new recovery codes (the old ones stop working), after a code from the app."""
    user = _me_locked()
    form = CodeForm()
    if not user.totp_secret or not form.validate_on_submit():
        abort(404 if not user.totp_secret else 400)
    if not second_factor.verify(user, form.code.data):
        services.count_failure(user, g.tenant, "second factor")
        db.session.commit()
        flash(_("This code is not right, or it has been used already. Please type the code "
                "the app shows now."), "error")
        return redirect(url_for("account_security.second_factor_page"))
    codes = second_factor.new_recovery_codes(user)
    db.session.commit()
    return _page(user, CodeForm(formdata=None), codes)


@bp.post("/weryfikacja-dwuetapowa/wylacz")
@login_required
@limits.limiter.limit(limits.login_limit_per_tenant_ip, key_func=limits.per_tenant_ip)
def turn_off_second_factor():
    """Turn it off (not where the cooperative requires it): the password and a code; a wrong
    one of either counts as a failed sign-in."""
    user = _me_locked()
    rules = g.tenant.settings.second_factor
    form = TurnOffForm()
    if not user.totp_secret or second_factor.required(user, rules):
        abort(404)
    if form.validate_on_submit():
        if services.confirm_password(user, form.password.data, g.tenant):
            if second_factor.verify(user, form.code.data):
                second_factor.turn_off(user, user, reason="own choice")
                db.session.commit()
                flash(_("Two-step verification is off."), "success")
                return redirect(url_for("account_security.second_factor_page"))
            services.count_failure(user, g.tenant, "second factor")
        db.session.commit()  # a wrong password or code counts
        flash(_("The password or the code is not right."), "error")
    return redirect(url_for("account_security.second_factor_page"))


@bp.post("/weryfikacja-dwuetapowa/zapamietane/<int:device_id>/zapomnij")
@login_required
def forget_device(device_id: int):
    """This remembered browser will be asked for the code again."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if not second_factor.forget(current_user.id, device_id):
        abort(404)
    db.session.commit()
    flash(_("The browser will be asked for the code again."), "success")
    return redirect(url_for("account_security.second_factor_page"))
