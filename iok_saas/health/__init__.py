"""GET /healthz: the state of the database, the queue, the workers and the mail relay, for load
balancers and operators; GET /metrics: the platform's figures for Prometheus
(``iok_saas.health.metrics``). Neither is counted among the application's requests."""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Blueprint, Flask, jsonify

from iok_saas.db.health import database_ok
from iok_saas.health import metrics
from iok_saas.jobs import queue_state
from iok_saas.jobs.gauges import queue_figures, read_snapshot

bp = Blueprint("health", __name__)
OLDEST_PENDING = "iok_outbox_oldest_pending_seconds"


def _workers() -> dict[str, Any]:
    figures = queue_figures()
    if figures is None:
        return {"alive": None, "heartbeat_age_seconds": None}
    age = figures["heartbeat_age"]
    return {"alive": int(figures["workers"]),
            "heartbeat_age_seconds": None if math.isinf(age) else round(age, 1)}


def _mail() -> dict[str, Any]:
    """How long the oldest e-mail has waited to go, as the workers last counted it (the web
    app sees one cooperative at a time; the count covers them all) and how old that count is."""
    snapshot = read_snapshot()
    if snapshot is None:
        return {"oldest_waiting_seconds": None, "counted_seconds_ago": None}
    oldest = next((g["samples"][0][1] for g in snapshot["gauges"]
                   if g["name"] == OLDEST_PENDING and g["samples"]), 0.0)
    return {"oldest_waiting_seconds": round(oldest, 1),
            "counted_seconds_ago": round(time.time() - snapshot["at"], 1)}


@bp.get("/healthz")
def healthz():
    """200 when the database and the queue answer, 503 when one does not (a load balancer
    takes this app out); the workers and the mail relay are said for the operator, and do
    not make it 503 (pages still work without them)."""
    db_ok, db_detail = database_ok()
    queue_ok, queue_detail = queue_state()
    body = {
        "status": "ok" if db_ok and queue_ok else "error",
        "database": {"ok": db_ok, "detail": db_detail},
        "queue": {"ok": queue_ok, "detail": queue_detail},
        "workers": _workers() if queue_ok else {"alive": None, "heartbeat_age_seconds": None},
        "mail": _mail() if queue_ok else {"oldest_waiting_seconds": None,
                                          "counted_seconds_ago": None},
    }
    return jsonify(body), 200 if db_ok and queue_ok else 503


bp.add_url_rule("/metrics", "metrics", metrics.metrics, methods=["GET"])


def init_app(app: Flask) -> None:
    """Register the health check and the figures (answered on any host, no cooperative)."""
    app.register_blueprint(bp)
