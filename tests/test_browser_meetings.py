"""Browser journeys (issue 36), the general meeting.

A member on a 390 px phone opens "Walne zgromadzenie" from the menu, reads their part (date,
place), the agenda and a report laid out for the meeting, how to give a proxy, takes the
proxy form (a PDF), and files a draft resolution — first with 9 supporters (refused, nothing
filed), then with 12 and the signed list — landing on its case page with its KO number.

A clerk at 1280 px opens the meeting, the register of proxies, enters a close person's proxy
with the statement (it stands) and a cohabitant's (refused, the reason shown); after the parts
sat, enters each part's attendance and the votes, sees "uchwała podjęta" in the totals and
publishes the results.

Nothing wider than the window, no axe-core violation. Screenshots go to test-artifacts/
(meetings-*.png)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.meetings import rules as law
from iok_saas.meetings import services
from iok_saas.meetings.models import (
    ACCEPTED,
    ADOPTED,
    CLOSED_MEETING,
    REFUSED,
    REPORT,
    Meeting,
    MeetingDraft,
    MeetingItem,
    MeetingPart,
    MeetingProxy,
)
from iok_saas.web.formatting import local_today
from tests import test_browser as browser
from tests.factories import make_document, make_household, pdf_bytes
from tests.helpers import detached, in_tenant, tenant_ref
from tests.meeting_data import hold_parts, make_meeting
from tests.test_browser import _url, sign_in, wcag_problems

# tests/test_browser.py's fixtures: Debian's Chromium, and the live server whose pages go to the
# run's one keeper for the Nu HTML check.
chromium, kept_pages, live_server = browser.chromium, browser.kept_pages, browser.live_server

pytestmark = pytest.mark.browser
SLUG = "zielone-wzgorza"
INDEX = "/walne-zgromadzenie"
FORM = f"{INDEX}/projekt"
PROXY_PDF = f"{INDEX}/pelnomocnictwo.pdf"
PANEL = "/panel/walne-zgromadzenie"
WIDTH = "document.documentElement.scrollWidth"


def _fits(page, width: int) -> None:
    """Nothing wider than the window: no horizontal scrolling."""
    wide = page.evaluate(WIDTH)
    assert wide <= width, f"{page.url} is {wide} px wide"


def shown(locator, timeout: float = 5000) -> bool:
    """The element is there and visible (waiting for it as a person would)."""
    locator.first.wait_for(state="visible", timeout=timeout)
    return True


def _said(locator) -> str:
    """What a person reads in the element, single spaces."""
    return " ".join(locator.inner_text().replace("\xa0", " ").split())


def _check(page, axe, artifacts, name: str, width: int) -> None:
    """The page fits, passes axe-core, and is kept as a full-page screenshot."""
    _fits(page, width)
    assert wcag_problems(page, axe) == [], page.url
    page.screenshot(path=str(artifacts / f"meetings-{name}.png"), full_page=True)


def _drafts(tenant) -> list[MeetingDraft]:
    return detached(tenant, select(MeetingDraft).order_by(MeetingDraft.id))


# --- the member, on a phone -----------------------------------------------------------------------


def test_a_member_reads_the_meeting_takes_the_proxy_form_and_files_a_draft_on_a_phone(
        ctx, chromium, live_server, artifacts, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    tenant = tenant_ref(SLUG)
    setup = make_meeting(tenant, parts=2)
    member = setup.members[0]  # sits in the first part
    report_id, _version = make_document(tenant, setup.staff)
    with in_tenant(tenant):
        meeting = db.session.get(Meeting, setup.meeting_id)
        services.lay_out(meeting, report_id, REPORT, db.session.get(User, setup.staff.user_id))
        part = db.session.get(MeetingPart, setup.part_ids[0])
        part_name, place = part.name, part.place
        item_titles = [db.session.get(MeetingItem, i).title for i in setup.item_ids]
    signed_list = tmp_path / "lista-poparcia.pdf"
    signed_list.write_bytes(pdf_bytes("Lista poparcia"))

    axe = Axe()
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL",
                                 accept_downloads=True)
    page = phone.new_page()
    sign_in(page, SLUG, live_server, member.identifier, member.password)
    page.wait_for_url(_url(SLUG, live_server, "/"))

    # "Walne zgromadzenie" from the menu: their part, when and where
    page.get_by_role("navigation").get_by_role("link", name="Walne zgromadzenie").click()
    page.wait_for_url(_url(SLUG, live_server, INDEX))
    assert page.get_by_role("heading", level=1).inner_text() == "Walne Zgromadzenie Członków 2027"
    mine = page.locator("#moja-czesc-sekcja")
    assert shown(mine.get_by_role("heading", name="Państwa część walnego zgromadzenia"))
    said = _said(mine)
    assert part_name in said and place in said
    assert str(setup.first_day.year) in said and "godz. 17:00" in said
    # the agenda: the report, the resolution, the election
    agenda = page.locator("section[aria-labelledby=porzadek]")
    assert shown(agenda.get_by_role("heading", name="Porządek obrad"))
    assert [_said(li).split(" Uchwała nr")[0] for li in agenda.locator("ol > li").all()] == [
        item_titles[0], item_titles[1], item_titles[2]]
    # every part, behind its summary
    page.locator("details.card summary").click()
    assert shown(page.locator("details.card .badge", has_text="Państwa część"))
    _check(page, axe, artifacts, "member-meeting", 390)

    # the report laid out for the meeting, in the members' library
    documents = page.locator("section[aria-labelledby=dokumenty]")
    documents.locator(f"a[href='/dokumenty/{report_id}']").click()
    page.wait_for_url(_url(SLUG, live_server, f"/dokumenty/{report_id}"))
    assert shown(page.get_by_role("heading", level=1))
    _check(page, axe, artifacts, "member-document", 390)
    page.go_back()
    page.wait_for_url(_url(SLUG, live_server, INDEX))

    # how to give a proxy, and the form to print
    proxy = page.locator("#pelnomocnictwo-sekcja")
    assert shown(proxy.get_by_role("heading", name="Udział przez pełnomocnika"))
    assert law.STATEMENT_CLAUSE in _said(proxy)
    with page.expect_download() as download:
        proxy.get_by_role("link", name="Wzór pełnomocnictwa do wydruku (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # the draft's form: too few supporters first — the message, nothing filed
    page.locator(f"main a[href='{FORM}']").click()
    page.wait_for_url(_url(SLUG, live_server, FORM))
    assert page.get_by_role("heading", level=1).inner_text() == "Złóż projekt uchwały"
    _check(page, axe, artifacts, "member-draft-form", 390)
    page.locator("#title").fill("Uchwała w sprawie remontu dachu budynku")
    page.locator("#text").fill(
        "Walne Zgromadzenie postanawia wyremontować dach budynku w 2027 r. ze środków "
        "funduszu remontowego.")
    page.locator("#supporters").fill("9")
    page.locator("#attachments").set_input_files(str(signed_list))
    with page.expect_navigation():
        page.get_by_role("button", name="Złóż projekt").click()
    assert _said(page.locator("#supporters-error")) == (
        "Projekt uchwały zgłaszany przez członków wymaga poparcia co najmniej 10 członków "
        "(art. 8³ ustawy o spółdzielniach mieszkaniowych).")
    assert page.locator("#title").input_value() == "Uchwała w sprawie remontu dachu budynku"
    assert _drafts(tenant) == []
    _check(page, axe, artifacts, "member-draft-error", 390)

    # 12 supporters and the signed list: filed, its KO number on the case page
    page.locator("#supporters").fill("12")
    page.locator("#attachments").set_input_files(str(signed_list))
    with page.expect_navigation():
        page.get_by_role("button", name="Złóż projekt").click()
    page.wait_for_url(re.compile(r"/walne-zgromadzenie/projekty/\d+$"))
    heading = page.get_by_role("heading", level=1).inner_text()
    number = heading.removeprefix("Projekt uchwały ")
    assert re.fullmatch(r"KO/\d{4}/\d{5}", number), heading
    assert shown(page.get_by_text(f"Projekt uchwały został złożony jako {number}"))
    assert shown(page.get_by_text("Uchwała w sprawie remontu dachu budynku"))
    assert shown(page.get_by_text("lista-poparcia.pdf"))
    _check(page, axe, artifacts, "member-draft", 390)
    filed = _drafts(tenant)
    assert [d.registry_number for d in filed] == [number]
    assert filed[0].filed_by_id == member.user_id and filed[0].in_time
    phone.close()


# --- the office, on a desk ------------------------------------------------------------------------


def test_a_clerk_registers_proxies_enters_the_results_and_publishes_them(
        ctx, chromium, live_server, artifacts):
    from axe_playwright_python.sync_playwright import Axe

    tenant = tenant_ref(SLUG)
    # Three more members before the meeting: their buildings go to the first part, which then
    # has four members; the second part has one.
    extra = [make_household(tenant, units=1) for _ in range(3)]
    setup = make_meeting(tenant, parts=2)
    first, second = sorted(setup.part_ids)
    resolution, election = setup.item_ids[1], setup.item_ids[2]
    clerk = setup.staff
    today = local_today().isoformat()
    meeting_url = f"{PANEL}/{setup.meeting_id}"

    axe = Axe()
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    page = desk.new_page()
    sign_in(page, SLUG, live_server, clerk.identifier, clerk.password)
    page.wait_for_url(_url(SLUG, live_server, "/panel/"))

    # the menu, the meetings, the meeting
    page.get_by_role("navigation").locator(f"a[href='{PANEL}/']").click()
    page.wait_for_url(_url(SLUG, live_server, f"{PANEL}/"))
    page.locator(f"main a[href='{meeting_url}']").click()
    page.wait_for_url(_url(SLUG, live_server, meeting_url))
    assert page.get_by_role("heading", level=1).inner_text() == "Walne Zgromadzenie Członków 2027"
    _check(page, axe, artifacts, "staff-meeting", 1280)

    # the register of proxies
    page.get_by_role("link", name="Rejestr pełnomocnictw").click()
    page.wait_for_url(_url(SLUG, live_server, f"{meeting_url}/pelnomocnictwa"))
    assert shown(page.get_by_text("Rejestr jest pusty."))
    _check(page, axe, artifacts, "staff-proxies-empty", 1280)

    def enter(member, kind: str, name: str, *, statement: bool) -> None:
        page.locator("#member").fill(member.identifier)
        page.locator("#holder_kind").select_option(kind)
        page.locator("#holder_name").fill(name)
        page.locator("#statement").set_checked(statement)
        page.locator("#received_on").fill(today)
        with page.expect_navigation():
            page.get_by_role("button", name="Wpisz do rejestru").click()
        page.wait_for_url(_url(SLUG, live_server, f"{meeting_url}/pelnomocnictwa"))

    # a daughter, with her statement: it stands
    enter(extra[0], "close_person", "Anna Córka", statement=True)
    assert shown(page.get_by_text("Pełnomocnictwo zostało wpisane do rejestru: jest ważne."))
    row = page.locator("tbody tr", has_text="Anna Córka")
    assert shown(row.locator(".badge-ok", has_text="ważne"))
    # a partner living with the member without marriage: refused, the reason shown
    enter(setup.members[1], "cohabitant", "Jan Konkubent", statement=True)
    assert shown(page.get_by_text("Pełnomocnictwo zostało wpisane do rejestru jako odrzucone"))
    row = page.locator("tbody tr", has_text="Jan Konkubent")
    assert shown(row.locator(".badge-warn", has_text="odrzucone"))
    assert "ustawa nie dopuszcza takiego pełnomocnika" in _said(row)
    # the desk's list of the first part holds the standing one only
    desk_list = page.locator(f"section[aria-labelledby='stolik-{first}']")
    assert "Anna Córka" in _said(desk_list) and "Jan Konkubent" not in _said(desk_list)
    _check(page, axe, artifacts, "staff-proxies", 1280)
    proxies = detached(tenant, select(MeetingProxy).order_by(MeetingProxy.id))
    assert [(p.holder_name, p.status) for p in proxies] == [
        ("Anna Córka", ACCEPTED), ("Jan Konkubent", REFUSED)]

    # the parts have sat: each part's attendance and votes
    hold_parts(tenant, setup)
    page.get_by_role("link", name="Obecność i wyniki").click()
    page.wait_for_url(_url(SLUG, live_server, f"{meeting_url}/wyniki"))

    def save(button: str, fields: dict[str, int]) -> None:
        for selector, value in fields.items():
            page.locator(selector).fill(str(value))
        with page.expect_navigation():
            page.locator(f"form:has({next(iter(fields))})").get_by_role(
                "button", name=button).click()
        page.wait_for_url(re.compile(r"/wyniki(#.*)?$"))

    save("Zapisz obecność", {f"#a{first}-present": 3, f"#a{first}-by_proxy": 1})
    assert shown(page.get_by_text("Zapisano obecność na części 1."))
    save("Zapisz obecność", {f"#a{second}-present": 1, f"#a{second}-by_proxy": 0})
    for part, (resolution_votes, election_votes) in {
            first: ((3, 1, 0), (2, 1, 0)), second: ((1, 0, 0), (1, 0, 0))}.items():
        for item, votes in ((resolution, resolution_votes), (election, election_votes)):
            prefix = f"#v{part}-{item}"
            save("Zapisz głosy", dict(zip(
                (f"{prefix}-votes_for", f"{prefix}-against", f"{prefix}-abstained"),
                votes, strict=True)))
    assert shown(page.get_by_text("Zapisano głosy części 2 nad uchwałą nr"))
    totals = page.locator("table", has=page.locator("th", has_text="Wynik")).locator("tbody tr")
    adopted = totals.filter(has_text="Zatwierdzenie sprawozdania finansowego")
    assert "uchwała podjęta" in _said(adopted)
    cells = adopted.locator("td")
    assert [_said(cells.nth(i)) for i in range(1, 5)] == ["4", "1", "0", "2 / 2"]
    _check(page, axe, artifacts, "staff-results", 1280)

    # publish: the meeting is closed, the resolution keeps its outcome
    with page.expect_navigation():
        page.get_by_role("button", name="Opublikuj wyniki członkom").click()
    assert shown(page.get_by_text("Wyniki zostały opublikowane członkom."))
    _check(page, axe, artifacts, "staff-published", 1280)
    with in_tenant(tenant):
        meeting = db.session.get(Meeting, setup.meeting_id)
        assert meeting.status == CLOSED_MEETING and meeting.results_at is not None
        assert db.session.get(MeetingItem, resolution).outcome == ADOPTED
    desk.close()
