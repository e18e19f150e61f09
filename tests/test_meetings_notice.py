"""The notice of the general meeting (issue 36): convening announces the meeting in the
buildings of its parts and queues the delivery of each member's notice — the PDF of their part,
to one of their units, to them personally, with proof; run again, it delivers nothing new. The
members without consent (or with an inactive account) are on the office's paper list. The
meeting's documents are published in the members' library and linked to it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from iok_saas import files
from iok_saas.announcements.models import (
    BUILDINGS,
    MEETING,
    Announcement,
    AnnouncementBuilding,
)
from iok_saas.auth.models import User
from iok_saas.cases.kinds import Upload
from iok_saas.db import db, utcnow
from iok_saas.delivery.models import DeliveryConsent, DocumentRecipient, UnitDocument
from iok_saas.documents.models import Document
from iok_saas.estate.models import UnitTitle
from iok_saas.jobs import PENDING
from iok_saas.meetings import library, notice, services
from iok_saas.meetings.models import DRAFT, MINUTES, MeetingDocument, MeetingPart
from iok_saas.tenancy import services as tenant_services
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import WARSAW
from tests.factories import make_household, pdf_bytes
from tests.helpers import as_platform, in_tenant
from tests.meeting_data import make_meeting


def _meeting_and_clerk(setup):
    return services.meeting(setup.meeting_id), db.session.get(User, setup.staff.user_id)


def _deliver(tenant, setup) -> int:
    with in_tenant(tenant):
        done = notice.deliver_notices(setup.meeting_id)
    return done


def test_giving_notice_announces_the_meeting_in_the_parts_buildings_and_queues_delivery(zw):
    setup = make_meeting(zw, parts=2)
    other = make_household(zw)  # a building of no part: not announced there
    with in_tenant(zw):
        meeting, clerk = _meeting_and_clerk(setup)
        announcement = notice.give(meeting, get_tenant_info(zw.id), clerk)
        queued = [spec for _, spec in db.session.info.get(PENDING, [])]
        assert [(s.func_path, s.kwargs, s.bulk) for s in queued
                if s.func_path == notice.JOB] == [
            (notice.JOB, {"meeting_id": setup.meeting_id}, True)]
        first = db.session.get(MeetingPart, min(setup.part_ids)).starts_at
        announcement_id = announcement.id
    with in_tenant(zw):
        found = db.session.get(Announcement, announcement_id)
        assert (found.kind, found.audience) == (MEETING, BUILDINGS)
        assert found.starts_at == first
        assert "Walne Zgromadzenie Członków 2027" in found.title
        buildings = set(db.session.scalars(select(AnnouncementBuilding.building_id).where(
            AnnouncementBuilding.announcement_id == announcement_id)))
        in_parts = {b.id for found in services.part_buildings(
            services.meeting(setup.meeting_id)).values() for b in found}
        assert buildings == in_parts and {m.building_id for m in setup.members} <= buildings
        assert other.building_id not in buildings
        assert "świetlica osiedlowa" in found.body_md


def test_each_member_gets_one_notice_of_their_part_once(zw):
    setup = make_meeting(zw, parts=2)  # each member holds two units in their part's building
    assert _deliver(zw, setup) == 2
    assert _deliver(zw, setup) == 0  # run again (a resumed job): nothing twice
    with in_tenant(zw):
        documents = db.session.scalars(select(UnitDocument).where(
            UnitDocument.kind == "meeting_notice").order_by(UnitDocument.person_id)).all()
        assert len(documents) == 2
        for member, document in zip(sorted(setup.members, key=lambda m: m.user_id), documents,
                                    strict=True):
            assert document.person_id == member.user_id
            assert document.unit_id in member.unit_ids
            assert document.effective_on == setup.first_day
            recipients = db.session.scalars(select(DocumentRecipient.user_id).where(
                DocumentRecipient.document_id == document.id)).all()
            assert recipients == [member.user_id]
            assert files.read(document.file_id).startswith(b"%PDF")
        assert documents[0].sha256 != documents[1].sha256  # each part its own notice


def test_members_of_one_part_share_its_notice_and_a_late_member_is_given_it_on_a_rerun(zw):
    setup = make_meeting(zw, parts=1)
    assert _deliver(zw, setup) == 1
    neighbour = make_household(zw, units=0)
    with in_tenant(zw):  # a new member in the part's building after the first run
        db.session.add(UnitTitle(unit_id=setup.members[0].unit_ids[1],
                                 user_id=neighbour.user_id, since=date(2026, 1, 1)))
    assert _deliver(zw, setup) == 1
    with in_tenant(zw):
        documents = db.session.scalars(select(UnitDocument).where(
            UnitDocument.kind == "meeting_notice")).all()
        assert {d.person_id for d in documents} == {setup.members[0].user_id,
                                                     neighbour.user_id}
        assert len({d.sha256 for d in documents}) == 1  # the part's notice, rendered once


def test_the_member_reads_the_notice_in_my_documents(zw, zw_client):
    setup = make_meeting(zw, parts=2)
    _deliver(zw, setup)
    member = setup.members[0]
    zw_client.login(member.identifier, member.password)
    page = zw_client.get("/moje-dokumenty").get_data(as_text=True)
    assert "Walne Zgromadzenie Członków 2027" in page
    with in_tenant(zw):
        document_id = db.session.scalar(select(UnitDocument.id).where(
            UnitDocument.person_id == member.user_id))
    response = zw_client.get(f"/moje-dokumenty/{document_id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_without_delivery_nothing_is_queued_or_delivered(zw):
    setup = make_meeting(zw, parts=1)
    with as_platform():
        tenant_services.update_tenant("zielone-wzgorza", ["features.delivery=false"])
    try:
        with in_tenant(zw):
            meeting, clerk = _meeting_and_clerk(setup)
            assert notice.give(meeting, get_tenant_info(zw.id), clerk) is not None
            assert not [s for _, s in db.session.info.get(PENDING, [])
                        if s.func_path == notice.JOB]
        assert _deliver(zw, setup) == 0
    finally:
        with as_platform():
            tenant_services.update_tenant("zielone-wzgorza", ["features.delivery=true"])


def test_the_paper_list_names_members_without_consent_or_an_active_account(zw):
    setup = make_meeting(zw, parts=3)
    consenting, refusing, inactive = setup.members
    with in_tenant(zw):
        for member in (consenting, inactive):
            db.session.add(DeliveryConsent(user_id=member.user_id, given=True,
                                           on=date(2026, 1, 5), at=utcnow(),
                                           way="resident", actor_id=member.user_id))
        db.session.get(User, inactive.user_id).active = False
    with in_tenant(zw):
        meeting = services.meeting(setup.meeting_id)
        rules = get_tenant_info(zw.id).settings.general_meeting
        rows = notice.paper_rows(meeting, rules)
        assert [(r.user_id, r.reason, r.part_number) for r in rows] == [
            (refusing.user_id, "no_consent", 2), (inactive.user_id, "inactive", 3)]
        assert rows[0].address.startswith(refusing.street)
        text = notice.paper_csv(rows)
    assert text.startswith("\ufeff")
    assert refusing.identifier in text and inactive.identifier in text
    assert consenting.identifier not in text
    # The inactive member's notice is delivered to nobody in the portal: the delivery's own
    # paper list shows it.
    _deliver(zw, setup)
    with in_tenant(zw):
        document = db.session.scalar(select(UnitDocument).where(
            UnitDocument.person_id == inactive.user_id))
        assert db.session.scalars(select(DocumentRecipient).where(
            DocumentRecipient.document_id == document.id)).all() == []


def test_a_pdf_is_published_in_the_library_and_linked_to_the_meeting(zw):
    setup = make_meeting(zw, parts=1)
    with in_tenant(zw):
        meeting, clerk = _meeting_and_clerk(setup)
        info = get_tenant_info(zw.id)
        draft_doc, link = library.publish_pdf(
            meeting, title="Projekt uchwały w sprawie podziału nadwyżki", data=pdf_bytes("U"),
            filename="projekt-nadwyzka", role=DRAFT, actor=clerk, tenant_info=info,
            number="3/2027")
        minutes, _ = library.publish_pdf(
            meeting, title="Protokół", data=pdf_bytes("P"), filename="protokol.pdf",
            role=MINUTES, actor=clerk, tenant_info=info)
        ids = (draft_doc.id, minutes.id, link.id)
    with in_tenant(zw):
        draft_doc, minutes = (db.session.get(Document, i) for i in ids[:2])
        assert (draft_doc.category, draft_doc.number) == ("Uchwały walnego zgromadzenia",
                                                          "3/2027")
        assert minutes.category == "Protokoły"
        links = {d.document_id: d.role for d in services.documents_of(
            services.meeting(setup.meeting_id))}
        assert links == {ids[0]: DRAFT, ids[1]: MINUTES}


def test_a_members_draft_becomes_a_pdf_laid_out_for_members(zw):
    setup = make_meeting(zw, parts=1)
    member = setup.members[0]
    with in_tenant(zw):
        meeting, clerk = _meeting_and_clerk(setup)
        info = get_tenant_info(zw.id)
        draft = services.submit_draft(
            meeting, db.session.get(User, member.user_id),
            title="W sprawie zieleni osiedlowej", text="Walne Zgromadzenie postanawia …",
            supporters=12, uploads=[Upload("lista.pdf", pdf_bytes("Lista"))],
            submission="s-1", rules=info.settings.general_meeting)
        data = library.draft_pdf(draft, info)
        assert data.startswith(b"%PDF")
        assert library.draft_text(draft).startswith("Walne Zgromadzenie postanawia")
        document = library.lay_out_draft(meeting, draft, clerk, info)
        assert document.number == draft.registry_number.strip()
        assert draft.registry_number.startswith("KO/")
        document_id = document.id
    with in_tenant(zw):
        roles = [(d.document_id, d.role) for d in db.session.scalars(select(MeetingDocument))]
        assert roles == [(document_id, DRAFT)]
        assert db.session.get(Document, document_id).dated.year >= 2026


def test_the_notice_names_the_parts_date_and_the_deadlines(zw):
    from iok_saas.meetings.notice_pdf import part_notice

    setup = make_meeting(zw, parts=2)
    with in_tenant(zw):
        meeting = services.meeting(setup.meeting_id)
        info = get_tenant_info(zw.id)
        part = db.session.get(MeetingPart, max(setup.part_ids))
        shown = part_notice(meeting, part, info, info.settings.general_meeting)
        assert shown.dates.first_day == setup.first_day
        assert shown.part.starts_at.astimezone(WARSAW).date() > setup.first_day
        assert [i.title for i in shown.items][1].startswith("Zatwierdzenie")
        assert shown.portal.endswith("/walne-zgromadzenie")
