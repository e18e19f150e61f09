"""The online application that opened a person's account, for the download of their data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.applications.models import AccessApplication
from iok_saas.db import db


def application_rows(user_id: int) -> list[dict[str, Any]]:
    """The person's applications for access, as they filled them in and how they went."""
    found = db.session.scalars(select(AccessApplication).where(
        AccessApplication.user_id == user_id).order_by(AccessApplication.id))
    return [{"imie": a.first_name, "nazwisko": a.last_name, "lokal": a.unit.address,
             "tytul_prawny": a.title_kind, "email": a.email, "telefon": a.phone,
             "regulamin": a.terms_version, "stan": a.status, "potwierdzony": a.confirmed_at,
             "rozpatrzony": a.reviewed_at, "tozsamosc_sprawdzona": a.identity_checked_at}
            for a in found]
