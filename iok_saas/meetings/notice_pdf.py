"""The notice of the general meeting (zawiadomienie o walnym zgromadzeniu) as a PDF on the
cooperative's letterhead, one for each part of the meeting: what art. 8³ of the housing
cooperatives act asks the notice to say — the time, the place and the agenda, where the reports
and draft resolutions are laid out and that members may read them — with the part's own date
and place, the deadlines for members' drafts and for proxies, and the act's proxy rules in
brief.

Every member of a part gets the same bytes (``iok_saas.meetings.notice`` renders a part once
and delivers it to each of its members): nothing personal is printed on it, and nothing that
changes from one rendering to the next (no "produced at").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale, format_date

from iok_saas.estate.models import Building
from iok_saas.meetings import rules as law
from iok_saas.meetings import services
from iok_saas.meetings.models import Meeting, MeetingItem, MeetingPart
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.formatting import WARSAW
from iok_saas.web.pdf import letterhead_pdf

TEMPLATE = "meetings/notice_pdf.html"
PORTAL_PATH = "/walne-zgromadzenie"


@dataclass(frozen=True)
class PartNotice:
    """What the notice of one part shows."""

    meeting: Meeting
    part: MeetingPart
    parts: list[MeetingPart]
    buildings: dict[int, list[Building]]  # part id → its buildings
    items: list[MeetingItem]
    dates: law.Deadlines
    notice_on: date | None
    portal: str  # where members read the documents in the portal
    weekday: dict[int, str]  # part id → the day of the week of its date, in words


def part_notice(meeting: Meeting, part: MeetingPart, tenant_info: TenantInfo, rules: Any
                ) -> PartNotice:
    """The notice of ``part`` as the template shows it (the meeting has a part: its deadlines
    are known)."""
    dates = services.deadlines_of(meeting, rules)
    assert dates is not None, "a meeting with a part has its deadlines"
    parts = list(meeting.parts)
    with force_locale("pl"):
        weekday = {p.id: format_date(p.starts_at.astimezone(WARSAW).date(), "EEEE")
                   for p in parts}
    return PartNotice(meeting=meeting, part=part, parts=parts,
                      buildings=services.part_buildings(meeting), items=list(meeting.items),
                      dates=dates, notice_on=meeting.notice_on,
                      portal=tenant_info.url(PORTAL_PATH),
                      weekday=weekday)


def notice_pdf(meeting: Meeting, part: MeetingPart, tenant_info: TenantInfo, rules: Any
               ) -> bytes:
    """The notice of the meeting for the members of ``part``, as a Polish PDF (in the
    cooperative's context: a request, or a job with its tenant set)."""
    return letterhead_pdf(TEMPLATE, tenant_info, n=part_notice(meeting, part, tenant_info, rules),
                          statement_clause=law.STATEMENT_CLAUSE, holder_labels=law.HOLDER_LABELS,
                          draft_supporters=law.DRAFT_SUPPORTERS)


def file_name(meeting: Meeting, part: MeetingPart) -> str:
    """``zawiadomienie-walne-zgromadzenie-2027-czesc-2.pdf``."""
    first = meeting.first_starts_at or part.starts_at
    return (f"zawiadomienie-walne-zgromadzenie-{first.astimezone(WARSAW):%Y}"
            f"-czesc-{part.number}.pdf")
