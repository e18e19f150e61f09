"""Periodic jobs: each capability declares its own from ``init_app``; the worker runs them.

Why a small loop of our own rather than RQ's cron scheduler: the schedule is declared in code
(this registry) and when each job is next due is kept in PostgreSQL (``periodic_run``), so it
survives a Redis restart and any number of workers; a due job is claimed with one conditional
UPDATE, so of several workers exactly one hands it over, and its RQ job id is deterministic
(``iok-periodic-<name>[-<cooperative>]``), so a job still queued or running is not queued
twice. RQ's cron keeps its state in the memory of one extra process, which would run every job
twice if two were started, and cannot tell ``iok jobs list`` when a job last ran.

A per-cooperative job is handed over as one RQ job per active cooperative, each in that
cooperative's context (the tenant filter applies; one cooperative's failure stops nobody else).
"""

from __future__ import annotations

import importlib
import logging
import math
import os
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from iok_saas.db import db, platform_work, utcnow
from iok_saas.jobs import JobSpec, enqueue_now, job_in_flight
from iok_saas.jobs.models import FAILED, OK, PeriodicRun
from iok_saas.tenancy.context import current_tenant_id, tenant_context
from iok_saas.tenancy.models import ACTIVE, Tenant
from iok_saas.web.formatting import WARSAW

log = logging.getLogger(__name__)
RUN = "iok_saas.jobs.periodic.run"
EXTENSION = "iok_periodic"


@dataclass(frozen=True)
class PeriodicJob:
    """A job that runs by itself: every so often, or daily at a Polish time."""

    name: str
    func_path: str
    description: str
    every: timedelta | None = None
    at: time | None = None
    per_cooperative: bool = False
    disabled_too: bool = False  # per cooperative: also for cooperatives switched off
    timeout: int | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.at is None):
            raise ValueError(f"periodic job {self.name}: give either every= or at=")

    def next_after(self, moment: datetime) -> datetime:
        """When the job is due next after ``moment`` (UTC)."""
        if self.every is not None:
            return moment + self.every
        local = moment.astimezone(WARSAW)
        due = datetime.combine(local.date(), self.at, WARSAW)
        if due <= local:
            due = datetime.combine(local.date() + timedelta(days=1), self.at, WARSAW)
        return due.astimezone(UTC)

    @property
    def schedule(self) -> str:
        """``every 60 s``, ``every 1 h`` or ``daily at 03:30`` (Polish time), for the operator."""
        if self.at is not None:
            return f"daily at {self.at:%H:%M}"
        seconds = int(self.every.total_seconds())
        for unit, size in (("h", 3600), ("min", 60)):
            if seconds % size == 0 and seconds >= size * (2 if unit == "min" else 1):
                return f"every {seconds // size} {unit}"
        return f"every {seconds} s"


def register_periodic(app: Flask, job: PeriodicJob) -> None:
    """Declare a periodic job (called from a capability's ``init_app``)."""
    jobs = app.extensions.setdefault(EXTENSION, {})
    if job.name in jobs:
        raise ValueError(f"periodic job {job.name} is registered twice")
    jobs[job.name] = job


def registered() -> list[PeriodicJob]:
    """Every periodic job of the app, by name."""
    return sorted(current_app.extensions.get(EXTENSION, {}).values(), key=lambda j: j.name)


def get_job(name: str) -> PeriodicJob:
    """The registered job of this name; KeyError for an unknown one."""
    return current_app.extensions.get(EXTENSION, {})[name]


# --- the scheduler ------------------------------------------------------------------------------


def _due_times(now: datetime) -> dict[str, datetime]:
    """When each registered job is due; a new job is due at once (daily ones at their time).
    Two workers creating the same row at once: one insert wins, the other is ignored."""
    due = dict(db.session.execute(select(PeriodicRun.name, PeriodicRun.next_run_at)).all())
    for job in registered():
        if job.name in due:
            continue
        due[job.name] = now if job.every is not None else job.next_after(now)
        try:
            with db.session.begin_nested():
                db.session.add(PeriodicRun(name=job.name, next_run_at=due[job.name]))
        except IntegrityError:
            pass
    db.session.commit()
    return due


def tick(now: datetime | None = None) -> list[str]:
    """Claim every job that is due and hand it over; the names of those handed over."""
    now = now or utcnow()
    due = _due_times(now)
    handed, trouble = [], None
    for job in registered():
        try:
            if due[job.name] <= now and _claim(job, now):
                handed.append(job.name)
        except Exception as exc:  # the others are still handed over; the first error is said
            trouble = trouble or exc
    if trouble is not None:
        raise trouble
    return handed


def _claim(job: PeriodicJob, now: datetime) -> bool:
    """Move the job's due time on with one conditional UPDATE (of several workers one wins),
    then hand it over; if that fails in any way, the job is due again at the next tick."""
    claimed = db.session.execute(
        update(PeriodicRun).where(PeriodicRun.name == job.name, PeriodicRun.next_run_at <= now)
        .values(next_run_at=job.next_after(now))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:
        return False
    try:
        _hand_over(job)
    except Exception:
        db.session.rollback()
        _set(job.name, next_run_at=now)
        raise  # the scheduler says it once (serve's Trouble); the job stays due
    _set(job.name, last_run_at=now)
    return True


def _set(name: str, **values: Any) -> None:
    db.session.execute(update(PeriodicRun).where(PeriodicRun.name == name).values(**values))
    db.session.commit()


def _targets(job: PeriodicJob) -> list[int | None]:
    """``[None]`` for a platform job; the cooperatives' ids for the others (the active ones,
    or all with ``disabled_too``)."""
    if not job.per_cooperative:
        return [None]
    stmt = select(Tenant.id).order_by(Tenant.id)
    if not job.disabled_too:
        stmt = stmt.where(Tenant.status == ACTIVE)
    return list(db.session.scalars(stmt))


def job_id(job: PeriodicJob, tenant_id: int | None) -> str:
    """The deterministic RQ job id (``iok-periodic-outbox_relay``, ``…-<cooperative id>``):
    a job still queued or running is not queued again. RQ allows no dots or colons."""
    name = job.name.replace(".", "_")
    return f"iok-periodic-{name}" + (f"-{tenant_id}" if tenant_id is not None else "")


def _hand_over(job: PeriodicJob) -> None:
    """Enqueue the job (per cooperative); raises ``RedisError`` when Redis is down."""
    targets = _targets(job)
    db.session.commit()
    for tenant_id in targets:
        this_id = job_id(job, tenant_id)
        if not job_in_flight(this_id):
            enqueue_now(JobSpec(RUN, tenant_id, {"name": job.name}, job_id=this_id,
                                timeout=job.timeout))


class Trouble:
    """One log line when a part of the scheduler's round starts failing (with what failed),
    one when it works again — not a traceback every tick while the database or Redis is away."""

    def __init__(self, what: str) -> None:
        self.what, self.failing = what, False

    def failed(self, exc: BaseException) -> None:
        if not self.failing:
            self.failing = True
            log.warning("%s failed (%s: %s); trying again every tick", self.what,
                        type(exc).__name__, exc)

    def worked(self) -> None:
        if self.failing:
            self.failing = False
            log.warning("%s works again", self.what)


def serve(app: Flask, keep_going: Callable[[], bool]) -> None:
    """The scheduler loop of a worker, as the platform role: every ``SCHEDULER_TICK_SECONDS``
    while ``keep_going()``, hand over the periodic jobs that are due and move the retries whose
    time has come onto their queue (``iok_saas.jobs.retries``); every
    ``METRICS_SNAPSHOT_SECONDS`` the platform figures for ``/metrics``. A failing part (the
    database or Redis away) is said once and tried again at every tick."""
    from iok_saas.jobs.gauges import write_snapshot
    from iok_saas.jobs.retries import release_due

    pause = app.config["SCHEDULER_TICK_SECONDS"]
    counted = -math.inf
    parts = {name: Trouble(what) for name, what in (
        ("tick", "Handing over the periodic jobs"), ("retries", "Moving due retries"),
        ("figures", "Counting the platform figures for /metrics"))}
    while keep_going():
        with app.app_context(), platform_work():
            for name, step in (("tick", tick), ("retries", release_due)):
                try:
                    step()
                    parts[name].worked()
                except Exception as exc:
                    parts[name].failed(exc)
                    db.session.rollback()
            if clock.monotonic() - counted >= app.config["METRICS_SNAPSHOT_SECONDS"]:
                try:
                    write_snapshot()
                    counted = clock.monotonic()
                    parts["figures"].worked()
                except Exception as exc:
                    parts["figures"].failed(exc)
        clock.sleep(pause)


def parent_alive(parent_pid: int) -> Callable[[], bool]:
    """``keep_going`` for a scheduler process: stop once the worker that started it is gone."""
    return lambda: os.getppid() == parent_pid


# --- running a job ------------------------------------------------------------------------------


def run(name: str) -> Any:
    """The RQ job: run one periodic job (one cooperative's share of it), commit, record."""
    job = get_job(name)
    module_name, _, attr = job.func_path.rpartition(".")
    func = getattr(importlib.import_module(module_name), attr)
    try:
        result = func()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        who = f"cooperative {current_tenant_id()}: " if current_tenant_id() else ""
        with platform_work():  # the bookkeeping is the platform's, not the cooperative's
            _set(name, last_finished_at=utcnow(), last_status=FAILED,
                 last_error=f"{who}{type(exc).__name__}: {exc}"[:1000])
        raise
    with platform_work():
        _record_success(name)
    return result


def _record_success(name: str) -> None:
    """A success clears the error of an earlier round, never a failure of another cooperative
    in this round (``iok jobs list`` keeps showing it until the next round)."""
    not_failed_this_round = or_(
        func.coalesce(PeriodicRun.last_status, "") != FAILED,
        PeriodicRun.last_finished_at.is_(None), PeriodicRun.last_run_at.is_(None),
        PeriodicRun.last_finished_at < PeriodicRun.last_run_at)
    db.session.execute(update(PeriodicRun).where(PeriodicRun.name == name, not_failed_this_round)
                       .values(last_status=OK, last_error=None))
    _set(name, last_finished_at=utcnow())


def run_here(name: str) -> list[tuple[int | None, Any]]:
    """Run a job now in this process (``iok jobs run``): per cooperative, each in its own
    context and session; a failure is reported for that cooperative and the rest go on."""
    job = get_job(name)
    now = utcnow()
    _due_times(now)
    _set(name, last_run_at=now)
    results = []
    for tenant_id in _targets(job):
        db.session.remove()
        try:
            if tenant_id is None:
                results.append((None, run(name)))
            else:
                with tenant_context(tenant_id):
                    results.append((tenant_id, run(name)))
        except Exception as exc:
            log.exception("Periodic job %s failed for cooperative %s", name, tenant_id)
            results.append((tenant_id, exc))
        finally:
            db.session.remove()
    return results


def failing() -> list[tuple[tuple[str], float]]:
    """For /metrics: 1 for each job whose last run failed, else 0."""
    status = dict(db.session.execute(select(PeriodicRun.name, PeriodicRun.last_status)).all())
    return [((job.name,), float(status.get(job.name) == FAILED)) for job in registered()]


def table() -> list[dict[str, Any]]:
    """Every registered job with its schedule and its last and next run, for the operator."""
    rows = {row.name: row for row in db.session.scalars(select(PeriodicRun))}
    result = []
    for job in registered():
        row = rows.get(job.name)
        result.append({
            "name": job.name, "schedule": job.schedule,
            "scope": "per cooperative" if job.per_cooperative else "platform",
            "description": job.description,
            "last_run": row.last_run_at if row else None,
            "last_finished": row.last_finished_at if row else None,
            "last_status": row.last_status if row else None,
            "last_error": row.last_error if row else None,
            "next_run": row.next_run_at if row else None,
        })
    return result
