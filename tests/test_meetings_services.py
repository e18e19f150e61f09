"""The general meeting's rules (issue 36; art. 8³ of the housing cooperatives act as amended by
Dz.U. 2026 poz. 39), applied by the services: deadlines counted back from the first part; notice
too late refused; a building in one part only and members placed in one part; members' drafts
until 15 days before, with 10 supporters, and a paper draft received late refused with its
dates; the register of proxies (holders the act allows, the close person's statement, three days
before, one holder for one member, a member of another cooperative unknown); attendance and
votes entered after each part, never more than attended (in person only for electing the
boards); totals across the parts with the statute's majority and quorum. Messages are checked
in Polish, as the cooperative's pages give them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from iok_saas.audit.models import AuditEvent
from iok_saas.auth.models import User
from iok_saas.cases.kinds import Upload
from iok_saas.db import db
from iok_saas.estate.models import UnitTitle
from iok_saas.meetings import rules as law
from iok_saas.meetings import services
from iok_saas.meetings.models import (
    ACCEPTED,
    ADOPTED,
    CLOSED,
    CONVENED,
    NOT_ADOPTED,
    PREPARED,
    REFUSED,
    Meeting,
    MeetingDraft,
    MeetingItem,
    MeetingPart,
    MeetingProxy,
)
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import local_today
from tests.factories import make_document, make_household, pdf_bytes
from tests.helpers import in_tenant
from tests.meeting_data import hold_parts, make_meeting, starts

SIGNED_LIST = [Upload("lista-poparcia.pdf", pdf_bytes("Lista poparcia"))]


def rules(tenant):
    return get_tenant_info(tenant.id).settings.general_meeting


def clerk_of(setup) -> User:
    return db.session.get(User, setup.staff.user_id)


def meeting_of(setup) -> Meeting:
    return db.session.get(Meeting, setup.meeting_id)


# --- the law's days ------------------------------------------------------------------------------


def test_deadlines_are_counted_back_from_the_first_part(zw):
    found = law.deadlines(date(2027, 5, 21), rules(zw))
    assert found.notice_by == date(2027, 4, 29)  # 21 whole days between (cautious)
    assert found.documents_by == date(2027, 5, 6)  # 14 whole days between
    assert found.drafts_by == date(2027, 5, 6)  # 15 days before (the member's right)
    assert found.proxies_by == date(2027, 5, 18)  # 3 days before


def test_notice_too_late_is_refused_with_the_earliest_day(zw):
    setup = make_meeting(zw, convened=False, first_in_days=21)
    with in_tenant(zw):
        meeting = meeting_of(setup)
        problems = services.convene_problems(meeting, rules(zw))
        assert len(problems) == 1
        earliest = local_today() + timedelta(days=22)
        assert earliest.strftime("%d.%m.%Y") in problems[0]
        with pytest.raises(services.MeetingError):
            services.convene(meeting, clerk_of(setup), rules(zw))
        assert meeting_of(setup).status == PREPARED


def test_convened_in_time_keeps_the_day_of_notice_and_audits(zw):
    setup = make_meeting(zw, first_in_days=22)
    with in_tenant(zw):
        meeting = meeting_of(setup)
        assert meeting.status == CONVENED and meeting.notice_on == local_today()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "meeting_convened")) == 1


def test_a_meeting_without_parts_or_resolutions_is_not_convened(zw):
    make_household(zw)
    staff = make_household(zw, units=0, role="clerk")
    with in_tenant(zw):
        clerk = db.session.get(User, staff.user_id)
        meeting = services.create_meeting("Nadzwyczajne Walne Zgromadzenie", clerk)
        assert services.convene_problems(meeting, rules(zw))
        with pytest.raises(services.MeetingError, match="nazwę"):
            services.create_meeting("  ", clerk)


# --- parts and seats -----------------------------------------------------------------------------


def test_a_building_sits_in_one_part_and_parts_are_fixed_once_convened(zw):
    setup = make_meeting(zw, convened=False)
    with in_tenant(zw):
        meeting, clerk = meeting_of(setup), clerk_of(setup)
        with pytest.raises(services.MeetingError) as taken:
            services.add_part(meeting, name="Część dodatkowa", place="biuro",
                              starts_at=starts(setup.first_day + timedelta(days=5)),
                              building_ids=[setup.members[0].building_id], actor=clerk)
        assert taken.value.field == "buildings"
        with pytest.raises(services.MeetingError) as past:
            services.add_part(meeting, name="Część wczoraj", place="biuro",
                              starts_at=starts(local_today() - timedelta(days=1)),
                              building_ids=[], actor=clerk)
        assert past.value.field == "starts_at"
        with pytest.raises(services.MeetingError) as none:
            services.add_part(meeting, name="Część pusta", place="biuro",
                              starts_at=starts(setup.first_day), building_ids=[], actor=clerk)
        assert none.value.field == "buildings"
        services.convene(meeting, clerk, rules(zw))
    other = make_household(zw)
    with in_tenant(zw):
        with pytest.raises(services.MeetingError, match="zawiadomieni"):
            services.add_part(meeting_of(setup), name="Część później", place="biuro",
                              starts_at=starts(setup.first_day), building_ids=[other.building_id],
                              actor=clerk_of(setup))
        assert db.session.scalar(select(func.count()).select_from(MeetingPart)) == 2


def test_each_member_sits_in_the_part_of_their_building(zw):
    setup = make_meeting(zw)
    with in_tenant(zw):
        meeting = meeting_of(setup)
        for member, part_id in zip(setup.members, setup.part_ids, strict=True):
            seat = services.seat_of(meeting, member.user_id, rules(zw))
            assert seat is not None and seat.part_id == part_id
        assert services.seat_of(meeting, setup.staff.user_id, rules(zw)) is None


def test_the_same_member_in_two_parts_waits_for_the_office_to_place_them(zw):
    setup = make_meeting(zw, convened=False)
    first, second = setup.members
    with in_tenant(zw):  # the first member also holds a unit in the second part's building
        second_unit = db.session.get(UnitTitle, second.title_ids[0]).unit_id
        db.session.add(UnitTitle(user_id=first.user_id, unit_id=second_unit))
    with in_tenant(zw):
        meeting, clerk = meeting_of(setup), clerk_of(setup)
        seat = services.seat_of(meeting, first.user_id, rules(zw))
        assert seat.part_id is None and set(seat.possible) == set(setup.part_ids)
        assert [u.id for u, _ in services.unseated(meeting, rules(zw))] == [first.user_id]
        assert any("kilku części" in p for p in services.convene_problems(meeting, rules(zw)))
        member = db.session.get(User, first.user_id)
        services.seat_member(meeting, member, setup.part_ids[1], clerk, rules(zw))
    with in_tenant(zw):
        meeting = meeting_of(setup)
        assert services.seat_of(meeting, first.user_id, rules(zw)).part_id == setup.part_ids[1]
        assert services.unseated(meeting, rules(zw)) == []
        services.convene(meeting, clerk_of(setup), rules(zw))


def test_a_lessee_is_not_a_member(zw):
    lessee = make_household(zw, units=1)
    with in_tenant(zw):
        for title in db.session.scalars(select(UnitTitle).where(
                UnitTitle.user_id == lessee.user_id)):
            title.kind = "lease"
    with in_tenant(zw):
        assert not services.is_member(lessee.user_id, rules(zw))
        assert services.member_by_identifier(lessee.identifier, rules(zw)) is None


# --- members' drafts -----------------------------------------------------------------------------


def _submit(setup, member, zw, **changes):
    values = {"title": "Uchwała w sprawie budowy placu zabaw",
              "text": "Walne Zgromadzenie postanawia …", "supporters": 12,
              "uploads": SIGNED_LIST, "submission": f"s-{member.user_id}-{len(changes)}",
              "rules": rules(zw)} | changes
    return services.submit_draft(meeting_of(setup), db.session.get(User, member.user_id),
                                 **values)


def test_a_draft_filed_in_time_is_a_letter_with_its_ko_number_and_deadline(zw):
    setup = make_meeting(zw, first_in_days=30)
    with in_tenant(zw):
        draft = _submit(setup, setup.members[0], zw)
        assert draft.registry_number.startswith("KO/")
        assert draft.deadline_on == setup.first_day - timedelta(days=15)
        assert draft.in_time and draft.is_open
        assert draft.meeting_id == setup.meeting_id


def test_a_draft_one_day_late_is_refused_and_nothing_is_filed(zw):
    setup = make_meeting(zw, first_in_days=30)
    late = setup.first_day - timedelta(days=14)  # the deadline was the day before
    with in_tenant(zw), pytest.raises(services.MeetingError) as refused:
        _submit(setup, setup.members[0], zw, today=late)
    assert (setup.first_day - timedelta(days=15)).strftime("%d.%m.%Y") in refused.value.message
    with in_tenant(zw):
        assert db.session.scalar(select(func.count()).select_from(MeetingDraft)) == 0
        _submit(setup, setup.members[0], zw, today=late - timedelta(days=1))  # the last day


@pytest.mark.parametrize(("changes", "field"), [
    ({"supporters": 9}, "supporters"),
    ({"supporters": None}, "supporters"),
    ({"uploads": []}, "attachments"),
    ({"title": "  "}, "title"),
    ({"text": ""}, "text"),
    ({"title": "x" * 201}, "title"),
])
def test_a_draft_missing_what_the_act_asks_is_refused(zw, changes, field):
    setup = make_meeting(zw)
    with in_tenant(zw), pytest.raises(services.MeetingError) as refused:
        _submit(setup, setup.members[0], zw, **changes)
    assert refused.value.field == field
    with in_tenant(zw):
        assert db.session.scalar(select(func.count()).select_from(MeetingDraft)) == 0


def test_drafts_only_from_members_and_for_a_convened_meeting(zw):
    setup = make_meeting(zw, convened=False)
    with in_tenant(zw), pytest.raises(services.MeetingError, match="nie zostało zwołane"):
        _submit(setup, setup.members[0], zw)
    lessee = make_household(zw, units=1)
    with in_tenant(zw):
        db.session.get(UnitTitle, lessee.title_ids[0]).kind = "lease"
        services.convene(meeting_of(setup), clerk_of(setup), rules(zw))
    with in_tenant(zw), pytest.raises(services.MeetingError, match="wyłącznie członkowie"):
        _submit(setup, lessee, zw)


def test_an_accepted_draft_goes_on_the_agenda_and_a_paper_one_received_late_is_refused(zw):
    setup = make_meeting(zw)
    with in_tenant(zw):
        draft = _submit(setup, setup.members[0], zw)
        draft_id = draft.id
        item = services.accept_draft(draft, clerk_of(setup))
        assert item.source == "members" and item.draft_case_id == draft.id
        assert item.number == f"3/{setup.first_day.year}"  # after the two resolutions
        assert draft.status == CLOSED and "3/" in draft.close_reason
        with pytest.raises(services.MeetingError, match="już rozpatrzony"):
            services.accept_draft(draft, clerk_of(setup))
    deadline = setup.first_day - timedelta(days=15)
    with in_tenant(zw):  # a paper draft handed in after the deadline (the office's day moved)
        meeting = meeting_of(setup)
        for part in meeting.parts:
            part.starts_at = starts(local_today() + timedelta(days=10 + part.number))
    with in_tenant(zw):
        member = db.session.get(User, setup.members[1].user_id)
        late = services.register_paper_draft(
            meeting_of(setup), member, title="Uchwała w sprawie zieleni", text="…",
            supporters=10, received_on=local_today(), actor=clerk_of(setup), rules=rules(zw))
        assert not late.in_time and late.status == CLOSED
        assert local_today().strftime("%d.%m.%Y") in late.close_reason
        with pytest.raises(services.MeetingError):
            services.accept_draft(late, clerk_of(setup))
    assert deadline  # the first deadline was kept on the draft filed in time
    with in_tenant(zw):
        assert db.session.get(MeetingDraft, draft_id).deadline_on == deadline


def test_refusing_a_draft_needs_the_reason(zw):
    setup = make_meeting(zw)
    with in_tenant(zw):
        draft = _submit(setup, setup.members[0], zw)
        with pytest.raises(services.MeetingError) as empty:
            services.refuse_draft(draft, clerk_of(setup), " ")
        assert empty.value.field == "reason"
        services.refuse_draft(draft, clerk_of(setup), "Projekt nie dotyczy spraw walnego.")
        assert draft.status == CLOSED


# --- proxies -------------------------------------------------------------------------------------


def _proxy(setup, zw, member, **changes):
    given = services.ProxyInput(**({"member": member.identifier, "holder_kind": "close_person",
                                    "holder_name": "Jan Kowalski", "statement": True,
                                    "received_on": local_today()} | changes))
    return services.register_proxy(meeting_of(setup), given, clerk_of(setup), rules(zw))


def test_proxies_the_act_allows_stand(zw):
    setup = make_meeting(zw, parts=3)
    first, second, third = setup.members
    with in_tenant(zw):
        close = _proxy(setup, zw, first)
        advocate = _proxy(setup, zw, second, holder_kind="advocate",
                          holder_name="adw. Anna Nowak", statement=False)
        member = _proxy(setup, zw, third, holder_kind="member", holder_name="",
                        holder_identifier=first.identifier, statement=False)
        assert [p.status for p in (close, advocate, member)] == [ACCEPTED] * 3
        assert member.holder_member_id == first.user_id and member.holder_name
        assert close.part_id == setup.part_ids[0]


@pytest.mark.parametrize(("changes", "reason"), [
    ({"holder_kind": "cohabitant"}, law.NOT_ALLOWED),
    ({"holder_kind": "other", "holder_name": "Sąsiad Zenon"}, law.NOT_ALLOWED),
    ({"statement": False}, law.NO_STATEMENT),
])
def test_proxies_the_act_does_not_allow_are_kept_refused_with_the_reason(zw, changes, reason):
    setup = make_meeting(zw)
    with in_tenant(zw):
        proxy = _proxy(setup, zw, setup.members[0], **changes)
        assert proxy.status == REFUSED and reason in proxy.reasons


def test_a_proxy_delivered_two_days_before_is_late(zw):
    setup = make_meeting(zw, first_in_days=22)
    with in_tenant(zw):  # the parts moved close: the first part is two days from today
        for part in meeting_of(setup).parts:
            part.starts_at = starts(local_today() + timedelta(days=1 + part.number))
    with in_tenant(zw):
        proxy = _proxy(setup, zw, setup.members[0])
        assert proxy.status == REFUSED and proxy.reasons == [law.LATE]
        assert (local_today() - timedelta(days=1)).strftime("%d.%m.%Y") in law.reason_text(
            law.LATE, services.deadlines_of(meeting_of(setup), rules(zw)).proxies_by)


def test_one_holder_represents_one_member_and_a_member_gives_one_proxy(zw):
    setup = make_meeting(zw, parts=3)
    first, second, third = setup.members
    with in_tenant(zw):
        _proxy(setup, zw, first, holder_kind="member", holder_identifier=third.identifier)
        taken = _proxy(setup, zw, second, holder_kind="member",
                       holder_identifier=third.identifier)
        assert taken.status == REFUSED and law.HOLDER_TAKEN in taken.reasons
        twice = _proxy(setup, zw, first, holder_kind="advocate", holder_name="adw. B")
        assert twice.status == REFUSED and law.HAS_PROXY in twice.reasons
        self_held = _proxy(setup, zw, second, holder_kind="member",
                           holder_identifier=second.identifier)
        assert law.SELF in self_held.reasons
        lawyer = _proxy(setup, zw, second, holder_kind="legal_adviser", holder_name="r.pr. C")
        again = _proxy(setup, zw, third, holder_kind="legal_adviser", holder_name="R.PR. c")
        assert lawyer.status == ACCEPTED and law.HOLDER_TAKEN in again.reasons


def test_a_member_of_another_cooperative_is_not_found_and_nothing_is_registered(zw, baltyk):
    setup = make_meeting(zw)
    stranger = make_household(baltyk)
    with in_tenant(zw):
        with pytest.raises(services.MeetingError) as unknown:
            _proxy(setup, zw, stranger)
        assert unknown.value.field == "member"
        with pytest.raises(services.MeetingError) as holder:
            _proxy(setup, zw, setup.members[0], holder_kind="member",
                   holder_identifier=stranger.identifier)
        assert holder.value.field == "holder_identifier"
        with pytest.raises(services.MeetingError) as future:
            _proxy(setup, zw, setup.members[0], received_on=local_today() + timedelta(days=1))
        assert future.value.field == "received_on"
        assert db.session.scalar(select(func.count()).select_from(MeetingProxy)) == 0


# --- attendance, votes, totals -------------------------------------------------------------------


def _items(setup) -> tuple[MeetingItem, MeetingItem, MeetingItem]:
    return tuple(db.session.get(MeetingItem, i) for i in setup.item_ids)


def test_attendance_and_votes_wait_for_the_part_to_sit(zw):
    setup = make_meeting(zw)
    with in_tenant(zw):
        meeting = meeting_of(setup)
        part = db.session.get(MeetingPart, setup.part_ids[0])
        with pytest.raises(services.MeetingError, match="jeszcze się nie odbyła"):
            services.enter_attendance(meeting, part, present=1, by_proxy=0,
                                      actor=clerk_of(setup), rules=rules(zw))


def test_votes_never_exceed_the_attendance_and_proxies_do_not_elect(zw):
    setup = make_meeting(zw, parts=2)
    with in_tenant(zw):
        _proxy(setup, zw, setup.members[0], holder_kind="advocate", holder_name="adw. E")
    hold_parts(zw, setup)
    with in_tenant(zw):
        meeting, clerk = meeting_of(setup), clerk_of(setup)
        part = db.session.get(MeetingPart, setup.part_ids[0])
        report, resolution, election = _items(setup)
        with pytest.raises(services.MeetingError, match="najpierw wprowadzić"):
            services.enter_votes(meeting, part, resolution, votes_for=1, against=0, abstained=0,
                                 actor=clerk)
        with pytest.raises(services.MeetingError):  # the part has one member
            services.enter_attendance(meeting, part, present=1, by_proxy=1, actor=clerk,
                                      rules=rules(zw))
        services.enter_attendance(meeting, part, present=0, by_proxy=1, actor=clerk,
                                  rules=rules(zw))
        services.enter_votes(meeting, part, resolution, votes_for=1, against=0, abstained=0,
                             actor=clerk)
        with pytest.raises(services.MeetingError, match=r"8³ ust\. 16"):
            services.enter_votes(meeting, part, election, votes_for=1, against=0, abstained=0,
                                 actor=clerk)
        with pytest.raises(services.MeetingError, match="liczba obecnych"):
            services.enter_votes(meeting, part, resolution, votes_for=1, against=1,
                                 abstained=0, actor=clerk)
        with pytest.raises(services.MeetingError, match="nie przeprowadza się głosowania"):
            services.enter_votes(meeting, part, report, votes_for=0, against=0, abstained=0,
                                 actor=clerk)
        second = db.session.get(MeetingPart, setup.part_ids[1])
        with pytest.raises(services.MeetingError) as proxies:  # no proxy stands there
            services.enter_attendance(meeting, second, present=0, by_proxy=1, actor=clerk,
                                      rules=rules(zw))
        assert proxies.value.field == "by_proxy"


def test_totals_across_parts_decide_and_results_are_published(zw):
    setup = make_meeting(zw, parts=2)
    hold_parts(zw, setup)
    with in_tenant(zw):
        meeting, clerk = meeting_of(setup), clerk_of(setup)
        _report, resolution, election = _items(setup)
        first, second = (db.session.get(MeetingPart, p) for p in setup.part_ids)
        for part in (first, second):
            services.enter_attendance(meeting, part, present=1, by_proxy=0, actor=clerk,
                                      rules=rules(zw))
        services.enter_votes(meeting, first, resolution, votes_for=1, against=0, abstained=0,
                             actor=clerk)
        assert services.totals(meeting, rules(zw))[resolution.id].outcome is None
        with pytest.raises(services.MeetingError, match="na wszystkich częściach"):
            services.publish_results(meeting, clerk, rules(zw))
        services.enter_votes(meeting, second, resolution, votes_for=0, against=0, abstained=1,
                             actor=clerk)
        for part, (yes, no) in ((first, (0, 1)), (second, (0, 1))):
            services.enter_votes(meeting, part, election, votes_for=yes, against=no,
                                 abstained=0, actor=clerk)
        found = services.totals(meeting, rules(zw))
        assert (found[resolution.id].votes_for, found[resolution.id].abstained) == (1, 1)
        assert found[resolution.id].outcome == ADOPTED
        assert found[election.id].outcome == NOT_ADOPTED
        services.publish_results(meeting, clerk, rules(zw))
    with in_tenant(zw):
        meeting = meeting_of(setup)
        assert meeting.results_at is not None and meeting.status == "closed"
        assert [i.outcome for i in meeting.items] == [None, ADOPTED, NOT_ADOPTED]
        with pytest.raises(services.MeetingError, match="zamknięte"):
            services.enter_attendance(meeting, meeting.parts[0], present=1, by_proxy=0,
                                      actor=clerk_of(setup), rules=rules(zw))


@pytest.mark.parametrize(("votes", "majority", "quorum", "attended", "outcome"), [
    ([(10, 9, 50)], "simple", 0, 69, ADOPTED),  # abstentions do not count
    ([(10, 10, 0)], "simple", 0, 20, NOT_ADOPTED),
    ([(20, 10, 0)], "two_thirds", 0, 30, ADOPTED),
    ([(19, 10, 0)], "two_thirds", 0, 30, NOT_ADOPTED),
    ([(5, 0, 0), (5, 0, 0)], "simple", 20, 10, ADOPTED),  # 10 of 50 members: 20 %
    ([(5, 0, 0), (4, 0, 0)], "simple", 20, 9, NOT_ADOPTED),
    ([(0, 0, 3)], "simple", 0, 3, NOT_ADOPTED),
])
def test_the_majority_and_the_quorum_of_the_statute(votes, majority, quorum, attended, outcome):
    found = law.total(votes, len(votes), majority, attended=attended, members=50,
                      quorum_percent=quorum)
    assert found.outcome == outcome
    assert (found.why is None) == (outcome == ADOPTED)


def test_another_cooperatives_meeting_is_not_found(zw, baltyk):
    setup = make_meeting(zw)
    with in_tenant(baltyk):
        assert services.meeting(setup.meeting_id) is None
        assert services.current_for_members() is None
    with in_tenant(zw):
        assert services.current_for_members().id == setup.meeting_id


def test_a_report_laid_out_after_the_fourteenth_day_before_is_shown_late(zw):
    setup = make_meeting(zw, first_in_days=30)
    home = setup.members[0]
    early, late = make_document(zw, home)[0], make_document(zw, home)[0]
    with in_tenant(zw):
        meeting, clerk = meeting_of(setup), clerk_of(setup)
        services.lay_out(meeting, early, "report", clerk)
        services.lay_out(meeting, late, "draft", clerk)
        assert services.laid_out_late(meeting, rules(zw)) == []
        for part in meeting.parts:  # the meeting moved close: the documents came too late
            part.starts_at = starts(local_today() + timedelta(days=10 + part.number))
    with in_tenant(zw):
        found = services.laid_out_late(meeting_of(setup), rules(zw))
        assert sorted(d.document_id for d in found) == sorted([early, late])
        with pytest.raises(services.MeetingError) as role:
            services.lay_out(meeting_of(setup), early, "poster", clerk_of(setup))
        assert role.value.field == "role"


# --- what the review found ----------------------------------------------------------------------


def test_an_item_follows_the_statutes_majority_unless_set(zw):
    setup = make_meeting(zw, parts=1)
    hold_parts(zw, setup)
    two_thirds = rules(zw).model_copy(update={"majority": "two_thirds"})
    with in_tenant(zw):
        meeting, clerk = meeting_of(setup), clerk_of(setup)
        resolution = _items(setup)[1]
        assert resolution.majority == ""  # the statute's
        part = meeting.parts[0]
        services.enter_attendance(meeting, part, present=1, by_proxy=0, actor=clerk,
                                  rules=rules(zw))
        db.session.get(MeetingPart, part.id).present = 30  # a bigger part, as counted
        services.enter_votes(meeting, part, resolution, votes_for=15, against=10, abstained=0,
                             actor=clerk)
        assert services.totals(meeting, rules(zw))[resolution.id].outcome == ADOPTED
        assert services.totals(meeting, two_thirds)[resolution.id].outcome == NOT_ADOPTED


def test_after_notice_the_agenda_and_the_seats_are_fixed(zw):
    setup = make_meeting(zw)
    with in_tenant(zw):
        meeting, clerk = meeting_of(setup), clerk_of(setup)
        with pytest.raises(services.MeetingError, match="zawiadomieni"):
            services.add_item(meeting, title="Sprawy różne", resolution=True, actor=clerk)
        member = db.session.get(User, setup.members[0].user_id)
        with pytest.raises(services.MeetingError, match="zawiadomieni"):
            services.seat_member(meeting, member, setup.part_ids[1], clerk, rules(zw))
        assert len(meeting_of(setup).items) == 3


def test_a_member_holder_entered_under_another_kind_is_asked_to_be_entered_as_a_member(zw):
    setup = make_meeting(zw)
    first, second = setup.members
    with in_tenant(zw):
        with pytest.raises(services.MeetingError) as kind:
            _proxy(setup, zw, first, holder_kind="cohabitant", holder_identifier=second.identifier)
        assert kind.value.field == "holder_kind"
        assert db.session.scalar(select(func.count()).select_from(MeetingProxy)) == 0


def test_one_holder_is_one_person_whatever_the_title_and_spacing(zw):
    setup = make_meeting(zw, parts=3)
    first, second, _third = setup.members
    with in_tenant(zw):
        assert _proxy(setup, zw, first, holder_kind="advocate", holder_name="adw. Jan Kowalski",
                      statement=False).status == ACCEPTED
        again = _proxy(setup, zw, second, holder_kind="advocate",
                       holder_name="Jan  KOWALSKI", statement=False)
        assert law.HOLDER_TAKEN in again.reasons


def test_the_database_holds_one_standing_proxy_per_member_and_per_member_holder(zw):
    from sqlalchemy.exc import IntegrityError

    setup = make_meeting(zw, parts=3)
    first, second, third = setup.members
    with in_tenant(zw):
        _proxy(setup, zw, first, holder_kind="member", holder_identifier=third.identifier)
    for values in ({"member_id": first.user_id, "holder_kind": "advocate"},
                   {"member_id": second.user_id, "holder_kind": "member",
                    "holder_member_id": third.user_id}):
        with in_tenant(zw):
            with pytest.raises(IntegrityError):  # as a racing clerk's insert would meet it
                db.session.add(MeetingProxy(
                    meeting_id=setup.meeting_id, holder_name="x", received_on=local_today(),
                    status=ACCEPTED, reasons=[], **values))
                db.session.flush()
            db.session.rollback()
    with in_tenant(zw):  # a refused one is kept beside it
        refused = _proxy(setup, zw, first, holder_kind="advocate", holder_name="adw. F")
        assert refused.status == REFUSED


def test_a_withdrawn_proxy_cannot_leave_the_attendance_by_proxy_short(zw):
    setup = make_meeting(zw, parts=1)
    with in_tenant(zw):
        proxy_id = _proxy(setup, zw, setup.members[0], holder_kind="advocate",
                          holder_name="adw. G").id
    hold_parts(zw, setup)
    with in_tenant(zw):
        meeting, clerk = meeting_of(setup), clerk_of(setup)
        services.enter_attendance(meeting, meeting.parts[0], present=0, by_proxy=1, actor=clerk,
                                  rules=rules(zw))
        with pytest.raises(services.MeetingError, match="obecność"):
            services.withdraw_proxy(db.session.get(MeetingProxy, proxy_id), clerk)
        services.enter_attendance(meeting, meeting.parts[0], present=0, by_proxy=0, actor=clerk,
                                  rules=rules(zw))
        services.withdraw_proxy(db.session.get(MeetingProxy, proxy_id), clerk)
        assert services.proxies_of(meeting, standing=True) == []


def test_the_published_results_keep_the_members_counted_for_the_quorum(zw):
    setup = make_meeting(zw, parts=1)
    hold_parts(zw, setup)
    with_quorum = rules(zw).model_copy(update={"quorum_percent": 50})
    with in_tenant(zw):
        meeting, clerk = meeting_of(setup), clerk_of(setup)
        part = meeting.parts[0]
        counted = services.members_count(rules(zw))
        services.enter_attendance(meeting, part, present=1, by_proxy=0, actor=clerk,
                                  rules=rules(zw))
        for item in _items(setup)[1:]:
            services.enter_votes(meeting, part, item, votes_for=1, against=0, abstained=0,
                                 actor=clerk)
        services.publish_results(meeting, clerk, with_quorum)
        assert meeting.members == counted
    for _ in range(3):
        make_household(zw)  # members who came later do not change last year's quorum
    with in_tenant(zw):
        found = services.totals(meeting_of(setup), with_quorum)
        assert [t.outcome for t in found.values()] == [i.outcome for i in _items(setup)[1:]]
