"""Request figures for ``/metrics`` (Prometheus): requests by method, route and status, and
how long they took, by route.

Routes are the URL rules' patterns (``/lokale/<int:unit_id>``), never paths, and there is no
cooperative label: the number of series stays bounded however many cooperatives there are.
Under gunicorn each worker process writes its figures to ``PROMETHEUS_MULTIPROC_DIR``
(config/gunicorn.conf.py sets it) and ``/metrics`` adds them up; elsewhere (the demo's server,
tests) they live in the process.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
_METHODS = {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}
# Probes, not the application's traffic: a 503 of the health check is the check's answer.
_PROBES = {"/healthz", "/metrics"}

REQUESTS = Counter(
    "iok_http_requests", "Requests answered, by method, route pattern and status.",
    ["method", "route", "status"], registry=None)
LATENCY = Histogram(
    "iok_http_request_duration_seconds", "Time to answer a request, by route pattern.",
    ["route"], registry=None,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request (called by the request log, which knows route and time);
    the health check and the figures themselves are not counted."""
    if route in _PROBES:
        return
    method = method if method in _METHODS else "other"
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


def request_registry() -> CollectorRegistry:
    """A registry with the request figures of every worker process (or of this one)."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_ENV):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    return registry
