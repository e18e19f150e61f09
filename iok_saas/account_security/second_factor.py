"""The second factor at sign-in (``[second_factor]`` of the cooperative): a one-time code from
an authenticator app (TOTP, RFC 6238, through ``pyotp``) with ten one-time recovery codes.

Why TOTP and not passkeys (WebAuthn) first: it works with any phone and any browser the
cooperatives' residents have, without the browser and the phone having to support passkeys
together, and an office can explain it on one page; passkeys can join later beside it.

A code is accepted in its 30-second step and one step either side (a phone's clock a little
off), never twice (the last step used is kept), and only after the right password (nobody
learns from it whether an account exists). A wrong code counts as a failed sign-in (the
cooperative's lockout applies). Recovery codes are kept as keyed hashes and work once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, select

from iok_saas.account_security.models import RecoveryCode, TrustedDevice
from iok_saas.audit import services as audit
from iok_saas.audit.models import SECOND_FACTOR_OFF, SECOND_FACTOR_ON, SECOND_FACTOR_USED
from iok_saas.auth.models import User
from iok_saas.db import db, utcnow
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.settings import SecondFactor

STEP = 30
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
REMEMBER_DAYS = 30


def asked(user: User, rules: SecondFactor) -> bool:
    """Whether the sign-in asks this person for a code: set up, and the cooperative has the
    second step on (switched off, it asks nobody; the secrets wait unused)."""
    return bool(user.totp_secret) and rules.mode != "off"


def required(user: User, rules: SecondFactor) -> bool:
    """Whether this person must use a second factor at this cooperative."""
    return rules.mode == "all" or (rules.mode == "staff" and user.is_staff)


def new_secret() -> str:
    """A new TOTP secret (160 bits, base32)."""
    return pyotp.random_base32(32)


def provisioning(user: User, secret: str, issuer: str) -> tuple[str, str]:
    """The ``otpauth://`` address and its QR code (SVG data URI) for the app to read."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.identifier, issuer_name=issuer[:60])
    return uri, segno.make(uri, error="m", micro=False).svg_data_uri(scale=4, border=2)


def grouped(secret: str) -> str:
    """``ABCD EFGH …``: the secret for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _digits(typed: str) -> str:
    return "".join(ch for ch in typed if ch in "0123456789")


def _step_of(secret: str, code: str, now: float) -> int | None:
    """The time step whose code this is (this step or one either side), or None."""
    totp = pyotp.TOTP(secret)
    here = int(now // STEP)
    for step in (here, here - 1, here + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def check_new(secret: str, typed: str, now: float | None = None) -> int | None:
    """The time step of the code the app shows for a secret being set up (None: wrong); it is
    the last step used once the secret is turned on."""
    code = _digits(typed)
    return _step_of(secret, code, now or time.time()) if len(code) == 6 else None


def _recovery_digest(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hmac.new(key, f"recovery:{normal}".encode(), hashlib.sha256).hexdigest()


def turn_on(user: User, secret: str, step: int) -> list[str]:
    """The second factor from now on (no commit), ``step`` the one of the code that confirmed
    it (it never works again); the ten recovery codes, shown once."""
    user.totp_secret, user.totp_last_step = secret, step
    user.totp_enabled_at = utcnow()
    codes = new_recovery_codes(user)
    audit.record(SECOND_FACTOR_ON, subject=user, actor=user)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5))
                      for _ in range(2)) for _ in range(RECOVERY_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_digest(c))
                       for c in codes)
    return codes


def turn_off(user: User, actor: User, reason: str = "") -> None:
    """No second factor any more (no commit): the secret, recovery codes and remembered
    devices go."""
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TrustedDevice).where(TrustedDevice.user_id == user.id))
    audit.record(SECOND_FACTOR_OFF, subject=user, actor=actor, reason=reason)


def verify(user: User, typed: str, now: float | None = None) -> bool:
    """The code from the app, or a recovery code (which then stops working); no commit."""
    if not user.totp_secret:
        return False
    code = _digits(typed)
    if len(code) == 6 and len(typed.strip()) <= 8:
        step = _step_of(user.totp_secret, code, now or time.time())
        if step is None or step <= (user.totp_last_step or 0):
            return False  # wrong, or already used in its window
        user.totp_last_step = step
        audit.record(SECOND_FACTOR_USED, subject=user, actor=user, way="app")
        return True
    if not 8 <= len(typed.strip()) <= 20:
        return False
    found = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _recovery_digest(typed),
        RecoveryCode.used_at.is_(None)))
    if found is None:
        return False
    found.used_at = utcnow()
    audit.record(SECOND_FACTOR_USED, subject=user, actor=user, way="recovery code")
    return True


def recovery_left(user: User) -> int:
    """How many recovery codes still work."""
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


# --- remembered devices -------------------------------------------------------------------------


def _device_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember(user: User, label: str) -> str:
    """This browser skips the second factor for ``REMEMBER_DAYS`` (no commit); the token for
    its cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(TrustedDevice(user_id=user.id, token_hash=_device_digest(token),
                                 device=label[:120],
                                 expires_at=utcnow() + timedelta(days=REMEMBER_DAYS)))
    return token


def remembered(user: User, token: str | None) -> bool:
    """Whether this browser's cookie names a remembered device of the person, still valid."""
    if not token or not isinstance(token, str):
        return False
    return db.session.scalar(select(TrustedDevice.id).where(
        TrustedDevice.user_id == user.id, TrustedDevice.token_hash == _device_digest(token),
        TrustedDevice.expires_at > utcnow())) is not None


def trusted_of(user_id: int) -> list[TrustedDevice]:
    """The person's remembered devices still valid, newest first."""
    return list(db.session.scalars(select(TrustedDevice).where(
        TrustedDevice.user_id == user_id, TrustedDevice.expires_at > utcnow())
        .order_by(TrustedDevice.created_at.desc(), TrustedDevice.id.desc())))


def forget(user_id: int, device_id: int | None = None) -> int:
    """Forget one remembered device (or all); how many (no commit)."""
    stmt = delete(TrustedDevice).where(TrustedDevice.user_id == user_id)
    if device_id is not None:
        stmt = stmt.where(TrustedDevice.id == device_id)
    return db.session.execute(stmt).rowcount or 0


def prune() -> int:
    """Forget remembered browsers past their 30 days (periodic, per cooperative); how many."""
    gone = db.session.execute(delete(TrustedDevice).where(
        TrustedDevice.tenant_id == require_tenant_id(),
        TrustedDevice.expires_at <= utcnow())).rowcount or 0
    db.session.commit()
    return gone
