"""E-mail through faults: only a send cut off after the message itself started may be
"delivery unknown"; anything cut off earlier was plainly not sent and is sent again."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from iok_saas.db import db, utcnow
from iok_saas.jobs import get_queue, run_job
from iok_saas.mail import outbox
from iok_saas.mail.models import FAILED, PENDING, SENDING, SENT, OutboxMessage
from iok_saas.mail.transport import TransientError, send
from iok_saas.tenancy import tenant_context
from tests.fixtures.mail import DroppingSmtpServer, run_burst_worker
from tests.helpers import as_platform, queue_test_message
from tests.helpers import outbox_row as row


def test_a_server_that_hangs_up_before_the_message_is_not_delivery_unknown(make_app, zw):
    with DroppingSmtpServer() as dropping:
        app = make_app(SMTP_PORT=dropping.port)
        message_id = queue_test_message(app, zw)
        with app.app_context():
            get_queue().empty()
            with pytest.raises(TransientError, match="connection to the mail server lost"):
                run_job(outbox.DELIVER, zw.id, {"outbox_id": message_id})
    saved = row(app, zw, message_id)
    assert saved.status == PENDING and saved.data_started_at is None
    assert "delivery unknown" not in saved.last_error and dropping.connections == 1


def test_a_claim_cut_off_before_the_message_went_is_sent_again(make_app, smtp, zw):
    app = make_app(OUTBOX_STALE_SECONDS=60)
    never_sent = queue_test_message(app, zw, address="pierwszy@example.org")
    maybe_sent = queue_test_message(app, zw, address="drugi@example.org")
    long_ago = utcnow() - timedelta(minutes=5)
    with app.app_context():
        get_queue().empty()
        with tenant_context(zw.id):  # as a database restart or a killed worker leaves them
            db.session.execute(update(OutboxMessage).values(
                status=SENDING, sending_started_at=long_ago, attempts=1))
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id == maybe_sent)
                               .values(data_started_at=long_ago))
            db.session.commit()
        with as_platform():
            assert outbox.relay() == {"interrupted": 1, "enqueued": 1}
    assert run_burst_worker(app.config).returncode == 0
    assert row(app, zw, never_sent).status == SENT
    assert [m["To"] for m in smtp.mailbox.received] == ["pierwszy@example.org"]
    unknown = row(app, zw, maybe_sent)
    assert unknown.status == FAILED and "delivery unknown" in unknown.last_error


def test_when_the_mark_cannot_be_written_nothing_is_sent(app, ctx, smtp):
    from email.message import EmailMessage

    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = "a@example.org", "b@example.org", "x"
    email.set_content("x")

    def database_gone():
        raise RuntimeError("database gone")  # what SQLAlchemy raises is no OSError either

    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TLS="none")
    try:
        with app.test_request_context(), pytest.raises(RuntimeError, match="database gone"):
            send(email, "x", before_data=database_gone)
    finally:
        app.config.update(SMTP_HOST=None)
    assert smtp.mailbox.received == []


def test_a_mail_server_down_for_a_while_gets_every_message_once(make_app, zw):
    """The outage of the issue (2 minutes against retries after 10, 60 and 300 s), scaled:
    retries after 1, 2 and 4 s, the server back after 3 s."""
    from tests.fixtures.mail import SmtpServer, kill_worker, start_worker
    from tests.helpers import poll

    server = SmtpServer()  # its port is chosen; nothing listens there yet
    app = make_app(SMTP_PORT=server.port, JOB_RETRY_INTERVALS=[1, 2, 4])
    ids = [queue_test_message(app, zw, address=f"adresat-{n}@example.org") for n in range(20)]
    worker = start_worker(app.config)
    try:
        assert poll(lambda: row(app, zw, ids[0]).attempts >= 1, seconds=30)
        time.sleep(2)  # the fault itself: the outage lasts a while (nothing to poll for)
        with server:
            assert poll(lambda: all(row(app, zw, i).status == SENT for i in ids), seconds=60)
    finally:
        kill_worker(worker)
    received = sorted(m["To"] for m in server.mailbox.received)
    assert received == sorted(f"adresat-{n}@example.org" for n in range(20))
