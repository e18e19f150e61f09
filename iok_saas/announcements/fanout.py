"""E-mailing an announcement to the residents who asked for it: a job, never the staff request.

The job takes the recipients in batches of ``BATCH`` in id order and queues one outbox message
for each with the idempotency key ``announcement-<id>-<person>``: run twice, or again after a
worker died half-way, it queues nobody twice, and the outbox sends each message once. After a
batch it hands the rest to a new job at the back of the bulk queue, so several cooperatives'
announcements take turns, and the main queue (password resets, confirmations) always goes
first.
"""

from __future__ import annotations

from sqlalchemy import select

from iok_saas.announcements.models import OUTAGE, Announcement
from iok_saas.announcements.services import FAN_OUT, recipients
from iok_saas.announcements.words import when
from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.jobs import enqueue
from iok_saas.mail.outbox import queue_message
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import get_tenant_info

BATCH = 500


def fan_out(announcement_id: int, after: int = 0) -> int:
    """Queue the next batch of e-mails (after person ``after``); how many were queued."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or announcement.withdrawn_at is not None \
            or not announcement.send_email:
        return 0
    people = db.session.execute(
        select(User.id, User.email, User.first_name, User.last_name)
        .where(User.id.in_(recipients(announcement)), User.announcement_emails,
               User.email.is_not(None), User.id > after)
        .order_by(User.id).limit(BATCH)).all()
    link = get_tenant_info(require_tenant_id()).url(f"/ogloszenia/{announcement.id}")
    for user_id, email, first_name, last_name in people:
        queue_message("announcement", email, {
            "name": f"{first_name} {last_name}".strip(), "title": announcement.title,
            "kind": announcement.kind, "outage": announcement.kind == OUTAGE,
            "body": announcement.body_md, "body_html": announcement.body_html, "link": link,
            "when": when(announcement.starts_at, announcement.ends_at),
        }, idempotency_key=f"announcement-{announcement.id}-{user_id}", bulk=True)
    if len(people) == BATCH:
        enqueue(FAN_OUT, announcement.tenant_id, bulk=True, announcement_id=announcement.id,
                after=people[-1][0])
    db.session.commit()
    return len(people)
