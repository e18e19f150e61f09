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
import signal
import socket
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
from iok_saas.jobs import gauges, periodic, queue_names
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
    """The scheduler process: a tick every few seconds until the worker is gone (a Ctrl+C
    meant for the worker stops it through the worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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


class Stop:
    """The stop asked of this process (SIGTERM, SIGINT): once asked the worker finishes or
    hands back its job and exits; asked again, it exits at once."""

    asked = False

    @classmethod
    def ask(cls, signum: int, frame: Any) -> None:
        if cls.asked:
            raise SystemExit(f"stopped at once ({signal.Signals(signum).name} again)")
        cls.asked = True
        log.warning("Stop asked (%s): finishing", signal.Signals(signum).name)

    @classmethod
    def install(cls) -> None:
        """Ours while the worker is not inside RQ's loop (which installs its own)."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, cls.ask)


class IokWorker(Worker):
    """RQ's worker that remembers a stop asked while it was idle (RQ ends its loop then but
    keeps no mark of why, so the loop around it could not tell a stop from a lost Redis), and
    that waits at most a few seconds between attempts to reach Redis again."""

    max_connection_wait_time = 5.0

    def request_stop(self, signum: int, frame: Any) -> None:
        Stop.asked = True
        super().request_stop(signum, frame)

    def dequeue_job_and_maintain_ttl(self, timeout: int | None,
                                     max_idle_time: int | None = None) -> Any:
        # A stop asked just before RQ's loop took over the signals: nothing more is taken.
        if Stop.asked:
            return None
        return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)


class RedisNotice(logging.Filter):
    """RQ repeats "could not connect to Redis" at every attempt and logs a full traceback when
    Redis goes away during its bookkeeping: one line while Redis is away, one when it is back
    (the heartbeat says so)."""

    away = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "could not connect to Redis" in message or "unhandled exception" in message:
            record.exc_info = record.exc_text = None
            if RedisNotice.away:
                return False
            RedisNotice.away = True
        return True


def _redis_back() -> None:
    if RedisNotice.away:
        RedisNotice.away = False
        log.warning("Redis is back: working again")


def _wait_for_redis(connection: Redis, pause: float = 0.5, longest: float = 2.0) -> bool:
    """True once Redis answers; while it does not, say so once and keep asking (False: a stop
    was asked meanwhile)."""
    while not Stop.asked:
        try:
            connection.ping()
        except RedisError as exc:
            if not RedisNotice.away:
                RedisNotice.away = True
                log.warning("Redis is unreachable (%s): waiting for it; e-mails and jobs wait "
                            "in the database meanwhile", exc)
            time.sleep(pause)
            pause = min(pause * 2, longest)
            continue
        _redis_back()
        return True
    return False


def _beat(connection: Redis, name: str, every: float) -> None:
    """A thread of the worker: its heartbeat for /metrics every ``every`` seconds, written
    again at once when Redis comes back empty (RQ's own registration would be lost then)."""
    while True:
        try:
            gauges.beat(connection, name)
            _redis_back()
        except RedisError:
            pass  # the work loop says that Redis is away
        time.sleep(every)


def work(app, connection: Redis, *, burst: bool) -> None:
    """Work the queue until a stop is asked (or, with ``burst``, the queue is empty); when Redis
    goes away (RQ's loop then ends), wait for it and carry on with a new RQ worker. A job cut
    off meanwhile is found again: its outbox row or import run is still waiting, and the relay
    or the recovery hands it over. Retries whose time has come are moved onto the queue by the
    scheduler process (``iok_saas.jobs.retries``), not by RQ's scheduler, whose lock outlives a
    killed worker by a minute and is tried again only every ten."""
    while _wait_for_redis(connection):
        try:
            if not burst:
                _forget_legacy_relay(connection)
            # The main queue first: bulk mail is taken only when nothing else waits.
            worker = IokWorker(queue_names(app.config["RQ_QUEUE"]), connection=connection,
                               serializer=JSONSerializer)
            worker.work(burst=burst, with_scheduler=False)
        except RedisError as exc:
            if not RedisNotice.away:
                RedisNotice.away = True
                log.warning("Lost Redis while working (%s)", exc)
            continue
        finally:
            Stop.install()  # RQ's handlers point at the worker that just ended
        if burst or Stop.asked:
            return


def main() -> None:
    """Start a worker on the configured queue (``--burst`` stops when the queue is empty and
    starts no scheduler). It starts, and goes on, while Redis is down: it waits for it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    args = parser.parse_args()
    app = create_app()  # it sets up the one-line log (iok_saas/web/logs.py)
    Stop.install()
    logging.getLogger("rq.worker").addFilter(RedisNotice())
    name = f"{socket.gethostname()}.{os.getpid()}"
    with app.app_context():
        connection = redis_connection()
        if connection is None:
            raise SystemExit("IOK_REDIS_URL is not set: jobs run in-process, no worker needed.")
        if not args.burst:
            threading.Thread(target=_keep_scheduler_running, name="iok-scheduler-watch",
                             daemon=True).start()
            threading.Thread(target=_beat, args=(connection, name,
                                                 app.config["WORKER_BEAT_SECONDS"]),
                             name="iok-heartbeat", daemon=True).start()
        work(app, connection, burst=args.burst)
        with contextlib.suppress(RedisError):
            gauges.beat_off(connection, name)  # gone now, not in 30 s
    log.warning("The worker stopped")


if __name__ == "__main__":
    main()
