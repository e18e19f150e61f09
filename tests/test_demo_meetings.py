"""The demo's general meetings (issue 36): Zielone Wzgórza has next spring's meeting in three
parts, convened in time with its documents and notices, a members' draft in time and last
year's late one refused, proxies of each kind with refusals and their reasons, and last year's
meeting closed with results per part, minutes and resolutions in the library. Bałtyk has no
meeting. Put back twice, the demo is the same."""

from __future__ import annotations

from sqlalchemy import func, select

from iok_saas.announcements.models import MEETING, Announcement, AnnouncementBuilding
from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.delivery.models import UnitDocument
from iok_saas.documents.models import Document
from iok_saas.meetings import rules as law
from iok_saas.meetings import services
from iok_saas.meetings.models import (
    ACCEPTED,
    ADOPTED,
    CLOSED_MEETING,
    CONVENED,
    MINUTES,
    NOT_ADOPTED,
    REFUSED,
    RESOLUTION,
    Meeting,
    MeetingDraft,
)
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import local_today
from tests.helpers import as_platform, in_tenant


def _reset():
    from iok_saas.cli.demo import reset_demo_data

    with as_platform():
        reset_demo_data()


def test_the_demo_meetings_of_zielone_wzgorza_and_none_at_baltyk(zw, baltyk, zw_client):
    from iok_saas.cli.demo_meetings import years

    _reset()
    _reset()  # put back again: the same demo, nothing twice
    year, last_year = years(local_today())
    with in_tenant(zw):
        rules = get_tenant_info(zw.id).settings.general_meeting
        meetings = {m.title: m for m in services.meetings()}
        assert set(meetings) == {f"Walne Zgromadzenie Członków {year}",
                                 f"Walne Zgromadzenie Członków {last_year}"}
        meeting = meetings[f"Walne Zgromadzenie Członków {year}"]
        assert meeting.status == CONVENED and meeting.notice_on == local_today()
        assert len(meeting.parts) == 3
        assert len({b.id for found in services.part_buildings(meeting).values()
                    for b in found}) == 3
        dates = services.deadlines_of(meeting, rules)
        assert dates.notice_by >= local_today()  # notice in time
        resolutions = [i for i in meeting.items if i.resolution]
        assert len(resolutions) == 5 and sum(i.elects for i in resolutions) == 1
        assert len([i for i in meeting.items if not i.resolution]) == 2
        assert all(i.document_id for i in meeting.items)
        assert not services.unseated(meeting, rules)

        drafts = services.drafts_of(meeting)
        anna = db.session.scalar(select(User.id).where(User.identifier == "ZW-000001"))
        assert [(d.in_time, d.is_open, d.filed_by_id) for d in drafts] == [(True, True, anna)]

        register = services.proxies_of(meeting)
        assert sorted(p.status for p in register) == [ACCEPTED] * 3 + [REFUSED] * 3
        assert sorted(tuple(p.reasons) for p in register if p.status == REFUSED) == sorted([
            (law.NOT_ALLOWED,), (law.NO_STATEMENT,), (law.HOLDER_TAKEN,)])
        assert {p.holder_kind for p in register if p.status == ACCEPTED} == {
            "close_person", "advocate", "member"}

        members = len(services.seats(meeting, rules))
        notices = db.session.scalar(select(func.count()).select_from(UnitDocument).where(
            UnitDocument.kind == "meeting_notice"))
        assert notices == members == 8
        announcement = db.session.scalar(select(Announcement).where(
            Announcement.kind == MEETING, Announcement.title.contains(meeting.title)))
        assert announcement.starts_at == meeting.first_starts_at
        assert db.session.scalar(select(func.count()).select_from(AnnouncementBuilding).where(
            AnnouncementBuilding.announcement_id == announcement.id)) == 3

        before = meetings[f"Walne Zgromadzenie Członków {last_year}"]
        assert before.status == CLOSED_MEETING and before.results_at is not None
        assert all(p.present is not None for p in before.parts)
        outcomes = [i.outcome for i in before.items if i.resolution]
        assert outcomes.count(ADOPTED) == 3 and outcomes.count(NOT_ADOPTED) == 1
        assert len(services.votes_of(before)) == 4 * 3  # every resolution in every part
        late = services.drafts_of(before)
        assert len(late) == 1 and not late[0].in_time and not late[0].is_open
        assert late[0].received_on > late[0].deadline_on
        assert [tuple(p.reasons) for p in services.proxies_of(before, standing=False)] == [
            (law.LATE,)]
        roles = {d.role for d in services.documents_of(before)}
        assert {MINUTES, RESOLUTION} <= roles
        minutes = [d for d in services.documents_of(before) if d.role == MINUTES]
        assert db.session.get(Document, minutes[0].document_id).category == "Protokoły"
    with in_tenant(baltyk):
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
        assert db.session.scalar(select(func.count()).select_from(MeetingDraft)) == 0

    zw_client.login("ZW-000001", "Mieszkanie2026")
    page = zw_client.get("/moje-dokumenty").get_data(as_text=True)
    assert f"Walne Zgromadzenie Członków {year}" in page
