"""bench/dataset.py at a small size: the rows it makes hold together, and the app serves them
(a resident of a made cooperative signs in and sees the unit, the record and the meters; the
first cooperative's clerk queue has the pending readings)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select

from bench.dataset import PASSWORD, Size, build
from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.meters.models import PENDING, Reading
from tests.helpers import DB_NAME, PG_ADMIN, client_for, in_tenant, pg_url, tenant_ref

SMALL = Size(cooperatives=2, units=4, per_building=2, years=1, readings=2, pending=3)


@pytest.fixture
def made(ctx):
    counts = build(DB_NAME, SMALL, say=lambda line: None)
    yield counts
    with psycopg.connect(pg_url(PG_ADMIN, DB_NAME, "postgresql"), autocommit=True) as conn:
        slugs = "slug LIKE 'sm-%'"
        for table in ("meter_reading", "meter", "ledger_entry", "finance_account", "unit_title",
                      "user_session", "user_account", "unit", "building", "tenant_domain"):
            conn.execute(f"DELETE FROM {table} WHERE tenant_id IN "
                         f"(SELECT id FROM tenant WHERE {slugs})")
        conn.execute(f"DELETE FROM tenant WHERE {slugs}")


def test_the_dataset_holds_together_and_the_app_serves_it(app, made):
    assert made == {"cooperatives": 2, "hosts": 2, "buildings": 4, "units": 8, "residents": 10,
                    "clerks": 2, "titles": 10, "fee accounts": 8, "ledger": 8 * 24, "meters": 16,
                    "readings": 32, "pending readings": 3}
    first = tenant_ref("sm-001")
    client = client_for(app, "sm-001.localhost")
    with in_tenant(first):
        identifier = db.session.scalar(select(User.identifier).order_by(User.id).limit(1))
        assert db.session.scalar(select(func.count()).select_from(Reading)
                                 .where(Reading.status == PENDING)) == 3
    assert client.login(identifier, PASSWORD).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "ul. Bursztynowa" in home
    unit_id = home.split('href="/lokale/')[1].split('"')[0]
    record = client.get(f"/lokale/{unit_id}").get_data(as_text=True)
    assert "Naliczenie opłat" in record and "Wpłata" in record
    assert "łazienka" in client.get("/liczniki").get_data(as_text=True)
