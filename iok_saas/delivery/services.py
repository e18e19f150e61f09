"""Delivering documents to units, and the proof of it (see ``models``). Nothing here commits.

* ``deliver`` — one PDF to a unit: kept in the file store, a ``UnitDocument`` row, a
  recipient row per person (each title-holder on that day, or the one person named), an
  e-mail (no content, a link) to each who consented to electronic delivery. The same PDF to
  the same unit, kind and person again delivers nothing (``created`` False).
* ``opened`` — a recipient downloads it: the first opening is proof (who, when).
* ``withdraw`` / ``redeliver`` — a wrong document is withdrawn, never deleted.
* consent to electronic delivery: ``consent_of``, ``consented_among``, ``set_consent``.
* what pages show: ``documents_of`` (a resident's), ``proof_rows`` (the proof sheet),
  ``paper_rows`` (what the office must deliver on paper) and ``mark_printed``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, literal, or_, select

from iok_saas import files
from iok_saas.audit import services as audit
from iok_saas.audit.models import (
    DELIVERY_CONSENT_CHANGED,
    UNIT_DOCUMENT_REDELIVERED,
    UNIT_DOCUMENT_WITHDRAWN,
    UNIT_DOCUMENTS_PRINTED,
)
from iok_saas.auth.models import User
from iok_saas.db import UtcDateTime, db, utcnow
from iok_saas.db.rowsets import ordered
from iok_saas.delivery import rules
from iok_saas.delivery.models import (
    MAIL_ACCEPTED,
    OPENED,
    PRINTED,
    RESIDENT,
    WITHDRAWN,
    DeliveryConsent,
    DocumentRecipient,
    ProofEvent,
    UnitDocument,
)
from iok_saas.estate import services as estate
from iok_saas.estate.models import Building, Unit
from iok_saas.files.pdf import pdf_problem
from iok_saas.mail.outbox import queue_bulk
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.formatting import local_today
from iok_saas.web.problems import DomainError

PURPOSE = "unit_document"
MAIL = "unit_document"
KSEF = re.compile(r"[0-9]{10}-[0-9]{8}-[0-9A-F]{12}-[0-9A-F]{2}")


class DeliveryError(DomainError):
    """A document cannot be delivered (or consent recorded) as given."""


@dataclass(frozen=True)
class Parcel:
    """What is delivered: to which unit (and person), what kind, its title and date."""

    unit_id: int
    kind: str
    title: str
    effective_on: date | None = None
    ksef_number: str = ""
    person_id: int | None = None


def parcel_problem(parcel: Parcel, tenant: TenantInfo, today: date) -> Any:
    """Why this parcel cannot be delivered today (a message), or None. The unit and the
    person are checked by the caller (it has them loaded)."""
    kind = rules.KINDS.get(parcel.kind)
    if kind is None or parcel.kind not in tenant.settings.delivery.kinds:
        return _l("the cooperative does not deliver documents of this kind")
    if not parcel.title.strip():
        return _l("the document's title is empty")
    if len(parcel.title) > 300:
        return _l("the title is longer than 300 characters")
    if kind.needs_date and parcel.effective_on is None:
        return _l("a document of this kind needs its effective date")
    if kind.needs_ksef and not KSEF.fullmatch(parcel.ksef_number):
        return _l("an invoice needs its number in the National e-Invoice System (KSeF), e.g. "
                  "5260250274-20270115-0A1B2C3D4E5F-1A")
    return rules.too_late(parcel.kind, parcel.effective_on, today,
                          tenant.settings.delivery.payment_day)


def pdf_checked(data: bytes, tenant: TenantInfo) -> Any:
    """Why these bytes cannot be delivered as a PDF (a message), or None: the file store's
    PDF checks (readable, no password, no script) and the cooperative's size limit."""
    limit = tenant.settings.delivery.pdf_max_mb << 20
    if len(data) > limit:
        return _l("the PDF is larger than %(mb)d MB", mb=tenant.settings.delivery.pdf_max_mb)
    if not data:
        return _l("the file is empty")
    return pdf_problem(data)


@dataclass
class Outgoing:
    """E-mails waiting to be queued together (one ``queue_bulk`` for many deliveries)."""

    messages: list[tuple[str, dict[str, Any], str, int, str]]

    def flush(self) -> None:
        """Queue what waits (in the caller's transaction)."""
        if self.messages:
            queue_bulk(MAIL, self.messages)
            self.messages = []


def deliver(parcel: Parcel, data: bytes, filename: str, *, unit: Unit, tenant: TenantInfo,
            actor: str, run_id: int | None = None, replaces_id: int | None = None,
            holders: list[User] | None = None, consenting: set[int] | None = None,
            outgoing: Outgoing | None = None) -> tuple[UnitDocument, bool]:
    """Deliver one checked PDF (``pdf_checked``, ``parcel_problem``) to ``unit``: the
    document, its recipients and their e-mails (no commit). ``holders`` (the unit's title
    holders) and ``consenting`` may be given by a caller delivering many; ``outgoing``
    gathers the e-mails for one queueing. Returns the document and whether it is new (the
    same PDF to the same unit, kind and person was delivered before: nothing more)."""
    digest = hashlib.sha256(data).hexdigest()
    person_key = parcel.person_id or 0
    existing = db.session.scalar(select(UnitDocument).where(
        UnitDocument.unit_id == unit.id, UnitDocument.kind == parcel.kind,
        UnitDocument.sha256 == digest, UnitDocument.person_key == person_key)
        .order_by(UnitDocument.id.desc()).limit(1))
    if existing is not None:
        if not is_withdrawn(existing.id):
            return existing, False
        # The same PDF once more after the office withdrew it (a wrong title or date in the
        # manifest): delivered again, in its place.
        replaces_id = replaces_id or existing.id
    if holders is None:
        holders = holders_of(unit.id)
    people = [p for p in holders if parcel.person_id is None or p.id == parcel.person_id]
    if consenting is None:
        consenting = consented_among([p.id for p in people])
    stored = files.store(data, filename=filename, content_type="application/pdf",
                         purpose=PURPOSE)
    document = UnitDocument(
        unit_id=unit.id, kind=parcel.kind, title=parcel.title.strip(),
        effective_on=parcel.effective_on, ksef_number=parcel.ksef_number,
        person_id=parcel.person_id, person_key=person_key, file_id=stored.id,
        filename=stored.filename, size=stored.size, sha256=digest, address=unit.address,
        made_available_at=utcnow(), actor=actor[:160], run_id=run_id, replaces_id=replaces_id,
        replaces_key=replaces_id or 0)
    db.session.add(document)
    db.session.flush()
    mine = outgoing or Outgoing([])
    for person in people:
        agreed = person.id in consenting
        outbox_id = None
        if agreed and person.email:
            outbox_id = str(uuid4())
            mine.messages.append((person.email, _mail_context(document, tenant),
                                  f"unit-document:{document.id}:{person.id}", person.id,
                                  outbox_id))
        db.session.add(DocumentRecipient(document_id=document.id, user_id=person.id,
                                         consented=agreed, outbox_id=outbox_id))
    if outgoing is None:
        mine.flush()
    db.session.flush()
    db.session.expunge(stored)  # a bulk delivery keeps memory flat
    return document, True


def holders_of(unit_id: int) -> list[User]:
    """Who a document for the unit is delivered to: the active accounts holding a title to it
    (a deactivated account cannot read it: the office delivers on paper to that person)."""
    holding = estate.holdings()
    return list(db.session.scalars(select(User).join(
        holding, holding.c.user_id == User.id).where(holding.c.unit_id == unit_id,
                                                     User.active.is_(True))
        .order_by(User.id)))


def recipients_of(document_id: int) -> list[User]:
    """The active accounts a document was delivered to."""
    return list(db.session.scalars(select(User).join(
        DocumentRecipient, DocumentRecipient.user_id == User.id).where(
        DocumentRecipient.document_id == document_id, User.active.is_(True))
        .order_by(User.id)))


def _mail_context(document: UnitDocument, tenant: TenantInfo) -> dict[str, Any]:
    """What the e-mail says: the unit and the kind, and where to read it — not the content."""
    with force_locale("pl"):  # the e-mail is Polish, whatever language the clerk reads
        kind = str(rules.KINDS[document.kind].label)
    return {"document": document.id, "unit": document.address, "kind": kind,
            "url": tenant.url(f"/moje-dokumenty?lokal={document.unit_id}")}


def mail_accepted(message: Any) -> None:
    """The mail server took the e-mail telling a recipient (the outbox calls this when it
    marks the message sent, in the same transaction): proof of when."""
    document_id = (message.context or {}).get("document")
    if document_id is not None:
        db.session.add(ProofEvent(document_id=document_id, kind=MAIL_ACCEPTED,
                                  user_id=message.user_id, at=message.sent_at or utcnow(),
                                  outbox_id=message.id))


# --- residents ------------------------------------------------------------------------------


def recipient_document(user_id: int, document_id: int) -> UnitDocument | None:
    """A document delivered to this person (withdrawn ones too); None for anyone else's."""
    return db.session.scalar(select(UnitDocument).join(
        DocumentRecipient, DocumentRecipient.document_id == UnitDocument.id).where(
        UnitDocument.id == document_id, DocumentRecipient.user_id == user_id))


def is_withdrawn(document_id: int) -> bool:
    """Whether the office withdrew the document."""
    return db.session.scalar(select(ProofEvent.id).where(
        ProofEvent.document_id == document_id, ProofEvent.kind == WITHDRAWN).limit(1)) is not None


def opened(document: UnitDocument, user: User) -> bool:
    """The person opens the document: the first time is recorded (who, when); True then."""
    seen = db.session.scalar(select(ProofEvent.id).where(
        ProofEvent.document_id == document.id, ProofEvent.kind == OPENED,
        ProofEvent.user_id == user.id).limit(1))
    if seen is not None:
        return False
    db.session.add(ProofEvent(document_id=document.id, kind=OPENED, user_id=user.id,
                              actor_id=user.id, at=utcnow()))
    return True


def _event_at(kind: str, user: Any = None) -> Any:
    """When the first event of ``kind`` (for ``user``, if given) happened to the document."""
    stmt = select(func.min(ProofEvent.at)).where(ProofEvent.document_id == UnitDocument.id,
                                                 ProofEvent.kind == kind)
    if user is not None:  # a line without a person (nobody holds the unit) matches NULL
        stmt = stmt.where(ProofEvent.user_id.is_not_distinct_from(user))
    # ``user`` may be the recipient's column of the statement around: correlated too.
    return stmt.correlate(UnitDocument, DocumentRecipient).scalar_subquery()


def withdrawn() -> Any:
    """Whether the office withdrew the document (inside a statement on ``UnitDocument``)."""
    return select(ProofEvent.id).where(ProofEvent.document_id == UnitDocument.id,
                                       ProofEvent.kind == WITHDRAWN).correlate(
        UnitDocument).exists()


def documents_of(user_id: int) -> list[Any]:
    """The documents delivered to the person, newest first: id, unit, address, kind, title,
    effective date, when made available, file name and size, when they first opened it
    (None: new), when it was withdrawn (None: in force)."""
    return db.session.execute(
        select(UnitDocument.id, UnitDocument.unit_id, UnitDocument.address, UnitDocument.kind,
               UnitDocument.title, UnitDocument.effective_on, UnitDocument.made_available_at,
               UnitDocument.filename, UnitDocument.size,
               _event_at(OPENED, user_id).label("opened_at"),
               _event_at(WITHDRAWN).label("withdrawn_at"))
        .join(DocumentRecipient, DocumentRecipient.document_id == UnitDocument.id)
        .where(DocumentRecipient.user_id == user_id)
        .order_by(UnitDocument.made_available_at.desc(), UnitDocument.id.desc())).all()


def new_rows(user_id: Any, limit: int) -> Select:
    """The person's documents not opened yet and not withdrawn, newest first (a home tile's
    rows: id, unit address, kind, title)."""
    opened_by_them = select(ProofEvent.id).where(
        ProofEvent.document_id == UnitDocument.id, ProofEvent.kind == OPENED,
        ProofEvent.user_id == user_id).correlate(UnitDocument).exists()
    not_opened = ~or_(opened_by_them, withdrawn())
    return ordered(select(UnitDocument.id, UnitDocument.address, UnitDocument.kind,
                          UnitDocument.title)
                   .join(DocumentRecipient, DocumentRecipient.document_id == UnitDocument.id)
                   .where(DocumentRecipient.user_id == user_id, not_opened),
                   UnitDocument.made_available_at.desc(), UnitDocument.id.desc(), limit=limit)


# --- consent ----------------------------------------------------------------------------------


def consent_of(user_id: int) -> DeliveryConsent | None:
    """The person's choice now (None: never asked; ``given`` says it): the row of the latest
    day it took effect — a paper withdrawal dated before a consent given online later does
    not undo it — and of those, the last recorded."""
    return db.session.scalar(select(DeliveryConsent).where(DeliveryConsent.user_id == user_id)
                             .order_by(DeliveryConsent.on.desc(), DeliveryConsent.id.desc())
                             .limit(1))


def consent_history(user_id: int) -> list[DeliveryConsent]:
    """Every consent given or withdrawn by the person, newest first (as ``consent_of``)."""
    return list(db.session.scalars(select(DeliveryConsent).where(
        DeliveryConsent.user_id == user_id).order_by(DeliveryConsent.on.desc(),
                                                     DeliveryConsent.id.desc())))


def consented_among(user_ids: Iterable[int]) -> set[int]:
    """Which of these people consent to electronic delivery now, as ``consent_of`` decides
    (a thousand a query)."""
    ids, found = list(user_ids), set()
    for start in range(0, len(ids), 1000):
        rows = db.session.execute(
            select(DeliveryConsent.user_id, DeliveryConsent.given)
            .where(DeliveryConsent.user_id.in_(ids[start:start + 1000]))
            .order_by(DeliveryConsent.user_id, DeliveryConsent.on, DeliveryConsent.id))
        latest = {user_id: given for user_id, given in rows}  # the last of each person wins
        found.update(user_id for user_id, given in latest.items() if given)
    return found


def set_consent(user: User, given: bool, tenant: TenantInfo, *, actor: User,
                on: date | None = None, way: str = RESIDENT) -> DeliveryConsent:
    """Give or withdraw the person's consent (no commit); the office records a paper one with
    the date it bears (not in the future). Refused when it is already so."""
    today = local_today()
    on = on or today
    if on > today:
        raise DeliveryError(_l("The date of the consent cannot be in the future."), "on")
    current = consent_of(user.id)
    if current is not None and on < current.on:
        raise DeliveryError(_l("A later choice is recorded (from %(day)s): a paper one dated "
                               "before it does not change it.", day=f"{current.on:%d.%m.%Y}"),
                            "on")
    if bool(current and current.given) == given:
        raise DeliveryError(_l("Consent to electronic delivery is already given.") if given
                            else _l("There is no consent to electronic delivery to withdraw."))
    rules_digest = hashlib.sha256(tenant.settings.delivery.consent_rules.encode()).hexdigest()
    row = DeliveryConsent(user_id=user.id, given=given, on=on, at=utcnow(), way=way,
                          actor_id=actor.id, rules_sha256=rules_digest if given else "")
    db.session.add(row)
    audit.record(DELIVERY_CONSENT_CHANGED, subject=user, actor=actor, given=given, way=way,
                 on=on.isoformat())
    return row


# --- office -----------------------------------------------------------------------------------


def withdraw(document: UnitDocument, actor: User, reason: str) -> None:
    """The office withdraws a wrong document: residents see it marked withdrawn, without the
    file; its proof stays (no commit)."""
    if is_withdrawn(document.id):
        raise DeliveryError(_l("This document is already withdrawn."))
    if not reason.strip():
        raise DeliveryError(_l("Please give the reason for withdrawing it."), "reason")
    db.session.add(ProofEvent(document_id=document.id, kind=WITHDRAWN, actor_id=actor.id,
                              at=utcnow(), note=reason.strip()[:500]))
    audit.record(UNIT_DOCUMENT_WITHDRAWN, actor=actor, identifier=document.title[:120],
                 document=document.id, unit=document.unit_id, reason=reason.strip()[:200])


def redeliver(document: UnitDocument, data: bytes, filename: str, actor: User,
              tenant: TenantInfo, reason: str) -> UnitDocument:
    """A corrected PDF in place of a wrong one: the wrong one is withdrawn (if it is not
    yet), the corrected one delivered to the same unit (and person) with the same kind, title
    and date, pointing back to it (no commit)."""
    problem = pdf_checked(data, tenant)
    if problem is not None:
        raise DeliveryError(problem, "file")
    unit = db.session.get(Unit, document.unit_id)
    if not is_withdrawn(document.id):
        withdraw(document, actor, reason)
    parcel = Parcel(unit_id=document.unit_id, kind=document.kind, title=document.title,
                    effective_on=document.effective_on, ksef_number=document.ksef_number,
                    person_id=document.person_id)
    # The correction goes to those who got the wrong one, not to whoever holds the unit now
    # (a unit sold since: the new owner does not get the former owner's settlement).
    corrected, created = deliver(parcel, data, filename, unit=unit, tenant=tenant,
                                 actor=actor.full_name, replaces_id=document.id,
                                 holders=recipients_of(document.id))
    if not created:
        raise DeliveryError(_l("This very PDF has already been delivered to the unit."), "file")
    audit.record(UNIT_DOCUMENT_REDELIVERED, actor=actor, identifier=document.title[:120],
                 document=corrected.id, replaces=document.id, unit=document.unit_id)
    return corrected


def staff_document(document_id: int) -> UnitDocument | None:
    """A document of this cooperative."""
    return db.session.scalar(select(UnitDocument).where(UnitDocument.id == document_id))


@dataclass(frozen=True)
class ProofRow:
    """One line of a proof sheet: a document and one person it was delivered to."""

    document_id: int
    unit_id: int
    address: str
    kind: str
    title: str
    effective_on: date | None
    made_available_at: datetime
    sha256: str
    filename: str
    user_id: int | None
    identifier: str
    name: str
    consented: bool | None
    outbox_id: str | None
    mail_accepted_at: datetime | None
    opened_at: datetime | None
    withdrawn_at: datetime | None
    printed_at: datetime | None
    replaces_id: int | None


def proof_rows(*, unit_id: int | None = None, run_id: int | None = None,
               document_id: int | None = None, limit: int | None = None) -> list[ProofRow]:
    """The proof of delivery per document and person — of a unit, of a bulk delivery or of
    one document — in address and delivery order. A document delivered to nobody (the unit
    has no account in the portal) has one line without a person."""
    person = DocumentRecipient.user_id
    stmt = (select(UnitDocument.id, UnitDocument.unit_id, UnitDocument.address,
                   UnitDocument.kind, UnitDocument.title, UnitDocument.effective_on,
                   UnitDocument.made_available_at, UnitDocument.sha256, UnitDocument.filename,
                   person, User.identifier, User.first_name, User.last_name,
                   DocumentRecipient.consented, DocumentRecipient.outbox_id,
                   _event_at(MAIL_ACCEPTED, person).label("mail_accepted_at"),
                   _event_at(OPENED, person).label("opened_at"),
                   _event_at(WITHDRAWN).label("withdrawn_at"),
                   _event_at(PRINTED, person).label("printed_at"),
                   UnitDocument.replaces_id)
            .outerjoin(DocumentRecipient, DocumentRecipient.document_id == UnitDocument.id)
            .outerjoin(User, User.id == DocumentRecipient.user_id))
    if unit_id is not None:
        stmt = stmt.where(UnitDocument.unit_id == unit_id)
    if run_id is not None:
        stmt = stmt.where(UnitDocument.run_id == run_id)
    if document_id is not None:
        stmt = stmt.where(UnitDocument.id == document_id)
    stmt = stmt.order_by(UnitDocument.address, UnitDocument.made_available_at.desc(),
                         UnitDocument.id.desc(), User.last_name, User.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [ProofRow(document_id=r[0], unit_id=r[1], address=r[2], kind=r[3], title=r[4],
                     effective_on=r[5], made_available_at=r[6], sha256=r[7], filename=r[8],
                     user_id=r[9], identifier=r[10] or "",
                     name=f"{r[11] or ''} {r[12] or ''}".strip(), consented=r[13],
                     outbox_id=r[14], mail_accepted_at=r[15], opened_at=r[16],
                     withdrawn_at=r[17], printed_at=r[18], replaces_id=r[19])
            for r in db.session.execute(stmt)]


@dataclass(frozen=True)
class PaperRow:
    """A document the office must deliver on paper to one person (or to the unit)."""

    document_id: int
    unit_id: int
    building_id: int
    address: str
    kind: str
    title: str
    made_available_at: datetime
    user_id: int | None
    name: str
    reason: str  # "no_consent", "not_opened", "no_account"
    printed_at: datetime | None
    deliver_by: date | None = None  # a fee-change notice: the last lawful day to hand it over


def _event_of(kind: str, user: Any) -> Any:
    """Whether an event of ``kind`` for ``user`` happened to the document (in a statement
    on ``UnitDocument`` and ``DocumentRecipient``)."""
    return select(ProofEvent.id).where(
        ProofEvent.document_id == UnitDocument.id, ProofEvent.kind == kind,
        ProofEvent.user_id.is_not_distinct_from(user)).correlate(
        UnitDocument, DocumentRecipient).exists()


def _on_paper(person: Any, now: datetime, days: dict[str, int]) -> Any:
    """The database's part of ``paper_rows``: nobody to deliver to, no consent, or not
    opened within the kind's days (so the list does not read the whole history)."""
    def before(number: int) -> Any:
        return literal(now - timedelta(days=number), UtcDateTime)

    due = case(*((UnitDocument.kind == kind, before(number)) for kind, number in days.items()),
               else_=before(14))
    return or_(person.is_(None), DocumentRecipient.consented.is_(False),
               and_(UnitDocument.made_available_at <= due, ~_event_of(OPENED, person)))


def paper_rows(building_id: int | None, tenant: TenantInfo, *, printed: bool = False,
               now: datetime | None = None) -> list[PaperRow]:
    """What must go on paper, in address order: every document for a person without consent
    to electronic delivery at once, for one who consented but did not open it within the
    kind's days (``delivery.paper_after_days``), for a unit nobody in the portal holds.
    Withdrawn documents are left out; printed ones only with ``printed``."""
    now = now or utcnow()
    days = tenant.settings.delivery.paper_after_days
    payment_day = tenant.settings.delivery.payment_day
    person = DocumentRecipient.user_id
    stmt = (select(UnitDocument.id, UnitDocument.unit_id, Unit.building_id,
                   UnitDocument.address, UnitDocument.kind, UnitDocument.title,
                   UnitDocument.effective_on,
                   UnitDocument.made_available_at, person, User.first_name, User.last_name,
                   DocumentRecipient.consented,
                   _event_at(OPENED, person).label("opened_at"),
                   _event_at(PRINTED, person).label("printed_at"))
            .join(Unit, Unit.id == UnitDocument.unit_id)
            .join(Building, Building.id == Unit.building_id)
            .outerjoin(DocumentRecipient, DocumentRecipient.document_id == UnitDocument.id)
            .outerjoin(User, User.id == DocumentRecipient.user_id)
            .where(~withdrawn(), _on_paper(person, now, days)))
    if not printed:
        stmt = stmt.where(~_event_of(PRINTED, person))
    if building_id is not None:
        stmt = stmt.where(Unit.building_id == building_id)
    stmt = stmt.order_by(Building.street, Building.number, Unit.number, Unit.id,
                         UnitDocument.made_available_at, UnitDocument.id, User.last_name)
    found = []
    for row in db.session.execute(stmt):
        if row.user_id is None:
            reason = "no_account"
        elif not row.consented:
            reason = "no_consent"
        elif row.opened_at is None and (
                row.made_available_at + timedelta(days=days.get(row.kind, 14)) <= now):
            reason = "not_opened"
        else:
            continue
        if row.printed_at is not None and not printed:
            continue
        found.append(PaperRow(
            document_id=row.id, unit_id=row.unit_id, building_id=row.building_id,
            address=row.address, kind=row.kind, title=row.title,
            made_available_at=row.made_available_at, user_id=row.user_id,
            name=f"{row.first_name or ''} {row.last_name or ''}".strip(), reason=reason,
            printed_at=row.printed_at,
            deliver_by=rules.latest_notice(row.kind, row.effective_on, payment_day)
            if row.effective_on else None))
    return found


def mark_printed(rows: list[PaperRow], actor: User) -> int:
    """The office printed these for delivery on paper: marked so (no commit). How many."""
    now = utcnow()
    fresh = [row for row in rows if row.printed_at is None]
    for row in fresh:
        db.session.add(ProofEvent(document_id=row.document_id, kind=PRINTED,
                                  user_id=row.user_id, actor_id=actor.id, at=now))
    if fresh:
        audit.record(UNIT_DOCUMENTS_PRINTED, actor=actor, identifier=str(len(fresh)),
                     documents=len({row.document_id for row in fresh}))
    return len(fresh)
