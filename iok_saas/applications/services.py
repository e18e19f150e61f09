"""The application's life: submitted online, confirmed by e-mail, reviewed by staff, prepared,
completed in person. Every step that tells the applicant something goes through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from iok_saas.applications.models import (
    APPROVED,
    COMPLETED,
    REJECTED,
    SUBMITTED,
    UNCONFIRMED,
    AccessApplication,
)
from iok_saas.auth import services as accounts
from iok_saas.auth.models import RESIDENT, User
from iok_saas.db import db, utcnow
from iok_saas.estate.models import Unit
from iok_saas.estate.services import grant_title, holdings
from iok_saas.mail.outbox import queue_message
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import TenantInfo, get_tenant_info


class ApplicationError(ValueError):
    """A step that cannot be taken in the application's present state."""


@dataclass(frozen=True)
class Applicant:
    """What the form gives."""

    first_name: str
    last_name: str
    unit: Unit
    title_kind: str
    email: str
    phone: str


def _serializer(tenant: TenantInfo) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"iok-application-confirm:{tenant.id}")


def submit(applicant: Applicant, tenant: TenantInfo) -> AccessApplication:
    """Store the application (unconfirmed) and e-mail the confirmation link (no commit)."""
    hours = tenant.settings.accounts.application_confirm_hours
    application = AccessApplication(
        first_name=applicant.first_name, last_name=applicant.last_name,
        unit_id=applicant.unit.id, title_kind=applicant.title_kind, email=applicant.email,
        phone=applicant.phone, terms_version=tenant.settings.terms.version,
        confirm_by=utcnow() + timedelta(hours=hours),
    )
    db.session.add(application)
    db.session.flush()
    token = _serializer(tenant).dumps({"a": application.id, "e": applicant.email})
    queue_message("application_confirm", applicant.email, {
        "name": application.full_name, "hours": hours,
        "link": tenant.url(url_for("applications.confirm", token=token)),
    }, user_id=None)  # no account yet
    return application


def confirm(token: str, tenant: TenantInfo) -> AccessApplication | None:
    """Confirm the address: the application goes to the cooperative (once; before it expires)."""
    try:
        data = _serializer(tenant).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        return None
    application = db.session.scalar(select(AccessApplication).where(
        AccessApplication.id == data["a"], AccessApplication.email == data.get("e")))
    if (application is None or application.status != UNCONFIRMED
            or application.confirm_by < utcnow()):
        return None
    application.status = SUBMITTED
    application.confirmed_at = utcnow()
    _notify_staff(tenant)
    return application


def _notify_staff(tenant: TenantInfo) -> None:
    """One digest an hour at most to the cooperative's address (idempotency key = the hour)."""
    address = tenant.settings.office.email
    if address:
        hour = utcnow().strftime("%Y%m%d%H")
        queue_message("application_digest", address, {
            "link": tenant.url(url_for("staff_applications.queue")),
        }, idempotency_key=f"application-digest-{hour}", user_id=None)


def queue(status: str | None) -> list[AccessApplication]:
    """Applications for staff, oldest first, with their units (one query)."""
    stmt = select(AccessApplication).options(
        joinedload(AccessApplication.unit).joinedload(Unit.building))
    if status:
        stmt = stmt.where(AccessApplication.status == status)
    else:
        stmt = stmt.where(AccessApplication.status.in_((SUBMITTED, APPROVED)))
    return list(db.session.scalars(stmt.order_by(AccessApplication.confirmed_at,
                                                  AccessApplication.id)))


def get(application_id: int, *, for_update: bool = False) -> AccessApplication | None:
    """One application of the current cooperative (not the unconfirmed ones).

    ``for_update`` locks the row, so two clerks deciding at once act one after the other."""
    stmt = select(AccessApplication).where(
        AccessApplication.id == application_id, AccessApplication.status != UNCONFIRMED)
    return db.session.scalar(stmt.with_for_update() if for_update else stmt)


def same_person_accounts(application: AccessApplication) -> list[User]:
    """Accounts that already use the applicant's e-mail address (to warn the clerk)."""
    stmt = select(User).where(func.lower(User.email) == application.email.lower())
    if application.user_id is not None:
        stmt = stmt.where(User.id != application.user_id)
    return list(db.session.scalars(stmt))


def residents_of(application: AccessApplication) -> list[User]:
    """Who else holds a title to the unit (shown next to the application)."""
    held = holdings()
    stmt = (select(User).join(held, held.c.user_id == User.id)
            .where(held.c.unit_id == application.unit_id).order_by(User.last_name))
    if application.user_id is not None:
        stmt = stmt.where(User.id != application.user_id)
    return list(db.session.scalars(stmt))


def _reviewed(application: AccessApplication, staff: User, expected: str) -> None:
    if application.status != expected:
        raise ApplicationError(application.status)
    application.reviewed_at = utcnow()
    application.reviewed_by = f"{staff.identifier} ({staff.full_name})"


def approve(application: AccessApplication, staff: User, tenant: TenantInfo) -> User:
    """Prepare the account (not usable until the visit) and tell the applicant to come in."""
    _reviewed(application, staff, SUBMITTED)
    account = accounts.create_account(
        tenant.settings, RESIDENT, first_name=application.first_name,
        last_name=application.last_name, email=application.email, phone=application.phone,
        actor=staff)
    account.user.active = False  # signs in only after the identity check at the office
    grant_title(account.user.id, application.unit, application.title_kind)
    application.user_id = account.user.id
    application.status = APPROVED
    office = tenant.settings.office
    queue_message("application_approved", application.email, {
        "name": application.full_name, "address": office.one_line(), "room": office.room,
        "hours": office.hours, "phone": office.phone,
    }, user_id=account.user.id)
    return account.user


def reject(application: AccessApplication, staff: User, reason: str) -> None:
    """Refuse with a reason the applicant is told."""
    _reviewed(application, staff, SUBMITTED)
    application.status = REJECTED
    application.rejection_reason = reason
    queue_message("application_rejected", application.email, {
        "name": application.full_name, "reason": reason,
    }, user_id=None)


def hand_over(application: AccessApplication, staff: User, tenant: TenantInfo
              ) -> tuple[User, str]:
    """At the office: identity checked, application signed → account on, initial password."""
    if application.status != APPROVED or application.user_id is None:
        raise ApplicationError(application.status)
    user = db.session.get(User, application.user_id)
    application.identity_checked_at = utcnow()
    application.identity_checked_by = f"{staff.identifier} ({staff.full_name})"
    application.status = COMPLETED
    accounts.set_active(user, True, staff)
    password = accounts.reset_password(user, tenant.settings, staff)
    return user, password


def purge_unconfirmed() -> int:
    """The daily job of one cooperative (in its context): delete applications never confirmed
    by e-mail within the cooperative's limit; how many (no commit)."""
    days = get_tenant_info(require_tenant_id()).settings.accounts.unconfirmed_application_days
    return db.session.execute(
        delete(AccessApplication)
        .where(AccessApplication.status == UNCONFIRMED,
               AccessApplication.created_at < utcnow() - timedelta(days=days))
        .execution_options(synchronize_session=False)).rowcount
