"""Before every request of a signed-in person: idle timeout, the forced password change, then
the gates other rooms register (``hooks.register_gate``)."""

from __future__ import annotations

import time

from flask import flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from iok_saas.auth import hooks, sessions
from iok_saas.db import db

# How often the time of the last request is written into the session (seconds): the idle
# timeout may end up to this much earlier, and the session cookie is re-sent at most this often.
SEEN_EVERY = 60

# What someone holding an initial password may still reach.
ALLOWED_WITH_INITIAL_PASSWORD = {
    "auth.change_password", "auth.logout", "static", "web.branding_css", "web.logo",
    "web.set_language", "health.healthz", "public.terms", "public.accessibility",
    "install.manifest", "install.icon", "install.service_worker", "install.offline",
    "too_large",
}


def account_gates():
    """Sign out idle sessions; hold initial passwords on the change page; then the registered
    gates (the first answer wins)."""
    if getattr(g, "tenant", None) is None or not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle = g.tenant.settings.accounts.idle_timeout_minutes * 60
    if now - session.get("seen", now) > idle:
        row = sessions.current_id()
        if row is not None:
            sessions.end(current_user.id, row)
            db.session.commit()
        logout_user()
        session.pop("seen", None)
        flash(_("You were signed out after a period of inactivity. Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    if now - session.get("seen", 0) >= SEEN_EVERY:
        session["seen"] = now  # not every request: an unchanged session is not sent again
        sessions.touch()  # the device list's "last activity", as often as the idle clock
        db.session.commit()
    if current_user.must_change_password and request.endpoint not in ALLOWED_WITH_INITIAL_PASSWORD:
        return redirect(url_for("auth.change_password"))
    return next((answer for answer in (gate() for gate in hooks.gates()) if answer), None)
