"""The notice of the general meeting (art. 8³ of the housing cooperatives act): once the
meeting is convened, an announcement for the buildings of its parts and, to every member
personally, the notice of their part as a unit document with proof (``iok_saas.delivery``) —
for those who consented to electronic delivery it counts as delivered when made available; the
others are on the office's paper list (``paper_rows``, and the delivery's own list).

``give`` runs in the view's transaction right after ``services.convene``; it queues
``deliver_notices``, which works through the members a batch at a time, committing as it goes,
so a stopped worker resumes where it was and a member already given notice gets nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from iok_saas.announcements.services import BUILDINGS, MEETING, Announcement
from iok_saas.announcements.services import Draft as AnnouncementDraft
from iok_saas.announcements.services import save as save_announcement
from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.delivery.services import (
    Outgoing,
    Parcel,
    consented_among,
    deliver,
    parcel_problem,
    pdf_checked,
)
from iok_saas.delivery.services import UnitDocument as _Delivered
from iok_saas.estate.models import Unit
from iok_saas.jobs import enqueue
from iok_saas.meetings import services
from iok_saas.meetings.models import CONVENED, Meeting, MeetingPart, MeetingPartBuilding
from iok_saas.meetings.notice_pdf import file_name, notice_pdf
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import TenantInfo, get_tenant_info
from iok_saas.web.formatting import WARSAW, csv_cell, day, excel_csv, local_today

log = logging.getLogger(__name__)
KIND = "meeting_notice"  # the delivery's kind of document
JOB = "iok_saas.meetings.notice.deliver_notices"
PER_COMMIT = 20
ANNOUNCEMENT_DAYS_AFTER = 1  # the announcement is shown until the day after the last part


# --- the announcement and the job -----------------------------------------------------------------


def give(meeting: Meeting, tenant_info: TenantInfo, actor: User, *, queue: bool = True
         ) -> Announcement | None:
    """Give notice of a convened meeting (no commit): the announcement for the buildings of
    its parts, and the job delivering each member's notice (where the cooperative delivers
    documents to units; ``queue`` False: the caller delivers, ``deliver_waiting``). Returns
    the announcement (None: the meeting has no part)."""
    parts = list(meeting.parts)
    if not parts:
        return None
    buildings = services.part_buildings(meeting)
    building_ids = sorted({b.id for found in buildings.values() for b in found})
    last = max(p.starts_at for p in parts)
    with force_locale("pl"):
        title = str(_l("%(meeting)s — notice", meeting=meeting.title))[:200]
        body = announcement_text(meeting, tenant_info)
    announcement = save_announcement(AnnouncementDraft(
        title=title, body=body, kind=MEETING, starts_at=meeting.first_starts_at,
        ends_at=last + timedelta(hours=4) if len(parts) > 1 else None,
        audience=BUILDINGS, building_ids=building_ids,
        publish_until=last + timedelta(days=ANNOUNCEMENT_DAYS_AFTER)), actor)
    if queue and delivers(tenant_info):
        enqueue(JOB, tenant_info.id, bulk=True, meeting_id=meeting.id)
    return announcement


def delivers(tenant_info: TenantInfo) -> bool:
    """Whether the cooperative delivers the notice to members' units (feature ``delivery``
    with the kind ``meeting_notice`` among those it delivers)."""
    return tenant_info.has_feature("delivery") and KIND in tenant_info.settings.delivery.kinds


def announcement_text(meeting: Meeting, tenant_info: TenantInfo) -> str:
    """The announcement's Markdown (Polish, in the caller's ``force_locale``): the meeting,
    each part with its buildings, where the documents are, the deadlines."""
    rules = tenant_info.settings.general_meeting
    dates = services.deadlines_of(meeting, rules)
    assert dates is not None
    buildings = services.part_buildings(meeting)
    lines = [str(_l("The Board convenes the %(meeting)s.", meeting=meeting.title)), ""]
    for part in meeting.parts:
        where = ", ".join(f"{b.street} {b.number}" for b in buildings.get(part.id, []))
        lines.append("- " + str(_l(
            "**%(part)s** — %(when)s, %(place)s (members of the buildings: %(buildings)s)",
            part=part.name, when=_when(part), place=part.place, buildings=where)))
    lines += ["", str(_l(
        "Each member receives the notice with the agenda in “My documents” (or on paper). The "
        "reports and draft resolutions are laid out from %(documents)s in the portal, under "
        "“Walne zgromadzenie”, and at the office (%(office)s).",
        documents=day(dates.documents_by), office=tenant_info.settings.office.one_line())),
        "", str(_l("Members' draft resolutions: until %(drafts)s. Proxies: delivered to the "
                   "office by %(proxies)s.", drafts=day(dates.drafts_by),
                   proxies=day(dates.proxies_by)))]
    return "\n".join(lines)


def _when(part: MeetingPart) -> str:
    return part.starts_at.astimezone(WARSAW).strftime("%d.%m.%Y, %H:%M")


# --- who gets which notice ------------------------------------------------------------------------


@dataclass(frozen=True)
class Addressee:
    """A member given notice: their part and the one unit the notice is delivered to."""

    user_id: int
    part_id: int
    unit_id: int


def addressees(meeting: Meeting, rules: Any, user_ids: Iterable[int] | None = None
               ) -> list[Addressee]:
    """Every member with a part (or these members), each with ONE of their units in the
    buildings of that part (the first by id): a member holding two units in a part gets one
    notice. By member id."""
    seats = services.seats(meeting, rules, user_ids)
    buildings = dict(db.session.execute(select(
        MeetingPartBuilding.building_id, MeetingPartBuilding.part_id)
        .where(MeetingPartBuilding.meeting_id == meeting.id)).tuples().all())
    held = services.member_holdings(rules, user_ids).subquery()
    stmt = select(held.c.user_id, held.c.unit_id, held.c.building_id).order_by(
        held.c.user_id, held.c.unit_id)
    unit_of: dict[int, int] = {}
    for user_id, unit_id, building_id in db.session.execute(stmt):
        seat = seats.get(user_id)
        if (seat is not None and seat.part_id is not None and user_id not in unit_of
                and buildings.get(building_id) == seat.part_id):
            unit_of[user_id] = unit_id
    return [Addressee(user_id, seats[user_id].part_id, unit_id)  # type: ignore[arg-type]
            for user_id, unit_id in sorted(unit_of.items())]


def title_of(meeting: Meeting, part: MeetingPart) -> str:
    """The notice's title as the member's documents list it."""
    with force_locale("pl"):
        if len(meeting.parts) > 1:
            return str(_l("Notice of the %(meeting)s — %(part)s", meeting=meeting.title,
                          part=part.name))[:300]
        return str(_l("Notice of the %(meeting)s", meeting=meeting.title))[:300]


def _given(meeting: Meeting, first_day: date) -> set[int]:
    """The members already given this meeting's notice (a document of the kind, to them
    personally, with the meeting's first day and one of its parts' titles)."""
    titles = [title_of(meeting, p) for p in meeting.parts]
    return set(db.session.scalars(select(_Delivered.person_id).where(
        _Delivered.kind == KIND, _Delivered.effective_on == first_day,
        _Delivered.title.in_(titles), _Delivered.person_id.is_not(None))))


# --- the job --------------------------------------------------------------------------------------


def deliver_notices(meeting_id: int) -> int:
    """Job: deliver the notice of a convened meeting to every member not given it yet, a
    batch at a time (committed as it goes). Returns how many were delivered."""
    tenant = get_tenant_info(require_tenant_id())
    meeting = services.meeting(meeting_id)
    if meeting is None:
        return 0
    total = deliver_waiting(meeting, tenant, commit=True)
    log.info("Delivered %d notices of meeting %d", total, meeting_id)
    return total


def deliver_waiting(meeting: Meeting, tenant: TenantInfo, *, commit: bool = False) -> int:
    """Deliver the notice to every member of a convened meeting not given it yet, a batch of
    ``PER_COMMIT`` at a time (``commit``: each batch committed — the job; else nothing is).
    Nothing where the cooperative does not deliver to units. How many were delivered."""
    if not delivers(tenant) or meeting.status != CONVENED or not meeting.parts:
        return 0
    rules = tenant.settings.general_meeting
    first_day = services.first_day(meeting)
    assert first_day is not None
    parts = {p.id: p for p in meeting.parts}
    pages: dict[int, bytes] = {}  # part id → its notice, rendered once
    for part in parts.values():
        parcel = Parcel(unit_id=0, kind=KIND, title=title_of(meeting, part),
                        effective_on=first_day)
        problem = parcel_problem(parcel, tenant, local_today())
        if problem is None:
            pages[part.id] = notice_pdf(meeting, part, tenant, rules)
            problem = pdf_checked(pages[part.id], tenant)
        if problem is not None:
            log.warning("The notice of meeting %d is not delivered: %s", meeting.id, problem)
            return 0
    given = _given(meeting, first_day)
    waiting = [a for a in addressees(meeting, rules) if a.user_id not in given]
    actor = meeting.convened_by or "walne zgromadzenie (zawiadomienie)"
    total = 0
    for start in range(0, len(waiting), PER_COMMIT):
        batch = waiting[start:start + PER_COMMIT]
        total += _deliver_batch(meeting, batch, parts, pages, first_day, tenant, actor)
        if commit:
            db.session.commit()
    return total


def _deliver_batch(meeting: Meeting, batch: list[Addressee], parts: dict[int, MeetingPart],
                   pages: dict[int, bytes], first_day: date, tenant: TenantInfo,
                   actor: str) -> int:
    people = services.people(a.user_id for a in batch)
    units = {u.id: u for u in db.session.scalars(select(Unit).where(
        Unit.id.in_([a.unit_id for a in batch])))}
    consenting = consented_among([a.user_id for a in batch])
    outgoing = Outgoing([])
    done = 0
    for addressee in batch:
        person, part = people.get(addressee.user_id), parts[addressee.part_id]
        if person is None:
            continue
        # An inactive account cannot read it: delivered to nobody in the portal, the
        # delivery's paper list shows it (and ``paper_rows`` the member).
        holders = [person] if person.active else []
        _, created = deliver(
            Parcel(unit_id=addressee.unit_id, kind=KIND, title=title_of(meeting, part),
                   effective_on=first_day, person_id=person.id),
            pages[part.id], file_name(meeting, part), unit=units[addressee.unit_id],
            tenant=tenant, actor=actor, holders=holders, consenting=consenting,
            outgoing=outgoing)
        done += int(created)
    outgoing.flush()
    db.session.flush()
    return done


# --- the office's paper list ----------------------------------------------------------------------


@dataclass(frozen=True)
class PaperRow:
    """A member the office gives notice on paper: who, where, which part, and why."""

    user_id: int
    identifier: str
    name: str
    address: str
    part_number: int
    part_name: str
    reason: str  # "no_consent" or "inactive"


REASONS = {"no_consent": _l("no consent to electronic delivery"),
           "inactive": _l("account inactive")}


@dataclass(frozen=True)
class Progress:
    """How far the notice has gone: the members to notify, those given it in the portal (a
    unit document with proof), those to notify on paper."""

    expected: int
    delivered: int
    paper: int


def progress(meeting: Meeting, rules: Any) -> Progress:
    """The notice's progress, counted (the office's meeting page)."""
    found = addressees(meeting, rules)
    ids = [a.user_id for a in found]
    consenting = consented_among(ids)
    inactive = set(db.session.scalars(select(User.id).where(
        User.id.in_(ids), User.active.is_(False)))) if ids else set()
    first = services.first_day(meeting)
    given = _given(meeting, first) if first is not None else set()
    return Progress(expected=len(found), delivered=len(given & set(ids)),
                    paper=sum(1 for i in ids if i in inactive or i not in consenting))


def paper_rows(meeting: Meeting, rules: Any) -> list[PaperRow]:
    """The members who did not consent to electronic delivery, or whose account is inactive:
    their notice goes on paper (to the unit ``addressees`` chooses), by part and address."""
    found = addressees(meeting, rules)
    people = services.people(a.user_id for a in found)
    consenting = consented_among([a.user_id for a in found])
    units = {u.id: u for u in db.session.scalars(select(Unit).where(
        Unit.id.in_([a.unit_id for a in found])))} if found else {}
    parts = {p.id: p for p in meeting.parts}
    rows = []
    for a in found:
        person = people.get(a.user_id)
        if person is None:
            continue
        if not person.active:
            reason = "inactive"
        elif a.user_id not in consenting:
            reason = "no_consent"
        else:
            continue
        part = parts[a.part_id]
        rows.append(PaperRow(user_id=person.id, identifier=person.identifier,
                             name=person.full_name, address=units[a.unit_id].address,
                             part_number=part.number, part_name=part.name, reason=reason))
    return sorted(rows, key=lambda r: (r.part_number, r.address, r.name, r.user_id))


def paper_csv(rows: list[PaperRow]) -> str:
    """The paper list as CSV for Excel (``;``, UTF-8 with BOM)."""
    with force_locale("pl"):
        header = [str(_l("Part")), str(_l("Member")), str(_l("Identifier")),
                  str(_l("Address")), str(_l("Why on paper"))]
        return excel_csv(header, ([csv_cell(r.part_name), csv_cell(r.name),
                                   csv_cell(r.identifier), csv_cell(r.address),
                                   str(REASONS[r.reason])] for r in rows))
