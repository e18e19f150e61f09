"""Announcements: staff write, target, publish, edit and withdraw them; residents read those
meant for their buildings; e-mails go out through a job, never in the staff request.

Every function works in the current cooperative's context and leaves the commit to its caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Subquery, and_, case, delete, func, or_, select

from iok_saas import files
from iok_saas.announcements import render
from iok_saas.announcements.models import (
    AUDIENCES,
    BUILDINGS,
    ESTATES,
    EVERYONE,
    KINDS,
    MEETING,
    OUTAGE,
    OUTAGE_SERVICES,
    Announcement,
    AnnouncementAttachment,
    AnnouncementBuilding,
    AnnouncementEstate,
    AnnouncementRead,
)
from iok_saas.auth.models import RESIDENT, User
from iok_saas.db import db, utcnow
from iok_saas.db.rowsets import ordered
from iok_saas.estate.models import Building
from iok_saas.estate.services import building_ids_of, holdings
from iok_saas.jobs import enqueue
from iok_saas.web.problems import DomainError

TITLE_MAX, BODY_MAX = 200, 20_000
ATTACHMENT_MAX_MB = 10
ATTACHMENTS_MAX = 5
PURPOSE = "announcement_attachment"
FAN_OUT = "iok_saas.announcements.fanout.fan_out"
PAGE_SIZE = 20


class AnnouncementError(DomainError):
    """An announcement refused (message for staff, form field if any)."""


@dataclass
class Draft:
    """What the staff form gives."""

    title: str
    body: str
    kind: str
    service: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    audience: str = EVERYONE
    estates: list[str] = field(default_factory=list)
    building_ids: list[int] = field(default_factory=list)
    publish_from: datetime | None = None
    publish_until: datetime | None = None
    pinned: bool = False
    send_email: bool = False


@dataclass(frozen=True)
class Upload:
    """An attachment as uploaded: its name and bytes."""

    filename: str
    data: bytes


def estates() -> list[str]:
    """The cooperative's estates (from its buildings), for the audience choice."""
    return list(db.session.scalars(select(Building.estate).where(Building.estate != "")
                                   .distinct().order_by(Building.estate)))


def _check(draft: Draft) -> None:
    title = draft.title.strip()
    if not title:
        raise AnnouncementError(_l("Give the announcement a title."), "title")
    if len(title) > TITLE_MAX:
        raise AnnouncementError(_l("The title is too long: at most %(max)d characters.",
                                   max=TITLE_MAX), "title")
    if not draft.body.strip():
        raise AnnouncementError(_l("Write the text of the announcement."), "body")
    if len(draft.body) > BODY_MAX:
        raise AnnouncementError(_l("The text is too long: at most %(max)d characters.",
                                   max=BODY_MAX), "body")
    if draft.kind not in KINDS:
        raise AnnouncementError(_l("Choose the kind of announcement."), "kind")
    if draft.kind == OUTAGE:
        if draft.service not in OUTAGE_SERVICES:
            raise AnnouncementError(_l("Say what will be switched off."), "service")
        if draft.starts_at is None or draft.ends_at is None:
            raise AnnouncementError(_l("A planned outage needs the date and time it starts and "
                                       "ends."), "starts_at")
    if draft.kind == MEETING and draft.starts_at is None:
        raise AnnouncementError(_l("A meeting needs its date and time."), "starts_at")
    if draft.starts_at and draft.ends_at and draft.ends_at <= draft.starts_at:
        raise AnnouncementError(_l("The end must come after the start."), "ends_at")
    if draft.publish_from and draft.publish_until and draft.publish_until <= draft.publish_from:
        raise AnnouncementError(_l("“Show until” must come after “show from”."),
                                "publish_until")
    if draft.audience not in AUDIENCES:
        raise AnnouncementError(_l("Choose who the announcement is for."), "audience")
    if draft.audience == ESTATES:
        known = set(estates())
        if not draft.estates or not set(draft.estates) <= known:
            raise AnnouncementError(_l("Choose one or more of the cooperative's estates."),
                                    "estates")
    if draft.audience == BUILDINGS:
        wanted = set(draft.building_ids)
        found = set(db.session.scalars(select(Building.id).where(Building.id.in_(wanted))))
        if not wanted or found != wanted:  # another cooperative's id is simply not found
            raise AnnouncementError(_l("Choose one or more of the cooperative's buildings."),
                                    "building_ids")


def save(draft: Draft, actor: User, announcement: Announcement | None = None,
         uploads: list[Upload] = ()) -> Announcement:
    """Create or change an announcement with its audience and new attachments (no commit);
    publishing with e-mail hands the sending to a job."""
    _check(draft)
    checked = _checked(uploads)
    body_html = render.to_html(draft.body)
    now = utcnow()
    if announcement is None:
        announcement = Announcement(author_id=actor.id, author_label=actor.full_name)
        db.session.add(announcement)
    elif announcement.published_at is not None and announcement.published_at <= now:
        announcement.edited_at = now
    announcement.title, announcement.body_md = draft.title.strip(), draft.body
    announcement.body_html = body_html
    announcement.kind = draft.kind
    announcement.service = draft.service if draft.kind == OUTAGE else None
    announcement.starts_at = draft.starts_at if draft.kind in (OUTAGE, MEETING) else None
    announcement.ends_at = draft.ends_at if draft.kind in (OUTAGE, MEETING) else None
    announcement.audience = draft.audience
    announcement.publish_from = draft.publish_from or now
    announcement.publish_until = draft.publish_until
    announcement.pinned, announcement.send_email = draft.pinned, draft.send_email
    announcement.published_at = announcement.published_at or announcement.publish_from
    db.session.flush()
    _set_audience(announcement, draft)
    _attach(announcement, checked)
    if announcement.send_email and announcement.emails_queued_at is None:
        announcement.emails_queued_at = now
        enqueue(FAN_OUT, announcement.tenant_id, announcement_id=announcement.id)
    return announcement


def _set_audience(announcement: Announcement, draft: Draft) -> None:
    db.session.execute(delete(AnnouncementBuilding).where(
        AnnouncementBuilding.announcement_id == announcement.id))
    db.session.execute(delete(AnnouncementEstate).where(
        AnnouncementEstate.announcement_id == announcement.id))
    if draft.audience == BUILDINGS:
        db.session.add_all(AnnouncementBuilding(announcement_id=announcement.id, building_id=b)
                           for b in sorted(set(draft.building_ids)))
    elif draft.audience == ESTATES:
        db.session.add_all(AnnouncementEstate(announcement_id=announcement.id, estate=e)
                           for e in sorted(set(draft.estates)))


def _checked(uploads: list[Upload]) -> list[files.Checked]:
    """The attachments as they will be kept, every one checked by the file store before any
    is stored: a PDF without a script or password, a picture re-encoded without metadata."""
    if len(uploads) > ATTACHMENTS_MAX:
        raise AnnouncementError(_l("At most %(count)d attachments.", count=ATTACHMENTS_MAX),
                                "attachments")
    try:
        return [files.check_attachment(u.filename, u.data, ATTACHMENT_MAX_MB) for u in uploads]
    except files.FileProblem as problem:
        raise AnnouncementError(problem.message, "attachments") from None


def _attach(announcement: Announcement, checked: list[files.Checked]) -> None:
    if not checked:
        return
    count = db.session.scalar(select(func.count()).select_from(AnnouncementAttachment).where(
        AnnouncementAttachment.announcement_id == announcement.id)) or 0
    if count + len(checked) > ATTACHMENTS_MAX:
        raise AnnouncementError(_l("At most %(count)d attachments.", count=ATTACHMENTS_MAX),
                                "attachments")
    for attachment in checked:
        stored = files.store(attachment.data, filename=attachment.filename,
                             content_type=attachment.content_type, purpose=PURPOSE)
        db.session.add(AnnouncementAttachment(
            announcement_id=announcement.id, file_id=stored.id, filename=stored.filename,
            content_type=attachment.content_type, size=stored.size))


def remove_attachment(announcement: Announcement, attachment_id: int) -> bool:
    """Delete one attachment with its file (no commit)."""
    attachment = db.session.scalar(select(AnnouncementAttachment).where(
        AnnouncementAttachment.id == attachment_id,
        AnnouncementAttachment.announcement_id == announcement.id))
    if attachment is None:
        return False
    db.session.delete(attachment)
    db.session.flush()
    files.delete(attachment.file_id)
    return True


def withdraw(announcement: Announcement) -> None:
    """Take an announcement down (it stays in the staff list, marked withdrawn)."""
    announcement.withdrawn_at = utcnow()


def attachments(announcement_ids: list[int]) -> dict[int, list[AnnouncementAttachment]]:
    """Attachments per announcement (one query)."""
    found: dict[int, list[AnnouncementAttachment]] = {}
    if announcement_ids:
        for a in db.session.scalars(select(AnnouncementAttachment).where(
                AnnouncementAttachment.announcement_id.in_(announcement_ids))
                .order_by(AnnouncementAttachment.id)):
            found.setdefault(a.announcement_id, []).append(a)
    return found


# --- who sees what ------------------------------------------------------------------------------


def _meant_for(user_id: int) -> Any:
    """Announcements meant for a building where the person holds a unit."""
    buildings = building_ids_of(user_id)
    their_estates = select(Building.estate).where(Building.id.in_(buildings))
    return or_(
        Announcement.audience == EVERYONE,
        and_(Announcement.audience == BUILDINGS, Announcement.id.in_(
            select(AnnouncementBuilding.announcement_id)
            .where(AnnouncementBuilding.building_id.in_(buildings)))),
        and_(Announcement.audience == ESTATES, Announcement.id.in_(
            select(AnnouncementEstate.announcement_id)
            .where(AnnouncementEstate.estate.in_(their_estates)))),
    )


def _live(now: datetime) -> Any:
    return and_(Announcement.withdrawn_at.is_(None), Announcement.publish_from <= now,
                or_(Announcement.publish_until.is_(None), Announcement.publish_until > now))


def _current_order(now: datetime) -> tuple[Any, ...]:
    """Pinned and current outages first — the outages by when they start, tomorrow's above
    next week's — then the newest."""
    outage_now = and_(Announcement.kind == OUTAGE, Announcement.ends_at > now)
    return (Announcement.pinned.desc(), outage_now.desc(),
            case((outage_now, Announcement.starts_at)).asc(),
            Announcement.publish_from.desc(), Announcement.id.desc())


def current_for(user_id: int, now: datetime | None = None) -> list[Announcement]:
    """What the resident sees now, in ``_current_order``."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Announcement).where(_live(now), _meant_for(user_id))
        .order_by(*_current_order(now))))


def current_rows(user_id: Any, limit: int | None, *shown: Any, now: Any = None) -> Select:
    """``current_for`` (its first ``limit``) as a list shows it — id, title, kind, the
    outage's times, whether the person has not opened it, and the ``shown`` columns — for
    ``rowsets.together`` (``user_id``, ``now``: values or ``bindparam``s)."""
    now = utcnow() if now is None else now
    unread = Announcement.id.not_in(select(AnnouncementRead.announcement_id)
                                    .where(AnnouncementRead.user_id == user_id))
    return ordered(select(Announcement.id, Announcement.title, Announcement.kind,
                          Announcement.starts_at, Announcement.ends_at, unread.label("unread"),
                          *shown)
                   .where(_live(now), _meant_for(user_id)), *_current_order(now), limit=limit)


def current_attachment_rows(user_id: Any, now: Any = None) -> Select:
    """The attachments of what ``current_for`` shows (announcement id, id, name, size), in the
    order they were added, for ``rowsets.together``."""
    now = utcnow() if now is None else now
    current = select(Announcement.id).where(_live(now), _meant_for(user_id))
    return ordered(select(AnnouncementAttachment.announcement_id, AnnouncementAttachment.id,
                          AnnouncementAttachment.filename, AnnouncementAttachment.size)
                   .where(AnnouncementAttachment.announcement_id.in_(current)),
                   AnnouncementAttachment.id)


def archive_for(user_id: int, page: int, now: datetime | None = None
                ) -> tuple[list[Announcement], int]:
    """Announcements no longer shown (past their "until"), newest first, one page of them."""
    now = now or utcnow()
    stmt = select(Announcement).where(
        Announcement.withdrawn_at.is_(None), Announcement.publish_until <= now,
        _meant_for(user_id))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(stmt.order_by(Announcement.publish_until.desc(),
                                            Announcement.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return list(rows), pages


def for_resident(user_id: int, announcement_id: int) -> Announcement | None:
    """One announcement the resident may read (current or archived); None otherwise."""
    now = utcnow()
    return db.session.scalar(select(Announcement).where(
        Announcement.id == announcement_id, Announcement.withdrawn_at.is_(None),
        Announcement.publish_from <= now, _meant_for(user_id)))


def read_ids(user_id: int, announcement_ids: list[int]) -> set[int]:
    """Which of these the person has opened (one query)."""
    if not announcement_ids:
        return set()
    return set(db.session.scalars(select(AnnouncementRead.announcement_id).where(
        AnnouncementRead.user_id == user_id,
        AnnouncementRead.announcement_id.in_(announcement_ids))))


def mark_read(user_id: int, announcement: Announcement) -> None:
    """Remember that the person opened it (once; no commit)."""
    if announcement.id in read_ids(user_id, [announcement.id]):
        return
    with db.session.begin_nested():
        db.session.add(AnnouncementRead(announcement_id=announcement.id, user_id=user_id,
                                        read_at=utcnow()))


# --- staff --------------------------------------------------------------------------------------


def _residents(held: Subquery, *columns: Any) -> Select:
    """``columns`` of active residents joined to where they hold a unit (``held``: the
    estate's ``holdings``)."""
    return (select(*columns).select_from(User).join(held, held.c.user_id == User.id)
            .where(User.role == RESIDENT, User.active))


def recipients(announcement: Announcement) -> Select:
    """The residents an announcement reaches (with a title to a unit in its audience)."""
    held = holdings()
    stmt = _residents(held, User.id)
    if announcement.audience == BUILDINGS:
        stmt = stmt.where(held.c.building_id.in_(select(AnnouncementBuilding.building_id).where(
            AnnouncementBuilding.announcement_id == announcement.id)))
    elif announcement.audience == ESTATES:
        stmt = stmt.where(held.c.estate.in_(select(AnnouncementEstate.estate).where(
            AnnouncementEstate.announcement_id == announcement.id)))
    return stmt.distinct()


def staff_list(status: str) -> list[dict[str, Any]]:
    """Announcements for staff (``current``, ``planned``, ``past``, ``withdrawn``, ``all``) with
    how many residents each reaches and how many have read it."""
    now = utcnow()
    stmt = select(Announcement)
    if status == "current":
        stmt = stmt.where(_live(now))
    elif status == "planned":
        stmt = stmt.where(Announcement.withdrawn_at.is_(None), Announcement.publish_from > now)
    elif status == "past":
        stmt = stmt.where(Announcement.withdrawn_at.is_(None),
                          Announcement.publish_until <= now)
    elif status == "withdrawn":
        stmt = stmt.where(Announcement.withdrawn_at.is_not(None))
    announcements = list(db.session.scalars(
        stmt.order_by(Announcement.publish_from.desc(), Announcement.id.desc()).limit(200)))
    ids = [a.id for a in announcements]
    reads = dict(db.session.execute(
        select(AnnouncementRead.announcement_id, func.count()).where(
            AnnouncementRead.announcement_id.in_(ids))
        .group_by(AnnouncementRead.announcement_id)).all()) if ids else {}
    reach = _reach(announcements)
    return [{"announcement": a, "reach": reach.get(a.id, 0), "read": reads.get(a.id, 0)}
            for a in announcements]


def _reach(announcements: list[Announcement]) -> dict[int, int]:
    """How many residents each announcement reaches: three queries for any number of them
    (everyone; per announcement for buildings; per announcement for estates)."""
    people = func.count(User.id.distinct())
    held = holdings()
    reach: dict[int, int] = {}
    if any(a.audience == EVERYONE for a in announcements):
        everyone = db.session.scalar(_residents(held, people)) or 0
        reach.update((a.id, everyone) for a in announcements if a.audience == EVERYONE)
    for audience, link, matches in (
            (BUILDINGS, AnnouncementBuilding,
             AnnouncementBuilding.building_id == held.c.building_id),
            (ESTATES, AnnouncementEstate, AnnouncementEstate.estate == held.c.estate)):
        ids = [a.id for a in announcements if a.audience == audience]
        if ids:
            reach.update(db.session.execute(
                _residents(held, link.announcement_id, people).join(link, matches)
                .where(link.announcement_id.in_(ids)).group_by(link.announcement_id)).all())
    return reach


def staff_get(announcement_id: int) -> Announcement | None:
    """Any announcement of the cooperative (None: a 404)."""
    return db.session.get(Announcement, announcement_id)


def audience_of(announcement: Announcement) -> tuple[list[int], list[str]]:
    """The chosen buildings' ids and estates (for the edit form)."""
    return (list(db.session.scalars(select(AnnouncementBuilding.building_id).where(
                AnnouncementBuilding.announcement_id == announcement.id))),
            list(db.session.scalars(select(AnnouncementEstate.estate).where(
                AnnouncementEstate.announcement_id == announcement.id))))
