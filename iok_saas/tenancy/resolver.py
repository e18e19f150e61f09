"""Host header → cooperative, before every request, with a cache the operator can drop.

Each web process keeps host → ``TenantInfo`` in memory, and remembers unknown hosts too (a
bounded set, so random Host headers cost no query each). The operator's changes bump a
generation number (in Redis when configured, else a file in ``instance/``); a process reads it
at most once every ``TENANT_GENERATION_CHECK_SECONDS`` (1 s) — no Redis round trip per request —
and forgets what it cached when it changed, so a disabled cooperative is closed within a second
(at once in the process that made the change).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, g, has_app_context, render_template, request
from redis.exceptions import RedisError
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from iok_saas.db import db
from iok_saas.extensions import redis_connection
from iok_saas.tenancy.context import reset_tenant, set_tenant
from iok_saas.tenancy.info import TenantInfo
from iok_saas.tenancy.keys import platform_key
from iok_saas.tenancy.models import Tenant, TenantDomain

HOST_RE = re.compile(r"^[a-z0-9.-]{1,253}$")
GENERATION_KEY = platform_key("tenant-generation")
log = logging.getLogger(__name__)
# Requests that need no cooperative: the health check, the operator's figures, static files.
TENANTLESS_ENDPOINTS = {"health.healthz", "health.metrics", "static"}


MAX_UNKNOWN_HOSTS = 10_000  # remembered misses; past that the set starts again


class TenantCache:
    """Per-process host → TenantInfo cache, dropped when the generation changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: dict[str, TenantInfo] = {}
        self._unknown: set[str] = set()
        self._generation: str | None = None
        self._checked = 0.0  # when the cache was last emptied (the TTL counts from there)
        self._read_at = float("-inf")  # when the generation was last read

    def lookup(self, host: str) -> TenantInfo | None:
        """The cooperative answering on ``host``, or None."""
        generation = self._drop_if_stale()
        info = self._hosts.get(host)
        if info is None and host not in self._unknown:
            info = _load(host)
            with self._lock:
                # Another thread may have seen a newer generation while this one read the
                # database: then what was read may be stale and must not be kept.
                if self._generation == generation:
                    if info is not None:
                        self._hosts[host] = info
                    else:
                        if len(self._unknown) >= MAX_UNKNOWN_HOSTS:
                            self._unknown.clear()
                        self._unknown.add(host)
        return info

    def clear(self) -> None:
        """Forget everything (this process only)."""
        with self._lock:
            self._hosts.clear()
            self._unknown.clear()

    def _drop_if_stale(self) -> str | None:
        now = time.monotonic()
        config = current_app.config
        if now - self._read_at < config["TENANT_GENERATION_CHECK_SECONDS"]:
            return self._generation
        generation = read_generation()
        with self._lock:
            self._read_at = now
            if generation != self._generation or now - self._checked > config[
                    "TENANT_CACHE_SECONDS"]:
                self._hosts.clear()
                self._unknown.clear()
                self._generation, self._checked = generation, now
        return generation


def _load(host: str) -> TenantInfo | None:
    tenant = db.session.scalar(
        select(Tenant)
        .join(TenantDomain)
        .where(TenantDomain.host == host)
        .options(selectinload(Tenant.domains))
    )
    return TenantInfo.from_model(tenant) if tenant else None


def _generation_file() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "tenant-generation"


_redis_quiet_until = 0.0  # after a Redis failure, skip it for a few seconds (no stalls)
REDIS_RETRY_SECONDS = 5


def read_generation() -> str | None:
    """The current generation of tenant data (None if never bumped or unreadable)."""
    global _redis_quiet_until
    client = redis_connection()
    if client is not None:
        if time.monotonic() < _redis_quiet_until:
            return None
        try:
            value = client.get(GENERATION_KEY)
        except RedisError:
            _redis_quiet_until = time.monotonic() + REDIS_RETRY_SECONDS
            return None
        return value.decode() if value else None
    try:
        return str(_generation_file().stat().st_mtime_ns)
    except OSError:
        return None


def bump_generation() -> None:
    """Tell every web process that a cooperative changed (after the commit that changed it)."""
    client = redis_connection()
    if client is not None:
        try:
            client.incr(GENERATION_KEY)
        except RedisError:
            current_app.logger.warning("Redis unreachable: tenant caches expire by TTL only")
    path = _generation_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(time.time_ns()))
    current_app.extensions["iok_tenant_cache"].clear()


TENANTS_CHANGED = "iok_tenants_changed"


@event.listens_for(Session, "after_flush")
def _note_tenant_changes(session: Session, flush_context: Any) -> None:
    """A cooperative or one of its hosts was written in this transaction."""
    if any(isinstance(obj, (Tenant, TenantDomain))
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[TENANTS_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    """Once the change is committed (whoever commits), every web process reloads it."""
    if session.info.pop(TENANTS_CHANGED, False) and has_app_context():
        bump_generation()


@event.listens_for(Session, "after_rollback")
def _forget_tenant_changes(session: Session) -> None:
    session.info.pop(TENANTS_CHANGED, None)


def normalise_host(raw: str) -> str | None:
    """Lowercase host without port or trailing dot; None when it is not a plausible host."""
    host = raw.strip().lower()
    if host.startswith("["):
        return None
    host = host.rsplit(":", 1)[0] if ":" in host else host
    host = host.rstrip(".")
    return host if HOST_RE.match(host) and ".." not in host else None


def resolve_tenant():
    """``before_request``: find the cooperative for the Host header or stop the request."""
    if request.endpoint in TENANTLESS_ENDPOINTS:
        return None
    # One session per request, never carried over from another cooperative's request.
    # Normally a no-op: each request has its own app context, but code that runs requests
    # inside an app context it pushed itself (CLI, scripts) would otherwise share one.
    db.session.remove()
    host = normalise_host(request.host)
    if host is None:
        abort(400)
    info = current_app.extensions["iok_tenant_cache"].lookup(host)
    if info is None:
        abort(404)
    g.tenant = info
    g.tenant_token = set_tenant(info.id)
    if not info.is_active:
        return render_template("errors/maintenance.html", tenant=info), 503, {"Retry-After": "3600"}
    return None


def clear_tenant(exc: BaseException | None = None) -> None:
    """``teardown_request``: no cooperative leaks into the next request on this thread."""
    token = g.pop("tenant_token", None)
    if token is not None:
        try:
            db.session.remove()
        except SQLAlchemyError as error:
            # The connection died under the request (the database failed over, the pooler
            # restarted): the answer has gone out; the pool drops the connection.
            log.warning("The request's database connection could not be closed: %s",
                        type(error).__name__)
            with suppress(SQLAlchemyError):
                db.session.registry().invalidate()  # dropped, not handed back to the pool
            db.session.registry.clear()
        finally:
            reset_tenant(token)


def init_app(app: Flask) -> None:
    """Resolve the cooperative before every request."""
    app.extensions["iok_tenant_cache"] = TenantCache()
    app.before_request(resolve_tenant)
    app.teardown_request(clear_tenant)
