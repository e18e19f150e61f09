"""Forgotten password by e-mail (cooperatives with ``accounts.forgotten_password = "email"``).

The link is signed, bound to the cooperative (salt) and to the account's current password
(a fingerprint of its hash), so it works once, expires, and is useless on another host.
"""

from __future__ import annotations

import hashlib

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from iok_saas.audit import services as audit
from iok_saas.audit.models import PASSWORD_RESET
from iok_saas.auth import policy
from iok_saas.auth.models import User
from iok_saas.auth.passwords import hash_password, verify_password
from iok_saas.auth.services import find_by_identifier
from iok_saas.db import db, utcnow
from iok_saas.mail.outbox import queue_message
from iok_saas.tenancy.info import TenantInfo

LINK_HOURS = 1


def _serializer(tenant: TenantInfo) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"iok-password-reset:{tenant.id}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_link(identifier: str, tenant: TenantInfo) -> None:
    """E-mail a reset link when the account exists, is active and has an e-mail (no commit).

    The caller answers the same whatever happened here.
    """
    user = find_by_identifier(identifier) if identifier.isprintable() else None
    if user is None or not user.active or not user.email:
        return
    if user.is_locked and tenant.settings.lockout.mode == "staff_unlock":
        return  # the cooperative gives access back at the office only
    token = _serializer(tenant).dumps({"u": user.id, "f": _fingerprint(user)})
    link = tenant.url(url_for("auth.reset_with_link", token=token))
    queue_message("password_reset", user.email, {
        "name": user.full_name, "identifier": user.identifier, "link": link,
        "hours": LINK_HOURS,
    })


def user_for_token(token: str, tenant: TenantInfo) -> User | None:
    """The account a valid, unused, unexpired link of this cooperative belongs to."""
    try:
        data = _serializer(tenant).loads(token, max_age=LINK_HOURS * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.scalar(select(User).where(User.id == data["u"]))
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def set_new_password(user: User, new: str, tenant: TenantInfo) -> list[str]:
    """Set the password chosen through the link; returns problems (Polish) or nothing."""
    found = policy.problems(new, tenant.settings.password, identifier=user.identifier,
                            personal_names=[user.first_name, user.last_name],
                            cooperative_names=[tenant.name, tenant.short_name, tenant.slug])
    if verify_password(user.password_hash, new):
        found.append(_("The new password must be different from the current one."))
    if found:
        return found
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.initial_password_expires_at = None
    user.password_changed_at = utcnow()
    user.locked_at = user.locked_until = None
    user.failed_logins = 0
    user.session_version += 1
    audit.record(PASSWORD_RESET, subject=user, actor=user, by="e-mail link")
    return []
