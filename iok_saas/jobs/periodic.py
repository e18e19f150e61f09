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
import os
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from iok_saas.db import db, utcnow
from iok_saas.jobs import JobSpec, enqueue_now, job_in_flight
from iok_saas.jobs.models import FAILED, OK, PeriodicRun
from iok_saas.tenancy.context import tenant_context
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


def _rows(now: datetime) -> dict[str, PeriodicRun]:
    """The state row of every registered job; a new job is due at once (daily ones at their
    time). Two workers creating the same row at once: one insert wins, the other is ignored."""
    rows = {row.name: row for row in db.session.scalars(select(PeriodicRun))}
    for job in registered():
        if job.name in rows:
            continue
        first = now if job.every is not None else job.next_after(now)
        try:
            with db.session.begin_nested():
                row = PeriodicRun(name=job.name, next_run_at=first)
                db.session.add(row)
        except IntegrityError:
            row = db.session.get(PeriodicRun, job.name)
        rows[job.name] = row
    db.session.commit()
    return rows


def tick(now: datetime | None = None) -> list[str]:
    """Claim every job that is due and hand it over; the names of those handed over."""
    now = now or utcnow()
    rows = _rows(now)
    handed = []
    for job in registered():
        if rows[job.name].next_run_at > now:
            continue
        claimed = db.session.execute(
            update(PeriodicRun)
            .where(PeriodicRun.name == job.name, PeriodicRun.next_run_at <= now)
            .values(next_run_at=job.next_after(now), last_run_at=now)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if claimed and _hand_over(job, now):
            handed.append(job.name)
    return handed


def _targets(job: PeriodicJob) -> list[int | None]:
    """``[None]`` for a platform job; the ids of the active cooperatives for the others."""
    if not job.per_cooperative:
        return [None]
    return list(db.session.scalars(
        select(Tenant.id).where(Tenant.status == ACTIVE).order_by(Tenant.id)))


def job_id(job: PeriodicJob, tenant_id: int | None) -> str:
    """The deterministic RQ job id (``iok-periodic-outbox_relay``, ``…-<cooperative id>``):
    a job still queued or running is not queued again. RQ allows no dots or colons."""
    name = job.name.replace(".", "_")
    return f"iok-periodic-{name}" + (f"-{tenant_id}" if tenant_id is not None else "")


def _hand_over(job: PeriodicJob, now: datetime) -> bool:
    """Enqueue the job (per cooperative); with Redis down it stays due for the next tick."""
    targets = _targets(job)
    db.session.commit()
    for tenant_id in targets:
        this_id = job_id(job, tenant_id)
        if job_in_flight(this_id):
            continue
        try:
            enqueue_now(JobSpec(RUN, tenant_id, {"name": job.name}, job_id=this_id,
                                timeout=job.timeout))
        except RedisError as exc:
            log.warning("Redis unreachable, periodic job %s waits: %s", job.name, exc)
            db.session.execute(update(PeriodicRun).where(PeriodicRun.name == job.name)
                               .values(next_run_at=now))
            db.session.commit()
            return False
    return True


def serve(app: Flask, keep_going: Callable[[], bool]) -> None:
    """The scheduler loop of a worker: a tick every ``SCHEDULER_TICK_SECONDS`` while
    ``keep_going()``; a failing tick (database away) is logged and tried again."""
    pause = app.config["SCHEDULER_TICK_SECONDS"]
    while keep_going():
        with app.app_context():
            try:
                tick()
            except Exception:
                log.exception("Periodic scheduler tick failed")
            finally:
                db.session.remove()
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
        _record(name, FAILED, f"{type(exc).__name__}: {exc}"[:1000])
        raise
    _record(name, OK, None)
    return result


def _record(name: str, status: str, error: str | None) -> None:
    db.session.execute(update(PeriodicRun).where(PeriodicRun.name == name).values(
        last_finished_at=utcnow(), last_status=status, last_error=error))
    db.session.commit()


def run_here(name: str) -> list[tuple[int | None, Any]]:
    """Run a job now in this process (``iok jobs run``): per cooperative, each in its own
    context and session; a failure is reported for that cooperative and the rest go on."""
    job = get_job(name)
    _rows(utcnow())
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
