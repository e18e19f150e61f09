"""Jobs carry their cooperative: a real RQ worker process on Redis, and the embedded mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from flask import Flask

from iok_saas import create_app
from iok_saas.db import db
from iok_saas.estate.models import Building
from iok_saas.jobs import enqueue, get_queue
from iok_saas.tenancy import tenant_context
from tests.factories import make_household
from tests.helpers import (
    APP_ROLE,
    PLATFORM_ROLE,
    POOLER,
    REDIS_URL,
    ROOT,
    app_db_url,
    app_settings,
)

PROBE = "tests.jobs_probe.record_units"


def _run_worker(app: Flask) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "IOK_DATABASE_URL": app_db_url(APP_ROLE),
        "IOK_PLATFORM_DATABASE_URL": app_db_url(PLATFORM_ROLE),
        "IOK_DATABASE_TRANSACTION_POOLING": "1" if POOLER else "0",
        "IOK_REDIS_URL": REDIS_URL,
        "IOK_RQ_QUEUE": app.config["RQ_QUEUE"],
        "IOK_INSTANCE_PATH": str(app.config["INSTANCE_PATH"]),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run([sys.executable, "worker.py", "--burst"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_worker_process_runs_each_job_for_its_own_cooperative(app, zw, baltyk, tmp_path):
    zw_home, baltyk_home = make_household(zw, units=2), make_household(baltyk, units=3)
    out = {slug: tmp_path / f"{slug}.json" for slug in ("zw", "baltyk")}
    with app.app_context():  # a unit of work, like a request: jobs go when it ends
        enqueue(PROBE, zw.id, path=str(out["zw"]))
        enqueue(PROBE, baltyk.id, path=str(out["baltyk"]))
        db.session.commit()
        assert len(get_queue()) == 0  # not before the transaction and the request are done
    assert len(get_queue()) == 2
    result = _run_worker(app)
    assert result.returncode == 0, result.stderr
    assert json.loads(out["zw"].read_text()) == {"tenant": zw.id, "units": list(zw_home.unit_ids)}
    assert json.loads(out["baltyk"].read_text()) == {
        "tenant": baltyk.id, "units": list(baltyk_home.unit_ids)}
    assert len(get_queue()) == 0


def test_embedded_mode_runs_jobs_after_commit_and_drops_them_on_rollback(zw, tmp_path):
    embedded = create_app(app_settings(tmp_path, REDIS_URL=None))
    committed, rolled_back = tmp_path / "committed.json", tmp_path / "rolled-back.json"
    with embedded.app_context():
        with tenant_context(zw.id):
            db.session.add(Building(street="ul. Nowa", number="1", postal_code="00-001",
                                    city="X"))
            enqueue(PROBE, zw.id, path=str(committed))
            db.session.commit()
            enqueue(PROBE, zw.id, path=str(rolled_back))
            db.session.rollback()
        assert not committed.exists()  # runs when the unit of work (request, command) ends
    assert json.loads(committed.read_text())["tenant"] == zw.id
    assert not rolled_back.exists()


def _queued_paths(app) -> list[str]:
    with app.app_context():
        return sorted(job.args[2]["path"] for job in get_queue().get_jobs())


def test_jobs_follow_the_outer_transaction_not_savepoints(app, zw, tmp_path):
    with app.app_context():
        get_queue().empty()
        with tenant_context(zw.id):
            enqueue(PROBE, zw.id, path="outer-before")
            savepoint = db.session.begin_nested()
            enqueue(PROBE, zw.id, path="in-rolled-back-savepoint")
            savepoint.rollback()
            savepoint = db.session.begin_nested()
            enqueue(PROBE, zw.id, path="in-released-savepoint")
            savepoint.commit()
            db.session.commit()
    assert _queued_paths(app) == ["in-released-savepoint", "outer-before"]
    with app.app_context():
        get_queue().empty()
        with tenant_context(zw.id):
            savepoint = db.session.begin_nested()
            enqueue(PROBE, zw.id, path="released-then-outer-rolled-back")
            savepoint.commit()
            db.session.rollback()
            enqueue(PROBE, zw.id, path="closed-without-commit")
            db.session.close()
            db.session.commit()
    assert _queued_paths(app) == []
