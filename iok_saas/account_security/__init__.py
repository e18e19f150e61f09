"""Account security: activation by a code from a letter, two-step verification (an
authenticator app's codes, recovery codes, remembered browsers) and the devices a person is
signed in on. It plugs into sign-in through ``auth.hooks``: a step after the password, a gate
for those who must set it up, and what a session's end forgets."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from iok_saas.auth.hooks import (
    SignInStep,
    on_sessions_ended,
    register_gate,
    register_sign_in_block,
    register_step,
)
from iok_saas.jobs.periodic import PeriodicJob, register_periodic
from iok_saas.web.navigation import N_, NavItem, register


def init_app(app: Flask) -> None:
    """The pages, the sign-in step, the gate, the menu link and the pruning job."""
    from iok_saas.account_security import (  # noqa: F401 (second_routes: views on routes.bp)
        messages,
        personal,
        routes,
        second_factor,
        second_routes,
    )
    from iok_saas.web.account_page import AccountSection, register_account_section
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    register_step(app, SignInStep(
        "second_factor", lambda user, tenant: second_factor.asked(
            user, tenant.settings.second_factor), routes.begin_second_step))
    register_gate(app, _second_factor_gate)
    register_sign_in_block(app, "account_security/_sign_in_letter.html")
    on_sessions_ended(app, second_factor.forget)
    register_account_section(app, AccountSection(
        "devices", "account_security/_staff_devices.html", personal.staff_devices, order=30))
    register_account_section(app, AccountSection(
        "activation", "account_security/_staff_activation.html", personal.staff_activation,
        order=40))
    register_section(app, PersonalSection(
        "urzadzenia", _l("Devices signed in to my account, and browsers remembered"),
        personal.device_rows, order=45))
    for audience in ("resident", "staff"):
        register(app, NavItem("account_security.my_devices", N_("Signed-in devices"), audience,
                              order=88))
    register_periodic(app, PeriodicJob(
        "account_security.remembered", "iok_saas.account_security.second_factor.prune",
        "forget remembered browsers past their 30 days", every=timedelta(hours=1),
        per_cooperative=True))


def _second_factor_gate() -> Response | None:
    """Where the cooperative requires two-step verification, the person sets it up first."""
    from iok_saas.account_security import second_factor
    from iok_saas.auth.gates import ALLOWED_WITH_INITIAL_PASSWORD

    if current_user.totp_secret or request.endpoint in ALLOWED_WITH_INITIAL_PASSWORD or \
            request.endpoint == "account_security.second_factor_page" or \
            not second_factor.required(current_user, g.tenant.settings.second_factor):
        return None
    flash(_("Your cooperative requires two-step verification for this account. Please set it "
            "up now: it takes a minute."), "info")
    return redirect(url_for("account_security.second_factor_page"))
