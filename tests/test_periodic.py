"""Periodic jobs: declared by each capability, claimed once, survive a Redis restart."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest
import redis
from redis.exceptions import RedisError
from sqlalchemy import delete, select

from iok_saas.db import db, utcnow
from iok_saas.jobs import get_queue
from iok_saas.jobs.models import FAILED, OK, PeriodicRun
from iok_saas.jobs.periodic import PeriodicJob, job_id, register_periodic, run_here, tick
from iok_saas.mail.models import SENT, OutboxMessage
from tests.fixtures.mail import kill_worker, start_worker
from tests.helpers import REDIS_URL, across_cooperatives, poll, queue_test_message, run_cli
from tests.helpers import outbox_row as row

EVERY_JOB = {"outbox.relay", "imports.recover", "meters.reminders", "applications.purge",
             "announcements.resume", "my_data.purge", "auth.sessions",
             "account_security.remembered", "meters.statements"}


@pytest.fixture
def fresh_schedule(platform):
    """No state left by another test: every job is new to the scheduler."""
    db.session.execute(delete(PeriodicRun))
    db.session.commit()
    yield
    db.session.execute(delete(PeriodicRun))
    db.session.commit()


def _state(name: str) -> PeriodicRun:
    db.session.expire_all()
    return db.session.get(PeriodicRun, name)


def test_every_capability_declares_its_periodic_jobs(app, fresh_schedule):
    result = run_cli(app, "jobs", "list", "--json")
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert set(rows) == EVERY_JOB
    assert rows["applications.purge"]["schedule"] == "daily at 03:30"
    assert rows["applications.purge"]["scope"] == "per cooperative"
    assert rows["outbox.relay"]["scope"] == "platform"
    assert rows["meters.reminders"]["schedule"] == "every 1 h"
    table = run_cli(app, "jobs", "list").output
    assert "outbox.relay" in table and "when a worker starts" in table


def test_a_due_job_is_claimed_once(app, fresh_schedule, zw, baltyk):
    now = utcnow()
    first = tick(now)
    assert {"outbox.relay", "imports.recover", "meters.reminders"} <= set(first)
    assert "applications.purge" not in first  # a daily job waits for its hour
    assert tick(now) == []  # a second worker at the same moment finds nothing due
    relay = _state("outbox.relay")
    assert relay.last_run_at == now and relay.next_run_at == now + timedelta(
        seconds=app.config["OUTBOX_RELAY_SECONDS"])
    # One RQ job per active cooperative for a per-cooperative job, with a deterministic id.
    queued = set(get_queue().get_job_ids())
    job = PeriodicJob("meters.reminders", "x.y", "", every=timedelta(hours=1),
                      per_cooperative=True)
    assert {job_id(job, zw.id), job_id(job, baltyk.id)} <= queued
    assert "iok-periodic-outbox_relay" in queued
    # Due again, while the earlier jobs still wait in the queue: not queued twice.
    assert "outbox.relay" in tick(now + timedelta(seconds=61))
    assert len(get_queue().get_job_ids()) == len(queued)


def test_the_schedule_survives_a_redis_restart(app, fresh_schedule):
    now = utcnow()
    tick(now)
    redis.Redis.from_url(REDIS_URL).flushdb()  # everything Redis knew is gone
    assert "outbox.relay" in tick(now + timedelta(seconds=61))
    assert "iok-periodic-outbox_relay" in get_queue().get_job_ids()


def test_daily_jobs_run_at_their_polish_time():
    job = PeriodicJob("x", "x.y", "", at=time(3, 30))
    winter = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert job.next_after(winter) == datetime(2026, 12, 2, 2, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 03:00 in Warsaw
    assert job.next_after(summer) == datetime(2026, 7, 1, 1, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        PeriodicJob("x", "x.y", "", every=timedelta(seconds=1), at=time(1))


def test_one_cooperatives_failure_stops_nobody_else(app, fresh_schedule, zw, baltyk):
    register_periodic(app, PeriodicJob("probe.fail", "tests.jobs_probe.fail_for_baltyk", "",
                                       every=timedelta(hours=1), per_cooperative=True))
    try:
        results = dict(run_here("probe.fail"))
        assert results[zw.id] == "ok"
        assert isinstance(results[baltyk.id], RuntimeError)
        state = _state("probe.fail")  # Bałtyk's failure stays visible, whatever ran after it
        assert state.last_status == FAILED and f"cooperative {baltyk.id}" in state.last_error
    finally:
        del app.extensions["iok_periodic"]["probe.fail"]


def test_unknown_job_is_a_clear_error(app, fresh_schedule):
    result = run_cli(app, "jobs", "run", "nie-ma")
    assert result.exit_code == 1 and "no periodic job named 'nie-ma'" in result.output


def test_a_running_worker_relays_through_its_scheduler_also_after_redis_lost_everything(
        make_app, smtp, zw, fresh_schedule):
    app = make_app(OUTBOX_RELAY_SECONDS=1, SCHEDULER_TICK_SECONDS=1)
    lost = queue_test_message(app, zw, address="pierwsza@example.org")
    with app.app_context():
        get_queue().empty()  # its job never reached the queue
    worker = start_worker(app.config)
    try:
        assert poll(lambda: row(app, zw, lost).status == SENT, seconds=30)
        redis.Redis.from_url(REDIS_URL).flushdb()  # a Redis restart: queues, schedules gone
        again = queue_test_message(app, zw, address="druga@example.org")
        with app.app_context():
            get_queue().empty()
        assert poll(lambda: row(app, zw, again).status == SENT, seconds=30)
    finally:
        kill_worker(worker)
    assert sorted(m["To"] for m in smtp.mailbox.received) == [
        "druga@example.org", "pierwsza@example.org"]
    with app.app_context():
        assert _state("outbox.relay").last_status == OK
        sent = across_cooperatives(select(OutboxMessage.status))
        assert {status for status, in sent} == {SENT}


def test_a_job_that_cannot_be_handed_over_stays_due(make_app, fresh_schedule):
    from tests.fixtures.mail import free_port

    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    now = utcnow()
    with app.app_context():
        with pytest.raises(RedisError):  # said once by the scheduler's loop, not per job
            tick(now)
        relay = _state("outbox.relay")
        assert relay.next_run_at == now and relay.last_run_at is None


def test_the_purge_also_runs_where_the_portal_is_switched_off(app, fresh_schedule, zw):
    from iok_saas.jobs.periodic import _targets, get_job
    from iok_saas.tenancy import services

    services.set_status("zielone-wzgorza", "disabled")
    db.session.commit()
    try:
        assert zw.id in _targets(get_job("applications.purge"))
        assert zw.id not in _targets(get_job("meters.reminders"))
    finally:
        services.set_status("zielone-wzgorza", "active")
        db.session.commit()
