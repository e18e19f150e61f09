"""Browser journey (issue 35), the office's side: at 1280 px a clerk is told on the start page
that a question about a settlement waits, opens the settlements, one settlement with its
units, goes to the questions' queue and answers the question (waiting for the resident's
reply). Nothing wider than the window, no axe-core violation.

Screenshots go to test-artifacts/ (settlements-staff-*.png)."""

from __future__ import annotations

import pytest

from iok_saas.auth.models import CLERK
from iok_saas.settlements.models import WAITING
from tests import test_browser as browser
from tests.factories import make_household
from tests.helpers import tenant_ref
from tests.settlement_data import heating_rows, import_settlements, make_settled_estate, water_rows
from tests.test_browser import _url, sign_in, wcag_problems
from tests.test_settlements_staff import _ask, _deliver, _line, _question, _settlement_id

# tests/test_browser.py's fixtures: Debian's Chromium, and the live server whose pages go to the
# run's one keeper for the Nu HTML check.
chromium, kept_pages, live_server = browser.chromium, browser.kept_pages, browser.live_server

pytestmark = pytest.mark.browser
SLUG = "zielone-wzgorza"
BASE = "/panel/rozliczenia"
QUEUE = f"{BASE}/pytania/"
ANSWER = "Zużycie wynika z odczytów obu podzielników; prosimy o zdjęcie podzielnika w kuchni."


def _fits(page, width: int = 1280) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_clerk_reads_the_settlements_and_answers_a_question(
        ctx, chromium, live_server, artifacts, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    tenant = tenant_ref(SLUG)
    estate = make_settled_estate(tenant)
    assert import_settlements(tenant, tmp_path, heating_rows(estate) + water_rows(estate)).ok
    heating, a = _settlement_id(tenant, estate), _line(tenant, estate, "A")
    _deliver(tenant, a, opened_by=estate.user_id)
    _deliver(tenant, _line(tenant, estate, "B"))
    asked = _ask(tenant, a, estate.user_id, "Dlaczego podzielnik w kuchni liczy się inaczej?")
    number = _question(tenant, asked).registry_number
    clerk = make_household(tenant, units=0, role=CLERK)
    axe = Axe()
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    page = desk.new_page()
    sign_in(page, SLUG, live_server, clerk.identifier, clerk.password)

    # the start page tells of the question; the menu leads to the settlements
    page.wait_for_url(_url(SLUG, live_server, "/panel/"))
    assert page.locator(f"main a[href='{QUEUE}']").is_visible()
    page.get_by_role("navigation").locator(f"a[href='{BASE}/']").click()
    page.wait_for_url(_url(SLUG, live_server, f"{BASE}/"))
    row = page.locator("tbody tr", has=page.locator(f"a[href='{BASE}/{heating}']"))
    cells = row.locator("td")
    assert [cells.nth(i).inner_text().strip() for i in range(2, 6)] == [
        "3", "2", "1", "1 / 1"]
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "settlements-staff-list.png"), full_page=True)

    # one settlement: unit A delivered, opened, questioned
    row.locator(f"a[href='{BASE}/{heating}']").click()
    page.wait_for_url(_url(SLUG, live_server, f"{BASE}/{heating}"))
    line = page.locator("tbody tr", has=page.locator(f"a[href='{BASE}/lokal/{a}']"))
    assert line.locator(f"a[href='{QUEUE}{asked}']").inner_text() == number
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "settlements-staff-settlement.png"), full_page=True)

    # the queue, the question, the answer
    page.goto(_url(SLUG, live_server, f"{BASE}/"))
    page.locator(f"main a.button[href='{QUEUE}']").click()
    page.wait_for_url(_url(SLUG, live_server, QUEUE))
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "settlements-staff-queue.png"), full_page=True)
    page.locator(f"a[href='{QUEUE}{asked}']").click()
    page.wait_for_url(_url(SLUG, live_server, f"{QUEUE}{asked}"))
    assert page.locator(f"main a[href='{BASE}/lokal/{a}']").is_visible()
    assert page.get_by_text("Dlaczego podzielnik w kuchni").is_visible()
    page.locator("#answer").fill(ANSWER)
    page.locator("#status").select_option(WAITING)
    with page.expect_navigation():
        page.locator("#dzialanie button[type=submit]").click()
    assert page.get_by_text("Zapisano.").is_visible()
    assert page.locator("#watek").get_by_text(ANSWER).is_visible()
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "settlements-staff-case.png"), full_page=True)
    assert _question(tenant, asked).status == WAITING
    desk.close()
