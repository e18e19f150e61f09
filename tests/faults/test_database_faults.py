"""PostgreSQL going away: requests get a 503 page in Polish with Retry-After (never a 500),
/healthz names the database, and the site answers again by itself once it is back."""

from __future__ import annotations

import pytest

from iok_saas import create_app
from tests.factories import make_household
from tests.fixtures.faults import CuttableProxy
from tests.helpers import APP_ROLE, DB_NAME, PG_HOST, PG_PORT, app_settings, client_for


@pytest.fixture
def proxied(tmp_path, ctx):
    """An app whose database connections go through a proxy the test can cut."""
    proxy = CuttableProxy(PG_HOST, int(PG_PORT))
    url = f"postgresql+psycopg://{APP_ROLE}@127.0.0.1:{proxy.port}/{DB_NAME}"
    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    yield app, proxy
    proxy.close()
    with app.app_context():
        from iok_saas.db import db

        db.engine.dispose()


def test_a_database_restart_answers_503_in_polish_then_recovers(proxied, baltyk):
    app, proxy = proxied
    home = make_household(baltyk)
    client = client_for(app, "baltyk.localhost")
    assert client.login(home.identifier, home.password).status_code == 302
    assert client.get("/").status_code == 200  # the pool holds a connection now
    proxy.cut()
    # (the visitors' home page needs no database: the cooperative is cached, it still answers)
    for path in ("/", "/liczniki", f"/lokale/{home.unit_ids[0]}"):
        answer = client.get(path)
        assert answer.status_code == 503, path
        assert answer.headers["Retry-After"] == "30"
        page = answer.get_data(as_text=True)
        assert "Krótka przerwa techniczna" in page and "Prosimy spróbować" in page
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"]["ok"] is False
    proxy.restore()
    assert client.get("/").status_code == 200
    assert client.get("/healthz").json["database"]["ok"] is True


def test_a_request_that_loses_the_database_midway_gets_503_with_the_cooperatives_name(proxied):
    from sqlalchemy.exc import OperationalError

    app, _ = proxied

    @app.get("/_test_database_lost")
    def lost():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    answer = client_for(app, "zielone-wzgorza.localhost").get("/_test_database_lost")
    assert answer.status_code == 503
    assert "Zielone Wzgórza" in answer.get_data(as_text=True)
