"""Forgotten password by e-mail (cooperatives with ``accounts.forgotten_password = "email"``).

The link is signed, bound to the cooperative (salt) and to the account's current password
(a fingerprint of its hash), so it works once, expires, and is useless on another host.
"""

from __future__ import annotations

import hashlib

from flask import current_app, url_for
from itsdangerous import URLSafeTimedSerializer

from iok_saas.audit import services as audit
from iok_saas.audit.models import PASSWORD_RESET
from iok_saas.auth.models import User
from iok_saas.auth.services import apply_new_password, find_by_identifier, new_password_problems
from iok_saas.auth.tokens import person_in
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
    }, user_id=user.id)


def user_for_token(token: str, tenant: TenantInfo) -> User | None:
    """The account a valid, unused, unexpired link of this cooperative belongs to."""
    found = person_in(_serializer(tenant), token, LINK_HOURS * 3600)
    if found is None:
        return None
    user, data = found
    if not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def set_new_password(user: User, new: str, tenant: TenantInfo) -> list[str]:
    """Set the password chosen through the link; returns problems (Polish) or nothing."""
    found = new_password_problems(user, new, tenant)
    if found:
        return found
    apply_new_password(user, new)
    user.locked_at = user.locked_until = None
    user.failed_logins = 0
    audit.record(PASSWORD_RESET, subject=user, actor=user, by="e-mail link")
    return []
