"""GET /healthz: the state of the database and the queue, for load balancers and operators;
GET /metrics: the platform's figures for Prometheus (``iok_saas.health.metrics``)."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from iok_saas.db.health import database_ok
from iok_saas.health import metrics
from iok_saas.jobs import queue_state

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with details when the database and queue answer, 503 when one does not."""
    db_ok, db_detail = database_ok()
    queue_ok, queue_detail = queue_state()
    body = {
        "status": "ok" if db_ok and queue_ok else "error",
        "database": {"ok": db_ok, "detail": db_detail},
        "queue": {"ok": queue_ok, "detail": queue_detail},
    }
    return jsonify(body), 200 if db_ok and queue_ok else 503


bp.add_url_rule("/metrics", "metrics", metrics.metrics, methods=["GET"])


def init_app(app: Flask) -> None:
    """Register the health check and the figures (answered on any host, no cooperative)."""
    app.register_blueprint(bp)
