"""The general meeting (walne zgromadzenie) as the office prepares it and the members read it:
the meeting and its parts (which buildings' members sit in which part), its agenda, the
documents laid out for members, the register of proxies, the attendance and the votes each
part cast, entered after the part (nothing is voted online: the portal prepares, checks and
publishes), and members' draft resolutions as a kind of case (a letter to the office, ``KO``).

The rules (art. 8³ of the housing cooperatives act as amended by Dz.U. 2026 poz. 39, and the
statute in the tenant file's ``[general_meeting]``) are in ``iok_saas.meetings.rules``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint, and_, column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iok_saas.cases.kinds import (  # noqa: F401 (a draft's statuses: a letter's)
    CLOSED,
    IN_PROGRESS,
    LETTER_OPEN,
    RECEIVED,
    WAITING,
)
from iok_saas.cases.models import Case
from iok_saas.db import Timestamped, UtcDateTime, db, utcnow
from iok_saas.tenancy import TenantScoped, tenant_fk, tenant_fk_target
from iok_saas.web.formatting import WARSAW

PREPARED, CONVENED, CLOSED_MEETING = "prepared", "convened", "closed"
MEETING_STATUSES = (PREPARED, CONVENED, CLOSED_MEETING)

# Who proposed an item (art. 8³: the board, the supervisory board and the members).
BOARD, SUPERVISORY_BOARD, MEMBERS = "board", "supervisory_board", "members"
SOURCES = (BOARD, SUPERVISORY_BOARD, MEMBERS)
SIMPLE, TWO_THIRDS = "simple", "two_thirds"
ADOPTED, NOT_ADOPTED = "adopted", "not_adopted"

# What a document laid out for the meeting is.
REPORT, DRAFT, OTHER, MINUTES, RESOLUTION = "report", "draft", "other", "minutes", "resolution"
DOCUMENT_ROLES = (REPORT, DRAFT, OTHER, MINUTES, RESOLUTION)
BEFORE_ROLES = (REPORT, DRAFT, OTHER)  # laid out before the meeting
AFTER_ROLES = (MINUTES, RESOLUTION)  # published with the results

# Who holds a proxy (art. 8³ ust. 12): a close person of the member (not one living with them
# without marriage), an advocate or a legal adviser, another member; anyone else is refused.
CLOSE_PERSON, ADVOCATE, LEGAL_ADVISER, OTHER_MEMBER = (
    "close_person", "advocate", "legal_adviser", "member")
COHABITANT, SOMEONE_ELSE = "cohabitant", "other"
HOLDER_KINDS = (CLOSE_PERSON, ADVOCATE, LEGAL_ADVISER, OTHER_MEMBER, COHABITANT, SOMEONE_ELSE)
ALLOWED_HOLDERS = (CLOSE_PERSON, ADVOCATE, LEGAL_ADVISER, OTHER_MEMBER)
ACCEPTED, REFUSED = "accepted", "refused"

DRAFT_KIND = "meeting_draft"
DRAFT_REGISTER = "KO"  # a letter to the office: its number is the proof of filing


class Meeting(TenantScoped, Timestamped, db.Model):
    """One general meeting (e.g. the ordinary meeting of 2027), sitting in one or more parts."""

    __tablename__ = "meeting"
    __table_args__ = (tenant_fk_target(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=PREPARED)
    notice_on: Mapped[date | None]  # the day members were given notice (convened)
    convened_by: Mapped[str] = mapped_column(String(160), default="", server_default="")
    results_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # results published
    members: Mapped[int | None]  # the members counted for the quorum when results were published
    parts: Mapped[list[MeetingPart]] = relationship(
        order_by="MeetingPart.number", primaryjoin="Meeting.id == MeetingPart.meeting_id",
        foreign_keys="MeetingPart.meeting_id", viewonly=True)
    items: Mapped[list[MeetingItem]] = relationship(
        order_by="MeetingItem.position", primaryjoin="Meeting.id == MeetingItem.meeting_id",
        foreign_keys="MeetingItem.meeting_id", viewonly=True)

    @property
    def first_starts_at(self) -> datetime | None:
        """When the meeting, or its first part, sits."""
        return min((p.starts_at for p in self.parts), default=None)


class MeetingPart(TenantScoped, db.Model):
    """A part of the meeting (część walnego zgromadzenia): when and where it sits, and after it
    the attendance the office entered from the signed lists."""

    __tablename__ = "meeting_part"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("meeting_id", "meeting"),
        UniqueConstraint("tenant_id", "meeting_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int]
    number: Mapped[int]  # 1, 2, …
    name: Mapped[str] = mapped_column(String(120))  # "Część I — osiedle Zielone Wzgórza"
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    place: Mapped[str] = mapped_column(String(200))
    present: Mapped[int | None]  # members present in person (signed the list)
    by_proxy: Mapped[int | None]  # members represented by a proxy holder
    attendance_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MeetingPartBuilding(TenantScoped, db.Model):
    """A building whose members sit in a part; a building is in one part of a meeting."""

    __tablename__ = "meeting_part_building"
    __table_args__ = (
        tenant_fk("meeting_id", "meeting"),
        tenant_fk("part_id", "meeting_part"),
        tenant_fk("building_id", "building"),
        UniqueConstraint("tenant_id", "meeting_id", "building_id"),
        Index("ix_meeting_part_building_part", "tenant_id", "part_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int]
    part_id: Mapped[int]
    building_id: Mapped[int]


class MeetingMember(TenantScoped, db.Model):
    """The part a member holding units in the buildings of several parts sits in (the office's
    choice; a member takes part in one part only)."""

    __tablename__ = "meeting_member"
    __table_args__ = (
        tenant_fk("meeting_id", "meeting"),
        tenant_fk("part_id", "meeting_part"),
        tenant_fk("user_id", "user_account"),
        UniqueConstraint("tenant_id", "meeting_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int]
    part_id: Mapped[int]
    user_id: Mapped[int]


class MeetingItem(TenantScoped, db.Model):
    """An item of the agenda (porządek obrad); a resolution is voted on in every part."""

    __tablename__ = "meeting_item"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("meeting_id", "meeting"),
        tenant_fk("draft_case_id", "office_case"),
        tenant_fk("document_id", "member_document"),
        UniqueConstraint("tenant_id", "meeting_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int]
    position: Mapped[int]  # 1, 2, … as the agenda lists it
    title: Mapped[str] = mapped_column(String(300))
    resolution: Mapped[bool] = mapped_column(default=True)  # voted on (else a report, a debate)
    number: Mapped[str] = mapped_column(String(20), default="", server_default="")  # "3/2027"
    # The election or recall of members of the supervisory board or the board: a proxy holder
    # does not vote on it (art. 8³ ust. 16).
    elects: Mapped[bool] = mapped_column(default=False)
    majority: Mapped[str] = mapped_column(String(12), default="")  # "": the statute's
    source: Mapped[str] = mapped_column(String(20), default=BOARD)
    draft_case_id: Mapped[int | None]  # a members' draft: its case
    document_id: Mapped[int | None]  # the draft's text in the members' library
    outcome: Mapped[str | None] = mapped_column(String(12))  # set when results are published


class MeetingVote(TenantScoped, db.Model):
    """The votes one part cast on one resolution, as counted in the room."""

    __tablename__ = "meeting_vote"
    __table_args__ = (
        tenant_fk("item_id", "meeting_item"),
        tenant_fk("part_id", "meeting_part"),
        UniqueConstraint("tenant_id", "item_id", "part_id"),
        Index("ix_meeting_vote_part", "tenant_id", "part_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int]
    part_id: Mapped[int]
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstained: Mapped[int]
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    entered_by: Mapped[str] = mapped_column(String(160), default="", server_default="")


class MeetingDocument(TenantScoped, db.Model):
    """A document of the members' library laid out for the meeting (a report, a draft
    resolution) or published after it (the minutes, an adopted resolution)."""

    __tablename__ = "meeting_document"
    __table_args__ = (
        tenant_fk("meeting_id", "meeting"),
        tenant_fk("document_id", "member_document"),
        UniqueConstraint("tenant_id", "meeting_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int]
    document_id: Mapped[int]
    role: Mapped[str] = mapped_column(String(12))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


STANDING = and_(column("status") == ACCEPTED, column("withdrawn_at").is_(None))


class MeetingProxy(TenantScoped, db.Model):
    """A proxy (pełnomocnictwo) the office received, in the register: whom it is for, who
    holds it, when it came, and whether it stands — with the reasons where it does not."""

    __tablename__ = "meeting_proxy"
    __table_args__ = (
        tenant_fk_target(),
        tenant_fk("meeting_id", "meeting"),
        tenant_fk("member_id", "user_account", "fk_meeting_proxy_member"),
        tenant_fk("holder_member_id", "user_account", "fk_meeting_proxy_holder"),
        tenant_fk("part_id", "meeting_part"),
        tenant_fk("file_id", "stored_file"),
        Index("ix_meeting_proxy_tenant_meeting", "tenant_id", "meeting_id", "member_id"),
        # The database's own wall behind the register's checks: one standing proxy per member,
        # one member per holder who is a member (art. 8³: one holder represents one member).
        Index("uq_meeting_proxy_member_standing", "tenant_id", "meeting_id", "member_id",
              unique=True, postgresql_where=STANDING, sqlite_where=STANDING),
        Index("uq_meeting_proxy_holder_standing", "tenant_id", "meeting_id", "holder_member_id",
              unique=True, postgresql_where=and_(STANDING, column("holder_member_id").is_not(None)),
              sqlite_where=and_(STANDING, column("holder_member_id").is_not(None))),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int]
    member_id: Mapped[int]
    part_id: Mapped[int | None]  # the member's part (None: the office has to choose one)
    holder_kind: Mapped[str] = mapped_column(String(20))
    holder_name: Mapped[str] = mapped_column(String(160))
    holder_member_id: Mapped[int | None]  # a holder who is a member: their account
    statement: Mapped[bool] = mapped_column(default=False)  # a close person's statement attached
    received_on: Mapped[date]
    file_id: Mapped[int | None]  # the scanned proxy
    filename: Mapped[str] = mapped_column(String(160), default="", server_default="")
    status: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    registered_by: Mapped[str] = mapped_column(String(160), default="", server_default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class MeetingDraft(Case):
    """A members' draft resolution (projekt uchwały) filed with the office as a letter,
    numbered ``KO/2027/00012`` — the proof of filing; with the deadline as it stood and, for a
    draft handed in on paper, the day the office received it."""

    __mapper_args__ = {"polymorphic_identity": DRAFT_KIND}

    meeting_id: Mapped[int | None] = mapped_column(use_existing_column=True)
    received_on: Mapped[date | None] = mapped_column(use_existing_column=True)

    @property
    def is_open(self) -> bool:
        return self.status in LETTER_OPEN

    def filed_on(self) -> date:
        """The day the draft reached the office (on paper), or was filed in the portal."""
        return self.received_on or self.created_at.astimezone(WARSAW).date()

    @property
    def in_time(self) -> bool:
        return self.deadline_on is None or self.filed_on() <= self.deadline_on


# The draft's meeting is in its cooperative (the cases room's table, this kind's column).
Case.__table__.append_constraint(  # type: ignore[attr-defined]
    tenant_fk("meeting_id", "meeting", "fk_office_case_meeting"))
Index("ix_office_case_meeting", Case.__table__.c.tenant_id,  # type: ignore[attr-defined]
      Case.__table__.c.meeting_id,  # type: ignore[attr-defined]
      postgresql_where=Case.__table__.c.meeting_id.is_not(None))
