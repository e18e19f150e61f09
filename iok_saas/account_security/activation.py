"""Activation by letter (cooperatives with ``onboarding.letter_code = true``): a one-time code
printed on the paper fee notice or on a letter opens the account of a member who has never
signed in, without a visit to the office.

A code is long, random and readable (no 0/O, no 1/I/l), works once, expires, is kept only as a
keyed hash, and five wrong codes typed for one account block that code (staff issue a new
one). Issuing a new code revokes the person's earlier one. Every step is in the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from flask import current_app
from sqlalchemy import Select, func, select

from iok_saas.account_security.models import ActivationCode
from iok_saas.audit import services as audit
from iok_saas.audit.models import (
    ACTIVATION_CODE_EXPIRED,
    ACTIVATION_CODE_ISSUED,
    ACTIVATION_CODE_REVOKED,
    ACTIVATION_CODE_USED,
)
from iok_saas.auth.models import RESIDENT, User
from iok_saas.db import db, utcnow
from iok_saas.estate.services import holdings
from iok_saas.tenancy.context import require_tenant_id

# Readable on paper and typed on a phone: capitals and digits without 0/O, 1/I/L.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 16  # 31^16 ≈ 2^79: guessing is hopeless even without the limits
GROUP = 4
MAX_FAILURES = 5

# Why a code stopped working before its time.
REPLACED = "replaced"  # a new code was issued for the person
BY_STAFF = "staff"  # staff revoked it
TOO_MANY = "failures"  # five wrong codes were typed for the account
SIGNED_IN = "signed_in"  # the person got into the account another way meanwhile


class Outcome(Enum):
    """What a code typed with an identifier came to. Only the right code for the identifier
    learns more than "wrong" (so guessing tells nothing about who has an account)."""

    OK = "ok"
    WRONG = "wrong"  # unknown identifier, no code, or not this code: one answer
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ACTIVE = "active"  # the account is in use already: sign in (or "forgotten password")


@dataclass(frozen=True)
class Issued:
    """A code just issued, to print (the plain code is never stored)."""

    user: User
    code: str
    expires_at: datetime


def normalise(typed: str) -> str:
    """The code as typed, with spaces, dashes and lower case forgiven."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def shown(code: str) -> str:
    """``K7QF-M2XD-9TRB-HPWA``: in groups, as printed."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def _digest(code: str, tenant_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"activation:{tenant_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _live(now: datetime) -> list:
    return [ActivationCode.used_at.is_(None), ActivationCode.revoked_at.is_(None),
            ActivationCode.expires_at > now]


def without_account() -> Select:
    """Residents who have never signed in (imported members, accounts not yet handed out):
    who activation letters are for."""
    return select(User).where(User.role == RESIDENT, User.active,
                              User.last_login_at.is_(None))


def recipients(building_id: int | None = None, *, everyone: bool = False) -> list[User]:
    """Who gets a code: residents who have never signed in (of one building), in identifier
    order; without those holding a live code unless ``everyone`` (theirs then stop working)."""
    stmt = without_account()
    if building_id:
        held = holdings()
        stmt = stmt.where(User.id.in_(select(held.c.user_id).where(
            held.c.building_id == building_id)))
    people = list(db.session.scalars(stmt.order_by(User.identifier)))
    if not everyone:
        holding = with_live_code([p.id for p in people])
        people = [p for p in people if p.id not in holding]
    return people


def live_code(user_id: int) -> ActivationCode | None:
    """The person's code that still works, if any."""
    return db.session.scalar(select(ActivationCode).where(
        ActivationCode.user_id == user_id, *_live(utcnow())))


def codes_of(user_id: int) -> list[ActivationCode]:
    """The person's codes, newest first (for the staff account page)."""
    return list(db.session.scalars(select(ActivationCode).where(
        ActivationCode.user_id == user_id).order_by(ActivationCode.issued_at.desc(),
                                                    ActivationCode.id.desc())))


def with_live_code(user_ids: list[int]) -> set[int]:
    """Which of these people have a code that still works (one query)."""
    if not user_ids:
        return set()
    return set(db.session.scalars(select(ActivationCode.user_id).where(
        ActivationCode.user_id.in_(user_ids), *_live(utcnow()))))


def _revoke(code: ActivationCode, reason: str, actor: User | None, user: User | None) -> None:
    code.revoked_at, code.revoke_reason = utcnow(), reason
    audit.record(ACTIVATION_CODE_REVOKED, subject=user, actor=actor,
                 identifier=user.identifier if user else "", reason=reason,
                 issued=code.issued_at.isoformat())


def issue(users: list[User], days: int, actor: User | None) -> list[Issued]:
    """A new code for each person, valid ``days`` days (no commit); earlier live codes of
    theirs stop working. The plain codes are returned once, to print."""
    now = utcnow()
    expires = now + timedelta(days=days)
    tenant_id = require_tenant_id()
    earlier: dict[int, list[ActivationCode]] = {}
    for start in range(0, len(users), 1000):
        chunk = [u.id for u in users[start:start + 1000]]
        # the people's rows locked: two issues at once leave one live code each, not two
        db.session.execute(select(User.id).where(User.id.in_(chunk)).with_for_update())
        for code in db.session.scalars(select(ActivationCode).where(
                ActivationCode.user_id.in_(chunk), *_live(now))):
            earlier.setdefault(code.user_id, []).append(code)
    issued = []
    for user in users:
        for code in earlier.get(user.id, ()):
            _revoke(code, REPLACED, actor, user)
        plain = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        db.session.add(ActivationCode(user_id=user.id, code_hash=_digest(plain, tenant_id),
                                      issued_at=now, expires_at=expires,
                                      issued_by_id=actor.id if actor else None))
        audit.record(ACTIVATION_CODE_ISSUED, subject=user, actor=actor, days=days,
                     via="panel" if actor else "operator")
        issued.append(Issued(user, plain, expires))
    return issued


def revoke(user: User, actor: User) -> bool:
    """Staff stop the person's live code (no commit); False when there was none."""
    code = live_code(user.id)
    if code is None:
        return False
    _revoke(code, BY_STAFF, actor, user)
    return True


def check(identifier: str, typed: str) -> tuple[Outcome, User | None, ActivationCode | None]:
    """Whether this code opens this account now (no commit: the caller commits whatever the
    answer, so counted failures are kept). A wrong code counts against the account's live
    code; the fifth blocks it."""
    identifier, code = identifier.strip(), normalise(typed)
    user = db.session.scalar(select(User).where(User.identifier == identifier, User.role ==
                                                RESIDENT).with_for_update()) \
        if identifier.isprintable() else None
    if user is None or not user.active or not code or len(code) > 64:
        return Outcome.WRONG, None, None
    found = db.session.scalar(select(ActivationCode).where(
        ActivationCode.user_id == user.id,
        ActivationCode.code_hash == _digest(code, require_tenant_id())))
    if found is None:
        live = live_code(user.id) if len(code) == LENGTH and set(code) <= set(ALPHABET) \
            else None  # only what looks like a code counts: a typo of the identifier does not
        if live is not None:
            live.failures += 1
            if live.failures >= MAX_FAILURES:
                _revoke(live, TOO_MANY, None, user)
        return Outcome.WRONG, None, None
    if found.used_at is not None:
        return Outcome.USED, user, found
    if found.revoked_at is not None:
        return Outcome.REVOKED, user, found
    if found.expires_at <= utcnow():
        audit.record(ACTIVATION_CODE_EXPIRED, subject=user,
                     issued=found.issued_at.isoformat())
        return Outcome.EXPIRED, user, found
    if user.last_login_at is not None:
        _revoke(found, SIGNED_IN, None, user)
        return Outcome.ACTIVE, user, found
    return Outcome.OK, user, found


def use(code: ActivationCode, user: User) -> None:
    """The code opened the account (no commit): it never works again."""
    code.used_at = utcnow()
    audit.record(ACTIVATION_CODE_USED, subject=user, actor=user)


def counts() -> tuple[int, int]:
    """Residents who have never signed in, and how many of them hold a live code."""
    waiting = db.session.scalar(select(func.count()).select_from(without_account().subquery()))
    holding = db.session.scalar(select(func.count(func.distinct(ActivationCode.user_id))).where(
        ActivationCode.user_id.in_(without_account().with_only_columns(User.id)),
        *_live(utcnow())))
    return waiting or 0, holding or 0
