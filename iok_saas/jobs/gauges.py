"""Platform figures for ``/metrics`` that only the platform role can count (e-mails and imports
of every cooperative), and the queue's own figures.

Each capability registers its gauges from ``init_app``. The worker's scheduler (the platform
role) counts them every ``METRICS_SNAPSHOT_SECONDS`` and keeps the result in Redis; the web
app's ``/metrics`` (the app's role, which sees one cooperative at a time) shows that snapshot
and its age, so a stopped scheduler shows as a growing age, not as numbers that look fine.
Queue length, failed jobs and the workers' heartbeats are read from Redis at each scrape.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError

from iok_saas.db.session import platform_mode
from iok_saas.extensions import redis_connection
from iok_saas.jobs import get_queue
from iok_saas.tenancy.keys import platform_key
from iok_saas.web.registry import add

log = logging.getLogger(__name__)
REGISTRY = "platform_gauges"
SNAPSHOT_KEY = platform_key("metrics-snapshot")
BEATS_KEY = platform_key("worker-beats")  # worker name → time of its last heartbeat

Sample = tuple[tuple[str, ...], float]


@dataclass(frozen=True)
class PlatformGauge:
    """A gauge counted as the platform role: ``collect()`` gives (label values, value) pairs."""

    name: str
    help: str
    labels: tuple[str, ...]
    collect: Callable[[], Iterable[Sample]]


def register_gauge(app: Flask, gauge: PlatformGauge) -> None:
    """Declare a platform gauge (called from a capability's ``init_app``)."""
    add(app, REGISTRY, gauge)


def snapshot() -> dict[str, Any]:
    """Count every registered gauge now (inside platform work); a gauge that fails is left
    out and logged, the others are kept."""
    if not platform_mode():
        raise RuntimeError("The platform figures are counted only as the platform role "
                           "(iok_saas.db.platform_work).")
    gauges = []
    for gauge in current_app.extensions.get(f"iok_{REGISTRY}", []):
        try:
            samples = [[list(labels), float(value)] for labels, value in gauge.collect()]
        except Exception:
            log.exception("Platform gauge %s could not be counted", gauge.name)
            continue
        gauges.append({"name": gauge.name, "help": gauge.help, "labels": list(gauge.labels),
                       "samples": samples})
    return {"at": time.time(), "gauges": gauges}


def write_snapshot() -> bool:
    """Count and keep the snapshot in Redis (the scheduler, as the platform role)."""
    connection = redis_connection()
    if connection is None:
        return False
    connection.set(SNAPSHOT_KEY, json.dumps(snapshot()), ex=3600)
    return True


def read_snapshot() -> dict[str, Any] | None:
    """The last snapshot, or None (no Redis, none written yet, Redis away)."""
    connection = redis_connection()
    if connection is None:
        return None
    try:
        raw = connection.get(SNAPSHOT_KEY)
    except RedisError:
        return None
    return json.loads(raw) if raw else None


def beat(connection: Any, name: str) -> None:
    """A worker is alive now (its heartbeat thread, every ``WORKER_BEAT_SECONDS``)."""
    connection.zadd(BEATS_KEY, {name: time.time()})


def beat_off(connection: Any, name: str) -> None:
    """A worker stopped (on its way out): it is not counted any more."""
    connection.zrem(BEATS_KEY, name)


def _fresh_beats(connection: Any) -> list[float]:
    """The heartbeats of workers alive: one newer than ``WORKER_BEAT_SECONDS`` × 3 each
    (older ones are forgotten: a killed worker drops out within that time)."""
    horizon = time.time() - 3 * current_app.config["WORKER_BEAT_SECONDS"]
    connection.zremrangebyscore(BEATS_KEY, "-inf", horizon)
    return [score for _name, score in connection.zrange(BEATS_KEY, 0, -1, withscores=True)]


def queue_figures() -> dict[str, float] | None:
    """Jobs waiting, jobs failed for good, workers alive (by their own fresh heartbeats, not
    RQ's registrations, which a Redis restart loses and a killed worker keeps for minutes) and
    how long ago the freshest heartbeat came (infinite with no worker); None without Redis or
    while it is away."""
    queue = get_queue()
    if queue is None:
        return None
    try:
        beats = _fresh_beats(queue.connection)
        age = time.time() - max(beats) if beats else math.inf
        return {"queued": float(len(queue)), "failed": float(len(queue.failed_job_registry)),
                "workers": float(len(beats)), "heartbeat_age": max(age, 0.0)}
    except RedisError:
        return None
