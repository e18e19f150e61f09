"""The transactional outbox: queue a message with its change; deliver once or fail loudly.

* ``queue_message`` writes the row in the caller's transaction and asks for delivery after
  commit (a rolled-back transaction sends nothing).
* ``deliver`` (the job; job id = outbox id) claims the row with one conditional UPDATE, so a
  job delivered twice sends once; it marks the row sent, retries transient failures with
  backoff, and after the last attempt marks it failed.
* A message interrupted once the message itself (SMTP DATA) had started to go (worker killed,
  job timeout) cannot be known to be delivered: it is marked failed with that reason, never
  resent on its own; the operator sees it and decides (``iok outbox retry``). Interrupted
  before that (database or mail server gone during the claim or the greeting), it was plainly
  not sent and goes back to pending.
* ``queue_bulk`` (an announcement to thousands) writes the rows without a job each: a chunk of
  ``MAIL_BULK_CHUNK`` goes to one ``deliver_many`` job on the bulk queue, sent over one
  connection to the mail server, each message claimed and settled as ``deliver`` does.
* ``relay`` hands over what never reached the queue (Redis was down, a bulk job gave up) and
  closes stale sends.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from itertools import groupby
from typing import Any
from uuid import uuid4

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from iok_saas.db import db, utcnow
from iok_saas.jobs import JobSpec, enqueue, enqueue_now, get_queue, job_in_flight
from iok_saas.mail.messages import get_kind, render
from iok_saas.mail.models import FAILED, PENDING, SENDING, SENT, OutboxMessage
from iok_saas.mail.transport import Mailer, PermanentError, TransientError
from iok_saas.tenancy.context import ALL_TENANTS, require_tenant_id
from iok_saas.tenancy.info import TenantInfo, get_tenant_info
from iok_saas.tenancy.models import Tenant

log = logging.getLogger(__name__)
DELIVER = "iok_saas.mail.outbox.deliver"
DELIVER_MANY = "iok_saas.mail.outbox.deliver_many"
EVERY_TENANT = {ALL_TENANTS: True}
UNKNOWN = "interrupted while handing the message to the mail server: delivery unknown"
# Header lines up to RFC 5322's 998 characters: a long link in List-Unsubscribe stays one plain
# line (folded at 78 it would become an encoded word, which RFC 8058 clients do not read).
LONG_LINES = policy.default.clone(max_line_length=998)


def queue_message(template: str, recipient: str, context: dict[str, Any] | None = None,
                  idempotency_key: str | None = None, *,
                  user_id: int | None) -> OutboxMessage:
    """Queue an e-mail for the current cooperative, in the caller's transaction (no commit).

    ``user_id`` names the account it is for (None for an applicant, the office or a test
    message). With an ``idempotency_key`` the same message is queued once, however often this
    is called.
    """
    get_kind(template)
    if idempotency_key:
        existing = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
        if existing is not None:
            return existing
    message = OutboxMessage(template=template, recipient=recipient, context=context or {},
                            user_id=user_id,
                            **({"idempotency_key": idempotency_key} if idempotency_key else {}))
    try:
        with db.session.begin_nested():  # a parallel request may queue the same key meanwhile
            db.session.add(message)
            db.session.flush()
    except IntegrityError:
        if not idempotency_key:
            raise
        return db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
    enqueue(DELIVER, require_tenant_id(), job_id=message.id, outbox_id=message.id)
    return message


def queue_bulk(template: str, messages: list[tuple[Any, ...]]) -> int:
    """Queue many e-mails of one kind for the current cooperative (an announcement to
    thousands), in the caller's transaction: each ``(recipient, context, idempotency_key,
    user_id)`` — with a fifth item, the outbox id the caller has already recorded — once,
    however often this is called. They go ``MAIL_BULK_CHUNK`` to a job, on the bulk queue
    (sent when no other e-mail waits). Returns how many were new."""
    get_kind(template)
    keys = sorted({message[2] for message in messages})
    known: set[str] = set()
    for start in range(0, len(keys), 1000):
        known.update(db.session.scalars(select(OutboxMessage.idempotency_key).where(
            OutboxMessage.idempotency_key.in_(keys[start:start + 1000]))))
    fresh: list[OutboxMessage] = []
    for recipient, context, key, user_id, *given in messages:
        if key not in known:
            known.add(key)
            fresh.append(OutboxMessage(id=given[0] if given else str(uuid4()),
                                       template=template, recipient=recipient,
                                       context=context, idempotency_key=key, user_id=user_id,
                                       bulk=True))
    size = current_app.config["MAIL_BULK_CHUNK"]
    for start in range(0, len(fresh), size):
        job_id = f"outbox-bulk-{uuid4()}"
        for message in fresh[start:start + size]:
            message.job_id = job_id
    queued = _insert_new(fresh)
    for job_id, chunk in groupby(queued, key=lambda message: message.job_id):
        enqueue(DELIVER_MANY, require_tenant_id(), job_id=job_id, bulk=True,
                outbox_ids=[message.id for message in chunk])
    return len(queued)


def _insert_new(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Insert the messages at once; should a parallel run have queued some of the same keys
    meanwhile, one at a time, leaving those out."""
    try:
        with db.session.begin_nested():
            db.session.add_all(messages)
            db.session.flush()
        return messages
    except IntegrityError:
        pass
    inserted = []
    for message in messages:
        try:
            with db.session.begin_nested():
                db.session.add(message)
                db.session.flush()
            inserted.append(message)
        except IntegrityError:
            continue
    return inserted


class TakenBack(Exception):
    """The relay judged this send cut off and gave the message to another attempt."""


def _max_attempts() -> int:
    return len(current_app.config["JOB_RETRY_INTERVALS"]) + 1


def _claim(outbox_id: str) -> OutboxMessage | None:
    """Move the row from pending to sending; None if it is not pending (already done, or busy)."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status == PENDING)
        .values(status=SENDING, attempts=OutboxMessage.attempts + 1, sending_started_at=utcnow(),
                data_started_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    if not claimed:
        return None
    return db.session.get(OutboxMessage, outbox_id)


def deliver(outbox_id: str) -> str:
    """The job: send one outbox message once; returns what happened."""
    with Mailer() as mailer:
        return _deliver(outbox_id, mailer)


def deliver_many(outbox_ids: list[str]) -> dict[str, int]:
    """The bulk job: send a chunk of messages over one connection, each once, as ``deliver``
    does. One the server refuses for good is marked failed and the rest go on; a passing fault
    (the server away) stops the chunk, and RQ runs it again later: those already sent are
    skipped. How many ended how."""
    outcome: Counter[str] = Counter()
    with Mailer() as mailer:
        for outbox_id in outbox_ids:
            outcome[_deliver(outbox_id, mailer)] += 1
    return dict(outcome)


def _deliver(outbox_id: str, mailer: Mailer) -> str:
    message = _claim(outbox_id)
    if message is None:
        return "skipped"
    try:
        tenant = get_tenant_info(message.tenant_id)
        email = build_email(tenant, message)
    except Exception as exc:
        _finish(message, FAILED, f"cannot be rendered: {exc!r}")
        raise
    attempt = message.attempts

    def data_starts() -> None:
        # Committed before the message itself goes: a send cut off later may have arrived.
        # Only while this attempt still holds the row: one the relay judged cut off (too slow)
        # and handed to another attempt is not sent by this one as well.
        held = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message.id,
                                        OutboxMessage.status == SENDING,
                                        OutboxMessage.attempts == attempt)
            .values(data_started_at=utcnow())
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if not held:
            raise TakenBack(message.id)

    try:
        mailer.send(email, f"{message.created_at:%Y%m%d-%H%M%S}-{tenant.slug}-{message.id}",
                    before_data=data_starts)
    except TakenBack:
        return "skipped"  # another attempt has it now; this one leaves the row alone
    except PermanentError as exc:
        _finish(message, FAILED, f"refused by the mail server: {exc}")
        return FAILED
    except TransientError as exc:
        if message.attempts >= _max_attempts():
            _finish(message, FAILED, f"gave up after {message.attempts} attempts: {exc}")
        else:
            _finish(message, PENDING, str(exc))
        raise  # RQ retries with backoff; after the last attempt: its failed-job registry
    except BaseException:
        _after_interruption(message)
        raise
    _finish(message, SENT, None)
    return SENT


def _after_interruption(message: OutboxMessage) -> None:
    """Cut off mid-send (an error, the job's timeout): unknown only if the message itself had
    started to go; otherwise plainly not sent, so it waits to be sent again. If even this
    cannot be written (the database is away), the relay decides the same later."""
    db.session.rollback()
    started = db.session.scalar(select(OutboxMessage.data_started_at)
                                .where(OutboxMessage.id == message.id))
    message = db.session.get(OutboxMessage, message.id)
    if started is not None:
        _finish(message, FAILED, UNKNOWN)
    else:
        message.sending_started_at = None
        _finish(message, PENDING, "interrupted before the message was handed over")


def _finish(message: OutboxMessage, status: str, error: str | None) -> None:
    message.status = status
    message.last_error = error
    if status == SENT:
        message.sent_at = utcnow()
        kind = get_kind(message.template)
        if kind.on_sent is not None:  # the capability's proof that the server took it
            kind.on_sent(message)
        secret = kind.secret_keys
        if secret:  # a sent reset link is not kept readable in the database
            message.context = {k: ("" if k in secret else v) for k, v in message.context.items()}
    db.session.commit()


def build_email(tenant: TenantInfo, message: OutboxMessage) -> EmailMessage:
    """The e-mail for an outbox row: tenant sender, Polish subject, text and HTML parts."""
    rendered = render(tenant, message.template, message.context)
    mail = tenant.settings.mail
    sender = mail.sender_address or current_app.config["MAIL_DEFAULT_SENDER"]
    email = EmailMessage(policy=LONG_LINES)
    email["Subject"] = rendered.subject
    email["From"] = formataddr((mail.sender_name or tenant.short_name, sender))
    email["To"] = message.recipient
    if mail.reply_to:
        email["Reply-To"] = mail.reply_to
    email["Message-ID"] = make_msgid(idstring=message.id, domain=sender.rpartition("@")[2])
    email["X-IOK-Outbox-Id"] = message.id
    if message.context.get("unsubscribe"):  # an optional e-mail: one click stops it (RFC 8058)
        email["List-Unsubscribe"] = f"<{message.context['unsubscribe']}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(rendered.text)
    email.add_alternative(rendered.html, subtype="html")
    return email


def relay() -> dict[str, int]:
    """Platform-wide: enqueue messages whose job never arrived; settle sends that were cut off:
    *failed — delivery unknown* once the message itself had started to go, else back to
    pending (it was plainly not sent)."""
    stale = utcnow() - timedelta(seconds=current_app.config["OUTBOX_STALE_SECONDS"])
    cut_off = (OutboxMessage.status == SENDING, OutboxMessage.sending_started_at < stale)
    interrupted = db.session.execute(
        update(OutboxMessage).where(*cut_off, OutboxMessage.data_started_at.is_not(None))
        .values(status=FAILED, last_error=UNKNOWN)
        .execution_options(synchronize_session=False, **EVERY_TENANT)
    ).rowcount
    db.session.execute(
        update(OutboxMessage).where(*cut_off, OutboxMessage.data_started_at.is_(None))
        .values(status=PENDING, sending_started_at=None,
                last_error="interrupted before the message was handed over")
        .execution_options(synchronize_session=False, **EVERY_TENANT))
    db.session.commit()
    waiting = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.tenant_id, OutboxMessage.bulk,
               OutboxMessage.job_id)
        .where(OutboxMessage.status == PENDING)
        .order_by(OutboxMessage.tenant_id, OutboxMessage.created_at)
        .execution_options(**EVERY_TENANT)
    ).all()
    carried: dict[str, bool] = {}  # each job asked about once, however many it carries
    orphans = [row for row in waiting if not _in_flight(row.job_id or row.id, carried)]
    handed = sum(_hand_over(JobSpec(DELIVER, row.tenant_id, {"outbox_id": row.id},
                                    job_id=row.id))
                 for row in orphans if not row.bulk)
    handed += _hand_over_bulk([row for row in orphans if row.bulk])
    db.session.commit()
    return {"interrupted": interrupted, "enqueued": handed}


def _in_flight(job_id: str, known: dict[str, bool]) -> bool:
    if job_id not in known:
        known[job_id] = job_in_flight(job_id)
    return known[job_id]


def _hand_over(spec: JobSpec) -> bool:
    """Enqueue a job for waiting messages; False if Redis is away (they wait for the next)."""
    try:
        enqueue_now(spec)
    except RedisError as exc:
        log.warning("Redis unreachable, outbox messages wait (%s): %s", spec.job_id, exc)
        return False
    return True


def _hand_over_bulk(rows: list[Any]) -> int:
    """Waiting bulk messages whose job is gone: new chunks, on the bulk queue again."""
    size, handed = current_app.config["MAIL_BULK_CHUNK"], 0
    for tenant_id, group in groupby(rows, key=lambda row: row.tenant_id):
        ids = [row.id for row in group]
        for start in range(0, len(ids), size):
            chunk, job_id = ids[start:start + size], f"outbox-bulk-{uuid4()}"
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(chunk)).values(job_id=job_id)
                .execution_options(synchronize_session=False, **EVERY_TENANT))
            db.session.commit()
            if _hand_over(JobSpec(DELIVER_MANY, tenant_id, {"outbox_ids": chunk},
                                  job_id=job_id, bulk=True)):
                handed += len(chunk)
    return handed


def retry_failed(slug: str | None = None, ids: list[str] | None = None) -> list[str]:
    """Operator: put failed messages back to pending (attempts reset) and relay them."""
    stmt = select(OutboxMessage.id).where(OutboxMessage.status == FAILED)
    if slug:
        stmt = stmt.join(Tenant, Tenant.id == OutboxMessage.tenant_id).where(Tenant.slug == slug)
    if ids:
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    chosen = list(db.session.scalars(stmt.execution_options(**EVERY_TENANT)))
    if not chosen:
        return []
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(chosen))
        .values(status=PENDING, attempts=0, last_error=None, sending_started_at=None)
        .execution_options(synchronize_session=False, **EVERY_TENANT)
    )
    db.session.commit()
    _forget_failed_jobs(chosen)
    relay()
    return chosen


def _forget_failed_jobs(ids: list[str]) -> None:
    """Drop the RQ failed-registry entries of messages that are being tried again."""
    queue = get_queue()
    if queue is None:
        return
    for job_id in ids:
        queue.failed_job_registry.remove(job_id, delete_job=True)


def status() -> dict[str, Any]:
    """Counts per cooperative and status, and what RQ holds, for ``iok outbox status``."""
    return {"tenants": _counts(), "queue": _queue_status()}


def _counts() -> dict[str, dict[str, int]]:
    """Messages per cooperative (every one, also with none) and status."""
    rows = db.session.execute(
        select(Tenant.slug, OutboxMessage.status, func.count())
        .join(Tenant, Tenant.id == OutboxMessage.tenant_id)
        .group_by(Tenant.slug, OutboxMessage.status).execution_options(**EVERY_TENANT)
    ).all()
    tenants: dict[str, dict[str, int]] = {
        slug: dict.fromkeys((PENDING, SENDING, SENT, FAILED), 0)
        for slug in db.session.scalars(select(Tenant.slug).order_by(Tenant.slug))
    }
    for slug, state, count in rows:
        tenants[slug][state] = count
    return tenants


def gauge_by_status() -> list[tuple[tuple[str], float]]:
    """For /metrics: messages of every cooperative by status."""
    totals = dict.fromkeys((PENDING, SENDING, SENT, FAILED), 0)
    for counts in _counts().values():
        for state, count in counts.items():
            totals[state] += count
    return [((state,), float(count)) for state, count in totals.items()]


def gauge_waiting() -> list[tuple[tuple[str, str], float]]:
    """For /metrics: messages pending or failed, per cooperative (two series each)."""
    return [((slug, state), float(counts[state])) for slug, counts in _counts().items()
            for state in (PENDING, FAILED)]


def gauge_oldest_pending() -> list[tuple[tuple[()], float]]:
    """For /metrics: how long the oldest pending message has waited (0 with none)."""
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at))
                               .where(OutboxMessage.status == PENDING)
                               .execution_options(**EVERY_TENANT))
    return [((), (utcnow() - oldest).total_seconds() if oldest else 0.0)]


def _queue_status() -> dict[str, Any]:
    queue = get_queue()
    if queue is None:
        return {"mode": "in-process"}
    try:
        failed = queue.failed_job_registry.get_job_ids()
        return {"mode": "redis", "queued": len(queue), "failed_jobs": failed,
                "scheduled": len(queue.scheduled_job_registry)}
    except RedisError as exc:
        return {"mode": "redis", "error": str(exc)}
