"""A general meeting to test with: parts (one building of member households each), an agenda
with a report, a resolution and an election, convened in time or not; and the parts held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from iok_saas.auth.models import CLERK, User
from iok_saas.cases import services as cases
from iok_saas.db import db
from iok_saas.meetings import services
from iok_saas.meetings.models import (
    MeetingDraft,
    MeetingItem,
    MeetingMember,
    MeetingPart,
    MeetingProxy,
)
from iok_saas.web.formatting import WARSAW, local_today
from tests.factories import Household, make_household
from tests.helpers import TenantRef, in_tenant


@dataclass(frozen=True)
class MeetingSetup:
    """Ids of a meeting and who takes part (plain values: safe outside the session)."""

    tenant_id: int
    meeting_id: int
    part_ids: tuple[int, ...]
    item_ids: tuple[int, ...]  # a report, a resolution (simple majority), an election
    members: tuple[Household, ...]  # one per part, each in its own building
    staff: Household
    first_day: date


def starts(day: date, hour: int = 17) -> datetime:
    """A part's start: ``day`` at ``hour``:00 in Warsaw."""
    return datetime.combine(day, time(hour), tzinfo=WARSAW)


def make_meeting(tenant: TenantRef, *, parts: int = 2, convened: bool = True,
                 first_in_days: int = 30) -> MeetingSetup:
    """A meeting whose first part sits ``first_in_days`` from today, a part a day for each
    member household's building; convened today where ``convened``."""
    members = tuple(make_household(tenant, units=2) for _ in range(parts))
    staff = make_household(tenant, units=0, role=CLERK, last_name="Urzędniczka")
    first = local_today() + timedelta(days=first_in_days)
    with in_tenant(tenant):
        clerk = db.session.get(User, staff.user_id)
        meeting = services.create_meeting("Walne Zgromadzenie Członków 2027", clerk)
        # Every building sits in a part (the first takes those of no test member).
        own = {member.building_id for member in members}
        rest = [b.id for b in services.buildings() if b.id not in own]
        part_ids = tuple(services.add_part(
            meeting, name=f"Część {n + 1}", starts_at=starts(first + timedelta(days=n)),
            place="świetlica osiedlowa", building_ids=[member.building_id, *([] if n else rest)],
            actor=clerk).id
            for n, member in enumerate(members))
        items = (
            services.add_item(meeting, title="Sprawozdanie zarządu z działalności w 2026 r.",
                              resolution=False, actor=clerk),
            services.add_item(meeting, title="Zatwierdzenie sprawozdania finansowego za 2026 r.",
                              resolution=True, actor=clerk),
            services.add_item(meeting, title="Wybór członków Rady Nadzorczej", resolution=True,
                              elects=True, actor=clerk),
        )
        if convened:
            services.convene(meeting, clerk, _rules(tenant))
        setup = MeetingSetup(tenant.id, meeting.id, part_ids, tuple(i.id for i in items),
                             members, staff, first)
    return setup


def _rules(tenant: TenantRef):
    from iok_saas.tenancy.info import get_tenant_info
    return get_tenant_info(tenant.id).settings.general_meeting


def hold_parts(tenant: TenantRef, setup: MeetingSetup) -> None:
    """Move every part into the past: the parts have sat (their attendance and votes may be
    entered)."""
    with in_tenant(tenant):
        for n, part_id in enumerate(sorted(setup.part_ids)):
            db.session.execute(update(MeetingPart).where(MeetingPart.id == part_id).values(
                starts_at=starts(local_today() - timedelta(days=3 - n))))


def part_numbers(tenant: TenantRef, setup: MeetingSetup) -> dict[int, int]:
    """part id → its number."""
    with in_tenant(tenant):
        return dict(db.session.execute(select(MeetingPart.id, MeetingPart.number).where(
            MeetingPart.id.in_(setup.part_ids))).tuples().all())


def make_meeting_rows(tenant: TenantRef, document_id: int) -> MeetingSetup:
    """A meeting with a row in every table of the meeting: parts and their buildings, a member
    placed by the office, the agenda, a document laid out, a member's draft, a proxy, the
    attendance and the votes (for the row-level security test)."""
    setup = make_meeting(tenant, parts=1)
    member = setup.members[0]
    hold_parts(tenant, setup)
    with in_tenant(tenant):
        meeting = db.session.get(services.Meeting, setup.meeting_id)
        clerk = db.session.get(User, setup.staff.user_id)
        person = db.session.get(User, member.user_id)
        part = db.session.get(MeetingPart, setup.part_ids[0])
        rules = _rules(tenant)
        db.session.add(MeetingMember(meeting_id=meeting.id, part_id=part.id,
                                     user_id=member.user_id))
        services.lay_out(meeting, document_id, "report", clerk)
        cases.file_case(MeetingDraft(submission="rls", category="Projekt uchwały",
                                     subject="Projekt", status="received",
                                     meeting_id=meeting.id, deadline_on=local_today()),
                        person, body="Treść projektu")
        db.session.add(MeetingProxy(
            meeting_id=meeting.id, member_id=member.user_id, part_id=part.id,
            holder_kind="advocate", holder_name="adw. Anna Nowak", received_on=local_today(),
            status="accepted", reasons=[]))
        db.session.flush()
        services.enter_attendance(meeting, part, present=0, by_proxy=1, actor=clerk, rules=rules)
        services.enter_votes(meeting, part, db.session.get(MeetingItem, setup.item_ids[1]),
                             votes_for=1, against=0, abstained=0, actor=clerk)
    return setup
