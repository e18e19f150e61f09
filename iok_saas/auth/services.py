"""Account rules: creating accounts with initial passwords, signing in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import g
from sqlalchemy import func, select

from iok_saas.auth.models import ROLES, User
from iok_saas.auth.passwords import (
    burn_one_hash,
    generate_initial_password,
    hash_password,
    verify_password,
)
from iok_saas.db import db, utcnow
from iok_saas.tenancy.settings import TenantSettings


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


@dataclass(frozen=True)
class NewAccount:
    """A created account and its one-time initial password (to print, never to store)."""

    user: User
    initial_password: str


def next_identifier(settings: TenantSettings) -> str:
    """The next free identifier in the cooperative's format, e.g. ``ZW-000124``."""
    prefix = settings.accounts.identifier_prefix
    count = db.session.scalar(select(func.count()).select_from(User)) or 0
    number = count + 1
    while True:
        candidate = f"{prefix}{number:0{settings.accounts.identifier_digits}d}"
        if not db.session.scalar(select(User.id).where(User.identifier == candidate)):
            return candidate
        number += 1


def create_account(
    settings: TenantSettings,
    role: str,
    identifier: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str | None = None,
) -> NewAccount:
    """Create an account in the current cooperative with a random initial password (no commit)."""
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.")
    identifier = (identifier or next_identifier(settings)).strip()
    if not identifier or len(identifier) > 40 or any(c.isspace() for c in identifier):
        raise AccountError("The identifier must be 1-40 characters without spaces.")
    if db.session.scalar(select(User.id).where(User.identifier == identifier)):
        raise AccountError(f"Identifier {identifier!r} is already taken in this cooperative.")
    password = generate_initial_password()
    user = User(
        identifier=identifier,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        password_hash=hash_password(password),
        must_change_password=True,
        initial_password_expires_at=utcnow()
        + timedelta(days=settings.password.initial_password_days),
    )
    db.session.add(user)
    db.session.flush()
    return NewAccount(user, password)


def set_password(user: User, password: str, *, initial: bool) -> None:
    """Replace the password; an initial one must be changed at the next sign-in."""
    user.password_hash = hash_password(password)
    user.must_change_password = initial
    user.initial_password_expires_at = None
    user.session_version += 1


def authenticate(identifier: str, password: str) -> User | None:
    """The active account with this identifier and password in the current cooperative."""
    user = db.session.scalar(select(User).where(User.identifier == identifier.strip()))
    if user is None:
        burn_one_hash(password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: only users of the current cooperative, only a current session."""
    if getattr(g, "tenant", None) is None:
        return None
    raw_id, _, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user
