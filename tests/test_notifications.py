"""The notification pipeline for real: outbox → RQ on Redis → worker process → SMTP (aiosmtpd)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from redis.exceptions import RedisError
from sqlalchemy import func, select, update

from iok_saas import create_app
from iok_saas.db import db, utcnow
from iok_saas.jobs import JobSpec, enqueue_now, get_queue
from iok_saas.mail import outbox
from iok_saas.mail.models import FAILED, PENDING, SENDING, SENT, OutboxMessage
from iok_saas.tenancy import tenant_context
from tests.fixtures.mail import (
    RedisServer,
    kill_worker,
    run_burst_worker,
    start_worker,
)
from tests.helpers import (
    across_cooperatives,
    app_settings,
    as_platform,
    poll,
    queue_test_message,
    run_cli,
)
from tests.helpers import outbox_row as row


def test_message_goes_out_once_in_the_cooperatives_branding(make_app, smtp, baltyk):
    app = make_app()
    message_id = queue_test_message(app, baltyk)
    assert len(get_queue_of(app)) == 1
    result = run_burst_worker(app.config)
    assert result.returncode == 0, result.stderr
    [email] = smtp.mailbox.wait_for(1)
    assert email["From"] == "SM „Bałtyk” – IOK <iok@smbaltyk.pl>"
    assert email["Reply-To"] == "iok@smbaltyk.pl"
    assert email["Subject"] == "Wiadomość próbna z Internetowej Obsługi Kontrahenta – SM „Bałtyk”"
    assert email["X-IOK-Outbox-Id"] == message_id
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert "Spółdzielnia Mieszkaniowa „Bałtyk”" in text and "ul. Zgoda 8" in text
    assert "http://baltyk.localhost/" in text  # canonical domain, not a Host header
    assert "#0b4f8a" in html and "http://baltyk.localhost/logo.svg" in html
    saved = row(app, baltyk, message_id)
    assert (saved.status, saved.attempts) == (SENT, 1) and saved.sent_at is not None


def send_through_worker(app, tenant) -> tuple[str, OutboxMessage]:
    """Queue a test message, let a burst worker process everything, return the id and row."""
    message_id = queue_test_message(app, tenant)
    result = run_burst_worker(app.config)
    assert result.returncode == 0, result.stderr
    return message_id, row(app, tenant, message_id)


def get_queue_of(app):
    with app.app_context():
        return list(get_queue().get_job_ids())


def test_rolled_back_transaction_sends_nothing(make_app, smtp, zw):
    app = make_app()
    with app.app_context():
        with tenant_context(zw.id):
            outbox.queue_message("test_message", "x@example.org", user_id=None)
            db.session.rollback()
        count = select(func.count()).select_from(OutboxMessage)
        assert across_cooperatives(count) == [(0,)]
    assert get_queue_of(app) == []


def test_same_job_delivered_twice_sends_one_email(make_app, smtp, zw):
    app = make_app()
    message_id = queue_test_message(app, zw)
    with app.app_context():
        enqueue_now(JobSpec(outbox.DELIVER, zw.id, {"outbox_id": message_id}, job_id=message_id))
        get_queue().enqueue("iok_saas.jobs.run_job", outbox.DELIVER, zw.id,
                            {"outbox_id": message_id})  # a stray duplicate with another job id
    assert run_burst_worker(app.config).returncode == 0  # every send ends before it exits
    assert len(smtp.mailbox.received) == 1
    assert row(app, zw, message_id).attempts == 1


def test_idempotency_key_queues_one_message(make_app, smtp, zw):
    app = make_app()
    first = queue_test_message(app, zw, idempotency_key="reading-17-accepted")
    second = queue_test_message(app, zw, idempotency_key="reading-17-accepted")
    assert first == second


def test_smtp_refusing_is_retried_then_failed_and_visible(make_app, smtp, zw):
    smtp.mailbox.reply, smtp.mailbox.refusals_left = "451 4.3.0 Spróbuj później", -1
    app = make_app()
    message_id, saved = send_through_worker(app, zw)
    assert saved.status == FAILED and saved.attempts == 3
    assert "451" in saved.last_error
    status = json.loads(run_cli(app, "outbox", "status", "--json").output)
    assert status["tenants"]["zielone-wzgorza"]["failed"] == 1
    assert message_id in status["queue"]["failed_jobs"]
    # The server recovers; the operator retries; the message goes out once.
    smtp.mailbox.refusals_left = 0
    assert "1 message(s)" in run_cli(app, "outbox", "retry").output
    assert run_burst_worker(app.config).returncode == 0
    assert len(smtp.mailbox.wait_for(1)) == 1
    assert row(app, zw, message_id).status == SENT


def test_smtp_transient_refusal_then_success(make_app, smtp, zw):
    smtp.mailbox.reply, smtp.mailbox.refusals_left = "421 4.7.0 Zbyt wiele połączeń", 1
    app = make_app()
    _, saved = send_through_worker(app, zw)
    assert len(smtp.mailbox.wait_for(1)) == 1
    assert (saved.status, saved.attempts) == (SENT, 2)


def test_permanent_refusal_fails_at_once(make_app, smtp, zw):
    smtp.mailbox.reply, smtp.mailbox.refusals_left = "550 5.1.1 Nie ma takiej skrzynki", -1
    app = make_app()
    _, saved = send_through_worker(app, zw)
    assert (saved.status, saved.attempts) == (FAILED, 1)
    assert "550" in saved.last_error


def test_unreachable_smtp_is_retried_then_failed(make_app, zw):
    from tests.fixtures.mail import free_port

    app = make_app(SMTP_PORT=free_port())
    _, saved = send_through_worker(app, zw)
    assert saved.status == FAILED and saved.attempts == 3
    assert "cannot reach the mail server" in saved.last_error


def test_redis_down_while_creating_then_sent_when_it_is_back(make_app, smtp, zw):
    server = RedisServer()
    server.start()
    app = make_app(REDIS_URL=server.url)
    server.stop()
    try:
        message_id = queue_test_message(app, zw)  # the "request" succeeds
        assert row(app, zw, message_id).status == PENDING
        with app.app_context(), pytest.raises(RedisError):
            get_queue().count  # noqa: B018 - Redis is really down
        server.start()
        with app.app_context(), as_platform():
            assert outbox.relay() == {"interrupted": 0, "enqueued": 1}
        assert run_burst_worker(app.config).returncode == 0
        assert len(smtp.mailbox.wait_for(1)) == 1
        assert row(app, zw, message_id).status == SENT
    finally:
        server.stop()


def _wait_for_status(app, tenant, message_id, status, seconds=20):
    assert poll(lambda: row(app, tenant, message_id).status == status, seconds), (
        f"message never reached {status}")


def test_worker_killed_mid_send_is_marked_failed_never_lost(make_app, smtp, zw):
    smtp.mailbox.stall = threading.Event()
    app = make_app(OUTBOX_STALE_SECONDS=1)
    message_id = queue_test_message(app, zw)
    worker = start_worker(app.config)
    try:
        assert smtp.mailbox.in_data.wait(30), "the worker never reached the mail server"
        _wait_for_status(app, zw, message_id, SENDING)
    finally:
        kill_worker(worker)
    smtp.mailbox.stall.set()
    with app.app_context(), tenant_context(zw.id):  # the send began longer ago than allowed
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                           .values(sending_started_at=utcnow() - timedelta(seconds=2)))
        db.session.commit()
    with app.app_context(), as_platform():
        assert outbox.relay()["interrupted"] == 1
    saved = row(app, zw, message_id)
    assert saved.status == FAILED and "delivery unknown" in saved.last_error
    assert run_burst_worker(app.config).returncode == 0  # a retry of the killed job
    assert row(app, zw, message_id).status == FAILED  # ... does not send it again
    assert len(smtp.mailbox.received) <= 1


def test_job_past_its_timeout_is_marked_failed(make_app, smtp, zw):
    smtp.mailbox.stall = threading.Event()  # the server never answers DATA in time
    app = make_app(JOB_TIMEOUT=2)
    message_id = queue_test_message(app, zw)
    assert run_burst_worker(app.config).returncode == 0
    smtp.mailbox.stall.set()
    saved = row(app, zw, message_id)
    assert saved.status == FAILED and "delivery unknown" in saved.last_error
    status = json.loads(run_cli(app, "outbox", "status", "--json").output)
    assert status["tenants"]["zielone-wzgorza"]["failed"] == 1


def test_embedded_default_writes_the_email_to_the_instance_outbox(tmp_path, ctx, zw, capsys):
    app = create_app(app_settings(tmp_path, REDIS_URL=None, SMTP_HOST=None,
                                  MAIL_OUTBOX_DIR=tmp_path / "outbox"))
    message_id = queue_test_message(app, zw)
    [path] = list((tmp_path / "outbox").glob("*.eml"))
    assert message_id in path.name
    email = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert email["To"] == "jan.kowalski@example.org"
    assert "Zielone Wzgórza" in email["Subject"]
    assert "Wiadomość próbna" in capsys.readouterr().out
    assert row(app, zw, message_id).status == SENT


def test_outbox_cli_bad_input(make_app):
    app = make_app()
    bad_address = run_cli(app, "outbox", "test", "baltyk", "nie adres")
    assert bad_address.exit_code == 1 and "is not an e-mail address" in bad_address.output
    unknown = run_cli(app, "outbox", "test", "nie-ma", "a@b.pl")
    assert unknown.exit_code == 1 and "No cooperative" in unknown.output


def test_outbox_test_command_queues_a_message(make_app, smtp):
    app = make_app()
    result = run_cli(app, "outbox", "test", "baltyk", "op@example.org")
    assert result.exit_code == 0 and result.output.startswith("queued ")
    assert run_burst_worker(app.config).returncode == 0
    assert smtp.mailbox.wait_for(1)[0]["To"] == "op@example.org"


def _queue_bulk(app, tenant, count: int, start: int = 0) -> int:
    with app.app_context(), tenant_context(tenant.id):
        queued = outbox.queue_bulk("test_message", [
            (f"m{n}@example.org", {"note": f"Masowa {n}"}, f"bulk-test-{n}", None)
            for n in range(start, start + count)])
        db.session.commit()
    return queued


def _statuses(app, tenant) -> dict[str, int]:
    with app.app_context(), tenant_context(tenant.id):
        return dict(db.session.execute(select(OutboxMessage.status, func.count())
                                       .group_by(OutboxMessage.status)).all())


def test_bulk_mail_goes_a_chunk_to_a_job_over_one_connection_each_once(make_app, smtp, baltyk):
    app = make_app(MAIL_BULK_CHUNK=4)
    assert _queue_bulk(app, baltyk, 10) == 10
    assert _queue_bulk(app, baltyk, 12) == 2  # run again (and two more): nobody twice
    with app.app_context():
        assert len(get_queue()) == 0  # not one job per message on the main queue ...
        assert len(get_queue(bulk=True)) == 3 + 1  # ... but chunks of 4 on the bulk one
    assert run_burst_worker(app.config).returncode == 0
    received = smtp.mailbox.wait_for(12)
    assert sorted(m["To"] for m in received) == sorted(f"m{n}@example.org" for n in range(12))
    assert len(set(smtp.mailbox.peers)) == 4  # one connection per chunk
    assert _statuses(app, baltyk) == {SENT: 12}


def test_bulk_mail_refused_for_one_recipient_goes_on_to_the_rest(make_app, smtp, zw):
    smtp.mailbox.reply, smtp.mailbox.refusals_left = "550 5.1.1 Nie ma takiej skrzynki", 1
    app = make_app(MAIL_BULK_CHUNK=5)
    _queue_bulk(app, zw, 5)
    assert run_burst_worker(app.config).returncode == 0
    assert len(smtp.mailbox.wait_for(4)) == 4
    assert _statuses(app, zw) == {SENT: 4, FAILED: 1}


def test_bulk_mail_whose_job_was_lost_is_handed_over_again_in_chunks(make_app, smtp, zw):
    app = make_app(MAIL_BULK_CHUNK=3)
    _queue_bulk(app, zw, 7)
    with app.app_context():
        get_queue(bulk=True).empty()  # Redis lost the jobs
        with as_platform():
            assert outbox.relay() == {"interrupted": 0, "enqueued": 7}
            assert outbox.relay() == {"interrupted": 0, "enqueued": 0}  # they are in flight
        assert len(get_queue()) == 0 and len(get_queue(bulk=True)) == 3
    assert run_burst_worker(app.config).returncode == 0
    assert len(smtp.mailbox.wait_for(7)) == 7
    assert _statuses(app, zw) == {SENT: 7}
    assert len(set(smtp.mailbox.peers)) == 3


def test_bulk_mail_mail_server_away_is_tried_again_then_sent_once(make_app, smtp, zw):
    smtp.mailbox.reply, smtp.mailbox.refusals_left = "421 4.3.2 Przerwa techniczna", 2
    app = make_app(MAIL_BULK_CHUNK=5)
    _queue_bulk(app, zw, 5)
    assert run_burst_worker(app.config).returncode == 0  # RQ retries the chunk
    received = smtp.mailbox.wait_for(5)
    assert sorted(m["To"] for m in received) == sorted(f"m{n}@example.org" for n in range(5))
    assert _statuses(app, zw) == {SENT: 5}
