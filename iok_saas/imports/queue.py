"""Imports handed to the worker: an upload from the staff panel or the API.

The file goes into the cooperative's file store (PostgreSQL: web and worker need no shared
disk), an import run is recorded as *queued* and the job is enqueued with it, in one
transaction. The job claims the run (a second job for the same run does nothing), imports a
temporary copy, and deletes the stored file. Progress goes to Redis, where the panel page reads
it.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from typing import BinaryIO

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func, select, update

from iok_saas import files
from iok_saas.db import db, utcnow
from iok_saas.db.bulk import imports_running
from iok_saas.extensions import redis_connection
from iok_saas.imports import models
from iok_saas.imports.kinds import DOCUMENTS
from iok_saas.imports.reading import FileTooLarge, ImportFileError
from iok_saas.imports.runner import is_json, max_bytes, run_import, too_large_message
from iok_saas.jobs import JobSpec, enqueue, enqueue_now, job_in_flight
from iok_saas.tenancy.context import ALL_TENANTS, require_tenant_id, tenant_context
from iok_saas.tenancy.keys import tenant_key

log = logging.getLogger(__name__)
PROGRESS_TTL = 24 * 3600
PROCESS = "iok_saas.imports.queue.process"
# A run this young may not hold its cooperative's import lock yet (claimed, not yet locked).
LOCK_GRACE = timedelta(seconds=60)
PURPOSE = "import_upload"
JSON_TYPE = "application/json"
ZIP_TYPE = "application/zip"  # documents for units: PDFs and their manifest
SUFFIXES = {JSON_TYPE: ".json", ZIP_TYPE: ".zip"}  # the worker's copy (else ".csv")


def queue_upload(kind: str, source: BinaryIO, filename: str, *, dry_run: bool, actor: str,
                 origin: str, json: bool | None = None) -> models.ImportRun:
    """Store the upload, record a queued run, enqueue its job (no commit).

    Raises ``FileTooLarge`` or ``ImportFileError`` (an empty file); the caller rolls back then
    and nothing is kept.
    """
    tenant_id = require_tenant_id()
    as_json = is_json(filename) if json is None else json
    content_type = ZIP_TYPE if kind == DOCUMENTS else JSON_TYPE if as_json else "text/csv"
    try:
        stored = files.store_stream(source, filename=filename, purpose=PURPOSE,
                                    content_type=content_type, max_bytes=max_bytes())
    except files.TooLarge as exc:
        raise FileTooLarge(too_large_message(exc.size)) from None
    except files.FileProblem as exc:
        raise ImportFileError(str(exc)) from None
    run = models.ImportRun(kind=kind, filename=stored.filename, actor=actor[:120],
                           source=origin, status=models.QUEUED, file_id=stored.id,
                           size=stored.size, dry_run=dry_run)
    db.session.add(run)
    db.session.flush()
    enqueue(PROCESS, tenant_id, run_id=run.id, job_id=_job_id(tenant_id, run.id),
            timeout=current_app.config["IMPORT_JOB_TIMEOUT"])
    return run


def _job_id(tenant_id: int, run_id: int) -> str:
    return f"iok-import-{tenant_id}-{run_id}"


def recover() -> dict[str, int]:
    """Platform-wide, every minute: enqueue queued imports whose job never reached Redis;
    mark runs whose process was killed (or cut off by the job timeout) as interrupted, each
    in its cooperative's context, its upload deleted."""
    now = utcnow()
    interrupted = sum(_interrupt(run_id, tenant_id) for run_id, tenant_id in _dead_runs(now))
    waiting = db.session.execute(
        select(models.ImportRun.id, models.ImportRun.tenant_id)
        .where(models.ImportRun.status == models.QUEUED,
               models.ImportRun.created_at < now - timedelta(seconds=60))
        .execution_options(**{ALL_TENANTS: True})).all()
    enqueued = 0
    for run_id, tenant_id in waiting:
        if job_in_flight(_job_id(tenant_id, run_id)):
            continue
        try:
            enqueue_now(JobSpec(PROCESS, tenant_id, {"run_id": run_id},
                                job_id=_job_id(tenant_id, run_id),
                                timeout=current_app.config["IMPORT_JOB_TIMEOUT"]))
        except RedisError as exc:
            log.warning("Redis unreachable, import run %s waits: %s", run_id, exc)
            break
        enqueued += 1
    return {"imports_interrupted": interrupted, "imports_enqueued": enqueued}


def gauge_runs() -> list[tuple[tuple[str], float]]:
    """For /metrics: import runs of every cooperative by status."""
    rows = dict(db.session.execute(
        select(models.ImportRun.status, func.count()).group_by(models.ImportRun.status)
        .execution_options(**{ALL_TENANTS: True})).all())
    statuses = (models.QUEUED, models.RUNNING, models.DONE, models.FAILED, models.INTERRUPTED)
    return [((status,), float(rows.get(status, 0))) for status in statuses]


def _dead_runs(now) -> list[tuple[int, int]]:
    """Running imports nobody works on: past the job timeout, or (PostgreSQL) a minute old
    while no import of their cooperative holds its lock — a killed process lets go of it."""
    timeout = now - timedelta(seconds=current_app.config["IMPORT_JOB_TIMEOUT"] + 300)
    running = db.session.execute(
        select(models.ImportRun.id, models.ImportRun.tenant_id, models.ImportRun.started_at)
        .where(models.ImportRun.status == models.RUNNING,
               models.ImportRun.started_at < now - LOCK_GRACE)
        .execution_options(**{ALL_TENANTS: True})).all()
    dead = [(run_id, tenant_id) for run_id, tenant_id, started in running
            if started < timeout or imports_running(db.session, tenant_id) is False]
    db.session.commit()
    return dead


def _interrupt(run_id: int, tenant_id: int) -> int:
    """Mark one dead run interrupted in its cooperative's context; 1 if it was still running."""
    db.session.remove()
    with tenant_context(tenant_id):
        done = _end_running(run_id, models.INTERRUPTED)
    db.session.remove()
    return done


def process(run_id: int) -> str:
    """The job: claim the queued run, import its file, delete the file."""
    claimed = db.session.execute(
        update(models.ImportRun).where(models.ImportRun.id == run_id,
                                       models.ImportRun.status == models.QUEUED)
        .values(status=models.RUNNING, started_at=utcnow())).rowcount
    db.session.commit()
    if not claimed:
        return "not queued"
    run = db.session.scalar(select(models.ImportRun).where(models.ImportRun.id == run_id))
    stored = files.find(run.file_id) if run.file_id else None
    if stored is None:  # an upload that never reached the store (see migration 0009)
        _end_running(run_id, models.FAILED)
        return "no file"
    suffix = SUFFIXES.get(stored.content_type, ".csv")
    try:
        with files.spooled(stored.id, suffix) as path:
            report = run_import(run.kind, path, filename=run.filename, dry_run=run.dry_run,
                                actor=run.actor, source=run.source, run=run,
                                progress=lambda done, total: _progress(run_id, done, total))
    except Exception:
        log.exception("Import run %s failed", run_id)
        db.session.rollback()
        _end_running(run_id, models.FAILED)
        raise
    _discard_upload(run_id)
    return "ok" if report.ok else "problems"


def _end_running(run_id: int, status: str) -> int:
    """End a run that is still running as ``status`` (failed, interrupted), delete its upload,
    commit (the job's own step: other workers must see it ended); 1 when it ended now."""
    ended = db.session.execute(update(models.ImportRun).where(
        models.ImportRun.id == run_id, models.ImportRun.status == models.RUNNING)
        .values(status=status, finished_at=utcnow())).rowcount
    _discard_upload(run_id)
    return ended


def _discard_upload(run_id: int) -> None:
    """The upload is not needed once the run has ended: detach it from the run, delete it,
    commit."""
    file_id = db.session.scalar(select(models.ImportRun.file_id)
                                .where(models.ImportRun.id == run_id))
    if file_id is not None:
        db.session.execute(update(models.ImportRun).where(models.ImportRun.id == run_id)
                           .values(file_id=None))
        files.delete(file_id)
    db.session.commit()


def _key(run_id: int) -> str:
    return tenant_key(require_tenant_id(), "import-progress", run_id)


def _progress(run_id: int, done: int, total: int) -> None:
    connection = redis_connection()
    if connection is None:
        return
    with contextlib.suppress(RedisError):  # progress is a nicety; the import goes on
        connection.set(_key(run_id), f"{done}/{total}", ex=PROGRESS_TTL)


def progress_percent(run: models.ImportRun) -> int | None:
    """How far the worker is with a running import (None when not known)."""
    connection = redis_connection()
    if connection is None or run.status != models.RUNNING:
        return None
    try:
        raw = connection.get(_key(run.id))
    except RedisError:
        return None
    if not raw:
        return 0
    done, _, total = raw.decode().partition("/")
    return min(100, int(done) * 100 // max(int(total), 1))


def history(limit: int = 50) -> list[models.ImportRun]:
    """The latest imports, newest first."""
    return list(db.session.scalars(
        select(models.ImportRun).order_by(models.ImportRun.id.desc()).limit(limit)))


def find_run(run_id: int) -> models.ImportRun | None:
    """One import run of the current cooperative."""
    return db.session.scalar(select(models.ImportRun).where(models.ImportRun.id == run_id))
