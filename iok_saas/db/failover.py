"""Taking over from a failed primary database: promote the standby that streamed from it (it
holds every acknowledged write when replication is synchronous) and point PgBouncer at it, so
every app process reaches the new primary through the same address without a restart.

Raw SQL against the servers themselves (not the app's database session): the primary is gone,
and the app's connections lead through PgBouncer.
"""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg


class FailoverError(RuntimeError):
    """The takeover cannot go on (the message says why and what to do)."""


@dataclass(frozen=True)
class Outcome:
    """What the takeover did and how long each step took (seconds)."""

    promoted: float
    repointed: float
    host: str
    port: int


def _libpq(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) as libpq takes it."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def promote(standby_url: str, wait_seconds: int = 60) -> float:
    """Promote the standby and stop it waiting for a standby of its own (none exists until a
    new one is built: with ``synchronous_standby_names`` left set every commit would hang).
    The seconds it took; ``FailoverError`` if it is not a standby."""
    started = time.monotonic()
    with psycopg.connect(_libpq(standby_url), autocommit=True, connect_timeout=10) as conn:
        if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
            raise FailoverError("This server is not a standby (it is already a primary): "
                                "nothing to promote.")
        if not conn.execute("SELECT pg_promote(true, %s)", (wait_seconds,)).fetchone()[0]:
            raise FailoverError(f"The standby did not finish its promotion within "
                                f"{wait_seconds} s; see its log.")
        conn.execute("ALTER SYSTEM SET synchronous_standby_names = ''")
        conn.execute("SELECT pg_reload_conf()")
    return time.monotonic() - started


def repoint_pgbouncer(ini: Path, host: str, port: int, admin_url: str | None = None) -> None:
    """Point every database of PgBouncer's ``[databases]`` section at ``host:port`` and have it
    reload its file: through its admin console (``RELOAD``, then ``RECONNECT`` so no server
    connection to the old primary is used again) when ``admin_url`` is given, else with SIGHUP
    to the process in its ``pidfile``."""
    text = ini.read_text(encoding="utf-8")
    section = re.search(r"(?ms)^\[databases\]\s*$(.*?)(?=^\[|\Z)", text)
    if section is None:
        raise FailoverError(f"{ini} has no [databases] section.")
    body = re.sub(r"\bhost=\S+", f"host={host}", section.group(1))
    body = re.sub(r"\bport=\S+", f"port={port}", body)
    ini.write_text(text[:section.start(1)] + body + text[section.end(1):], encoding="utf-8")
    if admin_url:
        with psycopg.connect(_libpq(admin_url), autocommit=True, connect_timeout=10,
                             prepare_threshold=None) as conn:
            conn.execute("RELOAD")
            conn.execute("RECONNECT")
        return
    pidfile = re.search(r"(?m)^\s*pidfile\s*=\s*(\S+)", text)
    if pidfile is None:
        raise FailoverError(f"{ini} names no pidfile: give PgBouncer's admin console "
                            "(--pgbouncer-admin) to reload it.")
    os.kill(int(Path(pidfile.group(1)).read_text().strip()), signal.SIGHUP)


def take_over(standby_url: str, ini: Path | None, admin_url: str | None) -> Outcome:
    """Promote the standby, then point PgBouncer at it."""
    parts = urlsplit(_libpq(standby_url))
    promoted = promote(standby_url)
    started = time.monotonic()
    if ini is not None:
        repoint_pgbouncer(ini, parts.hostname or "127.0.0.1", parts.port or 5432, admin_url)
    return Outcome(promoted, time.monotonic() - started, parts.hostname or "127.0.0.1",
                   parts.port or 5432)
