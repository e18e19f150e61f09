"""What the accounts hold about a person, for the download of their data: the account and its
contact data, and the sign-ins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.audit.models import SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, AuditEvent
from iok_saas.auth.models import User
from iok_saas.db import db


def profile_rows(user_id: int) -> list[dict[str, Any]]:
    """The account: identifier, names, addresses, dates."""
    user = db.session.get(User, user_id)
    return [{"identyfikator": user.identifier, "imie": user.first_name,
             "nazwisko": user.last_name, "email": user.email,
             "email_potwierdzony": user.email_confirmed_at,
             "email_czeka_na_potwierdzenie": user.pending_email,
             "telefon_komorkowy": user.phone, "telefon_stacjonarny": user.landline,
             "konto_od": user.created_at, "ostatnie_logowanie": user.last_login_at,
             "haslo_zmienione": user.password_changed_at, "aktywne": user.active}]


def sign_in_rows(user_id: int) -> list[dict[str, Any]]:
    """Sign-ins, failed ones and sign-outs, oldest first."""
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.subject_id == user_id,
        AuditEvent.action.in_((SIGN_IN, SIGN_IN_FAILED, SIGN_OUT)))
        .order_by(AuditEvent.created_at, AuditEvent.id))
    return [{"kiedy": e.created_at, "zdarzenie": e.action, "adres_ip": e.ip} for e in events]


