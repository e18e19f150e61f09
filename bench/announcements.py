"""An announcement e-mailed to 10 000 residents: the staff request, and the sending.

    .venv/bin/python bench/announcements.py [--residents 10000] [--workers 2] [--rounds 5]

A fresh database (``bench.common.Database``) gets one Bałtyk building with ``--residents`` flats,
each with a resident who asked for announcements by e-mail, and a clerk. Redis on
127.0.0.1:6379 (database 13, emptied) holds the queues; a local SMTP sink (aiosmtpd, in this
process) counts what arrives.

1. **The publish request**: the clerk's POST of the staff form (CSRF, the whole view), through
   the app in this process, ``--rounds`` times with *Wyślij też e-mailem* and as many times
   without it (the reference), interleaved. The request only stores the announcement and hands
   one job over, so the two should cost the same whatever the number of residents.
2. **The sending**: the queues are emptied but for the first announcement's fan-out job, then
   ``--workers`` real ``worker.py`` processes start; the time until the sink has every message
   (each exactly once) gives the rate. The reference is a plain ``smtplib`` loop in one process
   sending the same number of messages of the same size to the same sink over one connection —
   the cost of SMTP alone on this machine, with none of the outbox's bookkeeping (claim, the
   mark before DATA, the result, each committed) — and the same loop opening a connection per
   message, as the outbox did for every message before bulk chunks.
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    ADMIN,
    SLUG,
    TOKEN,
    Database,
    machine,
    markdown_table,
    production_env,
    url,
)
from bench.page import bounded  # noqa: E402

REDIS_URL = os.environ.get("IOK_BENCH_REDIS", "redis://127.0.0.1:6379/13")
CLERK, PASSWORD = "bench.obsluga", "Bench-Ogloszenia-2026"


class Sink:
    """aiosmtpd counting the messages it accepts (and the distinct recipients)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope) -> str:
                sink.recipients.extend(envelope.rcpt_tos)
                sink.sizes.append(len(envelope.content))
                return "250 OK"

        self.recipients: list[str] = []
        self.sizes: list[int] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> int:
        self.controller.start()
        return self.port

    def stop(self) -> None:
        self.controller.stop()


def populate(database: Database, residents: int) -> None:
    """One building of ``residents`` flats, each with a consenting resident; a clerk."""
    from sqlalchemy import insert, select

    from iok_saas.auth.models import CLERK as CLERK_ROLE
    from iok_saas.auth.models import RESIDENT, User
    from iok_saas.auth.passwords import hash_password
    from iok_saas.db import db
    from iok_saas.estate.models import Building, Unit, UnitTitle
    from iok_saas.tenancy.context import tenant_context

    secret = hash_password(PASSWORD)
    tenant = database.tenant_id
    with database.app().app_context(), tenant_context(tenant):
        building = Building(street="ul. Ogłoszeniowa", number="1", postal_code="80-001",
                            city="Gdańsk")
        db.session.add(building)
        db.session.flush()
        db.session.execute(insert(Unit), [{"building_id": building.id, "number": str(n + 1),
                                           "tenant_id": tenant} for n in range(residents)])
        units = db.session.scalars(select(Unit.id).order_by(Unit.id)).all()
        db.session.execute(insert(User), [
            {"identifier": f"O{n:06d}", "role": RESIDENT, "first_name": "Jan",
             "last_name": f"Czytelnik{n}", "email": f"o{n}@example.org", "password_hash": secret,
             "announcement_emails": True, "tenant_id": tenant} for n in range(residents)])
        users = db.session.scalars(select(User.id).where(User.role == RESIDENT)
                                   .order_by(User.id)).all()
        db.session.execute(insert(UnitTitle), [
            {"unit_id": u, "user_id": p, "tenant_id": tenant}
            for u, p in zip(units, users, strict=True)])
        db.session.add(User(identifier=CLERK, role=CLERK_ROLE, first_name="Ewa",
                            last_name="Biurowa", password_hash=secret,
                            must_change_password=False))
        db.session.commit()
        db.session.remove()


def sign_in(client) -> None:
    page = client.get("/logowanie").get_data(as_text=True)
    answer = client.post("/logowanie", data={"csrf_token": TOKEN.search(page).group(1),
                                             "identifier": CLERK, "password": PASSWORD})
    assert answer.status_code == 302, f"the clerk could not sign in: {answer.status_code}"


def publish(client, with_email: bool) -> float:
    """Seconds one POST of the staff form takes (checked: saved, redirected)."""
    answer = client.get("/panel/ogloszenia/nowe")
    page = answer.get_data(as_text=True)
    assert TOKEN.search(page), f"the staff form did not open: {answer.status_code} {page[:300]}"
    form = {"csrf_token": TOKEN.search(page).group(1), "title": "Wyłączenie wody",
            "kind": "general", "body": "Z powodu wymiany zaworów **nie będzie wody**.",
            "audience": "all", "action": "save"}
    if with_email:
        form["send_email"] = "y"
    started = time.perf_counter()
    answer = client.post("/panel/ogloszenia/nowe", data=urlencode(form),
                         content_type="application/x-www-form-urlencoded")
    took = time.perf_counter() - started
    assert answer.status_code == 302, f"publishing failed: {answer.status_code}"
    return took


def worker_env(database: Database, queue: str, smtp_port: int) -> dict[str, str]:
    return production_env(
        database.name, database.instance, PLATFORM_DATABASE_URL=url(ADMIN, database.name),
        REDIS_URL=REDIS_URL, RQ_QUEUE=queue, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port),
        JOB_RETRY_INTERVALS="1,2")


def send_with_workers(database, queue, sink, smtp_port, workers, residents) -> float:
    """Seconds from starting the workers until the sink holds every message."""
    processes = [subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT,
                                  env=worker_env(database, queue, smtp_port),
                                  start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(workers)]
    started = time.perf_counter()
    try:
        while len(sink.recipients) < residents:
            if time.perf_counter() - started > 1800:
                raise RuntimeError(f"only {len(sink.recipients)} of {residents} arrived")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def plain_loop(smtp_port: int, count: int, size: int, reconnect: bool) -> float:
    """Seconds a bare smtplib loop takes for ``count`` messages of ``size`` bytes, over one
    connection or (``reconnect``) a connection per message."""
    body = "x" * max(size - 300, 10)
    started = time.perf_counter()
    smtp = None
    for n in range(count):
        message = EmailMessage()
        message["From"], message["To"] = "iok@example.org", f"plain{n}@example.org"
        message["Subject"] = "Ogłoszenie: Wyłączenie wody"
        message.set_content(body)
        if smtp is None:
            smtp = smtplib.SMTP("127.0.0.1", smtp_port, timeout=30)
        smtp.send_message(message)
        if reconnect:
            smtp.quit()
            smtp = None
    if smtp is not None:
        smtp.quit()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=bounded(10, 200_000), default=10_000)
    parser.add_argument("--workers", type=bounded(1, 16), default=2)
    parser.add_argument("--rounds", type=bounded(1, 50), default=5)
    args = parser.parse_args(argv)

    import redis
    from rq import Queue

    from tests.helpers import client_for

    redis.Redis.from_url(REDIS_URL).flushdb()
    queue = f"iok-bench-{uuid.uuid4().hex[:8]}"
    sink = Sink()
    smtp_port = sink.start()
    try:
        with Database(REDIS_URL=REDIS_URL, RQ_QUEUE=queue, SMTP_HOST="127.0.0.1",
                      SMTP_PORT=smtp_port, JOB_RETRY_INTERVALS=[1, 2]) as database:
            print(f"{database.name}: {args.residents} residents…", flush=True)
            populate(database, args.residents)
            app = database.app()
            client = client_for(app, f"{SLUG}.localhost")
            sign_in(client)
            with_email, without = [], []
            for _ in range(args.rounds + 1):  # the first pair only warms up
                with_email.append(publish(client, True))
                without.append(publish(client, False))
            with_email, without = with_email[1:], without[1:]
            connection = redis.Redis.from_url(REDIS_URL)
            for name in (queue, f"{queue}-bulk"):
                Queue(name, connection=connection).empty()
            with app.app_context():
                from sqlalchemy import select

                from iok_saas.announcements.models import Announcement
                from iok_saas.announcements.services import FAN_OUT
                from iok_saas.db import db
                from iok_saas.jobs import JobSpec, enqueue_now
                from iok_saas.tenancy.context import tenant_context

                with tenant_context(database.tenant_id):
                    first = db.session.scalars(select(Announcement.id).where(
                        Announcement.send_email).order_by(Announcement.id)).first()
                    db.session.remove()
                enqueue_now(JobSpec(FAN_OUT, database.tenant_id, {"announcement_id": first}))
            sent = send_with_workers(database, queue, sink, smtp_port, args.workers,
                                     args.residents)
            assert len(set(sink.recipients)) == args.residents == len(sink.recipients), \
                "a resident got the announcement twice or not at all"
            size = int(statistics.fmean(sink.sizes))
        reference = plain_loop(smtp_port, args.residents, size, reconnect=False)
        reconnecting = plain_loop(smtp_port, args.residents, size, reconnect=True)
    finally:
        sink.stop()
    request = statistics.median(with_email) * 1000
    bare = statistics.median(without) * 1000
    rows = [
        ("publish request, with e-mail to all (median ms)", f"{request:.1f}", "—"),
        ("publish request, no e-mail (median ms)", f"{bare:.1f}", f"{request / bare:.2f}"),
        (f"sent by {args.workers} workers (messages/s)", f"{args.residents / sent:.0f}", "—"),
        ("plain smtplib loop, one connection (messages/s)", f"{args.residents / reference:.0f}",
         f"{reference / sent:.2f}"),
        ("plain smtplib loop, a connection per message (messages/s)",
         f"{args.residents / reconnecting:.0f}", f"{reconnecting / sent:.2f}"),
    ]
    heading = (f"{machine()} · {args.residents} residents, all opted in · {args.rounds} rounds "
               f"of each request, interleaved · {args.workers} worker.py processes, outbox + "
               f"RQ + PostgreSQL · messages of ~{size} bytes to a local aiosmtpd sink")
    print("\n".join([heading, "", *markdown_table(("measure", "value", "ratio"), rows)]))
    print("ratio column: request with e-mail ÷ without; workers' rate ÷ each plain loop's rate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
