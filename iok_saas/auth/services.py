"""Account rules: accounts with initial passwords, sign-in, lockout, password changes."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from iok_saas.audit import services as audit
from iok_saas.audit.models import (
    ACCOUNT_CHANGED,
    ACCOUNT_CREATED,
    ACCOUNT_DEACTIVATED,
    ACCOUNT_REACTIVATED,
    LOCKED,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    SIGN_IN,
    SIGN_IN_FAILED,
    UNLOCKED,
)
from iok_saas.auth import hooks, policy, sessions
from iok_saas.auth.models import ROLES, User
from iok_saas.auth.passwords import (
    burn_one_hash,
    generate_initial_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from iok_saas.db import db, utcnow
from iok_saas.mail.outbox import queue_message
from iok_saas.tenancy.info import TenantInfo
from iok_saas.tenancy.settings import TenantSettings


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


class SignInResult(Enum):
    """What a sign-in attempt came to. Only OK and EXPIRED are told apart on screen."""

    OK = "ok"
    FAILED = "failed"  # unknown identifier, wrong password, deactivated: one answer
    EXPIRED = "expired"  # right initial password, past its date
    # A locked account (or the failure that locked it): told plainly, with the cooperative's
    # way back, whatever the password — the answer never says whether it was right.
    LOCKED = "locked"
    # Right password, and a step is asked next (``hooks.next_step``: the authenticator app's
    # code); the failures counted so far stay until that step is passed too.
    NEXT_STEP = "next_step"


@dataclass(frozen=True)
class NewAccount:
    """An account and its one-time initial password (to print, never to store)."""

    user: User
    initial_password: str


def format_identifier(settings: TenantSettings, number: int) -> str:
    """An identifier in the cooperative's format: ``ZW-000124``."""
    accounts = settings.accounts
    return f"{accounts.identifier_prefix}{number:0{accounts.identifier_digits}d}"


def free_identifiers(settings: TenantSettings, batch: int = 100) -> Iterator[str]:
    """Free identifiers in the cooperative's format, in order (``ZW-000124``, …): the one
    allocator for accounts opened by staff, applications and the titles import. It starts
    after the number of accounts and asks which of the next ``batch`` candidates are taken in
    one query, so a thousand new accounts cost ten queries, not a thousand."""
    number = db.session.scalar(select(func.count(User.id))) or 0
    while True:
        candidates = [format_identifier(settings, n) for n in range(number + 1, number + batch + 1)]
        taken = set(db.session.scalars(select(User.identifier).where(
            User.identifier.in_(candidates))))
        yield from (candidate for candidate in candidates if candidate not in taken)
        number += batch


def next_identifier(settings: TenantSettings) -> str:
    """The next free identifier in the cooperative's format, e.g. ``ZW-000124``."""
    return next(free_identifiers(settings))


def _issue_initial_password(user: User, settings: TenantSettings) -> str:
    password = generate_initial_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.initial_password_expires_at = utcnow() + timedelta(
        days=settings.password.initial_password_days)
    return password


def _department(text: str) -> str:
    """A department's name with its spaces tidied; at most 80 printable characters."""
    text = " ".join(text.split())
    if len(text) > 80 or not text.isprintable():
        raise AccountError("The department must be at most 80 printable characters.")
    return text


def create_account(settings: TenantSettings, role: str, identifier: str | None = None,
                   first_name: str = "", last_name: str = "", email: str | None = None,
                   phone: str | None = None, actor: User | None = None,
                   department: str = "") -> NewAccount:
    """Create an account in the current cooperative with a random initial password (no commit)."""
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.")
    chosen = identifier is not None
    identifier = (identifier or next_identifier(settings)).strip()
    if not identifier or len(identifier) > 40 or any(not c.isprintable() or c.isspace()
                                                     for c in identifier):
        raise AccountError("The identifier must be 1-40 printable characters without spaces.")
    if db.session.scalar(select(User.id).where(User.identifier == identifier)):
        raise AccountError(f"Identifier {identifier!r} is already taken in this cooperative.")
    user = User(identifier=identifier, role=role, first_name=first_name, last_name=last_name,
                email=email or None, phone=phone or None, department=_department(department))
    password = _issue_initial_password(user, settings)
    _insert_with_free_identifier(user, settings, chosen=chosen)
    audit.record(ACCOUNT_CREATED, subject=user, actor=actor, role=role)
    return NewAccount(user, password)


def _insert_with_free_identifier(user: User, settings: TenantSettings, *, chosen: bool) -> None:
    """Insert the account; a generated identifier taken meanwhile by a parallel request is
    replaced by the next free one (a chosen one is an error)."""
    for _attempt in range(5):
        try:
            with db.session.begin_nested():
                db.session.add(user)
                db.session.flush()
            return
        except IntegrityError:
            if chosen:
                raise AccountError(
                    f"Identifier {user.identifier!r} is already taken in this cooperative."
                ) from None
            user.identifier = next_identifier(settings)
    raise AccountError("Could not find a free identifier; please try again.")


def reset_password(user: User, settings: TenantSettings, actor: User) -> str:
    """Staff issue a new initial password (a new document); this also lifts a lock."""
    password = _issue_initial_password(user, settings)
    clear_lock(user)
    end_sessions(user)
    audit.record(PASSWORD_RESET, subject=user, actor=actor)
    return password


def search_accounts(query: str, roles: tuple[str, ...], limit: int = 50) -> list[User]:
    """Accounts whose identifier, name, e-mail or phone contains ``query``; by last name."""
    stmt = select(User).where(User.role.in_(roles))
    words = query.split()[:5]
    for word in words:
        stmt = stmt.where(or_(*(column.icontains(word, autoescape=True) for column in (
            User.identifier, User.first_name, User.last_name, User.email, User.phone))))
    return list(db.session.scalars(stmt.order_by(User.last_name, User.first_name).limit(limit)))


def get_account(user_id: int, roles: tuple[str, ...]) -> User | None:
    """One account of the current cooperative with one of ``roles``, or None."""
    return db.session.scalar(select(User).where(User.id == user_id, User.role.in_(roles)))


def find_by_identifier(identifier: str) -> User | None:
    """The account with this identifier in the current cooperative."""
    return db.session.scalar(select(User).where(User.identifier == identifier.strip()))


def authenticate(identifier: str, password: str, tenant: TenantInfo) -> tuple[SignInResult,
                                                                                User | None]:
    """Check a sign-in attempt, counting failures and locking as the cooperative says (no
    commit: the view commits whatever the answer, so failures and locks are kept)."""
    identifier = identifier.strip()
    # Locked for update: parallel attempts are counted one after another, not as one.
    user = db.session.scalar(select(User).where(User.identifier == identifier)
                             .with_for_update()) if identifier.isprintable() else None
    if user is None:
        burn_one_hash(password)
        audit.record(SIGN_IN_FAILED, identifier=unknown_label(identifier), reason="unknown")
        return SignInResult.FAILED, None
    _lift_expired_lock(user)
    if user.is_locked and user.active:
        # Locked: the password is not even looked at (its hash is still computed, so the time
        # tells nothing either), the attempt is not counted, and every attempt gets the same
        # answer — guessing during a lock learns nothing.
        burn_one_hash(password)
        audit.record(SIGN_IN_FAILED, subject=user, reason="locked")
        return SignInResult.LOCKED, user
    correct = verify_password(user.password_hash, password)
    if not correct or not user.active:
        audit.record(SIGN_IN_FAILED, subject=user, reason="password" if user.active
                     else "inactive")
        if user.active:
            _count_failure(user, tenant)
            if user.is_locked:  # this failure locked it: said at once, as on every try after
                return SignInResult.LOCKED, user
        return SignInResult.FAILED, None
    if user.must_change_password and user.initial_password_expires_at and (
            user.initial_password_expires_at < utcnow()):
        audit.record(SIGN_IN_FAILED, subject=user, reason="initial password expired")
        return SignInResult.EXPIRED, None
    if needs_rehash(user.password_hash):  # made with older parameters: today's, same password
        user.password_hash = hash_password(password)
    if hooks.next_step(user, tenant) is not None:
        return SignInResult.NEXT_STEP, user
    finish_sign_in(user)
    return SignInResult.OK, user


def finish_sign_in(user: User) -> None:
    """Every step passed: the failures are forgotten, the sign-in is recorded (no commit)."""
    user.failed_logins = 0
    user.last_login_at = utcnow()
    audit.record(SIGN_IN, subject=user, actor=user)


def count_failure(user: User, tenant: TenantInfo, reason: str) -> None:
    """A failed step after the password (a wrong code): logged and counted like a wrong
    password (no commit)."""
    audit.record(SIGN_IN_FAILED, subject=user, reason=reason)
    _count_failure(user, tenant)


def unknown_label(identifier: str) -> str:
    """How the audit log names an identifier that matches no account: never the text itself
    (people type their password there), but a keyed fingerprint that repeats for repeats."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, identifier.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return f"? #{digest[:10]}"


def _count_failure(user: User, tenant: TenantInfo) -> None:
    user.failed_logins += 1
    lockout = tenant.settings.lockout
    if user.failed_logins < lockout.max_failures:
        return
    user.locked_at = utcnow()
    user.locked_until = (utcnow() + timedelta(minutes=lockout.minutes)
                         if lockout.mode == "timed" else None)
    end_sessions(user)
    audit.record(LOCKED, subject=user, mode=lockout.mode, failures=user.failed_logins)
    if user.email:
        queue_message("account_locked", user.email, {
            "name": user.full_name, "identifier": user.identifier, "mode": lockout.mode,
            "minutes": lockout.minutes,
            "by_email": tenant.settings.accounts.forgotten_password == "email",
        }, user_id=user.id)


def _lift_expired_lock(user: User) -> None:
    """A timed lock ends by itself."""
    if user.locked_until is not None and user.locked_until <= utcnow():
        clear_lock(user)


def clear_lock(user: User) -> None:
    """No block and no failures counted (a new document, an activation code, staff)."""
    user.locked_at = None
    user.locked_until = None
    user.failed_logins = 0


def unlock(user: User, actor: User) -> None:
    """Staff lift a lock (in staff_unlock mode they also hand over a new document)."""
    clear_lock(user)
    audit.record(UNLOCKED, subject=user, actor=actor)


def confirm_password(user: User, password: str, tenant: TenantInfo) -> bool:
    """The person's password asked again before a sensitive change; a wrong one counts as a
    failed sign-in (and can lock the account)."""
    if verify_password(user.password_hash, password):
        return True
    _count_failure(user, tenant)
    return False


def change_password(user: User, current: str, new: str, tenant: TenantInfo) -> list[str]:
    """The resident's own change: needs the current password; returns problems (Polish).

    A wrong current password counts as a failed sign-in (and can lock the account)."""
    if not verify_password(user.password_hash, current):
        _count_failure(user, tenant)
        return [_("The current password is incorrect.")]
    found = new_password_problems(user, new, tenant)
    if found:
        return found
    apply_new_password(user, new)
    audit.record(PASSWORD_CHANGED, subject=user, actor=user)
    return []


def new_password_problems(user: User, new: str, tenant: TenantInfo) -> list[str]:
    """The cooperative's rule, the platform floor, and "not the current password again"."""
    found = policy.problems(new, tenant.settings.password, identifier=user.identifier,
                            personal_names=[user.first_name, user.last_name],
                            cooperative_names=[tenant.name, tenant.short_name, tenant.slug])
    if verify_password(user.password_hash, new):
        found.append(_("The new password must be different from the current one."))
    return found


def apply_new_password(user: User, new: str) -> None:
    """Store the person's own password; every other session of theirs ends."""
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.initial_password_expires_at = None
    user.password_changed_at = utcnow()
    end_sessions(user)


def record_change(user: User, actor: User, **what: object) -> None:
    """Audit a staff change to an account (units, data)."""
    audit.record(ACCOUNT_CHANGED, subject=user, actor=actor, **what)


def set_department(user: User, department: str, actor: User) -> bool:
    """A staff member's department (what residents see beside the first name); audited.
    False when it was already so."""
    department = _department(department)
    if department == user.department:
        return False
    record_change(user, actor, department=department, was=user.department)
    user.department = department
    return True


def set_active(user: User, active: bool, actor: User) -> None:
    """Deactivate (all sessions end) or reactivate an account."""
    if user.id == actor.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    user.active = active
    end_sessions(user)
    audit.record(ACCOUNT_REACTIVATED if active else ACCOUNT_DEACTIVATED, subject=user, actor=actor)


def end_sessions(user: User) -> int:
    """Every session of the person ends (their rows go; cookies of an older version stop
    working even before the row is gone); how many signed-in devices there were."""
    user.session_version += 1
    hooks.sessions_ended(user.id)  # e.g. a remembered browser is asked for the code again
    return sessions.end_others(user.id, None)


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: only users of the current cooperative, only a session whose row is
    still there (one query for both: ``sessions.load``)."""
    if getattr(g, "tenant", None) is None:
        return None
    raw_id, _, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    found = sessions.load(int(raw_id))
    if found is None:
        return None
    user, row = found
    if user.session_version != int(version) or not user.active:
        return None
    g.session_row_id = row.id
    return user
