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
