"""What account security holds about a person: for the download of their data (where they are
signed in, which browsers skip the code) and for the staff page of their account (devices,
the activation code)."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import select

from iok_saas.account_security import activation
from iok_saas.account_security.second_factor import trusted_of
from iok_saas.auth import sessions
from iok_saas.auth.models import RESIDENT, SignedInSession
from iok_saas.db import db, utcnow


def device_rows(user_id: int) -> list[dict[str, Any]]:
    """Each signed-in session (browser and system, network address, dates) and each browser
    remembered for two-step verification."""
    sessions = db.session.scalars(select(SignedInSession).where(
        SignedInSession.user_id == user_id).order_by(SignedInSession.created_at))
    rows = [{"rodzaj": "signed_in", "urzadzenie": s.device, "adres_ip": s.ip,
             "od": s.created_at, "ostatnio": s.last_seen_at} for s in sessions]
    rows += [{"rodzaj": "remembered", "urzadzenie": t.device, "adres_ip": "",
              "od": t.created_at, "ostatnio": t.expires_at} for t in reversed(trusted_of(user_id))]
    return rows


def staff_devices(person: Any, given: dict[str, Any]) -> dict[str, Any] | None:
    """The account page: the devices still signed in (none: no section)."""
    devices = sessions.of(person.id, g.tenant.settings.accounts.idle_timeout_minutes)
    return {"devices": devices} if devices else None


def staff_activation(person: Any, given: dict[str, Any]) -> dict[str, Any] | None:
    """The account page: a resident's activation codes, where the cooperative sends letters."""
    if person.role != RESIDENT or not g.tenant.settings.onboarding.letter_code:
        return None
    return {"codes": activation.codes_of(person.id), "now": utcnow()}
