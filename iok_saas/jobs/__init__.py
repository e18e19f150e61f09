"""Background jobs: the cooperative travels with the job as ``tenant_id``.

With ``IOK_REDIS_URL`` jobs go to an RQ queue (JSON serializer, retries with backoff) and
``worker.py`` runs them; without it (the embedded default) they run in this process right
after the current unit of work, once the request or command is done.
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask, current_app, g, has_app_context
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.serializers import JSONSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

from iok_saas.db import db
from iok_saas.extensions import redis_connection
from iok_saas.tenancy.context import tenant_context

PENDING = "iok_pending_jobs"
RETRY_INTERVALS = [10, 60, 300]


def get_queue() -> Queue | None:
    """The RQ queue, or None in the embedded default."""
    connection = redis_connection()
    if connection is None:
        return None
    return Queue(current_app.config["RQ_QUEUE"], connection=connection, serializer=JSONSerializer)


def enqueue(func_path: str, tenant_id: int | None, job_id: str | None = None, **kwargs: Any):
    """Run ``func_path(**kwargs)`` in the background for one cooperative (or the platform)."""
    queue = get_queue()
    if queue is None:
        db.session.info.setdefault(PENDING, []).append((func_path, tenant_id, kwargs))
        return None
    return queue.enqueue(
        "iok_saas.jobs.run_job", func_path, tenant_id, kwargs,
        job_id=job_id, retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
    )


def run_job(func_path: str, tenant_id: int | None, kwargs: dict[str, Any]) -> Any:
    """Entry point of every job: a fresh session, the job's cooperative in context."""
    if not has_app_context():
        from iok_saas import create_app

        with create_app().app_context():
            return run_job(func_path, tenant_id, kwargs)
    module_name, _, name = func_path.rpartition(".")
    func = getattr(importlib.import_module(module_name), name)
    db.session.remove()
    try:
        if tenant_id is None:
            return func(**kwargs)
        with tenant_context(tenant_id):
            return func(**kwargs)
    finally:
        db.session.remove()


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """Embedded default: jobs of a committed transaction become due."""
    due = session.info.pop(PENDING, [])
    if due and has_app_context():
        g.setdefault(PENDING, []).extend(due)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: Any) -> None:
    """A rolled-back transaction sends nothing."""
    session.info.pop(PENDING, None)


def run_pending(exc: BaseException | None = None) -> None:
    """Embedded default: run the jobs committed during this request or command."""
    while pending := g.pop(PENDING, []):
        for func_path, tenant_id, kwargs in pending:
            run_job(func_path, tenant_id, kwargs)


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
    """Embedded mode runs queued jobs when the request or command ends."""
    app.teardown_appcontext(run_pending)
