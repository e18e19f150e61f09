"""Background jobs: the cooperative travels with the job as ``tenant_id``.

``enqueue`` is transactional: the job is handed over only when the current database
transaction commits, and dropped when it rolls back. With ``IOK_REDIS_URL`` it then goes to
an RQ queue (JSON serializer, retries with backoff) and ``worker.py`` runs it; without it (the
embedded default) it runs in this process once the request or command is done. If Redis is
down at that moment the job is lost only for jobs that have no row to recover from — the
outbox relay re-enqueues every message whose job never arrived.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, has_app_context
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

from iok_saas.db import db, platform_work
from iok_saas.extensions import redis_connection
from iok_saas.tenancy.context import tenant_context

log = logging.getLogger(__name__)
PENDING = "iok_pending_jobs"
ABANDON_GRACE = 10  # seconds past a job's timeout before a "started" job counts as abandoned
# The worker module's wrapper, which builds the app when the worker has none (``rq worker``).
RUNNER = "worker.run_job"


@dataclass(frozen=True)
class JobSpec:
    """A job to hand over: what to run, for which cooperative, how."""

    func_path: str
    tenant_id: int | None
    kwargs: dict[str, Any] = field(default_factory=dict)
    job_id: str | None = None
    timeout: int | None = None
    bulk: bool = False  # mass e-mail: a queue workers take from only when the main one is empty


def queue_names(name: str) -> list[str]:
    """The queues a worker listens to, most urgent first: the main one, then bulk mail."""
    return [name, f"{name}-bulk"]


def get_queue(bulk: bool = False) -> Queue | None:
    """The RQ queue (or the bulk one), or None in the embedded default."""
    connection = redis_connection()
    if connection is None:
        return None
    main, bulk_name = queue_names(current_app.config["RQ_QUEUE"])
    return Queue(bulk_name if bulk else main, connection=connection, serializer=JSONSerializer)


def enqueue(func_path: str, tenant_id: int | None, *, job_id: str | None = None,
            timeout: int | None = None, bulk: bool = False, **kwargs: Any) -> None:
    """Run ``func_path(**kwargs)`` for one cooperative once the current transaction commits;
    ``bulk`` jobs wait until no other job does (an announcement to thousands never holds up
    another cooperative's password reset)."""
    spec = JobSpec(func_path, tenant_id, kwargs, job_id, timeout, bulk)
    session = db.session()
    # Tag the job with the innermost transaction, so a rolled-back savepoint drops only
    # the jobs queued inside it.
    session.connection()
    tag = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(PENDING, []).append((tag, spec))


def enqueue_now(spec: JobSpec) -> Job | None:
    """Hand a job to RQ at once (platform code outside a business transaction).

    Embedded default: run it in this process. Raises ``RedisError`` when Redis is down.
    """
    queue = get_queue(spec.bulk)
    if queue is None:
        try:
            # A fresh app context, as a worker would have: nothing of the request (its g, its
            # signed-in user, its cooperative) leaks into the job.
            with current_app.app_context():
                run_job(spec.func_path, spec.tenant_id, spec.kwargs)
        except Exception:
            log.exception("In-process job %s failed", spec.func_path)
        return None
    intervals = current_app.config["JOB_RETRY_INTERVALS"]
    return queue.enqueue(
        RUNNER, spec.func_path, spec.tenant_id, spec.kwargs,
        job_id=spec.job_id, job_timeout=spec.timeout or current_app.config["JOB_TIMEOUT"],
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        failure_ttl=current_app.config["JOB_FAILURE_TTL"],
    )


def run_job(func_path: str, tenant_id: int | None, kwargs: dict[str, Any]) -> Any:
    """Entry point of every job, in the app's context: a fresh session, the job's cooperative
    in context (as the app's role), or none (as the platform role)."""
    module_name, _, name = func_path.rpartition(".")
    func = getattr(importlib.import_module(module_name), name)
    db.session.remove()
    try:
        if tenant_id is None:  # a platform job (relay, recovery): the platform role
            with platform_work():
                return func(**kwargs)
        with tenant_context(tenant_id):
            return func(**kwargs)
    finally:
        db.session.remove()
        # What the job committed hands over its own jobs now (e-mails it queued): a worker
        # keeps one app context for all its jobs, so no teardown would do it.
        hand_over_due()


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """Jobs become due when the outermost transaction commits (not when a savepoint does)."""
    if session.in_nested_transaction():
        return
    due = session.info.pop(PENDING, [])
    if due and has_app_context():
        g.setdefault(PENDING, []).extend(spec for _, spec in due)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: Any) -> None:
    """A rolled-back savepoint drops the jobs queued inside it."""
    pending = session.info.get(PENDING)
    if pending:
        pending[:] = [(tag, spec) for tag, spec in pending
                      if not _within(tag, previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: Any) -> None:
    """The outermost transaction ended without a commit (rollback, close): nothing goes."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def _within(tag: Any, transaction: Any) -> bool:
    while tag is not None:
        if tag is transaction:
            return True
        tag = tag.parent
    return False


def hand_over_due(exc: BaseException | None = None) -> None:
    """When the request or command ends: hand over the jobs of committed transactions."""
    while due := g.pop(PENDING, []):
        for spec in due:
            try:
                enqueue_now(spec)
            except RedisError as error:
                # The request has succeeded; the outbox relay picks the work up later.
                log.warning("Redis unreachable, job %s left for the relay: %s",
                            spec.func_path, error)


def job_in_flight(job_id: str) -> bool:
    """Whether RQ holds this job waiting or running (False in the embedded mode)."""
    connection = redis_connection()
    if connection is None:
        return False
    try:
        job = Job.fetch(job_id, connection=connection)
        status = job.get_status()
    except Exception:
        return False
    if status == JobStatus.STARTED and _abandoned(job):
        return False
    return status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED,
                      JobStatus.DEFERRED)


def _abandoned(job: Job) -> bool:
    """A job "started" for longer than its timeout allows: its worker was killed (RQ notices
    only at its next registry cleaning, minutes later). Nobody runs it any more."""
    if job.started_at is None or not job.timeout or job.timeout < 0:
        return False
    started = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=UTC)
    return datetime.now(UTC) - started > timedelta(seconds=job.timeout + ABANDON_GRACE)


def queue_state() -> tuple[bool, str]:
    """(ok, detail) for /healthz: Redis answering, or the embedded in-process mode."""
    connection = redis_connection()
    if connection is None:
        return True, "in-process (no IOK_REDIS_URL)"
    try:
        connection.ping()
    except RedisError as exc:
        return False, type(exc).__name__
    return True, f"redis, {len(get_queue())} waiting"


def init_app(app: Flask) -> None:
    """Hand over committed jobs when each request or command ends; the periodic jobs'
    state for /metrics."""
    from iok_saas.jobs import periodic
    from iok_saas.jobs.gauges import PlatformGauge, register_gauge

    app.teardown_appcontext(hand_over_due)
    register_gauge(app, PlatformGauge(
        "iok_periodic_job_failing", "1 when a periodic job's last run failed.", ("job",),
        periodic.failing))
