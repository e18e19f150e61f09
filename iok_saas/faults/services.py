"""Fault reports: residents report and follow them, staff move them on, merge duplicates.

Every function works in the current cooperative's context (the tenant filter and row-level
security apply) and leaves the commit to its caller, so a report, its number, its history and
its e-mails are saved together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import joinedload

from iok_saas import registers
from iok_saas.audit import services as audit
from iok_saas.audit.models import FAULT_ASSIGNED, FAULT_MERGED, FAULT_STATUS
from iok_saas.auth.models import User
from iok_saas.cases import queue as queues
from iok_saas.cases.queue import Filters
from iok_saas.db import db, utcnow
from iok_saas.estate.services import places_of
from iok_saas.faults import photos
from iok_saas.faults.models import (
    ASSIGNED,
    COMMENT,
    CONFIRMED,
    CREATED,
    DONE,
    IN_PROGRESS,
    MERGED,
    MERGED_IN,
    MERGED_INTO,
    NOTE,
    OPEN,
    PLANNED,
    PREFIX,
    RECEIVED,
    REJECTED,
    REOPENED,
    REPLY,
    STATUS,
    FaultEvent,
    FaultPhoto,
    FaultReport,
)
from iok_saas.mail.outbox import queue_message
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.tenancy.settings import Faults as FaultRules
from iok_saas.web.formatting import WARSAW, day
from iok_saas.web.problems import DomainError

DESCRIPTION_MAX = 4000
TEXT_MAX = 2000
# Where staff may move a report, and from where.
MOVES = {RECEIVED: (IN_PROGRESS, DONE, REJECTED), IN_PROGRESS: (RECEIVED, DONE, REJECTED),
         DONE: (IN_PROGRESS,), REJECTED: (RECEIVED, IN_PROGRESS)}


class FaultError(DomainError):
    """A report or step refused (message for the person, form field if any)."""


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
    photos: tuple[bytes, ...] = ()


# --- residents ----------------------------------------------------------------------------------


def new_submission() -> str:
    """A fresh key for one filled-in form (a second send of the same form makes no second
    report)."""
    return str(uuid.uuid4())


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
    if len(data.photos) > rules.photos_per_message:
        raise FaultError(_l("At most %(count)d photos at a time.",
                            count=rules.photos_per_message), "photos")


def create(user: User, data: NewReport, rules: FaultRules) -> FaultReport:
    """Save a resident's report with its number, first event, photos and confirmation e-mail
    (no commit). The same form sent again returns the report it made the first time."""
    earlier = db.session.scalar(select(FaultReport).where(
        FaultReport.reporter_id == user.id, FaultReport.submission == data.submission))
    if earlier is not None:
        return earlier
    _check_text(data, rules)
    building_id, unit_id = _place(user, data)
    cleaned = [photos.clean(photo, rules) for photo in data.photos]
    now = utcnow()
    year = now.astimezone(WARSAW).year
    report = FaultReport(
        year=year, number=registers.next_number(PREFIX, year), submission=data.submission,
        reporter_id=user.id, category=data.category, building_id=building_id, unit_id=unit_id,
        place=data.place.strip(), description=data.description.strip(),
        entry_allowed=data.entry_allowed, contact_phone=data.contact_phone.strip(),
        contact_note=data.contact_note.strip(), status=RECEIVED, status_at=now)
    db.session.add(report)
    db.session.flush()
    event = _event(report, CREATED, author=user, status=RECEIVED)
    photos.attach(report, event, cleaned)
    _tell([user], "fault_received", report)
    return report


def reports_of(user_id: int) -> list[FaultReport]:
    """The resident's own reports, open first, newest first within each group."""
    return list(db.session.scalars(
        select(FaultReport).where(FaultReport.reporter_id == user_id)
        .options(joinedload(FaultReport.building), joinedload(FaultReport.unit))
        .order_by(FaultReport.status.in_(OPEN).desc(), FaultReport.created_at.desc(),
                  FaultReport.id.desc())))


def merged_targets(reports: Iterable[FaultReport]) -> dict[int, FaultReport]:
    """For merged reports: the report each one goes on as (one query)."""
    ids = {r.merged_into_id for r in reports if r.merged_into_id}
    if not ids:
        return {}
    return {r.id: r for r in db.session.scalars(select(FaultReport).where(
        FaultReport.id.in_(ids)))}


def resident_report(user_id: int, report_id: int) -> FaultReport | None:
    """A report the resident follows (theirs, or one theirs was merged into); None for any
    other (a 404)."""
    report = db.session.scalar(
        select(FaultReport).where(FaultReport.id == report_id)
        .options(joinedload(FaultReport.building), joinedload(FaultReport.unit)))
    if report is None or report.reporter_id == user_id:
        return report
    merged_from_theirs = db.session.scalar(select(FaultReport.id).where(
        FaultReport.merged_into_id == report.id, FaultReport.reporter_id == user_id).limit(1))
    return report if merged_from_theirs is not None else None


def own_merged(report: FaultReport, user_id: int) -> list[FaultReport]:
    """The resident's own reports merged into ``report`` (what they wrote, shown to them)."""
    return list(db.session.scalars(
        select(FaultReport).where(FaultReport.merged_into_id == report.id,
                                  FaultReport.reporter_id == user_id)
        .options(joinedload(FaultReport.building), joinedload(FaultReport.unit))
        .order_by(FaultReport.id)))


def history(report: FaultReport, *, viewer_id: int | None = None) -> list[FaultEvent]:
    """The report's events, oldest first, with those of the reports merged into it. For staff
    (no ``viewer_id``) all of them; for a resident the public ones by staff and those of their
    own report(s) — never another resident's comments or photos."""
    merged = dict(db.session.execute(select(FaultReport.id, FaultReport.reporter_id).where(
        FaultReport.merged_into_id == report.id)).all())
    owners = {report.id: report.reporter_id, **merged}
    events = list(db.session.scalars(select(FaultEvent).where(FaultEvent.report_id.in_(owners))
                                     .order_by(FaultEvent.at, FaultEvent.id)))
    if viewer_id is None:
        return events
    return [e for e in events if e.public and (e.by_staff or owners[e.report_id] == viewer_id)]


def may_respond(report: FaultReport, today: datetime | None = None,
                rules: FaultRules | None = None) -> bool:
    """Whether the resident may still confirm or reopen a finished report."""
    if report.status != DONE or report.closed_at is None or report.confirmed_at is not None:
        return False
    days = rules.reopen_days if rules else 14
    return (today or utcnow()) - report.closed_at <= timedelta(days=days)


def _own(report: FaultReport, user: User) -> None:
    """Only the report's own reporter adds to it (a follower of a merged report does not)."""
    if report.reporter_id != user.id:
        raise FaultError(_l("Only the resident who reported it can add to this report."))


def comment(report: FaultReport, user: User, text: str, photo_data: list[bytes],
            rules: FaultRules) -> FaultEvent:
    """A resident's comment and/or photos on their open report (no commit)."""
    _own(report, user)
    if not report.is_open:
        raise FaultError(_l("This report is closed: comments are no longer added."))
    text = text.strip()
    if not text and not photo_data:
        raise FaultError(_l("Write a comment or attach a photo."), "text")
    if len(text) > TEXT_MAX:
        raise FaultError(_l("The text is too long: at most %(max)d characters.", max=TEXT_MAX),
                         "text")
    if len(photo_data) > rules.photos_per_message:
        raise FaultError(_l("At most %(count)d photos at a time.",
                            count=rules.photos_per_message), "photos")
    if photos.count(report) + len(photo_data) > rules.photos_per_report:
        raise FaultError(_l("A report holds at most %(count)d photos.",
                            count=rules.photos_per_report), "photos")
    cleaned = [photos.clean(photo, rules) for photo in photo_data]
    event = _event(report, COMMENT, author=user, body=text)
    photos.attach(report, event, cleaned)
    report.updated_at = utcnow()
    return event


def confirm(report: FaultReport, user: User, rules: FaultRules) -> None:
    """The resident confirms the fault is fixed (no commit)."""
    _own(report, user)
    if not may_respond(report, rules=rules):
        raise FaultError(_l("This report can no longer be confirmed or reopened."))
    report.confirmed_at = utcnow()
    _event(report, CONFIRMED, author=user)


def reopen(report: FaultReport, user: User, text: str, rules: FaultRules) -> None:
    """The resident says the fault is still there: back to *przyjęte* (no commit)."""
    _own(report, user)
    if not may_respond(report, rules=rules):
        raise FaultError(_l("This report can no longer be confirmed or reopened."))
    text = text.strip()
    if not text:
        raise FaultError(_l("Say what is still wrong."), "text")
    if len(text) > TEXT_MAX:
        raise FaultError(_l("The text is too long: at most %(max)d characters.", max=TEXT_MAX),
                         "text")
    _set_status(report, RECEIVED, user)
    _event(report, REOPENED, author=user, body=text, status=RECEIVED)
    report.closed_at = None


# --- staff --------------------------------------------------------------------------------------


def queue(filters: Filters, me: User) -> Select:
    """The reports staff look at, oldest first (merged duplicates only with "all")."""
    stmt = select(FaultReport).options(joinedload(FaultReport.building),
                                       joinedload(FaultReport.unit))
    return queues.filtered(
        stmt, filters, me, status=FaultReport.status, open_statuses=OPEN,
        kind=FaultReport.category, created=FaultReport.created_at,
        assigned=FaultReport.assigned_to_id,
        building=lambda building_id: FaultReport.building_id == building_id,
    ).order_by(FaultReport.created_at, FaultReport.id)


def staff_report(report_id: int) -> FaultReport | None:
    """Any report of the cooperative (None: a 404)."""
    return db.session.scalar(select(FaultReport).where(FaultReport.id == report_id).options(
        joinedload(FaultReport.building), joinedload(FaultReport.unit)))


def act(report: FaultReport, actor: User, *, status: str | None = None, reply: str = "",
        note: str = "", assign_to: int | None = None, unassign: bool = False,
        planned_on: date | None = None, clear_planned: bool = False) -> list[str]:
    """One staff action on a report: any of a status change, a public reply, an internal note,
    an assignment and a planned date, together (no commit). What changed, for the message."""
    reply, note = reply.strip(), note.strip()
    for text, field in ((reply, "reply"), (note, "note")):
        if len(text) > TEXT_MAX:
            raise FaultError(_l("The text is too long: at most %(max)d characters.",
                                max=TEXT_MAX), field)
    if report.status == MERGED:
        raise FaultError(_l("This report was merged into another: work on that one."))
    if status == report.status:
        status = None
    if status is not None and status not in MOVES.get(report.status, ()):
        raise FaultError(_l("This status cannot be set now."), "status")
    if status == REJECTED and not reply:
        raise FaultError(_l("Give the resident the reason for rejecting the report."), "reply")
    changed = []
    if assign_to is not None or unassign:
        changed += _assign(report, actor, None if unassign else assign_to)
    if (clear_planned and report.planned_on is not None) or (
            planned_on is not None and planned_on != report.planned_on):
        report.planned_on = None if clear_planned else planned_on
        _event(report, PLANNED, author=actor, staff=True,
               body=day(report.planned_on) if report.planned_on else "")
        changed.append("planned")
    if note:
        _event(report, NOTE, author=actor, body=note, staff=True)
        changed.append("note")
    if status is not None:
        _set_status(report, status, actor)
        _event(report, STATUS, author=actor, body=reply, status=status, staff=True)
        audit.record(FAULT_STATUS, actor=actor, identifier=report.registry_number,
                     status=status)
        _tell(watchers(report), "fault_status", report, reply=reply)
        changed.append("status")
    elif reply:
        _event(report, REPLY, author=actor, body=reply, staff=True)
        _tell(watchers(report), "fault_reply", report, reply=reply)
        changed.append("reply")
    if not changed:
        raise FaultError(_l("Nothing to save: change the status, write a reply or a note, "
                            "assign the report or set a date."))
    report.updated_at = utcnow()
    return changed


def _assign(report: FaultReport, actor: User, user_id: int | None) -> list[str]:
    if user_id == report.assigned_to_id:
        return []
    label = ""
    if user_id is not None:
        member = queues.staff_member(user_id)
        if member is None:
            raise FaultError(_l("Choose a member of staff."), "assign_to")
        label = member.full_name
    report.assigned_to_id = user_id
    _event(report, ASSIGNED, author=actor, body=label, staff=True)
    audit.record(FAULT_ASSIGNED, actor=actor, identifier=report.registry_number,
                 assigned_to=label)
    return ["assigned"]


def merge(target: FaultReport, duplicates: list[FaultReport], actor: User) -> int:
    """Merge duplicate reports into ``target``: their reporters follow it and are told
    (no commit). Returns how many were merged."""
    if target.status == MERGED:
        raise FaultError(_l("This report was merged into another: merge into that one."))
    merged = 0
    for duplicate in duplicates:
        if duplicate.id == target.id or duplicate.status == MERGED:
            continue
        if duplicate.merged_into_id is None and _has_duplicates(duplicate):
            # Reports merged into the duplicate move on with it.
            db.session.execute(update(FaultReport).where(
                FaultReport.merged_into_id == duplicate.id).values(merged_into_id=target.id)
                .execution_options(synchronize_session="fetch"))
        _set_status(duplicate, MERGED, actor)
        duplicate.merged_into_id = target.id
        _event(duplicate, MERGED_INTO, author=actor, body=target.registry_number, staff=True,
               status=MERGED)
        _event(target, MERGED_IN, author=actor, body=duplicate.registry_number, staff=True)
        audit.record(FAULT_MERGED, actor=actor, identifier=duplicate.registry_number,
                     into=target.registry_number)
        reporter = db.session.get(User, duplicate.reporter_id)
        if reporter is not None:
            _tell([reporter], "fault_merged", target, duplicate=duplicate.registry_number)
        merged += 1
    if not merged:
        raise FaultError(_l("Choose at least one other report to merge."), "duplicates")
    target.updated_at = utcnow()
    return merged


def _has_duplicates(report: FaultReport) -> bool:
    return db.session.scalar(select(func.count()).select_from(FaultReport).where(
        FaultReport.merged_into_id == report.id)) > 0


def merge_candidates(report: FaultReport) -> list[FaultReport]:
    """Other open reports of the same building, newest first: likely duplicates."""
    return list(db.session.scalars(
        select(FaultReport).where(FaultReport.building_id == report.building_id,
                                  FaultReport.id != report.id,
                                  FaultReport.status.in_(OPEN))
        .order_by(FaultReport.created_at.desc()).limit(50)))


def open_count() -> Any:
    """For the staff start page: reports waiting to be dealt with."""
    return select(func.count()).select_from(FaultReport).where(FaultReport.status.in_(OPEN))


def watchers(report: FaultReport) -> list[User]:
    """Everyone who follows the report: its reporter and the reporters of its duplicates."""
    ids = {report.reporter_id, *db.session.scalars(select(FaultReport.reporter_id).where(
        FaultReport.merged_into_id == report.id))}
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))


def export_rows(filters: Filters, me: User) -> list[dict[str, Any]]:
    """Reports for the cooperative's own records (CSV)."""
    reports = list(db.session.scalars(queue(filters, me)).unique())
    names = queues.people([r.reporter_id for r in reports] + [r.assigned_to_id for r in reports])
    targets = merged_targets(reports)
    rows = []
    for r in reports:
        reporter, assignee = names.get(r.reporter_id), names.get(r.assigned_to_id)
        rows.append({
            "numer": r.registry_number, "zgloszono": r.created_at, "kategoria": r.category,
            "adres": r.unit.address if r.unit else r.building.address, "miejsce": r.place,
            "opis": r.description, "status": r.status,
            "polaczone_z": targets[r.merged_into_id].registry_number if r.merged_into_id
            in targets else "",
            "zglaszajacy": reporter.full_name if reporter else "",
            "przydzielone": assignee.full_name if assignee else "",
            "termin": r.planned_on, "zakonczono": r.closed_at,
        })
    return rows


# --- shared -------------------------------------------------------------------------------------


def _set_status(report: FaultReport, status: str, actor: User) -> None:
    report.status, report.status_at = status, utcnow()
    if status in (DONE, REJECTED):
        report.closed_at, report.confirmed_at = report.status_at, None
    elif status != MERGED:
        report.closed_at = None


def _event(report: FaultReport, kind: str, *, author: User | None, body: str = "",
           status: str | None = None, staff: bool = False) -> FaultEvent:
    event = FaultEvent(report_id=report.id, kind=kind, status=status, body=body,
                       author_id=getattr(author, "id", None),
                       author_label=author.full_name if author is not None else "",
                       by_staff=staff, at=utcnow())
    db.session.add(event)
    db.session.flush()
    return event


def _tell(users: Iterable[User], template: str, report: FaultReport, **context: Any) -> None:
    """One e-mail to each person with an address (through the outbox)."""
    tenant = get_tenant_info(require_tenant_id())
    link = tenant.url(f"/awarie/{report.id}")
    for user in users:
        if not user.email:
            continue
        queue_message(template, user.email, {
            "name": user.full_name, "number": report.registry_number,
            "category": report.category, "status": report.status,
            "address": report.unit.address if report.unit else report.building.address,
            "link": link, **context}, user_id=user.id)


def photo_of(report: FaultReport, photo_id: int, *, viewer_id: int | None = None
             ) -> FaultPhoto | None:
    """One of the report's photos (or of a report merged into it) that the viewer may see:
    staff (no ``viewer_id``) every one, a resident only those of events in their history —
    the office's and their own, never another reporter's, whichever way the merge went."""
    visible = [event.id for event in history(report, viewer_id=viewer_id)]
    return db.session.scalar(select(FaultPhoto).where(FaultPhoto.id == photo_id,
                                                      FaultPhoto.event_id.in_(visible)))
