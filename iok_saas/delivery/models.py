"""Documents delivered to a unit, and the proof of their delivery.

A ``UnitDocument`` is one PDF delivered to a unit (to each person holding a title to it on
that day, or to the one person it names); a ``DocumentRecipient`` row per person says who it
was delivered to, whether they had consented to electronic delivery then, and the e-mail that
told them; a ``ProofEvent`` says what happened after: the mail server took the e-mail, the
person first opened the document, the office withdrew it or printed it for paper delivery.
``DeliveryConsent`` is the history of each person's consent to electronic delivery.

All four are insert-only: a trigger refuses every UPDATE and DELETE (``db.immutable``), so
nothing in the proof can be changed afterwards. Whether a document is withdrawn, opened or
printed is read from its events.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import UtcDateTime, db, utcnow
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target

# What happened to a delivered document (ProofEvent.kind).
MAIL_ACCEPTED = "mail_accepted"  # the mail server took the e-mail telling the person
OPENED = "opened"  # the person opened (downloaded) the document for the first time
WITHDRAWN = "withdrawn"  # the office withdrew it (a wrong document): the proof stays
PRINTED = "printed"  # the office printed it for delivery on paper
EVENTS = (MAIL_ACCEPTED, OPENED, WITHDRAWN, PRINTED)
# How a consent was given or withdrawn.
RESIDENT, STAFF = "resident", "staff"
TABLES = ("unit_document", "unit_document_recipient", "unit_document_event",
          "delivery_consent")


class UnitDocument(TenantScoped, db.Model):
    """One PDF delivered to a unit (or to one person holding it). Never changed."""

    __tablename__ = "unit_document"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("unit_id", "unit"),
        tenant_fk("file_id", "stored_file"),
        # A re-sent file delivers nothing twice: the same PDF to the same unit, kind, person
        # (once more only in place of a withdrawn one: ``replaces_key``).
        UniqueConstraint("tenant_id", "unit_id", "kind", "sha256", "person_key",
                         "replaces_key"),
        Index("ix_unit_document_tenant_unit", "tenant_id", "unit_id", "made_available_at"),
        Index("ix_unit_document_tenant_run", "tenant_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    effective_on: Mapped[date | None]  # a fee change's date, a settlement's end, a meeting's day
    ksef_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    person_id: Mapped[int | None]  # the one person it names; None: every title-holder
    person_key: Mapped[int] = mapped_column(default=0, server_default="0")  # person_id or 0
    file_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300))  # the unit's address on that day
    made_available_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(160), default="")  # who delivered it
    run_id: Mapped[int | None]  # the bulk delivery (import run) it came with
    replaces_id: Mapped[int | None]  # the withdrawn document this one corrects
    replaces_key: Mapped[int] = mapped_column(default=0, server_default="0")  # or 0


class DocumentRecipient(TenantScoped, db.Model):
    """A person a document was delivered to. Never changed."""

    __tablename__ = "unit_document_recipient"
    __table_args__ = (
        tenant_fk("document_id", "unit_document"),
        tenant_fk("user_id", "user_account"),
        UniqueConstraint("tenant_id", "document_id", "user_id"),
        Index("ix_unit_document_recipient_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int]
    user_id: Mapped[int]
    consented: Mapped[bool]  # consent to electronic delivery on the day of delivery
    outbox_id: Mapped[str | None] = mapped_column(String(36))  # the e-mail telling them


class ProofEvent(TenantScoped, db.Model):
    """What happened to a delivered document, when, for whom, by whom. Never changed."""

    __tablename__ = "unit_document_event"
    __table_args__ = (
        tenant_fk("document_id", "unit_document"),
        Index("ix_unit_document_event_document", "tenant_id", "document_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None]  # the recipient it concerns (opened, mail accepted, printed)
    actor_id: Mapped[int | None]  # who did it (the person, a clerk; None: the platform)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    outbox_id: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class DeliveryConsent(TenantScoped, db.Model):
    """A person's consent to electronic delivery of documents, given or withdrawn: when
    (the date on a paper consent), how, by whom, under which rules. Never changed: the
    latest row is the person's choice now."""

    __tablename__ = "delivery_consent"
    __table_args__ = (
        tenant_fk("user_id", "user_account"),
        Index("ix_delivery_consent_user", "tenant_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    given: Mapped[bool]
    on: Mapped[date]  # the day it took effect (a paper consent: the date it bears)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)  # when it was recorded
    way: Mapped[str] = mapped_column(String(10))  # resident / staff (on paper)
    actor_id: Mapped[int | None]
    rules_sha256: Mapped[str] = mapped_column(String(64), default="")  # the rules' text then

