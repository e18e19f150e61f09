"""What a person chose to receive by e-mail, with the date of each choice, and the one-click
unsubscribe link every optional e-mail carries (RFC 8058).

The current choice is a flag on the account (what the fan-outs read); each change also adds a
``ConsentEvent`` (given or withdrawn, when, and how: on their page, by the link, by staff).
Service messages (a fault report's status, a password reset) are not choices: always sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from iok_saas.audit import services as audit
from iok_saas.audit.models import CONSENT_CHANGED
from iok_saas.auth.models import User
from iok_saas.auth.tokens import person_in
from iok_saas.contacts.models import ConsentEvent
from iok_saas.db import db
from iok_saas.tenancy.info import TenantInfo

RESIDENT, LINK, STAFF, EARLIER = "resident", "link", "staff", "earlier"
UNSUBSCRIBE_PATH = "/wypisz/"  # a job has no request to build URLs from: the route's path


@dataclass(frozen=True)
class Choice:
    """An optional kind of e-mail a person may ask for."""

    name: str
    field: str  # the flag on the account
    label: Any
    offered: Callable[[TenantInfo], bool]  # whether this cooperative sends such e-mails at all


def _reminders_sent(tenant: TenantInfo) -> bool:
    rules = tenant.settings.readings
    return tenant.has_feature("meters") and rules.reminder and not rules.always_open


CHOICES = {choice.name: choice for choice in (
    Choice("announcements", "announcement_emails",
           _l("The cooperative's announcements by e-mail"),
           lambda tenant: tenant.has_feature("announcements")),
    Choice("reading_reminders", "reading_reminders",
           _l("A reminder when the cooperative collects meter readings"), _reminders_sent),
    Choice("finance", "finance_emails",
           _l("New charges and payments posted to my units"),
           lambda tenant: tenant.has_feature("finance") and tenant.settings.finance.emails),
    Choice("consumption", "consumption_emails",
           _l("The monthly information on my units' consumption (remote meters)"),
           lambda tenant: tenant.has_feature("meters")),
    Choice("consumption_alerts", "consumption_alerts",
           _l("A warning of unusual consumption in my units (e.g. a possible leak)"),
           lambda tenant: tenant.has_feature("meters")),
)}


def offered(tenant: TenantInfo) -> list[Choice]:
    """The optional e-mails this cooperative sends."""
    return [choice for choice in CHOICES.values() if choice.offered(tenant)]


def choose(user: User, name: str, wanted: bool, *, way: str = RESIDENT,
           actor: User | None = None) -> bool:
    """Give or withdraw a choice (no commit); False when it was already so."""
    choice = CHOICES[name]
    if bool(getattr(user, choice.field)) == wanted:
        return False
    setattr(user, choice.field, wanted)
    db.session.add(ConsentEvent(user_id=user.id, choice=name, given=wanted, way=way,
                                actor_id=(actor or user).id))
    audit.record(CONSENT_CHANGED, subject=user, actor=actor or user, choice=name,
                 given=wanted, way=way)
    return True


def since(user_id: int) -> dict[str, ConsentEvent]:
    """The latest event of each of the person's choices (when, how). A choice made before
    the history was kept has one event of the ``EARLIER`` way, dated when the history began."""
    return {event.choice: event for event in db.session.scalars(
        select(ConsentEvent).where(ConsentEvent.user_id == user_id)
        .order_by(ConsentEvent.at, ConsentEvent.id))}


def _serializer(tenant_id: int) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"iok-unsubscribe:{tenant_id}")


def unsubscribe_link(tenant: TenantInfo, user_id: int, name: str) -> str:
    """The link that withdraws one choice without signing in (it never gives one)."""
    return tenant.url(UNSUBSCRIBE_PATH + _serializer(tenant.id).dumps({"u": user_id, "c": name}))


def read_unsubscribe(token: str, tenant: TenantInfo) -> tuple[User, Choice] | None:
    """The person and the choice a link of this cooperative withdraws; None if it is not one."""
    found = person_in(_serializer(tenant.id), token)
    if found is None or found[1].get("c") not in CHOICES:
        return None
    return found[0], CHOICES[found[1]["c"]]
