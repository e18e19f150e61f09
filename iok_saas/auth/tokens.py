"""Signed links that name a person (a new password, a new e-mail address, an unsubscribe)."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import select

from iok_saas.auth.models import User
from iok_saas.db import db


def person_in(serializer: URLSafeSerializer | URLSafeTimedSerializer, token: str,
              max_age: int | None = None) -> tuple[User, dict[str, Any]] | None:
    """The account a link signed by ``serializer`` names (``"u"``) and what else it carries;
    None if it is tampered with, expired (``max_age`` seconds) or names nobody here."""
    try:
        data = serializer.loads(token, max_age=max_age) \
            if isinstance(serializer, URLSafeTimedSerializer) else serializer.loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.scalar(select(User).where(User.id == data["u"]))
    return (user, data) if user is not None else None
