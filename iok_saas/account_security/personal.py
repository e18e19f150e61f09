"""Where a person is signed in and which browsers skip the code, for the download of their
data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.account_security.second_factor import trusted_of
from iok_saas.auth.models import SignedInSession
from iok_saas.db import db


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
