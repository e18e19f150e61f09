"""Fault reports (zgłoszenia awarii i usterek): a kind of case (``iok_saas.cases``) numbered in
the cooperative's ``AW`` register (``AW/2026/00042``), about one of the resident's units or a
common area of a building where they hold a unit.

What is the report's own: the place within it, the description, whether staff may enter, how
to reach the resident, and the resident's confirmation that the fault is fixed. A duplicate is
merged into another report: it keeps its number and points at the report that goes on; every
reporter of the merged reports follows that one.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, synonym

from iok_saas.cases.models import Case
from iok_saas.db import UtcDateTime
from iok_saas.web.problems import DomainError

RECEIVED, IN_PROGRESS, DONE, REJECTED, MERGED = (
    "received", "in_progress", "done", "rejected", "merged")
STATUSES = (RECEIVED, IN_PROGRESS, DONE, REJECTED, MERGED)
OPEN = (RECEIVED, IN_PROGRESS)
PREFIX = "AW"
KIND = "fault"

DESCRIPTION_MAX = 4000
TEXT_MAX = 2000
PURPOSE = "fault_photo"  # the file store's purpose of its photos
STATUS_LABELS = {RECEIVED: _l("received"), IN_PROGRESS: _l("being dealt with"),
                 DONE: _l("finished"), REJECTED: _l("turned down"),
                 MERGED: _l("merged with another report")}

# The fault's own events, next to the room's (``iok_saas.cases.models``).
CONFIRMED, REOPENED = "confirmed", "reopened"


class FaultError(DomainError):
    """A report or step refused (message for the person, form field if any)."""


class FaultReport(Case):
    """One report of a fault."""

    __mapper_args__ = {"polymorphic_identity": KIND}

    place: Mapped[str] = mapped_column(String(120), default="", server_default="",
                                       nullable=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="",
                                             nullable=True)
    entry_allowed: Mapped[bool] = mapped_column(default=False, server_default=false(),
                                                nullable=True)
    contact_phone: Mapped[str] = mapped_column(String(20), default="", server_default="",
                                               nullable=True)
    contact_note: Mapped[str] = mapped_column(String(200), default="", server_default="",
                                              nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    reporter_id = synonym("filed_by_id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def status_changed(self, status: str) -> None:
        """A report finished again waits for a new confirmation."""
        if status in (DONE, REJECTED):
            self.confirmed_at = None
