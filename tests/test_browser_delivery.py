"""Browser journey (issue 34): on a 390 px phone a resident sees a new document on the home
page, opens "Moje dokumenty", downloads the PDF (the "new" mark goes), and consents to
electronic delivery — first forgetting the tick box. Nothing wider than the window, no axe-core
violation.

Screenshots go to test-artifacts/ (delivery-*.png)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.delivery import services
from iok_saas.estate.models import Unit
from iok_saas.tenancy.info import get_tenant_info
from tests import test_browser as browser
from tests.factories import make_household, pdf_bytes
from tests.helpers import in_tenant, tenant_ref
from tests.test_browser import _url, sign_in, wcag_problems

# tests/test_browser.py's fixtures: Debian's Chromium, and the live server whose pages go to the
# run's one keeper for the Nu HTML check.
chromium, kept_pages, live_server = browser.chromium, browser.kept_pages, browser.live_server

pytestmark = pytest.mark.browser
SLUG = "zielone-wzgorza"
NEW = "Nowy, jeszcze nieotwarty"
WIDTH = "document.documentElement.scrollWidth"
# Anything drawn further right than the window.
SPILLS = """(width) => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > width + 0.5)
  .map(e => `${e.tagName.toLowerCase()}.${e.className.baseVal ?? e.className}`)"""


def resident_with_documents(monkeypatch):
    """Two units of a resident who has not consented to electronic delivery: a notice of a
    change of fees just delivered to the first, a settlement from last spring (opened), an
    invoice the office withdrew, a meeting notice for the second unit."""
    tenant = tenant_ref(SLUG)
    home = make_household(tenant, street="ul. Konwaliowa", units=2)
    with in_tenant(tenant):
        info = get_tenant_info(tenant.id)
        person = db.session.get(User, home.user_id)
        first, second = (db.session.get(Unit, unit_id) for unit_id in home.unit_ids)

        def deliver(unit, kind, title, effective_on=None, at=None):
            if at is not None:
                monkeypatch.setattr(services, "utcnow", lambda: at)
            document, _ = services.deliver(
                services.Parcel(unit_id=unit.id, kind=kind, title=title,
                                effective_on=effective_on),
                pdf_bytes(title), f"{kind}.pdf", unit=unit, tenant=info, actor="Biuro")
            monkeypatch.undo()
            return document

        settlement = deliver(first, "settlement", "Rozliczenie kosztów wody za 2025 r.",
                             at=datetime(2026, 4, 14, 10, 30, tzinfo=UTC))
        services.opened(settlement, person)
        wrong = deliver(first, "other", "Zawiadomienie z omyłkowym numerem lokalu")
        services.withdraw(wrong, person, "Błędny numer lokalu")
        deliver(second, "meeting_notice", "Zawiadomienie o Walnym Zgromadzeniu 2027",
                effective_on=date(2027, 6, 14))
        fee = deliver(first, "fee_change",
                      "Zawiadomienie o zmianie wysokości opłat za używanie lokalu od 1 kwietnia "
                      "2027 r.", effective_on=date(2027, 4, 1))
        fee_id = fee.id
    return home, fee_id


def _fits(page, width: int = 390) -> None:
    assert page.evaluate(WIDTH) <= width, f"the page is {page.evaluate(WIDTH)} px wide"
    assert page.evaluate(SPILLS, width) == []


def test_a_resident_opens_a_delivered_document_and_consents_on_a_phone(
        ctx, chromium, live_server, artifacts, monkeypatch):
    from axe_playwright_python.sync_playwright import Axe

    home, fee = resident_with_documents(monkeypatch)
    axe = Axe()
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL",
                                 accept_downloads=True)
    page = phone.new_page()
    sign_in(page, SLUG, live_server, home.identifier, home.password)

    # the home page tells of the new documents
    page.wait_for_url(_url(SLUG, live_server, "/"))
    tile = page.locator("section", has=page.get_by_role("heading",
                                                        name="Nowe dokumenty dla Państwa"))
    assert tile.get_by_role("link", name=re.compile("Zawiadomienie o zmianie wysokości")
                            ).is_visible()
    assert tile.get_by_text("Zawiadomienie z omyłkowym").count() == 0  # withdrawn
    assert tile.get_by_text("Rozliczenie kosztów wody").count() == 0  # opened
    _fits(page)
    page.screenshot(path=str(artifacts / "delivery-home.png"), full_page=True)

    # "Moje dokumenty": the new one first, marked
    page.get_by_role("navigation").get_by_role("link", name="Moje dokumenty").click()
    page.wait_for_url(_url(SLUG, live_server, "/moje-dokumenty"))
    assert page.get_by_role("heading", name="Moje dokumenty", exact=True).is_visible()
    cards = page.locator("ul.documents > li")
    assert cards.count() == 4
    newest = cards.first
    assert "Zawiadomienie o zmianie wysokości opłat" in newest.inner_text()
    assert newest.get_by_text(NEW).is_visible() and "01.04.2027" in newest.inner_text()
    withdrawn = page.locator("li", has_text="Zawiadomienie z omyłkowym")
    assert withdrawn.get_by_text("Wycofany przez spółdzielnię").is_visible()
    assert withdrawn.get_by_role("link").count() == 0
    assert page.get_by_text("spółdzielnia doręcza je Państwu na papierze").is_visible()
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "delivery-page.png"), full_page=True)

    # the PDF: downloaded, and after a reload no longer new
    with page.expect_download() as download:
        newest.get_by_role("link", name=re.compile("Otwórz dokument")).click()
    assert download.value.suggested_filename == "fee_change.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.reload()
    newest = page.locator(f"#dokument-{fee}")
    assert newest.get_by_text(NEW).count() == 0
    assert "Pierwsze otwarcie" in newest.inner_text()

    # the unit choice narrows the list to the second unit's meeting notice
    page.get_by_label("Lokal").select_option(str(home.unit_ids[1]))
    page.get_by_role("button", name="Pokaż").click()
    assert page.locator("ul.documents > li").count() == 1
    assert "Walnym Zgromadzeniu" in page.locator("ul.documents > li").inner_text()
    page.get_by_role("link", name="Pokaż wszystkie dokumenty").first.click()

    # consent: the box must be ticked
    consent = page.locator("#zgoda")
    consent.get_by_role("button", name="Wyrażam zgodę").click()
    error = page.get_by_text("prosimy zaznaczyć pole potwierdzające znajomość zasad")
    assert error.is_visible()
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "delivery-consent-error.png"), full_page=True)
    page.get_by_label("Znam powyższe zasady").check()
    page.locator("#zgoda").get_by_role("button", name="Wyrażam zgodę").click()
    assert page.get_by_text("Dziękujemy. Zgoda została zapisana").is_visible()
    consent = page.locator("#zgoda")
    assert consent.get_by_text("Wyrazili Państwo zgodę w portalu").is_visible()
    assert consent.get_by_role("button", name="Wycofuję zgodę").is_visible()
    assert "zgoda wyrażona" in consent.inner_text()
    assert page.get_by_text("spółdzielnia doręcza je Państwu na papierze").count() == 0
    _fits(page)
    assert wcag_problems(page, axe) == []
    page.screenshot(path=str(artifacts / "delivery-consent.png"), full_page=True)

    # back home: nothing new is left but the meeting notice
    page.goto(_url(SLUG, live_server, "/"))
    assert page.get_by_text("Zawiadomienie o zmianie wysokości").count() == 0
    assert page.get_by_role("link", name="Zawiadomienie o Walnym Zgromadzeniu 2027").is_visible()
    phone.close()
