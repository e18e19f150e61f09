"""Browser journey (issue 35): on a 390 px phone a resident opens "Rozliczenia", reads the
heating settlement of their unit from the result down to the advances, downloads its PDF,
asks a question about it — first sending it empty — and lands on the question's case page
with its number and the deadline kept. Nothing wider than the window, no axe-core violation.

Screenshots go to test-artifacts/ (settlements-*.png)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iok_saas.auth.models import User
from iok_saas.db import db
from tests import test_browser as browser
from tests.helpers import in_tenant, tenant_ref
from tests.settlement_data import (
    PASSWORD,
    heating_rows,
    import_settlements,
    make_settled_estate,
    water_rows,
)
from tests.test_browser import _url, sign_in, wcag_problems
from tests.test_browser_delivery import _fits

# tests/test_browser.py's fixtures: Debian's Chromium, and the live server whose pages go to the
# run's one keeper for the Nu HTML check.
chromium, kept_pages, live_server = browser.chromium, browser.kept_pages, browser.live_server

pytestmark = pytest.mark.browser
SLUG = "zielone-wzgorza"


def _said(locator) -> str:
    """What a person reads in the element (money's non-breaking spaces as spaces)."""
    return locator.inner_text().replace("\xa0", " ")


def settled_resident(tmp_path):
    """A resident of a building whose 2025 heating and water settlements are imported."""
    tenant = tenant_ref(SLUG)
    estate = make_settled_estate(tenant)
    with in_tenant(tenant):
        db.session.get(User, estate.user_id).must_change_password = False
    report = import_settlements(tenant, tmp_path, heating_rows(estate) + water_rows(estate))
    assert report.ok
    return estate


def test_a_resident_reads_a_settlement_takes_its_pdf_and_asks_about_it_on_a_phone(
        ctx, chromium, live_server, artifacts, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    estate = settled_resident(tmp_path)
    axe = Axe()
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL",
                                 accept_downloads=True)
    page = phone.new_page()
    sign_in(page, SLUG, live_server, estate.identifier, PASSWORD)
    page.wait_for_url(_url(SLUG, live_server, "/"))

    # "Rozliczenia" from the menu: each settlement with its result first
    page.get_by_role("navigation").get_by_role("link", name="Rozliczenia").click()
    page.wait_for_url(_url(SLUG, live_server, "/rozliczenia"))
    heating = page.locator("li.settlement-card", has_text="Centralne ogrzewanie, 2025")
    assert _said(heating.locator(".result-words")) == (
        "Nadpłata 200,00 zł — zaliczona na poczet opłat")
    water = page.locator("li.settlement-card", has_text="Zimna woda, 2025")
    assert _said(water.locator(".result-words")) == "Do dopłaty 50,00 zł do 31.03.2027"
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "settlements-list.png"), full_page=True)

    # the explanation: the result, then the steps; tables that stay within the phone
    heating.get_by_role("link", name=re.compile("Jak to zostało policzone")).click()
    page.wait_for_url(re.compile(r"/rozliczenia/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Rozliczenie kosztów centralnego ogrzewania za 2025")
    assert _said(page.locator(".settlement-result .result-words")) == (
        "Nadpłata 200,00 zł — zaliczona na poczet opłat")
    assert page.get_by_text("Państwa lokal 50,00 m² × 8,0000 zł/m² = 400,00 zł").is_visible()
    assert page.locator(".settlement-meters").get_by_role(
        "link", name=f"Nr H-{estate.serial}-A2").is_visible()
    assert _said(page.locator(".settlement-advances tfoot")).split("\t") == [
        "Zaliczki razem", "1 200,00 zł"]
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "settlements-explanation.png"), full_page=True)

    # the PDF of the whole explanation
    with page.expect_download() as download:
        page.get_by_role("link", name="Całe wyjaśnienie w pliku PDF").click()
    assert re.fullmatch(r"rozliczenie-2025-\d+\.pdf", download.value.suggested_filename)
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # a question in one click: sent empty first, then with its text
    page.get_by_role("link", name="Zadaj pytanie o to rozliczenie").click()
    page.wait_for_url(re.compile(r"/rozliczenia/\d+/pytanie$"))
    page.get_by_role("button", name="Wyślij pytanie").click()
    assert page.locator(".field .error").inner_text() == (
        "Proszę napisać, co w rozliczeniu Państwo kwestionują lub o co pytają.")
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "settlements-question-error.png"), full_page=True)
    page.get_by_label("Treść pytania lub reklamacji").fill(
        "Podzielnik w kuchni wskazuje mniej, niż podano w rozliczeniu.")
    page.get_by_role("button", name="Wyślij pytanie").click()
    page.wait_for_url(re.compile(r"/rozliczenia/pytania/\d+$"))
    number = page.get_by_role("heading", level=1).inner_text().removeprefix("Pytanie ")
    assert re.fullmatch(r"RR/\d{4}/00001", number)
    assert page.get_by_text(f"Pytanie zostało zarejestrowane pod numerem {number}.").is_visible()
    assert page.get_by_text("złożone w terminie").is_visible()
    assert page.get_by_text("Podzielnik w kuchni wskazuje mniej").is_visible()
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "settlements-question.png"), full_page=True)

    # back on the list, the question is there
    page.get_by_role("link", name="Wszystkie rozliczenia").click()
    assert page.get_by_role("link", name=number).is_visible()
    phone.close()
