"""The background worker: ``python worker.py`` runs RQ jobs with the app context, and a
scheduler process beside it that hands over the periodic jobs when they are due.

Each job sets its own cooperative from its ``tenant_id`` argument (see ``iok_saas.jobs``).
The periodic jobs (the outbox relay, import recovery, reading reminders, the daily purge of
unconfirmed applications…) are declared by each capability; ``iok jobs list`` shows them.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from iok_saas import create_app
from iok_saas.extensions import redis_connection
from iok_saas.jobs import periodic, queue_names
from iok_saas.jobs import run_job as run_in_app


def run_job(func_path: str, tenant_id: int | None, kwargs: dict[str, Any]) -> Any:
    """What RQ calls for every job: in the worker's app, or in a new one (a plain
    ``rq worker`` has none)."""
    from flask import has_app_context

    if has_app_context():
        return run_in_app(func_path, tenant_id, kwargs)
    with create_app().app_context():
        return run_in_app(func_path, tenant_id, kwargs)


log = logging.getLogger("worker")
# The self-rescheduling relay job of earlier versions; the scheduler replaced it.
LEGACY_RELAY_JOB = "iok-outbox-relay"


def scheduler(parent_pid: int) -> None:
    """The scheduler process: a tick every few seconds until the worker is gone."""
    periodic.serve(create_app(), periodic.parent_alive(parent_pid))


def _start_scheduler() -> multiprocessing.Process:
    # A process of its own (spawned, not forked): nothing of the worker's connections or
    # locks is shared with it.
    process = multiprocessing.get_context("spawn").Process(
        target=scheduler, args=(os.getpid(),), name="iok-scheduler", daemon=True)
    process.start()
    return process


def _keep_scheduler_running(every: float = 30) -> None:
    """A thread of the worker: start the scheduler again if it died (it only looks at the
    process; the database and Redis stay the scheduler's business)."""
    process = _start_scheduler()
    while True:
        process.join(every)
        if not process.is_alive():
            log.error("The periodic scheduler stopped (exit code %s); starting it again",
                      process.exitcode)
            process = _start_scheduler()


def _forget_legacy_relay(connection) -> None:
    with contextlib.suppress(Exception):
        Job.fetch(LEGACY_RELAY_JOB, connection=connection).delete()


def _wait_for_redis(connection: Redis, pause: float = 1.0, longest: float = 10.0) -> None:
    """Return once Redis answers; while it does not, say so once and keep asking."""
    said = False
    while True:
        try:
            connection.ping()
        except RedisError as exc:
            if not said:
                log.warning("Redis is unreachable (%s): waiting for it; e-mails and jobs wait "
                            "in the database meanwhile", exc)
                said = True
            time.sleep(pause)
            pause = min(pause * 2, longest)
            continue
        if said:
            log.warning("Redis is back: working again")
        return


def work(app, connection: Redis, *, burst: bool) -> None:
    """Work the queue; when Redis goes away (RQ's own bookkeeping then raises), wait for it
    and carry on with a new worker. A job cut off meanwhile is found again: its outbox row or
    import run is still waiting, and the relay or the recovery hands it over."""
    while True:
        _wait_for_redis(connection)
        try:
            if not burst:
                _forget_legacy_relay(connection)
            # The main queue first: bulk mail is taken only when nothing else waits.
            worker = Worker(queue_names(app.config["RQ_QUEUE"]), connection=connection,
                            serializer=JSONSerializer)
            worker.work(burst=burst, with_scheduler=True)
        except RedisError as exc:
            log.warning("Lost Redis while working (%s)", exc)
            continue
        # RQ's loop also ends, logging "unhandled exception, quitting", when Redis goes away
        # during its bookkeeping: only an empty queue (burst) or a stop request ends ours.
        if burst or worker._stop_requested:
            return
        log.warning("The worker stopped working (Redis lost?): starting again once Redis "
                    "answers")


def main() -> None:
    """Start a worker on the configured queue (``--burst`` stops when the queue is empty and
    starts no scheduler). It starts, and goes on, while Redis is down: it waits for it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    args = parser.parse_args()
    app = create_app()  # it sets up the one-line log (iok_saas/web/logs.py)
    with app.app_context():
        connection = redis_connection()
        if connection is None:
            raise SystemExit("IOK_REDIS_URL is not set: jobs run in-process, no worker needed.")
        if not args.burst:
            threading.Thread(target=_keep_scheduler_running, name="iok-scheduler-watch",
                             daemon=True).start()
        work(app, connection, burst=args.burst)


if __name__ == "__main__":
    main()
