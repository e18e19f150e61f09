"""A person's contact details: phones (E.164), and an e-mail address that changes only once the
new address confirms it.

The confirmation link is signed, bound to the cooperative (salt), to the person and to the one
request (the address and the moment it was asked for), so it works once, expires after
``EMAIL_LINK_HOURS``, is replaced by a newer request and is useless on another host. Until it is
opened the old address stays in use; the old address is told that a change was asked for.
Staff may record a new address from a paper request (who, when, the request's date); an import
never changes an address confirmed here (see ``imports.runner``).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from flask import current_app, url_for
from itsdangerous import URLSafeTimedSerializer

from iok_saas.audit import services as audit
from iok_saas.audit.models import CONTACTS_CHANGED, EMAIL_CHANGE_ASKED, EMAIL_CHANGED
from iok_saas.auth.models import User
from iok_saas.auth.tokens import person_in
from iok_saas.db import utcnow
from iok_saas.mail.outbox import queue_message
from iok_saas.tenancy.info import TenantInfo

EMAIL_LINK_HOURS = 24
RESEND_MINUTES = 5


def masked_email(address: str | None) -> str:
    """``j•••@example.org``: enough to recognise, not to read."""
    if not address or "@" not in address:
        return "—"
    name, _, domain = address.rpartition("@")
    return f"{name[:1]}•••@{domain}"


def change_phones(user: User, actor: User, *, mobile: str | None, landline: str | None,
                  paper: date | None = None) -> bool:
    """Set both phones (E.164 or None; no commit); False when nothing changed."""
    changed = {field: (old, new) for field, old, new in (
        ("mobile", user.phone, mobile), ("landline", user.landline, landline)) if old != new}
    if not changed:
        return False
    user.phone, user.landline = mobile, landline
    user.contacts_changed_at = utcnow()
    for field, (old, new) in changed.items():
        audit.record(CONTACTS_CHANGED, subject=user, actor=actor, field=field, old=old or "",
                     new=new or "", **({"paper": paper.isoformat()} if paper else {}))
    return True


def same_address(one: str | None, other: str | None) -> bool:
    """Whether two addresses are the same mailbox (as mail services treat them: any case)."""
    return (one or "").lower() == (other or "").lower()


def update_email(user: User, new: str | None, tenant: TenantInfo) -> bool:
    """The address the person typed on their form (no commit); whether a link was sent.

    A new address waits for its link (asked again, the link is sent again, replacing the
    earlier one; at most every ``RESEND_MINUTES``); the current one typed again cancels a
    waiting change; none removes the address."""
    if new is None:
        if user.email:
            remove_email(user)
        return False
    if same_address(new, user.email):
        user.pending_email = user.pending_email_at = None
        return False
    if same_address(new, user.pending_email) and user.pending_email_at is not None and \
            utcnow() - user.pending_email_at < timedelta(minutes=RESEND_MINUTES):
        return False
    ask_email_change(user, new, tenant)
    return True


def _digest(address: str) -> str:
    """The address in the link, not readable there (links end up in logs)."""
    return hashlib.sha256(address.encode()).hexdigest()[:20]


def _serializer(tenant: TenantInfo) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"iok-email-change:{tenant.id}")


def ask_email_change(user: User, new: str, tenant: TenantInfo) -> None:
    """Send the confirmation link to the new address and a notice to the old one (no commit).
    The address in use does not change yet."""
    user.pending_email, user.pending_email_at = new, utcnow()
    token = _serializer(tenant).dumps(
        {"u": user.id, "e": _digest(new), "t": int(user.pending_email_at.timestamp())})
    queue_message("email_change", new, {
        "name": user.full_name, "link": tenant.url(url_for("contacts.confirm_email",
                                                           token=token)),
        "hours": EMAIL_LINK_HOURS}, user_id=user.id)
    if user.email and user.email != new:
        queue_message("email_change_notice", user.email, {
            "name": user.full_name, "new": masked_email(new)}, user_id=user.id)
    audit.record(EMAIL_CHANGE_ASKED, subject=user, actor=user, old=user.email or "", new=new)


def pending_for(token: str, tenant: TenantInfo) -> User | None:
    """The person whose waiting change a valid, unused, unexpired link of this cooperative
    confirms."""
    found = person_in(_serializer(tenant), token, EMAIL_LINK_HOURS * 3600)
    if found is None:
        return None
    user, data = found
    if not user.active or user.pending_email is None \
            or _digest(user.pending_email) != data.get("e") or user.pending_email_at is None \
            or int(user.pending_email_at.timestamp()) != data.get("t"):
        return None
    return user


def confirm_email(user: User) -> None:
    """The new address confirmed itself: it is the one in use from now on (no commit)."""
    old, user.email = user.email, user.pending_email
    user.pending_email = user.pending_email_at = None
    user.email_confirmed_at = user.contacts_changed_at = utcnow()
    audit.record(EMAIL_CHANGED, subject=user, actor=user, old=old or "", new=user.email,
                 way="link")


def record_paper_email(user: User, new: str, actor: User, paper: date) -> None:
    """Staff: the address from the person's signed paper request of ``paper`` (no commit);
    the old address is told (should the request not have been theirs)."""
    old, user.email = user.email, new
    if old and old.lower() != new.lower():
        queue_message("email_changed_at_office", old, {
            "name": user.full_name, "new": masked_email(new), "date": f"{paper:%d.%m.%Y}"},
                      user_id=user.id)
    user.pending_email = user.pending_email_at = None
    user.email_confirmed_at = user.contacts_changed_at = utcnow()
    audit.record(EMAIL_CHANGED, subject=user, actor=actor, old=old or "", new=new,
                 way="paper", paper=paper.isoformat())


def remove_email(user: User) -> None:
    """The person asked to be written to no more (no commit): no address, nothing waiting."""
    old, user.email = user.email, None
    user.pending_email = user.pending_email_at = user.email_confirmed_at = None
    user.contacts_changed_at = utcnow()
    audit.record(EMAIL_CHANGED, subject=user, actor=user, old=old or "", new="", way="removed")
