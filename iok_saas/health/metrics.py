"""GET /metrics: the platform's figures in Prometheus' text format, for operators.

Answered only to a request that carries ``IOK_METRICS_TOKEN`` (``Authorization: Bearer …``);
without the setting, or with a wrong token, it does not exist (404). The shipped nginx answers
404 to it from outside anyway: Prometheus scrapes gunicorn's own address.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Iterator

from flask import Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from iok_saas.jobs.gauges import queue_figures, read_snapshot
from iok_saas.web.metrics import request_registry


class _PlatformCollector(Collector):
    """The scheduler's snapshot (with its age) and the queue's figures, read at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snapshot = read_snapshot()
        yield GaugeMetricFamily(
            "iok_metrics_snapshot_age_seconds",
            "How long ago the worker's scheduler counted the platform figures.",
            value=time.time() - snapshot["at"] if snapshot else math.inf)
        for gauge in (snapshot or {}).get("gauges", []):
            family = GaugeMetricFamily(gauge["name"], gauge["help"], labels=gauge["labels"])
            for labels, value in gauge["samples"]:
                family.add_metric(labels, value)
            yield family
        queue = queue_figures()
        redis_up = GaugeMetricFamily("iok_queue_up", "1 when the job queue (Redis) answers.",
                                     value=float(queue is not None))
        yield redis_up
        if queue is None:
            return
        for name, key, text in (
            ("iok_queue_jobs", "queued", "Jobs waiting in the queue."),
            ("iok_job_failures", "failed", "Jobs that failed for good (RQ's failed registry)."),
            ("iok_workers", "workers",
             "Workers alive: a heartbeat within 3 × IOK_WORKER_BEAT_SECONDS."),
            ("iok_worker_heartbeat_age_seconds", "heartbeat_age",
             "How long ago the freshest worker's heartbeat came (infinite with no worker)."),
        ):
            yield GaugeMetricFamily(name, text, value=queue[key])


def metrics() -> Response:
    """The figures, for a request with the right token; 404 otherwise."""
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(404)
    registry = request_registry()
    registry.register(_PlatformCollector())
    response = Response(generate_latest(registry), mimetype=None)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.headers["Cache-Control"] = "no-store"
    return response
