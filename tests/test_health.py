"""GET /healthz reports the database and the queue."""

from tests.helpers import client_for


def test_healthz_reports_database_and_redis(app, ctx):
    answer = client_for(app, "10.1.2.3").get("/healthz")
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["status"] == "ok"
    assert data["database"] == {"ok": True, "detail": "postgresql"}
    assert data["queue"]["ok"] and data["queue"]["detail"].startswith("redis")


def test_healthz_says_when_redis_is_down(tmp_path, ctx):
    from iok_saas import create_app
    from tests.helpers import app_settings

    broken = create_app(app_settings(tmp_path, REDIS_URL="redis://127.0.0.1:1/0"))
    answer = client_for(broken, "localhost").get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json()["queue"]["ok"] is False


def test_healthz_says_how_many_workers_live_and_how_long_mail_waits(make_app, zw):
    """The workers by their heartbeats and the oldest e-mail's wait by the scheduler's count;
    neither makes the check fail (pages work without them), and the check itself is not
    counted among the application's requests (its 503s are not the application's errors)."""
    import time

    from iok_saas.extensions import redis_connection
    from iok_saas.jobs.gauges import beat, write_snapshot
    from tests.helpers import as_platform, metric_samples, queue_test_message

    app = make_app(METRICS_TOKEN="t")
    client = client_for(app, "localhost")
    quiet = client.get("/healthz").get_json()
    assert quiet["workers"] == {"alive": 0, "heartbeat_age_seconds": None}
    assert quiet["mail"] == {"oldest_waiting_seconds": None, "counted_seconds_ago": None}
    queue_test_message(app, zw)
    time.sleep(1.2)  # no worker: it waits
    with app.app_context():
        beat(redis_connection(), "test-worker")
        with as_platform():
            assert write_snapshot()
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok"
    assert data["workers"]["alive"] == 1 and data["workers"]["heartbeat_age_seconds"] < 5
    assert data["mail"]["oldest_waiting_seconds"] >= 1
    assert 0 <= data["mail"]["counted_seconds_ago"] < 5
    page = client.get("/metrics", headers={"Authorization": "Bearer t"}).get_data(as_text=True)
    routes = {dict(labels).get("route") for _name, labels in metric_samples(page)}
    assert "/healthz" not in routes and "/metrics" not in routes
