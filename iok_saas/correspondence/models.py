"""Letters to the office (sprawy): a kind of case (``iok_saas.cases``) numbered in the
cooperative's ``KO`` register (``KO/2026/00017``), and the answer templates the office keeps
per topic.

A letter's topic is the case's ``category``, its subject the case's ``subject``, its text the
first event's body. A letter that is really a fault report is moved into the fault reports
(``iok_saas.cases.operations.move``): it is closed with a link to the report, which names the
letter's number.
"""

from __future__ import annotations

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, synonym

from iok_saas.cases.kinds import CLOSED, IN_PROGRESS, LETTER_OPEN, RECEIVED, WAITING
from iok_saas.cases.models import Case
from iok_saas.db import Timestamped, db
from iok_saas.tenancy import TenantScoped

PREFIX = "KO"
KIND = "letter"
# A letter's statuses: the cases room's of a kind that goes as a letter does.
STATUSES = (RECEIVED, IN_PROGRESS, WAITING, CLOSED)
OPEN = LETTER_OPEN


class Letter(Case):
    """One letter to the office and everything that follows it."""

    __mapper_args__ = {"polymorphic_identity": KIND}

    author_id = synonym("filed_by_id")
    topic = synonym("category")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class AnswerTemplate(TenantScoped, Timestamped, db.Model):
    """A ready answer the office keeps for a topic ("" : any topic)."""

    __tablename__ = "correspondence_template"
    __table_args__ = (
        UniqueConstraint("tenant_id", "title"),
        Index("ix_correspondence_template_tenant_topic", "tenant_id", "topic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(60), default="", server_default="")
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
