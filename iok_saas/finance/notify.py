"""An e-mail to residents who asked for it when an import from the accounting system posts new
charges or payments to their units: one per person and import, on the bulk queue, with the
sums per unit and the link to each unit's record (the job ``imports`` queues after a ledger
import that added entries; offered where ``finance.emails`` is on)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from iok_saas.auth.models import User
from iok_saas.contacts.consents import unsubscribe_link
from iok_saas.db import db
from iok_saas.estate.models import Unit
from iok_saas.estate.services import holdings
from iok_saas.finance.models import Account, LedgerEntry
from iok_saas.mail.messages import MessageKind, register
from iok_saas.mail.outbox import queue_bulk
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import money

register(MessageKind(
    name="finance_posted",
    subject=_l("New entries in your units' financial record"),
    description=_l("Sent after an import from the accounting system posts new charges or "
                   "payments, to residents who asked for it (where the cooperative offers it)."),
    sample={"name": "Anna Kowalska", "units": [
        {"address": "ul. Przykładowa 1 m. 2", "charges": "512,40 zł", "payments": "0,00 zł",
         "link": "https://example.org/lokale/1"}]},
))


def posted(at: str) -> int:
    """Queue the e-mails about the entries an import stamped ``at``; how many were new."""
    info = get_tenant_info(require_tenant_id())
    if not (info.has_feature("finance") and info.settings.finance.emails):
        return 0
    stamp = datetime.fromisoformat(at)
    moment = (LedgerEntry.created_at >= stamp - timedelta(milliseconds=1),
              LedgerEntry.created_at <= stamp + timedelta(milliseconds=1))
    sums = db.session.execute(
        select(Account.unit_id, func.sum(LedgerEntry.charge), func.sum(LedgerEntry.payment))
        .join(Account, Account.id == LedgerEntry.account_id).where(*moment)
        .group_by(Account.unit_id)).all()
    if not sums:
        return 0
    by_unit = {unit_id: (charges, payments) for unit_id, charges, payments in sums}
    units = {unit.id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.id.in_(list(by_unit))))}
    people: dict[int, list[int]] = defaultdict(list)
    recipients = {}
    held = holdings()
    for user_id, email, first, last, unit_id in db.session.execute(
            select(User.id, User.email, User.first_name, User.last_name, held.c.unit_id)
            .join(held, held.c.user_id == User.id)
            .where(held.c.unit_id.in_(list(by_unit)), User.finance_emails, User.active,
                   User.email.is_not(None)).order_by(User.id, held.c.unit_id)):
        people[user_id].append(unit_id)
        recipients[user_id] = (email, f"{first} {last}".strip())
    queued = queue_bulk("finance_posted", [
        (recipients[user_id][0], {
            "name": recipients[user_id][1],
            "units": [{"address": units[unit_id].address,
                       "charges": money(by_unit[unit_id][0] or Decimal(0)),
                       "payments": money(by_unit[unit_id][1] or Decimal(0)),
                       "link": info.url(f"/lokale/{unit_id}")} for unit_id in unit_ids],
            "unsubscribe": unsubscribe_link(info, user_id, "finance")},
         f"finance-{at}-{user_id}", user_id) for user_id, unit_ids in people.items()])
    db.session.commit()
    return queued
