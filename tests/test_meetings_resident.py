"""The members' pages of the general meeting (issue 36): the member's part, the agenda, the
documents and the deadlines; a resident who is not a member (a lessee) sees no meeting data;
a members' draft resolution filed in time (its KO number, its case page, the e-mail) and
refused with a clear message when late, short of supporters, without the signed list or
empty; another cooperative's draft not found; the proxy form to print; the results after
they are published; the feature switched off."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from iok_saas.auth.models import User
from iok_saas.cases import services as cases
from iok_saas.cases.kinds import Upload
from iok_saas.db import db
from iok_saas.estate.models import UnitTitle
from iok_saas.mail.models import OutboxMessage
from iok_saas.meetings import rules as law
from iok_saas.meetings import services
from iok_saas.meetings.models import (
    ADOPTED,
    DRAFT,
    MINUTES,
    NOT_ADOPTED,
    REPORT,
    Meeting,
    MeetingDraft,
    MeetingPart,
)
from iok_saas.meetings.routes import when_words
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import day, local_today
from tests.factories import make_document, make_household, pdf_bytes
from tests.helpers import client_for, detached, in_tenant, queries_for
from tests.meeting_data import hold_parts, make_meeting, starts

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" type="hidden" value="([^"]*)"')
HOSTS = {"zielone-wzgorza": "zielone-wzgorza.localhost", "baltyk": "baltyk.localhost"}
INDEX, FORM, PROXY = ("/walne-zgromadzenie", "/walne-zgromadzenie/projekt",
                      "/walne-zgromadzenie/pelnomocnictwo.pdf")


def _pl(app, text, **values) -> str:
    """A message as Polish readers see it (whatever the catalogue has for it now)."""
    with app.test_request_context(), force_locale("pl"):
        return str(text) % values if values else str(text)


def _text(page: str) -> str:
    """The page's main part as a person reads it: no tags, single spaces."""
    main = page[page.find("<main"):page.find("</main>")] if "<main" in page else page
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).replace("\xa0", " ").split())


def _client(app, tenant, household):
    client = client_for(app, HOSTS[tenant.slug])
    assert client.login(household.identifier, household.password).status_code == 302
    return client


def _rules(tenant):
    return get_tenant_info(tenant.id).settings.general_meeting


def _when(app, setup, part_number: int = 1) -> str:
    """A part's date and time in words, as the Polish page writes it."""
    moment = starts(setup.first_day + timedelta(days=part_number - 1))
    with app.test_request_context(), force_locale("pl"):
        return when_words(moment)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\xa0", " ").split())


def _draft_form(client) -> dict:
    page = client.get(FORM).get_data(as_text=True)
    return {"csrf_token": CSRF.search(page).group(1),
            "submission": SUBMISSION.search(page).group(1)}


def _file_draft(client, *, attach: bool = True, **fields):
    data = _draft_form(client) | {
        "title": "Uchwała w sprawie remontu dachu",
        "text": "Walne Zgromadzenie postanawia wyremontować dach budynku w 2027 r.",
        "supporters": "12"} | fields
    if attach:
        data["attachments"] = [(io.BytesIO(pdf_bytes("lista")), "lista-poparcia.pdf")]
    return client.post(FORM, data=data, content_type="multipart/form-data")


def _drafts(tenant) -> list[MeetingDraft]:
    return detached(tenant, select(MeetingDraft).order_by(MeetingDraft.id))


def _move_first_part(tenant, setup, days_from_today: int) -> None:
    """Move the meeting's parts so the first sits ``days_from_today`` from today."""
    with in_tenant(tenant):
        for n, part_id in enumerate(sorted(setup.part_ids)):
            db.session.execute(update(MeetingPart).where(MeetingPart.id == part_id).values(
                starts_at=starts(local_today() + timedelta(days=days_from_today + n))))


# --- the meeting's page ---------------------------------------------------------------------------


def test_a_member_reads_their_part_the_agenda_and_the_deadlines(app, zw):
    setup = make_meeting(zw, parts=2)
    member = setup.members[1]  # sits in the second part
    client = _client(app, zw, member)
    home = client.get("/").get_data(as_text=True)
    assert f'href="{INDEX}"' in home
    page = client.get(INDEX)
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "Walne Zgromadzenie Członków 2027" in text
    # Their part, in words ("czwartek 20 maja 2027 r., godz. 17:00") and the place.
    mine = text.split(_pl(app, _l("Your part of the meeting")), 1)[1]
    assert mine.split()[:2] == ["Część", "2"]
    assert _when(app, setup, 2) in mine
    assert "świetlica osiedlowa" in mine
    assert "17:00" in _when(app, setup, 2) and str(setup.first_day.year) in _when(app, setup, 2)
    # All parts, the agenda with the resolutions' numbers.
    assert _when(app, setup, 1) in text
    year = setup.first_day.year
    for title in ("Sprawozdanie zarządu z działalności w 2026 r.",
                  "Zatwierdzenie sprawozdania finansowego za 2026 r.",
                  "Wybór członków Rady Nadzorczej"):
        assert title in text
    assert f"1/{year}" in text and f"2/{year}" in text
    # The deadlines: drafts 15 days, proxies 3 days before the first part.
    dates = law.deadlines(setup.first_day, _rules(zw))
    assert day(dates.drafts_by) in text
    assert day(dates.proxies_by) in text
    assert day(dates.documents_by) in text  # no documents laid out yet: by when they will be
    assert law.STATEMENT_CLAUSE in text
    html = page.get_data(as_text=True)
    assert f'href="{FORM}"' in html
    assert f'href="{PROXY}"' in html


def test_the_documents_link_to_the_members_library(app, zw):
    setup = make_meeting(zw, parts=1)
    member = setup.members[0]
    report_id, _version = make_document(zw, member)
    minutes_id, _version = make_document(zw, setup.staff)
    draft_id, _version = make_document(zw, setup.staff)  # after the member's last visit: new
    with in_tenant(zw):
        meeting = db.session.get(Meeting, setup.meeting_id)
        clerk = db.session.get(User, setup.staff.user_id)
        services.lay_out(meeting, report_id, REPORT, clerk)
        services.lay_out(meeting, minutes_id, MINUTES, clerk)  # shown with the results only
        services.lay_out(meeting, draft_id, DRAFT, clerk)
    client = _client(app, zw, member)
    html = client.get(INDEX).get_data(as_text=True)
    section = html.split('id="dokumenty"', 1)[1].split("</section>", 1)[0]
    assert f'href="/dokumenty/{report_id}"' in section
    assert _pl(app, _l("Report")) in _text(section)
    assert f"/dokumenty/{minutes_id}" not in html
    new = _pl(app, _l("new"))
    report, draft = (section.split(f'href="/dokumenty/{i}"', 1)[1].split("</li>", 1)[0]
                     for i in (report_id, draft_id))
    assert new not in _text(report) and new in _text(draft)
    assert client.get(f"/dokumenty/{report_id}").status_code == 200
    assert client.get("/dokumenty").status_code == 200  # the library opened: nothing new now
    section = client.get(INDEX).get_data(as_text=True).split('id="dokumenty"', 1)[1]
    assert new not in _text(section.split("</section>", 1)[0])


def test_a_resident_who_is_not_a_member_sees_no_meeting_data(app, zw):
    make_meeting(zw, parts=1)
    lessee = make_household(zw, units=1)
    with in_tenant(zw):
        db.session.execute(update(UnitTitle).where(UnitTitle.user_id == lessee.user_id)
                           .values(kind="lease"))
    client = _client(app, zw, lessee)
    page = client.get(INDEX)
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert _pl(app, _l("The general meeting is for members of the cooperative. Your account "
                       "holds no member's title to a unit, so the meeting's details are not "
                       "shown here. If you are a member and see this, please contact the "
                       "office.")) in text
    for secret in ("Walne Zgromadzenie Członków 2027", "świetlica", "Rady Nadzorczej"):
        assert secret not in text
    assert client.get(FORM).status_code == 302  # back to the page that says why
    assert client.get(PROXY).status_code == 404
    assert _drafts(zw) == []
    assert "świetlica" not in _text(client.get("/").get_data(as_text=True))  # no home block


def test_the_home_page_shows_a_member_their_part_of_the_convened_meeting(app, zw):
    setup = make_meeting(zw, parts=2, convened=False)
    member, other = setup.members[1], setup.members[0]
    with in_tenant(zw):  # the other member also holds a unit in the second part's building
        db.session.add(UnitTitle(user_id=other.user_id, unit_id=member.unit_ids[1]))
    with in_tenant(zw):
        meeting = db.session.get(Meeting, setup.meeting_id)
        clerk = db.session.get(User, setup.staff.user_id)
        services.seat_member(meeting, db.session.get(User, other.user_id), setup.part_ids[0],
                             clerk, _rules(zw))
        services.convene(meeting, clerk, _rules(zw))
    home = _text(_client(app, zw, member).get("/").get_data(as_text=True))
    assert "Walne Zgromadzenie Członków 2027" in home and "Część 2" in home
    assert _when(app, setup, 2) in home and "Część 1" not in home
    placed = _text(_client(app, zw, other).get("/").get_data(as_text=True))
    assert "Część 1" in placed and "Część 2" not in placed  # where the office placed them


def test_staff_may_look_at_the_members_page(app, zw):
    setup = make_meeting(zw, parts=2)
    client = _client(app, zw, setup.staff)
    text = _text(client.get(INDEX).get_data(as_text=True))
    assert "Walne Zgromadzenie Członków 2027" in text
    assert "Wybór członków Rady Nadzorczej" in text
    assert _pl(app, _l("Your part of the meeting")) not in text
    blank = client.get(PROXY)
    assert blank.status_code == 200 and blank.data.startswith(b"%PDF")


def test_with_no_meeting_convened_the_page_says_so(app, zw):
    make_meeting(zw, parts=1, convened=False)  # prepared: members see nothing of it yet
    member = make_household(zw)
    client = _client(app, zw, member)
    text = _text(client.get(INDEX).get_data(as_text=True))
    assert _pl(app, _l("No general meeting has been convened.")) in text
    assert "Walne Zgromadzenie Członków 2027" not in text
    assert client.get(FORM).status_code == 302
    assert client.get(PROXY).status_code == 404


def test_the_pages_are_off_with_the_feature(app, zw, monkeypatch):
    setup = make_meeting(zw, parts=1)
    member = setup.members[0]
    client = _client(app, zw, member)
    _file_draft(client)
    [draft] = _drafts(zw)
    from iok_saas.tenancy.info import TenantInfo

    real = TenantInfo.has_feature
    monkeypatch.setattr(TenantInfo, "has_feature",
                        lambda self, name: name != "general_meeting" and real(self, name))
    for path in (INDEX, FORM, PROXY, f"/walne-zgromadzenie/projekty/{draft.id}"):
        assert client.get(path).status_code == 404, path
    assert f'href="{INDEX}"' not in client.get("/").get_data(as_text=True)


# --- a members' draft resolution -----------------------------------------------------------------


def test_a_draft_filed_in_time_gets_its_number_and_case_page(app, zw):
    setup = make_meeting(zw, parts=2)
    member = setup.members[0]
    client = _client(app, zw, member)
    form = client.get(FORM)
    assert form.status_code == 200 and 'name="title"' in form.get_data(as_text=True)
    answer = _file_draft(client)
    assert answer.status_code == 303
    [draft] = _drafts(zw)
    assert answer.headers["Location"].endswith(f"/walne-zgromadzenie/projekty/{draft.id}")
    assert draft.registry_number.startswith("KO/")
    assert draft.filed_by_id == member.user_id and draft.meeting_id == setup.meeting_id
    assert draft.deadline_on == law.deadlines(setup.first_day, _rules(zw)).drafts_by
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    text = _text(page)
    assert draft.registry_number in text  # in the flash and the heading
    assert "Uchwała w sprawie remontu dachu" in text
    assert "Walne Zgromadzenie postanawia wyremontować dach" in text
    assert "lista-poparcia.pdf" in page
    link = re.search(r'href="(/walne-zgromadzenie/projekty/\d+/zalaczniki/\d+)"', page).group(1)
    attached = client.get(link)
    assert attached.status_code == 200 and attached.data.startswith(b"%PDF")
    # The e-mail that the draft was received, and the draft on the meeting's page.
    mails = detached(zw, select(OutboxMessage).where(OutboxMessage.user_id == member.user_id))
    assert [m.template for m in mails] == ["case_received"]
    assert mails[0].context["number"] == draft.registry_number
    listed = _text(client.get(INDEX).get_data(as_text=True))
    assert draft.registry_number in listed.split(_pl(app, _l("Your draft resolutions")), 1)[1]
    # The draft and its list are in the download of the member's data.
    from iok_saas.meetings.routes import draft_files, draft_rows

    with in_tenant(zw):
        rows = draft_rows(member.user_id)
        assert [(r["numer"], r["wpis"]) for r in rows] == [(draft.registry_number, "draft")]
        [(name, _file_id)] = draft_files(member.user_id)
        assert name.endswith("lista-poparcia.pdf")


def test_a_draft_one_day_late_is_refused_with_the_date(app, zw):
    setup = make_meeting(zw, parts=1)
    client = _client(app, zw, setup.members[0])
    data = _draft_form(client)  # the form opened while drafts were still taken
    _move_first_part(zw, setup, law.DRAFT_DAYS - 1)  # the deadline was yesterday
    deadline = day(local_today() - timedelta(days=1))
    answer = client.post(FORM, data=data | {
        "title": "Spóźniony projekt", "text": "Treść", "supporters": "12",
        "attachments": [(io.BytesIO(pdf_bytes("lista")), "lista.pdf")]},
        content_type="multipart/form-data")
    assert answer.status_code == 200
    text = _text(answer.get_data(as_text=True))
    assert deadline in text
    assert _drafts(zw) == []
    # The form is not offered any more; the meeting's page says the deadline passed.
    again = client.get(FORM).get_data(as_text=True)
    assert 'name="title"' not in again and deadline in _text(again)
    index = _text(client.get(INDEX).get_data(as_text=True))
    assert _pl(app, _l("The deadline for members' draft resolutions passed on %(date)s."),
               date=deadline) in index
    assert f'href="{FORM}"' not in client.get(INDEX).get_data(as_text=True)


@pytest.mark.parametrize(("fields", "attach", "message"), [
    ({"supporters": "9"}, True,
     _l("A members' draft needs the support of at least %(count)d members (the act, art. 8³).",
        count=10)),
    ({"supporters": "dziesięciu"}, True,
     _l("A members' draft needs the support of at least %(count)d members (the act, art. 8³).",
        count=10)),
    ({}, False, _l("Attach the list of supporting members with their signatures (a scan or a "
                   "photo).")),
    ({"title": "  "}, True, _l("Give the draft resolution's title.")),
    ({"text": ""}, True, _l("Write the draft resolution's text.")),
])
def test_a_draft_with_bad_input_is_refused_and_nothing_is_filed(app, zw, fields, attach,
                                                                 message):
    setup = make_meeting(zw, parts=1)
    client = _client(app, zw, setup.members[0])
    answer = _file_draft(client, attach=attach, **fields)
    assert answer.status_code == 200
    assert _pl(app, message) in _text(answer.get_data(as_text=True))
    assert _drafts(zw) == []
    with in_tenant(zw):
        assert db.session.scalar(select(Meeting.status)) == "convened"


def test_another_cooperatives_or_persons_draft_is_not_found(app, zw, baltyk):
    theirs = make_meeting(baltyk, parts=1)
    with in_tenant(baltyk):
        meeting = db.session.get(Meeting, theirs.meeting_id)
        member = db.session.get(User, theirs.members[0].user_id)
        draft = services.submit_draft(
            meeting, member, title="Projekt z Bałtyku", text="Treść", supporters=10,
            uploads=[Upload("lista.pdf", pdf_bytes("lista"))],
            submission=cases.new_submission(), rules=_rules(baltyk))
        draft_id = draft.id
    ours = make_meeting(zw, parts=1)
    client = _client(app, zw, ours.members[0])
    for path in (f"/walne-zgromadzenie/projekty/{draft_id}",
                 f"/walne-zgromadzenie/projekty/{draft_id}/zalaczniki/1"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert "Projekt z Bałtyku" not in answer.get_data(as_text=True)
    # Another member of the same cooperative does not see a draft either.
    neighbour = _client(app, baltyk, make_household(baltyk))
    assert neighbour.get(f"/walne-zgromadzenie/projekty/{draft_id}").status_code == 404
    assert _client(app, baltyk, theirs.members[0]).get(
        f"/walne-zgromadzenie/projekty/{draft_id}").status_code == 200


# --- the proxy form and the results --------------------------------------------------------------


def test_the_proxy_form_is_a_pdf_with_the_member_and_the_clause(app, zw):
    setup = make_meeting(zw, parts=2)
    member = setup.members[0]
    client = _client(app, zw, member)
    answer = client.get(PROXY)
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF")
    text = _pdf_text(answer.data)
    assert law.STATEMENT_CLAUSE in text
    assert member.identifier in text and member.last_name in text
    assert "Część 1" in text
    assert day(law.deadlines(setup.first_day, _rules(zw)).proxies_by) in text


def test_the_results_are_shown_after_they_are_published(app, zw):
    setup = make_meeting(zw, parts=2)
    hold_parts(zw, setup)
    _report, resolution, election = setup.item_ids
    with in_tenant(zw):
        meeting = db.session.get(Meeting, setup.meeting_id)
        clerk = db.session.get(User, setup.staff.user_id)
        rules = _rules(zw)
        for part in meeting.parts:
            services.enter_attendance(meeting, part, present=1, by_proxy=0, actor=clerk,
                                      rules=rules)
            first = part.id == min(setup.part_ids)
            services.enter_votes(meeting, part, services.item_of(meeting, resolution),
                                 votes_for=1 if first else 0, against=0 if first else 1,
                                 abstained=0, actor=clerk)
            services.enter_votes(meeting, part, services.item_of(meeting, election),
                                 votes_for=1, against=0, abstained=0, actor=clerk)
    client = _client(app, zw, setup.members[0])
    assert 'id="wyniki"' not in client.get(INDEX).get_data(as_text=True)
    with in_tenant(zw):
        meeting = db.session.get(Meeting, setup.meeting_id)
        services.publish_results(meeting, db.session.get(User, setup.staff.user_id),
                                 _rules(zw))
        outcomes = {i.id: i.outcome for i in meeting.items}
    assert outcomes[resolution] == NOT_ADOPTED and outcomes[election] == ADOPTED
    html = client.get(INDEX).get_data(as_text=True)
    results = _text(html.split('id="wyniki"', 1)[1])
    year = setup.first_day.year
    rejected = results.split(f"2/{year}", 1)[0].split(f"1/{year}", 1)[1]
    adopted = results.split(f"2/{year}", 1)[1]
    assert _pl(app, _l("resolution not adopted")) in rejected
    assert " ".join([_pl(app, _l("For")), "1", _pl(app, _l("Against")), "1"]) in rejected
    assert _pl(app, _l("resolution adopted")) in adopted
    assert _pl(app, _l("resolution not adopted")) not in adopted
    assert " ".join([_pl(app, _l("For")), "2", _pl(app, _l("Against")), "0"]) in adopted
    assert _pl(app, _l("The minutes and the adopted resolutions will be published here.")) \
        in results
    assert f'href="{FORM}"' not in html
    minutes_id, _version = make_document(zw, setup.staff)
    with in_tenant(zw):
        services.lay_out(db.session.get(Meeting, setup.meeting_id), minutes_id, MINUTES,
                         db.session.get(User, setup.staff.user_id))
    after = client.get(INDEX).get_data(as_text=True).split('id="wyniki"', 1)[1]
    assert f'href="/dokumenty/{minutes_id}"' in after
    assert _pl(app, _l("Minutes of the meeting")) in _text(after)

    # The next meeting convened: last year's results stay a link away.
    make_meeting(zw, parts=1)
    page = client.get(INDEX).get_data(as_text=True)
    assert f'href="{INDEX}/{setup.meeting_id}"' in page
    held = client.get(f"{INDEX}/{setup.meeting_id}").get_data(as_text=True)
    assert _pl(app, _l("resolution adopted")) in _text(held.split('id="wyniki"', 1)[1])
    with in_tenant(zw):
        current = services.current_for_members().id
    assert client.get(f"{INDEX}/{current}").status_code == 404  # not held yet: the page above


def test_the_same_form_sent_twice_files_one_draft(app, zw):
    setup = make_meeting(zw, parts=1)
    client = _client(app, zw, setup.members[0])
    data = _draft_form(client) | {"title": "Projekt", "text": "Treść", "supporters": "10"}

    def send():
        return client.post(FORM, data=data | {"attachments": [
            (io.BytesIO(pdf_bytes("lista")), "lista.pdf")]}, content_type="multipart/form-data")

    first, second = send(), send()
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_drafts(zw)) == 1


def test_the_members_page_costs_the_same_for_one_document_or_many(app, zw):
    setup = make_meeting(zw, parts=2)
    member = setup.members[0]
    client = _client(app, zw, member)

    def lay_out(count: int) -> None:
        ids = [make_document(zw, setup.staff)[0] for _ in range(count)]
        with in_tenant(zw):
            meeting = db.session.get(Meeting, setup.meeting_id)
            clerk = db.session.get(User, setup.staff.user_id)
            for document_id in ids:
                services.lay_out(meeting, document_id, REPORT, clerk)
        for n in range(count):
            _file_draft(client, title=f"Projekt {count}-{n}")

    lay_out(1)
    few = queries_for(client, INDEX)
    lay_out(6)
    assert queries_for(client, INDEX) == few
