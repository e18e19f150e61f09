"""A killed import leaves a trace: staff see it as interrupted (nothing saved, it can be loaded
again) — for the command line, the panel and the API alike."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg
from sqlalchemy import func, select, update

from iok_saas import files
from iok_saas.db import db, utcnow
from iok_saas.db.bulk import IMPORT_LOCK_SPACE
from iok_saas.estate.models import Building
from iok_saas.files.models import StoredFile
from iok_saas.imports.models import INTERRUPTED, PANEL, RUNNING, ImportRun
from iok_saas.imports.queue import recover
from tests.factories import make_household
from tests.fixtures.mail import worker_env
from tests.helpers import PG_ADMIN, ROOT, as_platform, client_for, in_tenant, pg_url, poll

BUILDINGS = ("id_zewnetrzne;ulica;numer;kod_pocztowy;miejscowosc\n"
             "B-1;ul. Zgoda;10;80-001;Gdańsk\nB-2;ul. Zgoda;12;80-001;Gdańsk\n")


def _runs(tenant) -> list[ImportRun]:
    with in_tenant(tenant):
        runs = list(db.session.scalars(select(ImportRun).order_by(ImportRun.id)))
        for run in runs:
            db.session.expunge(run)
    return runs


def _long_ago(tenant) -> None:
    """The running imports began minutes ago (the clock moved in the data)."""
    with in_tenant(tenant):
        db.session.execute(update(ImportRun).where(ImportRun.status == RUNNING)
                           .values(started_at=utcnow() - timedelta(minutes=5)))


def test_a_killed_command_line_import_is_shown_as_interrupted(app, baltyk, tmp_path):
    path = tmp_path / "budynki.csv"
    path.write_text(BUILDINGS, encoding="utf-8")
    # Another import of Bałtyk holds the lock, so this one waits in the middle of its work.
    with psycopg.connect(pg_url(PG_ADMIN, app.config["SQLALCHEMY_DATABASE_URI"].rsplit(
            "/", 1)[1], "postgresql")) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", (IMPORT_LOCK_SPACE, baltyk.id))
        command = subprocess.Popen(
            [str(Path(sys.executable).with_name("iok")), "import", "buildings", "--tenant",
             "baltyk", str(path)], cwd=ROOT, env=worker_env(app.config), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            assert poll(lambda: [r.status for r in _runs(baltyk)] == [RUNNING], seconds=30)
            os.kill(command.pid, signal.SIGKILL)
            command.wait(10)
        finally:
            other.execute("SELECT pg_advisory_unlock(%s, %s)", (IMPORT_LOCK_SPACE, baltyk.id))
    _long_ago(baltyk)
    with as_platform():
        assert recover()["imports_interrupted"] == 1
    [run] = _runs(baltyk)
    assert run.status == INTERRUPTED and run.finished_at is not None
    with in_tenant(baltyk):
        assert db.session.scalar(select(func.count()).select_from(Building)) == 0


def test_an_import_still_waiting_for_its_turn_is_not_interrupted(app, baltyk):
    with in_tenant(baltyk):
        db.session.add(ImportRun(kind="ledger", filename="x.csv", status=RUNNING,
                                 started_at=utcnow() - timedelta(minutes=5)))
    with psycopg.connect(pg_url(PG_ADMIN, app.config["SQLALCHEMY_DATABASE_URI"].rsplit(
            "/", 1)[1], "postgresql")) as other:  # the import holding the lock is alive
        other.execute("SELECT pg_advisory_lock(%s, %s)", (IMPORT_LOCK_SPACE, baltyk.id))
        with as_platform():
            assert recover()["imports_interrupted"] == 0
    assert [r.status for r in _runs(baltyk)] == [RUNNING]


def test_staff_see_a_killed_panel_import_as_interrupted_and_its_upload_is_gone(app, baltyk):
    admin = make_household(baltyk, role="admin", units=0)
    with in_tenant(baltyk):
        upload = files.store(BUILDINGS.encode(), filename="budynki.csv", content_type="text/csv",
                             purpose="import_upload")
        db.session.add(ImportRun(kind="buildings", filename="budynki.csv", status=RUNNING,
                                 source=PANEL, started_at=utcnow(), file_id=upload.id))
    _long_ago(baltyk)  # its worker was killed five minutes ago (nobody holds the lock)
    with as_platform():
        assert recover()["imports_interrupted"] == 1
    [run] = _runs(baltyk)
    assert run.status == INTERRUPTED and run.file_id is None
    with in_tenant(baltyk):
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    client = client_for(app, "baltyk.localhost")
    client.login(admin.identifier, admin.password)
    history = client.get("/panel/import/").get_data(as_text=True)
    assert "przerwany — nic nie zostało zapisane, można wczytać ponownie" in history
    page = client.get(f"/panel/import/{run.id}").get_data(as_text=True)
    assert "przerwany — nic nie zostało zapisane, można wczytać ponownie" in page
