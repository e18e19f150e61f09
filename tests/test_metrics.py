"""/metrics: the operator's figures in Prometheus' format, only with the token; the platform
figures counted by the scheduler as the platform role, the queue's read at each scrape."""

from __future__ import annotations

import math

import pytest

from iok_saas.db import db
from iok_saas.imports.models import FAILED as IMPORT_FAILED
from iok_saas.jobs.gauges import write_snapshot
from iok_saas.mail.models import FAILED, OutboxMessage
from iok_saas.tenancy import tenant_context
from tests.factories import make_import_run
from tests.fixtures.mail import kill_worker, start_worker
from tests.helpers import as_platform, client_for, metric_samples, poll, queue_test_message

TOKEN = "metrics-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metered(make_app):
    """An app with a metrics token, its own queue and the test's SMTP server."""
    return make_app(METRICS_TOKEN=TOKEN, METRICS_SNAPSHOT_SECONDS=1, SCHEDULER_TICK_SECONDS=1,
                    OUTBOX_RELAY_SECONDS=1)


def _scrape(app, host: str = "localhost", headers: dict | None = None):
    return client_for(app, host).get("/metrics", headers=AUTH if headers is None else headers)


def _samples(app) -> dict[tuple[str, tuple], float]:
    response = _scrape(app)
    assert response.status_code == 200
    return metric_samples(response.get_data(as_text=True))


def test_without_the_token_there_is_no_such_page(make_app, metered):
    assert _scrape(make_app()).status_code == 404  # no token configured: off
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                    {"Authorization": f"Bearer {TOKEN}x"}):
        assert _scrape(metered, headers=headers).status_code == 404
    response = _scrape(metered)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert response.headers["Cache-Control"] == "no-store"


def test_requests_are_counted_by_route_pattern_and_status_never_by_path(metered, zw):
    key = ("iok_http_requests_total",
           (("method", "GET"), ("route", "/lokale/<int:unit_id>"), ("status", "302")))
    before = _samples(metered).get(key, 0)
    client = client_for(metered, "zielone-wzgorza.localhost")
    for unit in (1, 2, 3):
        assert client.get(f"/lokale/{unit}").status_code == 302  # not signed in
    client.get("/nie-ma-takiej-strony")
    samples = _samples(metered)
    assert samples[key] == before + 3
    assert not any("/lokale/1" in str(labels) for _, labels in samples)
    assert samples[("iok_http_requests_total",
                    (("method", "GET"), ("route", "-"), ("status", "404")))] >= 1
    assert samples[("iok_http_request_duration_seconds_count",
                    (("route", "/lokale/<int:unit_id>"),))] >= 3


def test_platform_figures_come_from_the_scheduler_snapshot(metered, zw, baltyk):
    assert _samples(metered)[("iok_metrics_snapshot_age_seconds", ())] == math.inf
    for tenant, count in ((zw, 2), (baltyk, 1)):
        for _ in range(count):
            queue_test_message(metered, tenant)
    with metered.app_context(), tenant_context(baltyk.id):
        db.session.add(OutboxMessage(template="test_message", recipient="x@example.org",
                                     context={}, status=FAILED, last_error="550"))
        db.session.commit()
    make_import_run(zw, status=IMPORT_FAILED)
    with metered.app_context(), as_platform():
        assert write_snapshot()
    samples = _samples(metered)
    assert samples[("iok_metrics_snapshot_age_seconds", ())] < 60
    assert samples[("iok_outbox_messages", (("status", "pending"),))] == 3
    assert samples[("iok_outbox_messages", (("status", "failed"),))] == 1
    assert samples[("iok_outbox_waiting_messages",
                    (("cooperative", "zielone-wzgorza"), ("status", "pending")))] == 2
    assert samples[("iok_outbox_waiting_messages",
                    (("cooperative", "baltyk"), ("status", "failed")))] == 1
    assert samples[("iok_outbox_oldest_pending_seconds", ())] >= 0
    assert samples[("iok_import_runs", (("status", "failed"),))] == 1
    assert samples[("iok_periodic_job_failing", (("job", "outbox.relay"),))] == 0
    assert samples[("iok_queue_up", ())] == 1
    assert samples[("iok_queue_jobs", ())] == 3  # handed over, no worker yet
    assert samples[("iok_workers", ())] == 0
    assert samples[("iok_worker_heartbeat_age_seconds", ())] == math.inf


def test_the_app_role_cannot_count_across_cooperatives_itself(metered, zw):
    """The web app shows the snapshot; counting it needs the platform role."""
    with metered.app_context(), pytest.raises(RuntimeError, match="platform role"):
        write_snapshot()


def test_a_running_worker_keeps_the_snapshot_fresh_and_its_heartbeat_shows(metered, zw, smtp):
    queue_test_message(metered, zw)
    worker = start_worker(metered.config)
    try:
        assert poll(lambda: _samples(metered)[("iok_metrics_snapshot_age_seconds", ())] < 5
                    and _samples(metered)[("iok_workers", ())] >= 1, seconds=30)
        assert poll(lambda: _samples(metered).get(
            ("iok_outbox_messages", (("status", "sent"),))) == 1, seconds=30)
        samples = _samples(metered)
        assert samples[("iok_worker_heartbeat_age_seconds", ())] < 60
    finally:
        kill_worker(worker)


def test_without_redis_the_page_still_answers_and_says_so(make_app, zw):
    app = make_app(METRICS_TOKEN=TOKEN, REDIS_URL="redis://127.0.0.1:1/0")
    samples = _samples(app)
    assert samples[("iok_queue_up", ())] == 0
    assert samples[("iok_metrics_snapshot_age_seconds", ())] == math.inf
