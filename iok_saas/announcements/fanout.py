"""E-mailing an announcement to the residents who asked for it: a job, never the staff request.

The job takes the recipients in batches (``IOK_ANNOUNCEMENT_BATCH``, 500) in id order and
queues one outbox message for each with the idempotency key ``announcement-<id>-<person>``:
run twice, or again after a worker died half-way, it queues nobody twice, and the outbox sends
each message once (``queue_bulk``: ``IOK_MAIL_BULK_CHUNK`` messages to a job, over one
connection to the mail server). After a batch it hands the rest to a new job at the back of
the bulk queue, so several cooperatives' announcements take turns, and the main queue
(password resets, confirmations) always goes first. Each batch records its progress; should a
worker die between batches (the chain broken), the periodic ``announcements.resume`` job
starts the chain again for an announcement that made no progress for
``ANNOUNCEMENT_STALE_SECONDS``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from iok_saas.announcements.models import OUTAGE, Announcement
from iok_saas.announcements.services import FAN_OUT, recipients
from iok_saas.announcements.words import when
from iok_saas.auth.models import User
from iok_saas.contacts.consents import unsubscribe_link
from iok_saas.db import db, utcnow
from iok_saas.jobs import enqueue, job_in_flight
from iok_saas.mail.outbox import queue_bulk
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import get_tenant_info

log = logging.getLogger(__name__)


def fan_out(announcement_id: int, after: int = 0) -> int:
    """Queue the next batch of e-mails (after person ``after``); how many were queued."""
    batch = current_app.config["ANNOUNCEMENT_BATCH"]
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or announcement.withdrawn_at is not None \
            or not announcement.send_email:
        return 0
    people = db.session.execute(
        select(User.id, User.email, User.first_name, User.last_name)
        .where(User.id.in_(recipients(announcement)), User.announcement_emails,
               User.email.is_not(None), User.id > after)
        .order_by(User.id).limit(batch)).all()
    info = get_tenant_info(require_tenant_id())
    link = info.url(f"/ogloszenia/{announcement.id}")
    common = {"title": announcement.title, "kind": announcement.kind,
              "outage": announcement.kind == OUTAGE, "body": announcement.body_md,
              "body_html": announcement.body_html, "link": link,
              "when": when(announcement.starts_at, announcement.ends_at)}
    queue_bulk("announcement", [
        (email, {"name": f"{first_name} {last_name}".strip(), **common,
                 "unsubscribe": unsubscribe_link(info, user_id, "announcements")},
         f"announcement-{announcement.id}-{user_id}", user_id)
        for user_id, email, first_name, last_name in people])
    if len(people) == batch:
        enqueue(FAN_OUT, announcement.tenant_id, bulk=True, announcement_id=announcement.id,
                after=people[-1][0])
    else:
        announcement.emails_done_at = utcnow()
    announcement.emails_progress_at = utcnow()
    db.session.commit()
    return len(people)


def resume() -> int:
    """Periodic, per cooperative: start again the e-mails of announcements whose chain of
    batches stopped (its worker died); the idempotency keys skip everyone already queued."""
    stale = utcnow() - timedelta(seconds=current_app.config["ANNOUNCEMENT_STALE_SECONDS"])
    stuck = list(db.session.scalars(select(Announcement.id).where(
        Announcement.send_email, Announcement.withdrawn_at.is_(None),
        Announcement.emails_queued_at.is_not(None), Announcement.emails_done_at.is_(None),
        func.coalesce(Announcement.emails_progress_at, Announcement.emails_queued_at) < stale)))
    started = 0
    for announcement_id in stuck:
        job_id = f"iok-announcement-{require_tenant_id()}-{announcement_id}-resume"
        if job_in_flight(job_id):
            continue
        log.warning("Announcement %s: its e-mails stopped half-way; starting again",
                    announcement_id)
        db.session.execute(update(Announcement).where(Announcement.id == announcement_id)
                           .values(emails_progress_at=utcnow()))
        enqueue(FAN_OUT, require_tenant_id(), bulk=True, job_id=job_id,
                announcement_id=announcement_id)
        started += 1
    return started
