"""Fault reports: what is a report's own on top of the cases room (``iok_saas.cases``) —
reporting one in a unit or a building's common areas, and the resident's confirmation or
reopening of a finished report within the cooperative's days.

Every function works in the current cooperative's context and leaves the commit to its caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from iok_saas.auth.models import User
from iok_saas.cases import services as cases
from iok_saas.cases.files import check_uploads
from iok_saas.cases.kinds import Upload, kind_of
from iok_saas.db import utcnow
from iok_saas.estate.services import places_of
from iok_saas.faults.models import (
    CONFIRMED,
    DESCRIPTION_MAX,
    DONE,
    RECEIVED,
    REOPENED,
    TEXT_MAX,
    FaultError,
    FaultReport,
)
from iok_saas.tenancy.settings import Faults as FaultRules

__all__ = ["DESCRIPTION_MAX", "TEXT_MAX", "FaultError", "NewReport", "confirm", "create",
           "may_respond", "reopen"]


@dataclass(frozen=True)
class NewReport:
    """What a resident's form gives."""

    category: str
    place_kind: str  # "unit" or "building"
    place_id: int
    place: str
    description: str
    entry_allowed: bool
    contact_phone: str
    contact_note: str
    submission: str
    photos: tuple[Upload, ...] = ()


def _place(user: User, data: NewReport) -> tuple[int, int | None]:
    """(building id, unit id or None) if the resident may report there; FaultError if not."""
    places = places_of(user.id)
    unit = places.unit(data.place_id) if data.place_kind == "unit" else None
    if unit is not None:
        return unit.building_id, unit.id
    if data.place_kind == "building" and places.building(data.place_id) is not None:
        return data.place_id, None
    raise FaultError(_l("Choose one of your units or a building where you hold a unit."),
                     "where")


def _check_text(data: NewReport, rules: FaultRules) -> None:
    if data.category not in rules.categories:
        raise FaultError(_l("Choose a category from the list."), "category")
    if not data.description.strip():
        raise FaultError(_l("Describe the fault."), "description")
    if len(data.description) > DESCRIPTION_MAX:
        raise FaultError(_l("The description is too long: at most %(max)d characters.",
                            max=DESCRIPTION_MAX), "description")


def create(user: User, data: NewReport, rules: FaultRules) -> FaultReport:
    """Save a resident's report with its number, first event, photos and confirmation e-mail
    (no commit). The same form sent again returns the report it made the first time."""
    earlier = cases.earlier(FaultReport, user.id, data.submission)
    if earlier is not None:
        return earlier
    _check_text(data, rules)
    building_id, unit_id = _place(user, data)
    checked = check_uploads(kind_of(FaultReport), data.photos, rules)
    return cases.file_case(FaultReport(
        submission=data.submission, category=data.category, building_id=building_id,
        unit_id=unit_id, place=data.place.strip(), description=data.description.strip(),
        entry_allowed=data.entry_allowed, contact_phone=data.contact_phone.strip(),
        contact_note=data.contact_note.strip(), status=RECEIVED), user, checked=checked)


def may_respond(report: FaultReport, today: datetime | None = None,
                rules: FaultRules | None = None) -> bool:
    """Whether the resident may still confirm or reopen a finished report."""
    if report.status != DONE or report.closed_at is None or report.confirmed_at is not None:
        return False
    days = rules.reopen_days if rules else 14
    return (today or utcnow()) - report.closed_at <= timedelta(days=days)


def _may_respond(report: FaultReport, user: User, rules: FaultRules) -> None:
    if report.filed_by_id != user.id:
        raise kind_of(report).refuse("not_own")
    if not may_respond(report, rules=rules):
        raise FaultError(_l("This report can no longer be confirmed or reopened."))


def confirm(report: FaultReport, user: User, rules: FaultRules) -> None:
    """The resident confirms the fault is fixed (no commit)."""
    _may_respond(report, user, rules)
    report.confirmed_at = utcnow()
    cases.add_event(report, CONFIRMED, author=user)


def reopen(report: FaultReport, user: User, text: str, rules: FaultRules) -> None:
    """The resident says the fault is still there: back to *przyjęte* (no commit)."""
    _may_respond(report, user, rules)
    text = text.strip()
    if not text:
        raise FaultError(_l("Say what is still wrong."), "text")
    if len(text) > TEXT_MAX:
        raise FaultError(_l("The text is too long: at most %(max)d characters.", max=TEXT_MAX),
                         "text")
    cases.set_status(report, RECEIVED)
    cases.add_event(report, REOPENED, author=user, body=text, status=RECEIVED)
