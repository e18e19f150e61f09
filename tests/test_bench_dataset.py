"""bench/dataset.py at a small size: the rows it makes hold together, and the app serves them
(a resident of a made cooperative signs in and sees the unit, the record and the meters, the
monthly consumption of the remote hot-water meter with the building's median, and on the home
page announcements, new documents, open fault reports and a letter waiting for a reply; the first
cooperative's clerk queue has the pending readings)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select

import bench.dataset
from bench.dataset import MONTHS, PASSWORD, Size, build
from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.meters import consumption
from iok_saas.meters.models import PENDING, REMOTE, Meter, Reading
from tests.helpers import DB_NAME, PG_ADMIN, client_for, in_tenant, pg_url, tenant_ref

SMALL = Size(cooperatives=2, units=4, per_building=2, years=1, readings=2, pending=3,
             announcements=8, documents=5)


@pytest.fixture
def made(ctx, monkeypatch):
    # Buildings of two units: the medians are kept over two here (five in the app and at scale).
    assert bench.dataset.MIN_UNITS == consumption.MIN_UNITS
    monkeypatch.setattr(bench.dataset, "MIN_UNITS", 2)
    counts = build(DB_NAME, SMALL, say=lambda line: None)
    yield counts
    with psycopg.connect(pg_url(PG_ADMIN, DB_NAME, "postgresql"), autocommit=True) as conn:
        slugs = "slug LIKE 'sm-%'"
        for table in ("case_event", "case_follower", "office_case", "registry_counter",
                      "announcement_read", "announcement_building", "announcement",
                      "member_document_visit", "member_document_version", "stored_file_chunk",
                      "stored_file", "member_document", "meter_building_month", "meter_month",
                      "meter_reading", "meter",
                      "ledger_entry", "finance_account", "unit_title", "user_session",
                      "user_account", "unit", "building", "tenant_domain"):
            conn.execute(f"DELETE FROM {table} WHERE tenant_id IN "
                         f"(SELECT id FROM tenant WHERE {slugs})")
        conn.execute(f"DELETE FROM tenant WHERE {slugs}")


def test_the_dataset_holds_together_and_the_app_serves_it(app, made):
    # Per cooperative: 8 announcements (every third for one building of two), 5 documents;
    # of its 5 residents the 1st, 3rd and 5th read the 3 for everyone numbered 1, 4, 7; the
    # 1st and 4th visited the library; the 1st filed two fault reports and a letter, each with
    # its first event and a staff one (none is still only received).
    counters = made.pop("registers")  # one a register and year: the cases may span a new year
    assert made == {"cooperatives": 2, "hosts": 2, "buildings": 4, "units": 8, "residents": 10,
                    "clerks": 2, "titles": 10, "fee accounts": 8, "ledger": 8 * 24, "meters": 16,
                    "readings": 32, "pending readings": 3, "remote months": 8 * MONTHS,
                    "building medians": 4 * MONTHS, "announcements": 16,
                    "announcement buildings": 4, "announcement reads": 18, "documents": 10,
                    "document files": 10, "document chunks": 10, "document versions": 10,
                    "document visits": 4, "fault reports": 4, "letters": 2, "case events": 12,
                    "case followers": 6}
    with psycopg.connect(pg_url(PG_ADMIN, DB_NAME, "postgresql")) as conn:
        # Each register's counter is past its cases: numbered 1, 2, … without gaps.
        assert conn.execute(
            "SELECT count(*), bool_and(r.last = c.n AND c.n = c.top) FROM registry_counter r "
            "JOIN (SELECT tenant_id, register, year, count(*) AS n, max(number) AS top "
            "      FROM office_case GROUP BY tenant_id, register, year) c "
            "USING (tenant_id, register, year) JOIN tenant t ON t.id = r.tenant_id "
            "WHERE t.slug LIKE 'sm-%'").fetchone() == (counters, True)
        # Every document's version is a file in the store with its content.
        assert conn.execute(
            "SELECT count(*) FROM member_document_version v JOIN stored_file f "
            "ON f.id = v.file_id JOIN stored_file_chunk k ON k.file_id = f.id "
            "WHERE f.size = length(k.data) AND v.tenant_id = f.tenant_id").fetchone()[0] == 10
        # Each remote meter's months run on: one month's end is the next one's start.
        assert conn.execute(
            "SELECT count(*) FROM (SELECT end_value, lead(start_value) OVER (PARTITION BY "
            "meter_id ORDER BY month) AS next FROM meter_month) x WHERE end_value <> next"
        ).fetchone()[0] == 0
    first = tenant_ref("sm-001")
    client = client_for(app, "sm-001.localhost")
    with in_tenant(first):
        identifier = db.session.scalar(select(User.identifier).order_by(User.id).limit(1))
        assert db.session.scalar(select(func.count()).select_from(Reading)
                                 .where(Reading.status == PENDING)) == 3
        # The readings waiting are typed ones; the hot-water meters are read remotely.
        assert set(db.session.execute(select(Meter.kind, Meter.reading_mode, Meter.radio_id
                                             .is_not(None)).distinct())) == {
            ("cold_water", "typed", False), ("hot_water", REMOTE, True)}
        assert db.session.scalar(select(func.count()).select_from(Reading)
                                 .join(Meter, Meter.id == Reading.meter_id)
                                 .where(Reading.status == PENDING,
                                        Meter.reading_mode == REMOTE)) == 0
    assert client.login(identifier, PASSWORD).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "ul. Bursztynowa" in home
    # The 3 live announcements (1, 2 for everyone; 3 for the resident's building), read: 1.
    assert home.count('href="/ogloszenia/') == 3
    assert "Komunikat administracji nr 1" in home and "Przerwa w dostawie wody nr 3" in home
    assert home.count("badge-warn") == 2
    # Documents changed since the visit a month ago: 1, 2, 3 and 5 (replaced today).
    assert all(f"dokument nr {d} z" in home for d in (1, 2, 3, 5))
    assert "dokument nr 4 z" not in home
    assert home.count('href="/awarie/') == 3  # two open reports and "report a fault"
    assert home.count('href="/sprawy/') == 1 and "KO/" in home
    unit_id = home.split('href="/lokale/')[1].split('"')[0]
    record = client.get(f"/lokale/{unit_id}").get_data(as_text=True)
    assert "Naliczenie opłat" in record and "Wpłata" in record
    assert "łazienka" in client.get("/liczniki").get_data(as_text=True)
    # The consumption page: the hot-water meter's 12 months, the year before, the median, and
    # a month or so estimated.
    used = client.get("/zuzycie").get_data(as_text=True)
    assert "<h1>Zużycie</h1>" in used and "Mediana w budynku" in used and "szacunkowo" in used
    assert used.count('<th scope="row">') == 12
    assert used.count('<td class="num">') == 12 * 3
    assert '<span aria-hidden="true">—</span>' not in used  # every month has its figures
