"""Reading reminders: when a cooperative's reading window opens, an e-mail to each resident
who asked for one. Once per window and person (the outbox's idempotency key), so running it
again — every hour from the worker's scheduler, or with ``iok jobs run meters.reminders`` —
sends nothing new.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy import select

from iok_saas.auth.models import RESIDENT, User
from iok_saas.contacts.consents import unsubscribe_link
from iok_saas.db import db
from iok_saas.mail.outbox import queue_bulk
from iok_saas.meters.window import today, window_open
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import TenantInfo, get_tenant_info
from iok_saas.tenancy.settings import Readings
from iok_saas.web.formatting import day

KEY = "reading-reminder"


def current_window(rules: Readings, on: date) -> tuple[date, date] | None:
    """(first day, last day) of the window open on this day, or None."""
    if rules.always_open or not window_open(rules, on):
        return None
    for back in range(0, 32):  # the window began at most a month ago
        day = on - timedelta(days=back)
        last = calendar.monthrange(day.year, day.month)[1]
        if day.day == min(rules.window_start_day, last):
            end_month = day if rules.window_start_day <= rules.window_end_day else (
                day.replace(day=1) + timedelta(days=32))
            end_last = calendar.monthrange(end_month.year, end_month.month)[1]
            return day, end_month.replace(day=min(rules.window_end_day, end_last))
    return None


def remind_tenant(info: TenantInfo, on: date) -> int:
    """Queue the reminders of one cooperative (in its context); how many were new."""
    rules = info.settings.readings
    if not (info.has_feature("meters") and rules.reminder):
        return 0
    window = current_window(rules, on)
    if window is None:
        return 0
    start, until = window
    prefix = f"{KEY}:{start.isoformat()}:"
    people = db.session.execute(select(User.id, User.email, User.first_name, User.last_name)
                                .where(User.role == RESIDENT, User.active.is_(True),
                                       User.reading_reminders.is_(True),
                                       User.email.is_not(None)).order_by(User.id)).all()
    # On the bulk queue, like announcements: a window opening for thousands waits behind
    # nobody's password reset. Each person once per window (the key), with the link that stops
    # the reminders.
    return queue_bulk("reading_reminder", [
        (email, {"name": f"{first} {last}".strip(), "until": day(until),
                 "link": info.url("/liczniki"),
                 "unsubscribe": unsubscribe_link(info, user_id, "reading_reminders")},
         f"{prefix}{user_id}", user_id) for user_id, email, first, last in people])


def remind_cooperative() -> int:
    """The periodic job (hourly, per cooperative, in its context): queue what is new."""
    return remind_tenant(get_tenant_info(require_tenant_id()), today())
