"""Sessions: each sign-in is a row (``SignedInSession``) the cookie names by a random
token, so a person sees where they are signed in and ends any of those sessions.

The cookie carries the token; the table keeps only its SHA-256 (a copy of the table opens no
session). Loading the signed-in person is one indexed query that finds the account and its
session together (``load``), so a request costs no more queries than before; the time of the
last activity is written at most once a minute (with the idle clock, ``gates.SEEN_EVERY``).
The browser and system are read from the User-Agent once, at sign-in (``ua-parser``); the
place is only the network address — nothing is looked up elsewhere.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import request, session
from sqlalchemy import bindparam, delete, select

from iok_saas.auth.models import SignedInSession, User
from iok_saas.db import db, utcnow
from iok_saas.db.rowsets import LONG_LIVED
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import get_tenant_info

KEY = "sid"  # the session cookie's key for the token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def describe(user_agent: str) -> str:
    """``Chrome Mobile 131 · Android 14`` from a User-Agent ("" when nothing is recognised)."""
    from ua_parser import parse  # at the first sign-in (its regexes are built once)

    found = parse(user_agent[:1000])
    parts = []
    if found.user_agent and found.user_agent.family != "Other":
        parts.append(" ".join(p for p in (found.user_agent.family, found.user_agent.major) if p))
    if found.os and found.os.family != "Other":
        parts.append(" ".join(p for p in (found.os.family, found.os.major) if p))
    if found.device and found.device.family not in ("Other", "Spider", "", None) and \
            found.device.brand not in (None, "Generic", "Generic_Android"):
        parts.append(found.device.family)
    return " · ".join(parts)[:120]


def begin(user: User) -> None:
    """A new session row for this sign-in, named in the cookie (no commit)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(SignedInSession(
        user_id=user.id, token_hash=_digest(token),
        device=describe(request.headers.get("User-Agent", "")),
        ip=(request.remote_addr or "")[:45], created_at=now, last_seen_at=now))
    session[KEY] = token


def load(user_id: int) -> tuple[User, SignedInSession] | None:
    """The account and the session the cookie names, in one query; None when either is gone."""
    token = session.get(KEY)
    if not isinstance(token, str) or not token:
        return None
    found = db.session.execute(_loading(), {"user_id": user_id,
                                            "token_hash": _digest(token)}).first()
    return (found[0], found[1]) if found else None


_LOADING: list = []


def _loading():
    """``load``'s statement, built once (every signed-in request sends it): the tenant filter
    then keeps its filtered copy per cooperative (``rowsets.LONG_LIVED``)."""
    if not _LOADING:
        _LOADING.append(
            select(User, SignedInSession)
            .join(SignedInSession, SignedInSession.user_id == User.id)
            .where(User.id == bindparam("user_id"),
                   SignedInSession.token_hash == bindparam("token_hash"))
            .execution_options(**{LONG_LIVED: True}))
    return _LOADING[0]


def current_id() -> int | None:
    """The id of this request's session row (set when the person was loaded)."""
    from flask import g

    return getattr(g, "session_row_id", None)


def touch() -> None:
    """The session was used now (called at most once a minute; no commit needed: the caller
    commits)."""
    row_id = current_id()
    if row_id is not None:
        row = db.session.get(SignedInSession, row_id)
        if row is not None:
            row.last_seen_at = utcnow()
            row.ip = (request.remote_addr or row.ip)[:45]


def of(user_id: int, idle: int) -> list[SignedInSession]:
    """The person's sessions still alive (used within ``idle`` minutes), latest first."""
    return list(db.session.scalars(select(SignedInSession).where(
        SignedInSession.user_id == user_id,
        SignedInSession.last_seen_at > utcnow() - timedelta(minutes=idle))
        .order_by(SignedInSession.last_seen_at.desc(), SignedInSession.id.desc())))


def end(user_id: int, row_id: int) -> bool:
    """End one of the person's sessions (no commit); False when it is not theirs or gone."""
    return bool(db.session.execute(delete(SignedInSession).where(
        SignedInSession.id == row_id, SignedInSession.user_id == user_id)).rowcount)


def end_others(user_id: int, keep: int | None) -> int:
    """End every session of the person but ``keep`` (no commit); how many ended."""
    stmt = delete(SignedInSession).where(SignedInSession.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(SignedInSession.id != keep)
    return db.session.execute(stmt).rowcount or 0


def prune() -> int:
    """Forget sessions idle longer than the cooperative allows (periodic, per cooperative);
    how many went."""
    tenant_id = require_tenant_id()
    idle = get_tenant_info(tenant_id).settings.accounts.idle_timeout_minutes
    gone = db.session.execute(delete(SignedInSession).where(
        SignedInSession.tenant_id == tenant_id,
        SignedInSession.last_seen_at <= utcnow() - timedelta(minutes=idle))).rowcount or 0
    db.session.commit()
    return gone
