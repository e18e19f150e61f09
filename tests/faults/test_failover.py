"""A standby database takes over from a failed primary with no acknowledged write lost.

Real parts: a primary PostgreSQL and a standby streaming from it synchronously (Debian's
binaries, ``initdb`` and ``pg_basebackup`` on private ports), PgBouncer between the app and
the primary, the app itself. Residents write letters to the office (each a number, an event
and an e-mail in one transaction) from several threads; the primary is stopped as in a crash;
``iok db failover`` promotes the standby and points PgBouncer at it; the app answers again by
itself, and every letter a resident saw acknowledged is on the new primary.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import Counter

import psycopg
import pytest

from iok_saas import create_app
from iok_saas.db import db, platform_work
from iok_saas.tenancy import services as tenant_services
from tests.factories import make_household
from tests.fixtures.pgbouncer import PgBouncer
from tests.fixtures.replication import ReplicatedPostgres
from tests.helpers import APP_ROLE, PLATFORM_ROLE, ROOT, app_settings, client_for, tenant_ref

DATABASE = "iok_failover"
WRITERS = 4


@pytest.fixture
def replicated():
    cluster = ReplicatedPostgres()
    cluster.start()
    yield cluster
    cluster.stop()


class Writer(threading.Thread):
    """A resident writing letters one after another until told to stop: what each attempt
    answered, when, and the ids of the letters acknowledged (a redirect to the letter)."""

    def __init__(self, app, household, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.client = client_for(app, "zielone-wzgorza.localhost")
        self.household, self.stop = household, stop
        self.answers: list[tuple[float, int]] = []
        self.acknowledged: list[int] = []

    def run(self) -> None:
        assert self.client.login(self.household.identifier,
                                 self.household.password).status_code == 302
        while not self.stop.is_set():
            status = self._write()
            self.answers.append((time.monotonic(), status))

    def _write(self) -> int:
        page = self.client.get("/sprawy/nowa")
        if page.status_code != 200:
            return page.status_code
        fields = dict(re.findall(r'name="(csrf_token|submission)" (?:type="hidden" )?'
                                 r'value="([^"]*)"', page.get_data(as_text=True)))
        answer = self.client.post("/sprawy/nowa", data={
            **fields, "topic": "inna sprawa", "unit": str(self.household.unit_ids[0]),
            "subject": "Pismo w czasie awarii", "body": "Proszę o odpowiedź."})
        if answer.status_code == 302:
            found = re.fullmatch(r".*/sprawy/(\d+)", answer.headers["Location"])
            if found:
                self.acknowledged.append(int(found.group(1)))
        return answer.status_code


def _letters(url: str) -> set[int]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute(
            "SELECT id FROM office_case WHERE kind = 'letter'")}


def test_the_standby_takes_over_and_no_acknowledged_write_is_lost(replicated, tmp_path):
    with psycopg.connect(replicated.url(replicated.primary), autocommit=True) as conn:
        for role, bypass in ((APP_ROLE, "NOBYPASSRLS"), (PLATFORM_ROLE, "BYPASSRLS")):
            conn.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER {bypass}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    pooler = PgBouncer("127.0.0.1", replicated.primary, (APP_ROLE, PLATFORM_ROLE),
                       pool_size=8, admin="postgres")
    pooler.start()
    app = create_app(app_settings(
        tmp_path, SQLALCHEMY_DATABASE_URI=pooler.url(APP_ROLE, DATABASE),
        PLATFORM_DATABASE_URI=pooler.url(PLATFORM_ROLE, DATABASE),
        MIGRATION_DATABASE_URI=replicated.url(replicated.primary, "postgres", DATABASE,
                                              "postgresql+psycopg"),
        DATABASE_TRANSACTION_POOLING=True, RQ_QUEUE=f"iok-failover-{uuid.uuid4().hex[:8]}"))
    try:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
            with platform_work():
                tenant_services.sync_dir(ROOT / "tenants")
                db.session.commit()
            zw = tenant_ref("zielone-wzgorza")
            homes = [make_household(zw) for _ in range(WRITERS)]
            db.session.remove()
        stop = threading.Event()
        writers = [Writer(app, home, stop) for home in homes]
        for writer in writers:
            writer.start()
        time.sleep(3)
        before = sum(len(w.acknowledged) for w in writers)
        assert before > 0, "the writers wrote nothing before the failure"
        replicated.kill_primary()
        killed = time.monotonic()
        time.sleep(2)  # the office's writes fail meanwhile
        result = app.test_cli_runner().invoke(args=[
            "db", "failover", "--standby", replicated.url(replicated.standby),
            "--pgbouncer-ini", str(pooler.ini),
            "--pgbouncer-admin", f"postgresql://postgres@127.0.0.1:{pooler.port}/pgbouncer"])
        assert result.exit_code == 0, result.output
        taken_over = time.monotonic()
        deadline = taken_over + 60
        while time.monotonic() < deadline and not any(
                at > taken_over and status == 302 for w in writers for at, status in w.answers):
            time.sleep(0.2)
        time.sleep(3)  # and it goes on working
        stop.set()
        for writer in writers:
            writer.join(60)
        answers = [(at, status) for w in writers for at, status in w.answers]
        recovered = min(at for at, status in answers if at > taken_over and status == 302)
        during = Counter(status for at, status in answers if killed <= at < recovered)
        acknowledged = {i for w in writers for i in w.acknowledged}
        on_new_primary = _letters(replicated.url(replicated.standby, database=DATABASE))
        print(f"\nfailover: {len(acknowledged)} letters acknowledged ({before} before the "
              f"primary was killed); answers while it was down: {dict(during)}; "
              f"{result.output.strip()}; first acknowledged write "
              f"{recovered - killed:.1f} s after the kill, {recovered - taken_over:.1f} s "
              f"after the takeover; on the new primary: {len(on_new_primary)} letters")
        assert acknowledged <= on_new_primary, "an acknowledged write was lost"
        assert len(acknowledged) > before
        assert set(during) <= {302, 503}, "a failure shows as 503, never as 500"
        # The app answers 200 again by itself (no restart).
        client = client_for(app, "zielone-wzgorza.localhost")
        assert client.get("/logowanie").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()
        pooler.stop()


def test_failover_refuses_a_server_that_is_not_a_standby_and_changes_nothing(app, tmp_path):
    from tests.helpers import PG_ADMIN, PG_HOST, PG_PORT

    ini = tmp_path / "pgbouncer.ini"
    ini.write_text("[databases]\n* = host=10.0.0.1 port=5432\n\n[pgbouncer]\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=[
        "db", "failover", "--standby", f"postgresql://{PG_ADMIN}@{PG_HOST}:{PG_PORT}/postgres",
        "--pgbouncer-ini", str(ini)])
    assert result.exit_code == 1
    assert "not a standby" in result.output
    assert "host=10.0.0.1 port=5432" in ini.read_text(encoding="utf-8")
