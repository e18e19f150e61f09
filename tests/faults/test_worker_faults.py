"""The worker through Redis outages: it starts while Redis is down, outlives a stop, and
e-mails created meanwhile all go out once Redis is back, with no manual step."""

from __future__ import annotations

import threading

from iok_saas.mail.models import SENT
from tests.fixtures.mail import RedisServer, kill_worker, start_worker
from tests.helpers import outbox_row as row
from tests.helpers import poll, queue_test_message


def test_the_worker_outlives_redis_and_sends_what_waited(make_app, smtp, zw):
    redis_server = RedisServer()
    redis_server.start()
    app = make_app(REDIS_URL=redis_server.url, OUTBOX_RELAY_SECONDS=1, SCHEDULER_TICK_SECONDS=1)
    smtp.mailbox.stall = threading.Event()
    worker = start_worker(app.config)
    try:
        first = queue_test_message(app, zw, address="przed@example.org")
        assert smtp.mailbox.in_data.wait(30), "the job never reached the mail server"
        redis_server.stop()  # Redis stops while the worker runs a job ...
        smtp.mailbox.stall.set()  # ... which then finishes: RQ cannot record it
        assert poll(lambda: row(app, zw, first).status == SENT, seconds=30)
        during = [queue_test_message(app, zw, address=f"w-trakcie-{n}@example.org")
                  for n in range(5)]  # the requests succeed; the e-mails wait
        assert worker.poll() is None, "the worker must not exit"
        redis_server.start()  # back, and empty: the queue and its jobs are gone
        assert poll(lambda: all(row(app, zw, m).status == SENT for m in during), seconds=60)
        assert worker.poll() is None
    finally:
        kill_worker(worker)
        redis_server.stop()
    addresses = sorted(m["To"] for m in smtp.mailbox.received)
    assert addresses == sorted(["przed@example.org",
                                *(f"w-trakcie-{n}@example.org" for n in range(5))])


def test_the_worker_starts_while_redis_is_down(make_app, smtp, zw):
    redis_server = RedisServer()
    redis_server.start()
    app = make_app(REDIS_URL=redis_server.url, OUTBOX_RELAY_SECONDS=1, SCHEDULER_TICK_SECONDS=1)
    redis_server.stop()
    waiting = queue_test_message(app, zw, address="czeka@example.org")
    worker = start_worker(app.config)
    try:
        assert not poll(lambda: worker.poll() is not None, seconds=3), "it must wait, not exit"
        redis_server.start()
        assert poll(lambda: row(app, zw, waiting).status == SENT, seconds=60)
    finally:
        kill_worker(worker)
        redis_server.stop()
    assert [m["To"] for m in smtp.mailbox.received] == ["czeka@example.org"]
