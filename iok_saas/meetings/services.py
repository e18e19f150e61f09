"""The general meeting's rules applied: who is a member and in which part they sit, the
meeting's parts, agenda and documents, the notice, members' drafts, the register of proxies,
attendance and the votes entered after each part, and the results summed across the parts.

Every refusal is a ``MeetingError`` naming the form's field; nothing is changed by a refused
step. The services never commit: the view (or the job) does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from iok_saas import files
from iok_saas.audit import services as audit
from iok_saas.audit.models import (
    MEETING_ATTENDANCE,
    MEETING_CHANGED,
    MEETING_CONVENED,
    MEETING_DRAFT_DECIDED,
    MEETING_PROXY_REGISTERED,
    MEETING_PROXY_WITHDRAWN,
    MEETING_RESULTS,
    MEETING_VOTES,
)
from iok_saas.auth.models import User
from iok_saas.cases import services as cases
from iok_saas.cases.files import check_uploads
from iok_saas.cases.kinds import Upload
from iok_saas.cases.models import CREATED, CaseEvent
from iok_saas.db import db, utcnow
from iok_saas.estate import services as estate
from iok_saas.estate.models import Building
from iok_saas.meetings import rules as law
from iok_saas.meetings.kind import DRAFTS, TEXT_MAX
from iok_saas.meetings.models import (
    ACCEPTED,
    ALLOWED_HOLDERS,
    BEFORE_ROLES,
    CLOSED_MEETING,
    CONVENED,
    DOCUMENT_ROLES,
    HOLDER_KINDS,
    MEMBERS,
    OTHER_MEMBER,
    PREPARED,
    RECEIVED,
    REFUSED,
    SIMPLE,
    SOURCES,
    TWO_THIRDS,
    Meeting,
    MeetingDocument,
    MeetingDraft,
    MeetingItem,
    MeetingMember,
    MeetingPart,
    MeetingPartBuilding,
    MeetingProxy,
    MeetingVote,
)
from iok_saas.web.formatting import WARSAW, day, local_today
from iok_saas.web.problems import DomainError

TITLE_MAX = 300
DRAFT_TITLE_MAX = 200
PROXY_PURPOSE = "meeting_proxy"
PROXY_SCAN_MAX_MB = 10


class MeetingError(DomainError):
    """A step of the meeting refused (message for the person, form field if any)."""


def _actor(user: Any) -> str:
    return f"{user.full_name or user.identifier}"[:160] if user is not None else ""


# --- members and parts ---------------------------------------------------------------------------


def member_holdings(rules: Any, user_ids: Iterable[int] | None = None) -> Select:
    """The titles that make their holders members (the statute's ``member_titles``): user id,
    unit id, building id (of these people only, where given)."""
    held = estate.holdings()
    stmt = (select(held.c.user_id, held.c.unit_id, held.c.building_id)
            .where(held.c.kind.in_(rules.member_titles)))
    return stmt.where(held.c.user_id.in_(list(user_ids))) if user_ids is not None else stmt


def member_ids(rules: Any) -> Select:
    """The members' account ids."""
    held = member_holdings(rules).subquery()
    return select(held.c.user_id).distinct()


def is_member(user_id: int, rules: Any) -> bool:
    """Whether the person is a member of this cooperative (holds a member's title here)."""
    return estate.holds_title(user_id, rules.member_titles)


def members_count(rules: Any) -> int:
    """How many members the cooperative has."""
    return db.session.scalar(select(func.count()).select_from(member_ids(rules).subquery())) or 0


def member_by_identifier(identifier: str, rules: Any) -> User | None:
    """The member with this identifier in this cooperative, or None (unknown here, or not a
    member: a lessee, a member of another cooperative)."""
    wanted = identifier.strip()
    if not wanted:
        return None
    user = db.session.scalar(select(User).where(User.identifier == wanted))
    if user is None or user.is_staff or not is_member(user.id, rules):
        return None
    return user


def _building_parts(meeting_id: int) -> dict[int, int]:
    """building id → part id, for a meeting."""
    return dict(db.session.execute(select(
        MeetingPartBuilding.building_id, MeetingPartBuilding.part_id)
        .where(MeetingPartBuilding.meeting_id == meeting_id)).tuples().all())


def _chosen_parts(meeting_id: int) -> dict[int, int]:
    """member id → part id the office chose, for a meeting."""
    return dict(db.session.execute(select(MeetingMember.user_id, MeetingMember.part_id)
                                   .where(MeetingMember.meeting_id == meeting_id))
                .tuples().all())


@dataclass(frozen=True)
class Seat:
    """Where a member sits: their part (None: none yet) and the parts their units are in."""

    part_id: int | None
    possible: tuple[int, ...]


def seats(meeting: Meeting, rules: Any, user_ids: Iterable[int] | None = None
          ) -> dict[int, Seat]:
    """Every member's seat (or these members'): the part of the buildings they hold units in,
    or the office's choice where those buildings are in several parts (three queries)."""
    buildings = _building_parts(meeting.id)
    chosen = _chosen_parts(meeting.id)
    possible: dict[int, set[int]] = defaultdict(set)
    for user_id, _unit_id, building_id in db.session.execute(member_holdings(rules, user_ids)):
        part = buildings.get(building_id)
        possible[user_id]
        if part is not None:
            possible[user_id].add(part)
    found = {}
    for user_id, parts in possible.items():
        if user_id in chosen:
            part_id: int | None = chosen[user_id]
        else:
            part_id = next(iter(parts)) if len(parts) == 1 else None
        found[user_id] = Seat(part_id, tuple(sorted(parts)))
    return found


def seat_counts(meeting: Meeting, rules: Any) -> dict[int, int]:
    """part id → how many members sit in it."""
    counted: dict[int, int] = defaultdict(int)
    for seat in seats(meeting, rules).values():
        if seat.part_id is not None:
            counted[seat.part_id] += 1
    return dict(counted)


def seat_of(meeting: Meeting, user_id: int, rules: Any) -> Seat | None:
    """The member's seat at the meeting, or None for one who is not a member."""
    return seats(meeting, rules, [user_id]).get(user_id)


def unseated(meeting: Meeting, rules: Any) -> list[tuple[User, Seat]]:
    """Members the office has to place: units in the buildings of several parts, or in no
    part's building."""
    waiting = [(user_id, seat) for user_id, seat in seats(meeting, rules).items()
               if seat.part_id is None]
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([w[0] for w in waiting])))} if waiting else {}
    return sorted(((users[i], s) for i, s in waiting if i in users),
                  key=lambda pair: (pair[0].last_name, pair[0].first_name, pair[0].id))


def seat_member(meeting: Meeting, user: User, part_id: int, actor: User, rules: Any) -> None:
    """Place a member holding units in several parts' buildings in one of them (before notice:
    the notice names the member's part)."""
    _dates_fixed(meeting)
    seat = seat_of(meeting, user.id, rules)
    if seat is None:
        raise MeetingError(_l("This person is not a member of the cooperative."), "member")
    part = part_of(meeting, part_id)
    if part is None:
        raise MeetingError(_l("Choose one of the meeting's parts."), "part")
    if seat.possible and part.id not in seat.possible:
        raise MeetingError(_l("A member sits in the part of a building they hold a unit in."),
                           "part")
    existing = db.session.scalar(select(MeetingMember).where(
        MeetingMember.meeting_id == meeting.id, MeetingMember.user_id == user.id))
    if existing is None:
        db.session.add(MeetingMember(meeting_id=meeting.id, user_id=user.id, part_id=part.id))
    else:
        existing.part_id = part.id
    audit.record(MEETING_CHANGED, actor=actor, subject=user, meeting=meeting.id,
                 change="seat", part=part.number)


# --- the meeting, its parts, its agenda ----------------------------------------------------------


def meetings() -> list[Meeting]:
    """The cooperative's meetings, the next (or latest) first."""
    return list(db.session.scalars(select(Meeting).order_by(Meeting.id.desc())))


def meeting(meeting_id: int) -> Meeting | None:
    """A meeting of this cooperative."""
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id))


def part_of(meeting: Meeting, part_id: int) -> MeetingPart | None:
    """A part of this meeting."""
    return db.session.scalar(select(MeetingPart).where(
        MeetingPart.id == part_id, MeetingPart.meeting_id == meeting.id))


def item_of(meeting: Meeting, item_id: int) -> MeetingItem | None:
    """An item of this meeting's agenda."""
    return db.session.scalar(select(MeetingItem).where(
        MeetingItem.id == item_id, MeetingItem.meeting_id == meeting.id))


def _editable(meeting: Meeting) -> None:
    if meeting.status == CLOSED_MEETING:
        raise MeetingError(_l("The meeting is closed: its results are published."), None)


def _lock(meeting: Meeting) -> None:
    """Hold the meeting's row until the transaction ends: two clerks (or a double click)
    registering proxies, numbering the agenda or entering votes at once go one after the
    other, each seeing what the other did (PostgreSQL; SQLite writes one at a time anyway)."""
    db.session.refresh(meeting, with_for_update=True)


def _dates_fixed(meeting: Meeting) -> None:
    _editable(meeting)
    if meeting.status == CONVENED:
        raise MeetingError(_l("Members have been given notice: the parts' dates, places and "
                              "buildings cannot change now (a change needs a new notice)."),
                           None)


def create_meeting(title: str, actor: User) -> Meeting:
    """A new meeting, prepared (members see nothing until it is convened)."""
    title = title.strip()
    if not title:
        raise MeetingError(_l("Give the meeting's name, e.g. Walne Zgromadzenie Członków 2027."),
                           "title")
    found = Meeting(title=title[:200], status=PREPARED)
    db.session.add(found)
    db.session.flush()
    audit.record(MEETING_CHANGED, actor=actor, identifier=found.title, meeting=found.id,
                 change="created")
    return found


def buildings() -> list[Building]:
    """The cooperative's buildings, as the parts' forms list them."""
    return list(db.session.scalars(select(Building).order_by(
        Building.estate, Building.street, Building.number)))


def add_part(meeting: Meeting, *, name: str, starts_at: datetime, place: str,
             building_ids: Sequence[int], actor: User, now: datetime | None = None
             ) -> MeetingPart:
    """A part of the meeting with the buildings whose members sit in it. A building already in
    another part, a part in the past, a part without buildings → refused."""
    _dates_fixed(meeting)
    _lock(meeting)
    now = now or utcnow()
    if not name.strip():
        raise MeetingError(_l("Give the part's name, e.g. Część I — osiedle Zielone Wzgórza."),
                           "name")
    if not place.strip():
        raise MeetingError(_l("Give the place where the part sits."), "place")
    if starts_at <= now:
        raise MeetingError(_l("The part's date must be in the future."), "starts_at")
    wanted = sorted(set(building_ids))
    if not wanted:
        raise MeetingError(_l("Choose the buildings whose members sit in this part."),
                           "buildings")
    known = {b.id: b for b in db.session.scalars(select(Building).where(
        Building.id.in_(wanted)))}
    if len(known) != len(wanted):
        raise MeetingError(_l("Choose buildings of the cooperative."), "buildings")
    taken = _building_parts(meeting.id)
    clash = [known[b] for b in wanted if b in taken]
    if clash:
        raise MeetingError(_l("%(address)s is already in another part: a member takes part in "
                              "one part only, so a building belongs to one part.",
                              address=clash[0].address), "buildings")
    number = 1 + (db.session.scalar(select(func.max(MeetingPart.number)).where(
        MeetingPart.meeting_id == meeting.id)) or 0)
    part = MeetingPart(meeting_id=meeting.id, number=number, name=name.strip()[:120],
                       starts_at=starts_at, place=place.strip()[:200])
    db.session.add(part)
    db.session.flush()
    db.session.add_all(MeetingPartBuilding(meeting_id=meeting.id, part_id=part.id,
                                           building_id=b) for b in wanted)
    db.session.flush()
    db.session.expire(meeting, ["parts"])
    audit.record(MEETING_CHANGED, actor=actor, identifier=meeting.title, meeting=meeting.id,
                 change="part", part=number)
    return part


def part_buildings(meeting: Meeting) -> dict[int, list[Building]]:
    """part id → its buildings."""
    found: dict[int, list[Building]] = defaultdict(list)
    for part_id, building in db.session.execute(
            select(MeetingPartBuilding.part_id, Building)
            .join(Building, Building.id == MeetingPartBuilding.building_id)
            .where(MeetingPartBuilding.meeting_id == meeting.id)
            .order_by(Building.street, Building.number)):
        found[part_id].append(building)
    return found


def add_item(meeting: Meeting, *, title: str, resolution: bool, actor: User,
             elects: bool = False, majority: str = "", source: str = "board",
             draft: MeetingDraft | None = None, document_id: int | None = None
             ) -> MeetingItem:
    """An item at the end of the agenda; a resolution gets the next number (``3/2027``)."""
    _editable(meeting)
    title = title.strip()
    if not title:
        raise MeetingError(_l("Give the item's title."), "title")
    if len(title) > TITLE_MAX:
        raise MeetingError(_l("The title is too long: at most %(max)d characters.",
                              max=TITLE_MAX), "title")
    if source not in SOURCES:
        raise MeetingError(_l("Choose who proposes the item."), "source")
    if majority and majority not in (SIMPLE, TWO_THIRDS):
        raise MeetingError(_l("Choose the majority the resolution needs."), "majority")
    _lock(meeting)
    if meeting.results_at is not None or _any_votes(meeting):
        raise MeetingError(_l("Votes have been entered: the agenda cannot change now."), None)
    if meeting.status == CONVENED and draft is None:
        raise MeetingError(_l("Members have been given notice of the agenda: the meeting adopts "
                              "resolutions only on the matters it gave. After notice only "
                              "members' drafts filed in time are added."), "title")
    items = list(meeting.items)
    number = ""
    if resolution:
        year = (meeting.first_starts_at or utcnow()).astimezone(WARSAW).year
        number = f"{1 + sum(1 for i in items if i.resolution)}/{year}"
    item = MeetingItem(meeting_id=meeting.id, position=len(items) + 1, title=title,
                       resolution=resolution, number=number, elects=elects and resolution,
                       majority=majority, source=source,
                       draft_case_id=draft.id if draft is not None else None,
                       document_id=document_id)
    db.session.add(item)
    db.session.flush()
    db.session.expire(meeting, ["items"])
    audit.record(MEETING_CHANGED, actor=actor, identifier=meeting.title, meeting=meeting.id,
                 change="item", item=item.position, title=title[:120])
    return item


def _any_votes(meeting: Meeting) -> bool:
    return bool(db.session.scalar(select(select(MeetingVote.id).join(
        MeetingItem, MeetingItem.id == MeetingVote.item_id)
        .where(MeetingItem.meeting_id == meeting.id).exists())))


def lay_out(meeting: Meeting, document_id: int, role: str, actor: User) -> MeetingDocument:
    """Link a document of the members' library to the meeting (a report, a draft resolution;
    after it, the minutes and the adopted resolutions)."""
    if role not in DOCUMENT_ROLES:
        raise MeetingError(_l("Choose what the document is."), "role")
    if role in BEFORE_ROLES:
        _editable(meeting)
    existing = db.session.scalar(select(MeetingDocument).where(
        MeetingDocument.meeting_id == meeting.id, MeetingDocument.document_id == document_id))
    if existing is not None:
        existing.role = role
        return existing
    found = MeetingDocument(meeting_id=meeting.id, document_id=document_id, role=role)
    db.session.add(found)
    db.session.flush()
    audit.record(MEETING_CHANGED, actor=actor, identifier=meeting.title, meeting=meeting.id,
                 change="document", document=document_id, role=role)
    return found


def laid_out_late(meeting: Meeting, rules: Any) -> list[MeetingDocument]:
    """Reports and drafts laid out after the day the act (and statute) set — at least 14 days
    before the first part —, for the office to see (a resolution on a late draft may be
    challenged)."""
    dates = deadlines_of(meeting, rules)
    if dates is None:
        return []
    return [d for d in documents_of(meeting) if d.role in BEFORE_ROLES
            and d.added_at.astimezone(WARSAW).date() > dates.documents_by]


def documents_of(meeting: Meeting) -> list[MeetingDocument]:
    """The meeting's documents, in the order they were laid out."""
    return list(db.session.scalars(select(MeetingDocument).where(
        MeetingDocument.meeting_id == meeting.id).order_by(MeetingDocument.id)))


# --- deadlines and the notice --------------------------------------------------------------------


def first_day(meeting: Meeting) -> date | None:
    """The day the meeting or its first part sits."""
    first = meeting.first_starts_at
    return first.astimezone(WARSAW).date() if first is not None else None


def deadlines_of(meeting: Meeting, rules: Any) -> law.Deadlines | None:
    """The meeting's deadlines (None: no part yet)."""
    first = first_day(meeting)
    return law.deadlines(first, rules) if first is not None else None


def convene_problems(meeting: Meeting, rules: Any, today: date | None = None, *,
                     waiting: list[Any] | None = None) -> list[str]:
    """Why the meeting cannot be convened today (empty: it can); ``waiting``: the members to
    place, where the caller has them (``unseated``)."""
    today = today or local_today()
    found: list[str] = []
    if meeting.status != PREPARED:
        found.append(str(_l("The meeting has already been convened.")))
        return found
    if not meeting.parts:
        found.append(str(_l("Add the meeting's part (or parts): date, time, place and "
                            "buildings.")))
        return found
    if not any(i.resolution for i in meeting.items):
        found.append(str(_l("Add the agenda: at least one resolution.")))
    dates = deadlines_of(meeting, rules)
    assert dates is not None
    if today > dates.notice_by:
        found.append(str(_l(
            "Notice must reach members at least %(days)d days before the first part: by "
            "%(by)s for a meeting on %(first)s. Today is too late; the first part may sit on "
            "%(earliest)s at the earliest.", days=rules.notice_days, by=day(dates.notice_by),
            first=day(dates.first_day), earliest=day(law.earliest_first_day(today, rules)))))
    if waiting if waiting is not None else unseated(meeting, rules):
        found.append(str(_l("Some members hold units in the buildings of several parts, or in "
                            "a building of no part: place each in one part first.")))
    return found


def convene(meeting: Meeting, actor: User, rules: Any, today: date | None = None) -> None:
    """Convene the meeting: notice given today (the documents delivered to units and the
    announcement follow, ``iok_saas.meetings.notice``)."""
    _lock(meeting)  # convened once, whoever presses twice
    problems = convene_problems(meeting, rules, today)
    if problems:
        raise MeetingError(problems[0], None)
    meeting.status = CONVENED
    meeting.notice_on = today or local_today()
    meeting.convened_by = _actor(actor)
    audit.record(MEETING_CONVENED, actor=actor, identifier=meeting.title, meeting=meeting.id,
                 first=day(first_day(meeting)))


def earlier_for_members(but: int | None = None) -> list[Meeting]:
    """The meetings held whose results were published, newest first (but the one shown)."""
    stmt = select(Meeting).where(Meeting.status == CLOSED_MEETING)
    if but is not None:
        stmt = stmt.where(Meeting.id != but)
    return list(db.session.scalars(stmt.order_by(Meeting.results_at.desc(), Meeting.id.desc())))


def held_for_members(meeting_id: int) -> Meeting | None:
    """A meeting held with its results published (members read it later)."""
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id,
                                                    Meeting.status == CLOSED_MEETING))


def current_for_members() -> Meeting | None:
    """The meeting members see: the latest convened (or closed) one."""
    return db.session.scalar(select(Meeting).where(Meeting.status.in_((CONVENED,
                                                                       CLOSED_MEETING)))
                             .order_by(Meeting.id.desc()).limit(1))


# --- members' draft resolutions ------------------------------------------------------------------


def drafts_open(meeting: Meeting, rules: Any, today: date | None = None) -> bool:
    """Whether members may still file drafts for the meeting."""
    dates = deadlines_of(meeting, rules)
    return (meeting.status == CONVENED and dates is not None
            and (today or local_today()) <= dates.drafts_by)


def submit_draft(meeting: Meeting, user: User, *, title: str, text: str, supporters: int | None,
                 uploads: Sequence[Upload], submission: str, rules: Any,
                 today: date | None = None) -> MeetingDraft:
    """A member files a draft resolution (no commit): a letter to the office in the ``KO``
    register, its number the proof of filing. After the deadline (15 days before the first
    part), by someone who is not a member, without 10 supporters or their signed list →
    refused, nothing filed."""
    earlier = cases.earlier(MeetingDraft, user.id, submission)
    if earlier is not None:
        return earlier
    today = today or local_today()
    if not is_member(user.id, rules):
        raise MeetingError(_l("Draft resolutions are filed by members of the cooperative."),
                           None)
    dates = deadlines_of(meeting, rules)
    if meeting.status != CONVENED or dates is None:
        raise MeetingError(_l("The meeting has not been convened."), None)
    if today > dates.drafts_by:
        raise MeetingError(_l(
            "The deadline for members' draft resolutions passed on %(by)s (15 days before the "
            "meeting's first part on %(first)s). The draft has not been filed.",
            by=day(dates.drafts_by), first=day(dates.first_day)), None)
    title, body = _draft_fields(title, text, supporters)
    if not uploads:
        raise MeetingError(_l("Attach the list of supporting members with their signatures "
                              "(a scan or a photo)."), "attachments")
    checked = check_uploads(DRAFTS, uploads, rules)
    return cases.file_case(_new_draft(meeting, dates, title, submission=submission),
                           user, body=_draft_body(body, supporters), checked=checked)


def _draft_fields(title: str, text: str, supporters: int | None) -> tuple[str, str]:
    """A draft's title and text as kept, once the act's support is there; else refused."""
    title, body = title.strip(), text.strip()
    if not title:
        raise MeetingError(_l("Give the draft resolution's title."), "title")
    if len(title) > DRAFT_TITLE_MAX:
        raise MeetingError(_l("The title is too long: at most %(max)d characters.",
                              max=DRAFT_TITLE_MAX), "title")
    if not body:
        raise MeetingError(_l("Write the draft resolution's text."), "text")
    if len(body) > TEXT_MAX:
        raise MeetingError(_l("The text is too long: at most %(max)d characters.",
                              max=TEXT_MAX), "text")
    if supporters is None or supporters < law.DRAFT_SUPPORTERS:
        raise MeetingError(_l("A members' draft needs the support of at least %(count)d members "
                              "(the act, art. 8³).", count=law.DRAFT_SUPPORTERS), "supporters")
    if supporters > 100_000:
        raise MeetingError(_l("Give the number of members supporting the draft."),
                           "supporters")
    return title, body


def _new_draft(meeting: Meeting, dates: law.Deadlines, title: str, *, submission: str,
               received_on: date | None = None) -> MeetingDraft:
    with force_locale("pl"):  # the register's words, whatever language the member reads
        category = str(_l("Draft resolution for the general meeting"))
    return MeetingDraft(submission=submission, category=category, subject=title,
                        status=RECEIVED, meeting_id=meeting.id, deadline_on=dates.drafts_by,
                        received_on=received_on)


def _draft_body(text: str, supporters: int) -> str:
    with force_locale("pl"):
        support = _l("Supported by %(count)d members (list attached).", count=supporters)
        return f"{text}\n\n— {support}"


def register_paper_draft(meeting: Meeting, member: User, *, title: str, text: str,
                         supporters: int | None, received_on: date | None, actor: User,
                         rules: Any) -> MeetingDraft:
    """A draft handed in at the office on paper, registered by staff with the day it was
    received and the number of members who signed its list (the paper stays with the office):
    in the ``KO`` register like any letter; one received after the deadline is refused at once
    with the dates."""
    dates = deadlines_of(meeting, rules)
    if meeting.status != CONVENED or dates is None:
        raise MeetingError(_l("The meeting has not been convened."), None)
    if not is_member(member.id, rules):
        raise MeetingError(_l("Draft resolutions are filed by members of the cooperative."),
                           "member")
    title, body = _draft_fields(title, text, supporters)
    if received_on is None:
        raise MeetingError(_l("Give the day the office received the draft."), "received_on")
    if received_on > local_today():
        raise MeetingError(_l("The day received cannot be in the future."), "received_on")
    assert supporters is not None
    draft = cases.file_case(
        _new_draft(meeting, dates, title, submission=cases.new_submission(),
                   received_on=received_on), member, body=_draft_body(body, supporters))
    if not draft.in_time:
        refuse_draft(draft, actor, late_reason(draft))
    return draft


def late_reason(draft: MeetingDraft) -> str:
    """Why a late draft is refused, with the dates."""
    with force_locale("pl"):
        return str(_l("The draft reached the office on %(filed)s, after the deadline of "
                      "%(by)s (15 days before the meeting's first part, art. 8³ of the housing "
                      "cooperatives act); it cannot be put on the agenda.",
                      filed=day(draft.filed_on()), by=day(draft.deadline_on)))


def drafts_of(meeting: Meeting) -> list[MeetingDraft]:
    """The members' drafts filed for the meeting, oldest first."""
    return list(db.session.scalars(select(MeetingDraft).where(
        MeetingDraft.meeting_id == meeting.id).order_by(MeetingDraft.created_at,
                                                         MeetingDraft.id)))


def draft_texts(drafts: Sequence[MeetingDraft]) -> dict[int, str]:
    """Each draft's text as the member filed it (its case's first message), in one query."""
    found: dict[int, str] = {}
    if drafts:
        for case_id, body in db.session.execute(
                select(CaseEvent.case_id, CaseEvent.body)
                .where(CaseEvent.case_id.in_([d.id for d in drafts]),
                       CaseEvent.kind == CREATED).order_by(CaseEvent.id)):
            found.setdefault(case_id, body)
    return found


def draft_items(meeting: Meeting) -> dict[int, MeetingItem]:
    """case id → the agenda item each accepted draft became."""
    return {i.draft_case_id: i for i in meeting.items if i.draft_case_id}


def draft_item(draft: MeetingDraft) -> MeetingItem | None:
    """The agenda item a draft became, if accepted."""
    return db.session.scalar(select(MeetingItem).where(MeetingItem.draft_case_id == draft.id))


def accept_draft(draft: MeetingDraft, actor: User, *, document_id: int | None = None,
                 elects: bool = False) -> MeetingItem:
    """Put a members' draft filed in time on the agenda (the member is told the item's
    number); a late draft cannot be accepted."""
    found = meeting(draft.meeting_id) if draft.meeting_id else None
    if found is None or found.status != CONVENED:
        raise MeetingError(_l("The meeting has not been convened."), None)
    if not draft.in_time:
        raise MeetingError(late_reason(draft), None)
    if draft_item(draft) is not None or not draft.is_open:
        raise MeetingError(_l("This draft has already been decided."), None)
    item = add_item(found, title=draft.subject, resolution=True, actor=actor, source=MEMBERS,
                    draft=draft, document_id=document_id, elects=elects)
    with force_locale("pl"):
        reply = str(_l("The draft has been put on the agenda of %(meeting)s as item %(item)d "
                       "(resolution no. %(number)s).", meeting=found.title,
                       item=item.position, number=item.number))
    cases.close(draft, actor, reply)
    audit.record(MEETING_DRAFT_DECIDED, actor=actor, identifier=draft.registry_number,
                 meeting=found.id, decision="accepted", item=item.position)
    return item


def refuse_draft(draft: MeetingDraft, actor: User, reason: str) -> None:
    """Refuse a draft with its reason (the member reads it)."""
    reason = reason.strip()
    if not reason:
        raise MeetingError(_l("Give the reason (the member reads it)."), "reason")
    if not draft.is_open:
        raise MeetingError(_l("This draft has already been decided."), None)
    cases.close(draft, actor, reason[:300])
    audit.record(MEETING_DRAFT_DECIDED, actor=actor, identifier=draft.registry_number,
                 meeting=draft.meeting_id, decision="refused")


# --- proxies -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyInput:
    """A proxy as the office enters it from the paper."""

    member: str  # the member's identifier
    holder_kind: str
    holder_name: str
    holder_identifier: str = ""  # a holder who is a member
    statement: bool = False
    received_on: date | None = None
    note: str = ""


def proxies_of(meeting: Meeting, *, part_id: int | None = None,
               standing: bool | None = None) -> list[MeetingProxy]:
    """The register of proxies of the meeting (of one part; standing or refused), in the order
    they came."""
    stmt = select(MeetingProxy).where(MeetingProxy.meeting_id == meeting.id,
                                      MeetingProxy.withdrawn_at.is_(None))
    if part_id is not None:
        stmt = stmt.where(MeetingProxy.part_id == part_id)
    if standing is not None:
        stmt = stmt.where(MeetingProxy.status == (ACCEPTED if standing else REFUSED))
    return list(db.session.scalars(stmt.order_by(MeetingProxy.received_on, MeetingProxy.id)))


def standing_counts(meeting: Meeting) -> dict[int, int]:
    """part id → how many proxies stand for it (one query)."""
    return dict(db.session.execute(
        select(MeetingProxy.part_id, func.count()).where(
            MeetingProxy.meeting_id == meeting.id, MeetingProxy.status == ACCEPTED,
            MeetingProxy.withdrawn_at.is_(None), MeetingProxy.part_id.is_not(None))
        .group_by(MeetingProxy.part_id)).tuples().all())


def proxy_of(meeting: Meeting, proxy_id: int) -> MeetingProxy | None:
    """A proxy of this meeting's register."""
    return db.session.scalar(select(MeetingProxy).where(
        MeetingProxy.id == proxy_id, MeetingProxy.meeting_id == meeting.id))


def register_proxy(meeting: Meeting, given: ProxyInput, actor: User, rules: Any, *,
                   scan: Upload | None = None) -> MeetingProxy:
    """Enter a proxy the office received into the register, checked against the act: it
    stands, or it is kept refused with its reasons (the desk must know a refused one when the
    holder comes). A person who is not a member here, an unknown kind of holder, a missing
    name or date → refused, nothing entered."""
    _editable(meeting)
    if meeting.status != CONVENED:
        raise MeetingError(_l("Proxies are registered once the meeting is convened."), None)
    member = member_by_identifier(given.member, rules)
    if member is None:
        raise MeetingError(_l("No member of this cooperative has this identifier."), "member")
    if given.holder_kind not in HOLDER_KINDS:
        raise MeetingError(_l("Choose who the holder is."), "holder_kind")
    name = given.holder_name.strip()
    holder_member = None
    if given.holder_identifier.strip():
        holder_member = member_by_identifier(given.holder_identifier, rules)
        if holder_member is None and given.holder_kind == OTHER_MEMBER:
            raise MeetingError(_l("No member of this cooperative has the holder's identifier."),
                               "holder_identifier")
    if given.holder_kind == OTHER_MEMBER and holder_member is None:
        raise MeetingError(_l("Give the identifier of the member who holds the proxy."),
                           "holder_identifier")
    if holder_member is not None and given.holder_kind not in ALLOWED_HOLDERS:
        raise MeetingError(_l("The holder is a member of the cooperative, and another member may "
                              "hold a proxy: choose “another member”."), "holder_kind")
    if holder_member is not None and not name:
        name = holder_member.full_name
    if not name:
        raise MeetingError(_l("Give the holder's name."), "holder_name")
    if given.received_on is None:
        raise MeetingError(_l("Give the day the office received the proxy."), "received_on")
    if given.received_on > local_today():
        raise MeetingError(_l("The day received cannot be in the future."), "received_on")
    dates = deadlines_of(meeting, rules)
    assert dates is not None
    _lock(meeting)  # one register: the checks below see every proxy entered before
    standing = proxies_of(meeting, standing=True)
    seat = seat_of(meeting, member.id, rules)
    reasons = law.proxy_reasons(
        holder_kind=given.holder_kind, statement=given.statement,
        received_on=given.received_on, proxies_by=dates.proxies_by,
        holder_is_member=holder_member is not None,
        holder_taken=(holder_member is not None and any(
            p.holder_member_id == holder_member.id for p in standing))
        or (holder_member is None and given.holder_kind in ALLOWED_HOLDERS and any(
            p.holder_member_id is None and law.holder_key(p.holder_name) == law.holder_key(name)
            for p in standing)),
        member_has_proxy=any(p.member_id == member.id for p in standing),
        holder_is_self=holder_member is not None and holder_member.id == member.id)
    stored = None
    if scan is not None and scan.data:
        try:
            checked = files.check_attachment(scan.filename, scan.data, PROXY_SCAN_MAX_MB)
        except files.FileProblem as problem:
            raise MeetingError(problem.message, "scan") from None
        stored = files.store(checked.data, filename=checked.filename,
                             content_type=checked.content_type, purpose=PROXY_PURPOSE)
    proxy = MeetingProxy(
        meeting_id=meeting.id, member_id=member.id,
        part_id=seat.part_id if seat is not None else None,
        holder_kind=given.holder_kind, holder_name=name[:160],
        holder_member_id=holder_member.id if holder_member is not None else None,
        statement=given.statement, received_on=given.received_on,
        file_id=stored.id if stored is not None else None,
        filename=stored.filename if stored is not None else "",
        status=REFUSED if reasons else ACCEPTED, reasons=reasons,
        registered_by=_actor(actor), note=given.note.strip()[:2000])
    db.session.add(proxy)
    db.session.flush()
    audit.record(MEETING_PROXY_REGISTERED, actor=actor, subject=member, meeting=meeting.id,
                 proxy=proxy.id, status=proxy.status, reasons=reasons)
    return proxy


def withdraw_proxy(proxy: MeetingProxy, actor: User) -> None:
    """Take a proxy out of the register (entered by mistake, revoked by the member); not after
    the results, nor below the attendance by proxy already entered for its part."""
    found = meeting(proxy.meeting_id)
    assert found is not None
    _editable(found)
    _lock(found)
    if proxy.withdrawn_at is not None:
        raise MeetingError(_l("This proxy has already been withdrawn."), None)
    part = part_of(found, proxy.part_id) if proxy.part_id else None
    if proxy.status == ACCEPTED and part is not None and part.by_proxy is not None and \
            part.by_proxy > len(proxies_of(found, part_id=part.id, standing=True)) - 1:
        raise MeetingError(_l("The part's attendance by proxy entered counts this proxy: "
                              "correct the attendance first."), None)
    proxy.withdrawn_at = utcnow()
    audit.record(MEETING_PROXY_WITHDRAWN, actor=actor, identifier=proxy.holder_name,
                 meeting=proxy.meeting_id, proxy=proxy.id)


def people(ids: Iterable[int]) -> dict[int, User]:
    """Accounts by id (one query)."""
    wanted = sorted(set(ids))
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))} \
        if wanted else {}


# --- attendance and results ----------------------------------------------------------------------


def part_members(meeting: Meeting, part: MeetingPart, rules: Any) -> list[User]:
    """The members who sit in the part, by surname."""
    ids = [i for i, s in seats(meeting, rules).items() if s.part_id == part.id]
    return sorted(people(ids).values(), key=lambda u: (u.last_name, u.first_name, u.id))


def _started(part: MeetingPart, now: datetime | None) -> None:
    if part.starts_at > (now or utcnow()):
        raise MeetingError(_l("The part has not sat yet: its attendance and votes are entered "
                              "after it, from the signed lists and the count in the room."),
                           None)


def enter_attendance(meeting: Meeting, part: MeetingPart, *, present: int | None,
                     by_proxy: int | None, actor: User, rules: Any,
                     now: datetime | None = None) -> None:
    """The members present in person and by proxy in a part, from the signed list."""
    _editable(meeting)
    _started(part, now)
    _lock(meeting)
    if present is None or by_proxy is None or present < 0 or by_proxy < 0:
        raise MeetingError(_l("Give the numbers present in person and by proxy (0 or more)."),
                           "present")
    seated = seat_counts(meeting, rules).get(part.id, 0)
    if present + by_proxy > seated:
        raise MeetingError(_l("The part has %(count)d members: more cannot attend.",
                              count=seated), "present")
    standing = len(proxies_of(meeting, part_id=part.id, standing=True))
    if by_proxy > standing:
        raise MeetingError(_l("The register holds %(count)d standing proxies for this part: "
                              "more members cannot be represented.", count=standing),
                           "by_proxy")
    for vote in db.session.scalars(select(MeetingVote).where(MeetingVote.part_id == part.id)):
        if vote.votes_for + vote.votes_against + vote.abstained > present + by_proxy:
            raise MeetingError(_l("Votes entered for this part exceed this attendance: correct "
                                  "the votes first."), "present")
    part.present, part.by_proxy, part.attendance_at = present, by_proxy, utcnow()
    audit.record(MEETING_ATTENDANCE, actor=actor, identifier=meeting.title, meeting=meeting.id,
                 part=part.number, present=present, by_proxy=by_proxy)


def enter_votes(meeting: Meeting, part: MeetingPart, item: MeetingItem, *,
                votes_for: int | None, against: int | None, abstained: int | None,
                actor: User, now: datetime | None = None) -> MeetingVote:
    """The votes a part cast on a resolution, as counted in the room: never more than the
    part's attendance (in person only, for the election or recall of the boards)."""
    _editable(meeting)
    _started(part, now)
    _lock(meeting)
    if not item.resolution:
        raise MeetingError(_l("This item is not voted on."), None)
    if part.present is None or part.by_proxy is None:
        raise MeetingError(_l("Enter the part's attendance first."), "votes_for")
    numbers = (votes_for, against, abstained)
    if any(n is None or n < 0 for n in numbers):
        raise MeetingError(_l("Give the votes for, against and abstaining (0 or more)."),
                           "votes_for")
    cast = sum(n or 0 for n in numbers)
    may_vote = part.present if item.elects else part.present + part.by_proxy
    if cast > may_vote:
        if item.elects:
            raise MeetingError(_l(
                "%(cast)d votes, but %(may)d members were present in person: proxy holders do "
                "not vote on the election or recall of the boards (art. 8³ ust. 16).",
                cast=cast, may=may_vote), "votes_for")
        raise MeetingError(_l("%(cast)d votes, but the part's attendance is %(may)d.",
                              cast=cast, may=may_vote), "votes_for")
    vote = db.session.scalar(select(MeetingVote).where(MeetingVote.item_id == item.id,
                                                       MeetingVote.part_id == part.id))
    if vote is None:
        vote = MeetingVote(item_id=item.id, part_id=part.id, votes_for=0, votes_against=0,
                           abstained=0)
        db.session.add(vote)
    vote.votes_for, vote.votes_against, vote.abstained = votes_for, against, abstained
    vote.entered_at, vote.entered_by = utcnow(), _actor(actor)
    db.session.flush()
    audit.record(MEETING_VOTES, actor=actor, identifier=meeting.title, meeting=meeting.id,
                 part=part.number, item=item.number, votes_for=votes_for, against=against,
                 abstained=abstained)
    return vote


def votes_of(meeting: Meeting) -> dict[tuple[int, int], MeetingVote]:
    """(item id, part id) → the votes entered."""
    return {(v.item_id, v.part_id): v for v in db.session.scalars(
        select(MeetingVote).join(MeetingItem, MeetingItem.id == MeetingVote.item_id)
        .where(MeetingItem.meeting_id == meeting.id))}


def totals(meeting: Meeting, rules: Any) -> dict[int, law.Total]:
    """Each resolution's votes across all parts and the outcome they give."""
    votes = votes_of(meeting)
    parts = list(meeting.parts)
    attended = sum((p.present or 0) + (p.by_proxy or 0) for p in parts)
    members = meeting.members if meeting.members is not None else members_count(rules)
    return {item.id: law.total(
        [(v.votes_for, v.votes_against, v.abstained) for p in parts
         if (v := votes.get((item.id, p.id))) is not None],
        len(parts), item.majority or rules.majority, attended=attended, members=members,
        quorum_percent=rules.quorum_percent)
        for item in meeting.items if item.resolution}


def publish_results(meeting: Meeting, actor: User, rules: Any) -> None:
    """Publish the results to members: every part's attendance and votes entered; each
    resolution keeps its outcome; the meeting is closed."""
    _lock(meeting)
    if meeting.status != CONVENED:
        raise MeetingError(_l("Only a convened meeting's results are published."), None)
    if any(p.present is None for p in meeting.parts):
        raise MeetingError(_l("Enter every part's attendance first."), None)
    found = totals(meeting, rules)
    waiting = [i for i in meeting.items if i.resolution and found[i.id].outcome is None]
    if waiting:
        raise MeetingError(_l("Resolution %(number)s has not been voted on in every part yet.",
                              number=waiting[0].number), None)
    for item in meeting.items:
        if item.resolution:
            item.outcome = found[item.id].outcome
    meeting.results_at, meeting.status = utcnow(), CLOSED_MEETING
    meeting.members = members_count(rules)  # the quorum as counted: kept with the results
    audit.record(MEETING_RESULTS, actor=actor, identifier=meeting.title, meeting=meeting.id,
                 adopted=sum(1 for t in found.values() if t.outcome == "adopted"))
