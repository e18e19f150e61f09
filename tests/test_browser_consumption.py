"""Browser journey (issue 33): a resident with remote meters opens "Zużycie" on a phone and on
a desktop — each meter's months as a table and a chart, nothing wider than the window, no
axe-core violation; from the meters page a remote meter leads there instead of to a form.

Screenshots go to test-artifacts/ (consumption-*.png)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert

from iok_saas.db import db
from iok_saas.meters.models import REMOTE, BuildingMonth, MeterMonth, RemoteReading
from tests import test_browser as browser
from tests.factories import make_household, make_meter
from tests.helpers import in_tenant, tenant_ref
from tests.test_browser import _url, sign_in, wcag_problems

# tests/test_browser.py's fixtures: Debian's Chromium, and the live server whose pages go to the
# run's one keeper for the Nu HTML check.
chromium, kept_pages, live_server = browser.chromium, browser.kept_pages, browser.live_server

pytestmark = pytest.mark.browser
NEWEST = date(2026, 11, 1)
WIDTH = "document.documentElement.scrollWidth"
# Anything drawn further right than the window (a table cell, a chart, a caption).
SPILLS = """(width) => [...document.querySelectorAll("main *")]
  .filter(e => e.getBoundingClientRect().right > width + 0.5)
  .map(e => `${e.tagName.toLowerCase()}.${e.className.baseVal ?? e.className}`)"""


def _months(back: int) -> list[date]:
    found, year, month = [], NEWEST.year, NEWEST.month
    for _ in range(back):
        found.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found


def _remote(tenant, unit_id: int, kind: str, measure: str, serial: str, place: str,
            figures: dict[date, Decimal], estimated: tuple[date, ...] = ()) -> int:
    meter = make_meter(tenant, unit_id, kind=kind, readings=(), measure=measure, place=place,
                       serial_number=serial, reading_mode=REMOTE, installed_on=date(2024, 1, 1))
    with in_tenant(tenant):
        db.session.execute(insert(MeterMonth), [
            {"meter_id": meter, "month": month, "start_value": Decimal(500),
             "end_value": Decimal(500) + used, "consumption": used,
             "estimated": month in estimated, "readings": 30} for month, used in figures.items()])
        db.session.add(RemoteReading(meter_id=meter, read_at=datetime(2026, 12, 6, 23, tzinfo=UTC),
                                     value=Decimal("612.345")))
    return meter


def resident_with_remote_meters(slug: str):
    """Two units: the first with cold and hot water read remotely for two years (October
    estimated; the building's median over seven units for cold water) and a heat cost
    allocator for five months; the second with none."""
    tenant = tenant_ref(slug)
    home = make_household(tenant, street="ul. Zdalna", units=2)
    unit = home.unit_ids[0]
    seasons = [Decimal(v) for v in ("3.2", "3.0", "2.8", "2.9", "3.4", "3.9", "4.1", "3.6",
                                    "3.1", "2.7", "2.9", "3.3")]
    cold = {month: seasons[i % 12] + Decimal("0.2") * (i < 12) for i, month in
            enumerate(_months(24))}
    _remote(tenant, unit, "cold_water", "m³", "ZW-CW-4412", "łazienka", cold,
            estimated=(date(2026, 10, 1),))
    _remote(tenant, unit, "hot_water", "m³", "ZW-CWU-4413", "łazienka",
            {month: value / 2 for month, value in cold.items()})
    _remote(tenant, unit, "heat", "jedn.", "PK-90871", "pokój",
            {month: Decimal(v) for month, v in zip(_months(5), ("412", "268.5", "96", "12", "0"),
                                                     strict=True)})
    with in_tenant(tenant):
        db.session.add_all(BuildingMonth(building_id=home.building_id, kind="cold_water",
                                         measure="m³", month=month, units=7,
                                         median=value - Decimal("0.3"))
                           for month, value in cold.items())
    return home


def _check_page(page, width: int) -> None:
    assert page.get_by_role("heading", name="Zużycie", exact=True).is_visible()
    tables = page.get_by_role("table")
    assert tables.count() == 3
    assert page.locator("figure.chart").count() == 3
    assert page.get_by_text("W tym lokalu nie ma liczników odczytywanych zdalnie.").is_visible()
    assert page.get_by_text("szacunkowo — wyliczone z odczytów").first.is_visible()
    assert page.get_by_text("spośród 7 lokali Państwa budynku").is_visible()
    first = page.locator("table.months").first
    assert first.locator("tbody tr").count() == 12
    assert "listopad 2026" in first.locator("tbody tr").first.inner_text()
    assert page.locator("figure.chart").first.locator("rect.bar-median").count() == 12
    assert page.evaluate(WIDTH) <= width, f"the page is {page.evaluate(WIDTH)} px wide"
    assert page.evaluate(SPILLS, width) == []


def test_a_resident_reads_monthly_consumption_on_a_phone_and_a_desktop(ctx, chromium,
                                                                       live_server, artifacts):
    from axe_playwright_python.sync_playwright import Axe

    home = resident_with_remote_meters("zielone-wzgorza")
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL")
    page = phone.new_page()
    sign_in(page, "zielone-wzgorza", live_server, home.identifier, home.password)
    page.get_by_role("navigation").get_by_role("link", name="Zużycie").click()
    page.wait_for_url(_url("zielone-wzgorza", live_server, "/zuzycie"))
    _check_page(page, 390)
    # on a phone the table comes first and the chart under it
    table, chart = (page.locator(s).first.bounding_box() for s in ("table.months", "figure"))
    assert chart["y"] >= table["y"] + table["height"] - 1
    page.screenshot(path=str(artifacts / "consumption-phone.png"), full_page=True)
    assert wcag_problems(page, Axe()) == []
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate(WIDTH) <= 320 and page.evaluate(SPILLS, 320) == []
    page.screenshot(path=str(artifacts / "consumption-320.png"), full_page=True)

    # the meters page: the remote meter is read, not typed, and leads to its months
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("navigation").get_by_role("link", name="Liczniki").click()
    card = page.locator("li.card", has_text="ZW-CW-4412")
    assert "Odczyt zdalny" in card.inner_text() and "612,345 m³" in card.inner_text()
    assert card.get_by_role("link", name="Zgłoś odczyt licznika").count() == 0
    page.screenshot(path=str(artifacts / "consumption-meters-phone.png"), full_page=True)
    card.get_by_role("link", name="Zimna woda").click()
    assert page.get_by_role("heading", name="Odczyt zdalny").is_visible()
    assert page.get_by_label("Stan licznika").count() == 0
    assert page.evaluate(WIDTH) <= 390
    page.screenshot(path=str(artifacts / "consumption-remote-meter-phone.png"), full_page=True)
    page.go_back()
    card.get_by_role("link", name="Zużycie miesięczne").click()
    page.wait_for_url(f"**/zuzycie?lokal={home.unit_ids[0]}#licznik-*")
    assert page.get_by_role("heading", name="Zimna woda — Nr ZW-CW-4412 (łazienka)").is_visible()
    assert page.locator("section.consumption-unit").count() == 1
    phone.close()

    desktop = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    page = desktop.new_page()
    sign_in(page, "zielone-wzgorza", live_server, home.identifier, home.password)
    page.goto(_url("zielone-wzgorza", live_server, "/zuzycie"))
    _check_page(page, 1280)
    # on a desktop the chart stands beside its table
    table, chart = (page.locator(s).first.bounding_box() for s in ("table.months", "figure"))
    assert chart["x"] >= table["x"] + table["width"] and abs(chart["y"] - table["y"]) < 60
    page.screenshot(path=str(artifacts / "consumption-desktop.png"), full_page=True)
    desktop.close()
