"""Browser journeys: Playwright driving Debian's Chromium against a live server.

Screenshots go to test-artifacts/ so a person can look at what residents and staff see.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.factories import make_household

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
]
COOPERATIVES = {
    "zielone-wzgorza": {"name": "SM „Zielone Wzgórza”", "colour": "rgb(46, 107, 52)"},
    "baltyk": {"name": "SM „Bałtyk”", "colour": "rgb(11, 79, 138)"},
}


@pytest.fixture(scope="session")
def kept_pages():
    """The HTML of every page a live server answers in this run, for the Nu checker (the
    run's last browser test)."""
    from tests.fixtures.html import page_keeper

    return page_keeper()


@pytest.fixture(scope="module")
def live_server(app, kept_pages) -> Iterator[int]:
    """The test app served by a real threaded HTTP server on a free port; its HTML answers
    are kept."""
    server = make_server("127.0.0.1", 0, kept_pages.wrap(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, driven by Playwright (its own browser download cannot work here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser profile (no cookies) with a desktop-size window."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    yield context.new_page()
    context.close()


def _url(slug: str, port: int, path: str = "/") -> str:
    return f"http://{slug}.localhost:{port}{path}"


def sign_in(page, slug: str, port: int, identifier: str, password: str) -> None:
    """Fill in and send the sign-in form, as a person would."""
    page.goto(_url(slug, port, "/logowanie"))
    page.get_by_label("Identyfikator użytkownika").fill(identifier)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()


@pytest.mark.parametrize("slug", list(COOPERATIVES))
def test_home_page_of_each_cooperative(ctx, page, live_server, artifacts, slug):
    coop = COOPERATIVES[slug]
    page.goto(_url(slug, live_server))
    assert page.locator(".brand-name").inner_text() == coop["name"]
    header = page.locator(".site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == coop["colour"]
    font = page.locator("body").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 16
    page.screenshot(path=str(artifacts / f"home-{slug}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / f"home-{slug}-phone.png"), full_page=True)


@pytest.mark.parametrize("slug", list(COOPERATIVES))
def test_resident_signs_in_sees_units_and_signs_out(ctx, page, live_server, artifacts, slug):
    from tests.helpers import tenant_ref

    home = make_household(tenant_ref(slug), street="ul. Przeglądarkowa", units=2)
    page.goto(_url(slug, live_server))
    page.get_by_role("link", name="Zaloguj się").first.click()
    page.get_by_label("Identyfikator użytkownika").fill(home.identifier)
    page.get_by_label("Hasło").fill(home.password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(_url(slug, live_server))
    assert page.get_by_role("heading", name="Moje lokale").is_visible()
    assert page.locator("li.card").count() == 2
    page.screenshot(path=str(artifacts / f"resident-{slug}.png"), full_page=True)
    page.get_by_role("button", name="Wyloguj się").click()
    assert page.get_by_text("Wylogowano.").is_visible()


def test_wrong_password_shows_one_clear_message(ctx, page, live_server, artifacts):
    page.goto(_url("baltyk", live_server, "/logowanie"))
    page.get_by_label("Identyfikator użytkownika").fill("B-999999")
    page.get_by_label("Hasło").fill("Nieznane1")
    page.get_by_role("button", name="Zaloguj się").click()
    assert page.get_by_role("alert").inner_text() == "Identyfikator lub hasło są nieprawidłowe."
    page.screenshot(path=str(artifacts / "login-failed-baltyk.png"), full_page=True)


def test_staff_sign_in_opens_the_panel(ctx, page, live_server, artifacts):
    from tests.helpers import tenant_ref

    staff = make_household(tenant_ref("baltyk"), role="admin", units=0)
    sign_in(page, "baltyk", live_server, staff.identifier, staff.password)
    page.wait_for_url(_url("baltyk", live_server, "/panel/"))
    assert page.get_by_role("heading", name="Panel pracownika").is_visible()
    page.screenshot(path=str(artifacts / "staff-panel-baltyk.png"), full_page=True)


def test_unknown_host_is_a_plain_404(ctx, page, live_server):
    answer = page.goto(_url("nieznana", live_server))
    assert answer.status == 404
    assert page.get_by_role("heading").inner_text() == "Nie znaleziono strony"


@pytest.mark.parametrize("slug", list(COOPERATIVES))
def test_admin_previews_an_email_in_the_cooperatives_branding(ctx, page, live_server, artifacts,
                                                              slug):
    from tests.helpers import tenant_ref

    admin = make_household(tenant_ref(slug), role="admin", units=0)
    sign_in(page, slug, live_server, admin.identifier, admin.password)
    page.get_by_role("link", name="Wiadomości e-mail").click()
    page.get_by_role("link", name="Wiadomość próbna z Internetowej Obsługi Kontrahenta").click()
    assert page.get_by_role("heading", name="Wersja tekstowa").is_visible()
    page.screenshot(path=str(artifacts / f"mail-preview-{slug}.png"), full_page=True)
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Otwórz wersję HTML").click()
    html = opened.value
    html.wait_for_load_state()
    band = html.locator("td").nth(1)
    assert COOPERATIVES[slug]["name"] in html.content()
    html.screenshot(path=str(artifacts / f"mail-html-{slug}.png"), full_page=True)
    assert band.count() == 1


FIRST_SIGN_IN = {
    # cooperative: (a password its rule refuses, one it accepts, what the refusal says)
    "zielone-wzgorza": ("ogrod", "ogrod7x", "Jest krótsze niż 6 znaków."),
    "baltyk": ("ogrod7x", "Bursztyn7", "Nie zawiera dużej litery."),
}


@pytest.mark.parametrize("slug", list(COOPERATIVES))
def test_staff_prepare_an_account_and_the_resident_signs_in_first_time(
        ctx, chromium, live_server, artifacts, slug):
    from tests.helpers import tenant_ref

    tenant = tenant_ref(slug)
    clerk = make_household(tenant, role="clerk", units=0)
    make_household(tenant, street="ul. Przeglądarkowa", units=2)
    staff = chromium.new_context(viewport={"width": 1100, "height": 900}).new_page()
    sign_in(staff, slug, live_server, clerk.identifier, clerk.password)
    staff.get_by_role("link", name="Mieszkańcy").click()
    staff.get_by_role("link", name="Nowe konto mieszkańca").click()
    staff.get_by_label("Imię", exact=True).fill("Zofia")
    staff.get_by_label("Nazwisko", exact=True).fill("Przeglądowa")
    staff.get_by_label("Budynek").select_option(label=staff.locator(
        "#building option", has_text="Przeglądarkowa").inner_text())
    staff.get_by_label("Numer lokalu").fill("2")
    staff.get_by_role("button", name="Załóż konto i wydrukuj dokument").click()
    sheet = staff.locator(".credentials-sheet")
    identifier, password = (cell.inner_text() for cell in sheet.locator("td.secret").all())
    staff.screenshot(path=str(artifacts / f"document-{slug}.png"), full_page=True)
    staff.context.close()

    refused, accepted, complaint = FIRST_SIGN_IN[slug]
    resident = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(resident, slug, live_server, identifier, password)
    resident.wait_for_url(_url(slug, live_server, "/zmiana-hasla"))
    resident.goto(_url(slug, live_server, "/"))  # held on the change page
    resident.wait_for_url(_url(slug, live_server, "/zmiana-hasla"))
    resident.get_by_label("Obecne hasło").fill(password)
    resident.get_by_label("Nowe hasło", exact=True).fill(refused)
    resident.get_by_label("Powtórz nowe hasło").fill(refused)
    assert resident.locator(".checklist li.unmet").count() >= 1  # checked while typing
    resident.get_by_role("button", name="Zapisz nowe hasło").click()
    assert complaint in resident.get_by_role("alert").inner_text()
    resident.screenshot(path=str(artifacts / f"first-sign-in-refused-{slug}.png"), full_page=True)
    resident.get_by_label("Obecne hasło").fill(password)
    resident.get_by_label("Nowe hasło", exact=True).fill(accepted)
    resident.get_by_label("Powtórz nowe hasło").fill(accepted)
    assert resident.locator(".checklist li.unmet").count() == 0
    resident.get_by_role("button", name="Zapisz nowe hasło").click()
    resident.wait_for_url(_url(slug, live_server, "/"))
    assert resident.get_by_text("Hasło zostało zmienione.").is_visible()
    [unit] = resident.locator("li.card").all()  # the one unit staff linked
    assert "ul. Przeglądarkowa" in unit.inner_text() and " m. 2," in unit.inner_text()
    resident.screenshot(path=str(artifacts / f"first-sign-in-done-{slug}.png"), full_page=True)
    resident.context.close()


def test_the_whole_online_application_path(ctx, chromium, live_server, artifacts):
    from sqlalchemy import select

    from iok_saas.db import db
    from iok_saas.mail.models import OutboxMessage
    from iok_saas.tenancy import tenant_context
    from tests.helpers import tenant_ref

    zw = tenant_ref("zielone-wzgorza")
    make_household(zw, street="os. Zielone Wzgórza", units=3)
    clerk = make_household(zw, role="clerk", units=0)

    def newest_link(template: str) -> str:
        with tenant_context(zw.id):
            message = db.session.scalars(select(OutboxMessage).where(
                OutboxMessage.template == template).order_by(OutboxMessage.id.desc())).first()
        db.session.remove()
        return message.context["link"].replace("zielone-wzgorza.localhost",
                                               f"zielone-wzgorza.localhost:{live_server}")

    applicant = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    applicant.goto(_url("zielone-wzgorza", live_server))
    applicant.get_by_role("link", name="Złóż wniosek o dostęp").first.click()
    applicant.get_by_label("Imię", exact=True).fill("Irena")
    applicant.get_by_label("Nazwisko", exact=True).fill("Wnioskowa")
    applicant.get_by_label("E-mail").fill("irena@example.org")
    applicant.get_by_label("Telefon").fill("600 100 200")
    applicant.get_by_label("Budynek").select_option(label=applicant.locator(
        "#building option", has_text="os. Zielone Wzgórza").inner_text())
    applicant.get_by_label("Numer lokalu").fill("3")
    applicant.get_by_role("button", name="Wyślij wniosek").click()
    assert "Bez akceptacji Regulaminu" in applicant.locator(".error").first.inner_text()
    applicant.screenshot(path=str(artifacts / "application-consent-missing.png"), full_page=True)
    applicant.locator("#accept").check()
    applicant.get_by_role("button", name="Wyślij wniosek").click()
    assert applicant.get_by_role("heading", name="Prosimy sprawdzić skrzynkę e-mail").is_visible()
    applicant.goto(newest_link("application_confirm"))
    assert applicant.get_by_role("heading", name=re.compile("przekazany")).is_visible()

    staff = chromium.new_context(viewport={"width": 1100, "height": 900}).new_page()
    sign_in(staff, "zielone-wzgorza", live_server, clerk.identifier, clerk.password)
    # The start page says what waits for the office (a figure the applications register).
    staff.get_by_role("link", name="Na decyzję czeka 1 wniosek o dostęp.").click()
    staff.get_by_role("link", name="Irena Wnioskowa").click()
    staff.get_by_role("button", name="Zatwierdź i przygotuj konto").click()
    assert staff.get_by_text("Konto zostało przygotowane").is_visible()
    staff.locator("#identity_checked").check()
    staff.locator("#signed").check()
    staff.screenshot(path=str(artifacts / "application-visit.png"), full_page=True)
    staff.get_by_role("button", name="Wydaj dostęp: wydrukuj dokument").click()
    identifier, password = (c.inner_text() for c in staff.locator("td.secret").all())

    sign_in(applicant, "zielone-wzgorza", live_server, identifier, password)
    applicant.wait_for_url(_url("zielone-wzgorza", live_server, "/zmiana-hasla"))
    applicant.get_by_label("Obecne hasło").fill(password)
    applicant.get_by_label("Nowe hasło", exact=True).fill("Ogrodnik7")
    applicant.get_by_label("Powtórz nowe hasło").fill("Ogrodnik7")
    applicant.get_by_role("button", name="Zapisz nowe hasło").click()
    applicant.wait_for_url(_url("zielone-wzgorza", live_server, "/"))
    assert " m. 3," in applicant.locator("li.card").first.inner_text()
    applicant.screenshot(path=str(artifacts / "application-first-sign-in.png"), full_page=True)


@pytest.mark.parametrize("slug", list(COOPERATIVES))
def test_admin_imports_the_example_files_and_a_resident_reads_the_record(
        ctx, app, chromium, live_server, artifacts, slug):
    from sqlalchemy import select

    from iok_saas.auth.models import User
    from iok_saas.auth.passwords import hash_password
    from iok_saas.db import db
    from tests.fixtures.mail import kill_worker, start_worker
    from tests.helpers import ROOT, in_tenant, tenant_ref

    tenant = tenant_ref(slug)
    admin = make_household(tenant, role="admin", units=0)
    worker = start_worker(app.config)
    try:
        staff = chromium.new_context(viewport={"width": 1100, "height": 900}).new_page()
        sign_in(staff, slug, live_server, admin.identifier, admin.password)
        for kind, label in (("buildings", "Budynki"), ("units", "Lokale"),
                            ("accounts", "Konta lokali"), ("titles", "Tytuły prawne"),
                            ("ledger", "Kartoteka")):
            staff.get_by_role("navigation").get_by_role("link", name="Import danych").click()
            staff.get_by_label("Co zawiera plik").select_option(label=staff.locator(
                "#kind option", has_text=label).inner_text())
            staff.get_by_label("Plik (CSV lub JSON; dokumenty: ZIP)").set_input_files(
                str(ROOT / "docs/examples" / f"{kind}.csv"))
            staff.get_by_role("button", name="Wyślij plik").click()
            staff.get_by_role("status").filter(has_text="zapisano").wait_for(timeout=30_000)
        staff.get_by_role("navigation").get_by_role("link", name="Import danych").click()
        staff.screenshot(path=str(artifacts / f"import-history-{slug}.png"), full_page=True)
        staff.context.close()
    finally:
        kill_worker(worker)

    with in_tenant(tenant):  # the office hands Anna her password (issue 4's document)
        anna = db.session.scalar(select(User).where(User.external_id == "K-1001"))
        anna.password_hash, anna.must_change_password = hash_password("Kowalska-2026!"), False
        identifier = anna.identifier
    resident = chromium.new_context(viewport={"width": 390, "height": 844},
                                    accept_downloads=True).new_page()
    sign_in(resident, slug, live_server, identifier, "Kowalska-2026!")
    cards = resident.locator("li.card")
    assert cards.count() == 2  # the flat and the garage from the titles file
    flat = cards.filter(has_text="ul. Zgoda 10").inner_text()
    assert "Nadpłata 1\xa0000,00\xa0zł" in flat and "Kredyt" in flat, flat  # 366,30 − 1 366,30
    resident.screenshot(path=str(artifacts / f"home-imported-{slug}.png"), full_page=True)
    resident.get_by_role("link", name=re.compile("ul. Zgoda 10")).first.click()
    body = resident.locator("main").inner_text()
    assert "NAL/2026-11/1" in body and "1\xa0366,30" in body
    assert resident.locator("img[src*='kod-platnosci']").count() == 1
    resident.screenshot(path=str(artifacts / f"record-imported-{slug}.png"), full_page=True)
    with resident.expect_download() as download:
        resident.get_by_role("link", name=re.compile("PDF")).first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    resident.context.close()


def resident_with_a_meter_and_a_clerk(slug: str, street: str):
    """A resident of one unit with a water meter on ``street``, and a clerk."""
    from tests.factories import make_meter
    from tests.helpers import tenant_ref

    tenant = tenant_ref(slug)
    home = make_household(tenant, street=street, units=1)
    make_meter(tenant, home.unit_ids[0])
    return home, make_household(tenant, role="clerk", units=0)


@pytest.mark.parametrize("slug", list(COOPERATIVES))
def test_resident_submits_changes_deletes_a_reading_and_staff_accept_it(
        ctx, chromium, live_server, artifacts, slug):
    home, clerk = resident_with_a_meter_and_a_clerk(slug, "ul. Licznikowa")
    resident = chromium.new_context(viewport={"width": 390, "height": 844},
                                    locale="pl-PL").new_page()
    sign_in(resident, slug, live_server, home.identifier, home.password)
    resident.get_by_role("navigation").get_by_role("link", name="Liczniki").click()
    resident.get_by_role("link", name="Zgłoś odczyt licznika").click()
    resident.get_by_label("Stan licznika").fill("abc")
    resident.get_by_role("button", name="Zgłoś odczyt").click()
    assert "Stan licznika to liczba" in resident.locator("#odczyt").inner_text()
    resident.get_by_label("Stan licznika").fill("134,5")
    resident.get_by_role("button", name="Zgłoś odczyt").click()
    assert resident.get_by_text("Odczyt czeka na akceptację Spółdzielni").is_visible()
    resident.get_by_role("link", name="Popraw odczyt").click()
    resident.get_by_label("Stan licznika").fill("135,25")
    resident.get_by_role("button", name="Zapisz poprawiony odczyt").click()
    assert "135,25" in resident.locator("#odczyt").inner_text()
    resident.get_by_role("button", name="Usuń odczyt").click()
    assert resident.get_by_text("Odczyt został usunięty.").is_visible()
    resident.get_by_label("Stan licznika").fill("136")
    resident.get_by_role("button", name="Zgłoś odczyt").click()
    resident.screenshot(path=str(artifacts / f"reading-pending-{slug}.png"), full_page=True)

    staff = chromium.new_context(viewport={"width": 1100, "height": 900}).new_page()
    sign_in(staff, slug, live_server, clerk.identifier, clerk.password)
    staff.get_by_role("navigation").get_by_role("link", name="Odczyty").click()
    row = staff.locator("tr", has_text="ul. Licznikowa")
    assert "136" in row.inner_text()
    row.get_by_role("checkbox").check()
    staff.get_by_role("button", name="Zaakceptuj zaznaczone odczyty").click()
    staff.screenshot(path=str(artifacts / f"readings-queue-{slug}.png"), full_page=True)
    assert staff.get_by_text("Zaakceptowano 1 odczyt.").is_visible()
    staff.screenshot(path=str(artifacts / f"readings-queue-{slug}.png"), full_page=True)
    staff.context.close()

    resident.reload()
    section = resident.locator("#odczyt").inner_text()
    assert "Ostatni zaakceptowany odczyt: 136 m³" in section
    assert resident.get_by_role("link", name="Popraw odczyt").count() == 0
    history = resident.locator("table").inner_text()
    assert "136 m³" in history and "zaakceptowany" in history and "mieszkaniec (IOK)" in history
    assert resident.locator("figure.chart rect").count() >= 3
    resident.screenshot(path=str(artifacts / f"reading-accepted-{slug}.png"), full_page=True)
    resident.context.close()


def test_a_fault_reported_from_a_phone_moved_on_by_a_clerk_and_merged(
        ctx, chromium, live_server, artifacts, tmp_path):
    """Zielone Wzgórza: a resident reports a leak with a photo on a phone-sized screen, a
    neighbour reports it too; a clerk replies, notes, merges; both residents see each step,
    never the note."""
    import io

    from PIL import Image

    from tests.helpers import in_tenant, tenant_ref

    slug, zw = "zielone-wzgorza", tenant_ref("zielone-wzgorza")
    anna = make_household(zw, street="os. Przeciekowe", units=2)
    neighbour = make_household(zw, units=0)  # lives next door, in the same building
    with in_tenant(zw):
        from datetime import date

        from iok_saas.db import db
        from iok_saas.estate.models import UnitTitle

        db.session.add(UnitTitle(unit_id=anna.unit_ids[1], user_id=neighbour.user_id,
                                 since=date(2020, 1, 1)))
    clerk = make_household(zw, role="clerk", units=0)
    photo = tmp_path / "pion.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 90, 160)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    def report(who, text: str, shot: str) -> str:
        phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
        sign_in(phone, slug, live_server, who.identifier, who.password)
        phone.get_by_role("link", name="Zgłoszenia awarii").first.click()
        phone.get_by_role("link", name="Zgłoś awarię lub usterkę").first.click()
        assert phone.get_by_text("Pogotowie gazowe").is_visible()
        phone.get_by_label("Co się zepsuło").select_option("woda i kanalizacja")
        phone.get_by_label(re.compile("^Mój lokal")).first.check()
        phone.get_by_label("Opis usterki").fill(text)
        phone.get_by_label("Zdjęcia (nieobowiązkowo)").set_input_files(str(photo))
        phone.get_by_role("button", name="Wyślij zgłoszenie").click()
        notice = phone.get_by_text(re.compile(r"zarejestrowano pod numerem AW/\d{4}/\d{5}"))
        number = re.search(r"AW/\d{4}/\d{5}", notice.inner_text()).group(0)
        assert phone.locator(".photos img").count() == 1
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        phone.screenshot(path=str(artifacts / f"fault-{shot}.png"), full_page=True)
        phone.context.close()
        return number

    first = report(anna, "Przecieka pion wody w łazience.", "reported")
    second = report(neighbour, "Z sufitu w łazience kapie woda.", "reported-again")

    staff = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(staff, slug, live_server, clerk.identifier, clerk.password)
    staff.get_by_role("link", name="Zgłoszenia awarii").first.click()
    staff.get_by_role("link", name=first).click()
    staff.get_by_label("Stan", exact=True).select_option(label="w realizacji")
    staff.get_by_label(re.compile("^Odpowiedź dla mieszkańca")).fill("Hydraulik przyjdzie jutro.")
    staff.get_by_label(re.compile("^Notatka wewnętrzna")).fill("Zabrać klucz do piwnicy.")
    staff.get_by_role("button", name="Zapisz").click()
    assert staff.get_by_text("Zabrać klucz do piwnicy.").is_visible()
    staff.locator(".field.checkbox", has_text=second).locator("input").check()
    staff.get_by_role("button", name=f"Połącz ze zgłoszeniem {first}").click()
    assert staff.get_by_text("Połączono 1 zgłoszenie z tym zgłoszeniem.").is_visible()
    staff.screenshot(path=str(artifacts / "fault-staff.png"), full_page=True)
    staff.context.close()

    for who, shot in ((anna, "resident-sees"), (neighbour, "neighbour-sees")):
        phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
        sign_in(phone, slug, live_server, who.identifier, who.password)
        phone.goto(_url(slug, live_server, "/awarie"))
        phone.locator("a", has_text=first if who is anna else second).first.click()
        assert phone.get_by_text("Hydraulik przyjdzie jutro.").is_visible()
        assert phone.get_by_text("Zabrać klucz do piwnicy.").count() == 0
        assert phone.locator(".status-line").inner_text().startswith("w realizacji")
        phone.screenshot(path=str(artifacts / f"fault-{shot}.png"), full_page=True)
        phone.context.close()


def test_staff_publish_a_water_outage_for_one_building_and_only_its_residents_see_it(
        ctx, chromium, live_server, artifacts, tmp_path):
    """Bałtyk: a clerk publishes a water outage for one building with a PDF and e-mail; a
    resident of that building sees it marked new until opened, a resident of another does not."""
    from sqlalchemy import select

    from iok_saas.auth.models import User
    from iok_saas.db import db
    from iok_saas.mail.models import OutboxMessage
    from tests.helpers import in_tenant, tenant_ref

    slug, baltyk = "baltyk", tenant_ref("baltyk")
    inside = make_household(baltyk, street="ul. Wodna", units=1)
    outside = make_household(baltyk, street="ul. Sucha", units=1)
    clerk = make_household(baltyk, role="clerk", units=0)
    with in_tenant(baltyk):
        for person in (inside, outside):
            db.session.get(User, person.user_id).announcement_emails = True
    from tests.factories import pdf_bytes

    pdf = tmp_path / "harmonogram.pdf"
    pdf.write_bytes(pdf_bytes("Harmonogram"))  # a real PDF: attachments are read, not trusted

    staff = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(staff, slug, live_server, clerk.identifier, clerk.password)
    staff.get_by_role("link", name="Ogłoszenia").first.click()
    staff.get_by_role("link", name="Napisz ogłoszenie").click()
    staff.get_by_label("Tytuł", exact=True).fill("Wyłączenie wody w budynku")
    staff.get_by_label("planowane wyłączenie").check()
    staff.get_by_label("Co zostanie wyłączone").select_option(label="zimna woda")
    staff.get_by_label("Od (data i godzina)").fill("2030-12-09T08:00")
    staff.get_by_label("Do (data i godzina)").fill("2030-12-10T14:00")
    staff.get_by_label("Treść", exact=True).fill("Wymiana zaworów. **Prosimy o zapas wody.**")
    staff.get_by_label("wybrane budynki").check()
    staff.get_by_label("Budynki", exact=True).select_option(label=staff.locator(
        "#building_ids option", has_text="ul. Wodna").inner_text())
    staff.get_by_label(re.compile("^Wyślij też e-mailem")).check()
    staff.get_by_label(re.compile("^Załączniki")).set_input_files(str(pdf))
    staff.get_by_role("button", name="Podgląd").click()
    assert staff.get_by_text("Podgląd: tak zobaczą to mieszkańcy").is_visible()
    assert staff.locator(".announcement-body strong").inner_text() == "Prosimy o zapas wody."
    staff.get_by_label(re.compile("^Załączniki")).set_input_files(str(pdf))
    staff.get_by_role("button", name="Zapisz i opublikuj").click()
    assert staff.get_by_text("Ogłoszenie zostało zapisane.").is_visible()
    staff.screenshot(path=str(artifacts / "announcement-staff.png"), full_page=True)
    staff.context.close()

    resident = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(resident, slug, live_server, inside.identifier, inside.password)
    resident.get_by_role("link", name="Ogłoszenia").first.click()
    card = resident.locator("article", has_text="Wyłączenie wody w budynku")
    assert "Nowe" in card.inner_text()
    assert "od poniedziałku 9.12 od 8:00 do wtorku 10.12 do 14:00" in card.inner_text()
    resident.screenshot(path=str(artifacts / "announcement-resident.png"), full_page=True)
    card.get_by_role("link", name="Wyłączenie wody w budynku").click()
    assert resident.get_by_role("link", name="harmonogram.pdf").is_visible()
    resident.get_by_role("link", name="Ogłoszenia").first.click()
    assert "Nowe" not in resident.locator("article", has_text="Wyłączenie wody").inner_text()
    resident.context.close()

    other = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(other, slug, live_server, outside.identifier, outside.password)
    other.goto(_url(slug, live_server, "/ogloszenia"))
    assert other.get_by_text("Wyłączenie wody w budynku").count() == 0
    other.context.close()
    from flask import current_app

    from tests.fixtures.mail import run_burst_worker

    worked = run_burst_worker(current_app.config)  # the fan-out job, then the e-mail
    assert worked.returncode == 0, worked.stderr[-2000:]
    with in_tenant(baltyk):
        mails = db.session.execute(select(OutboxMessage.recipient, OutboxMessage.status).where(
            OutboxMessage.template == "announcement")).all()
    assert mails == [(f"t{int(inside.identifier[1:])}@example.org", "sent")], worked.stderr[-3000:]


def test_a_resident_changes_contacts_confirms_the_email_and_unsubscribes_in_one_click(
        ctx, chromium, live_server, artifacts):
    """Bałtyk, on a phone: the mobile number (shown normalised), a new e-mail address that is
    used only after its link, announcement e-mails turned on; the next announcement e-mail's
    unsubscribe link works without signing in. A clerk sees the history on the account page."""
    from sqlalchemy import select

    from iok_saas.announcements import services as announcements
    from iok_saas.announcements.fanout import fan_out
    from iok_saas.auth.models import User
    from iok_saas.db import db
    from iok_saas.mail.models import OutboxMessage
    from tests.helpers import in_tenant, tenant_ref

    slug, baltyk = "baltyk", tenant_ref("baltyk")
    person = make_household(baltyk, units=1)
    clerk = make_household(baltyk, role="clerk", units=0)

    def outbox(template):
        with in_tenant(baltyk):
            return [(m.recipient, m.context) for m in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.template == template)
                .order_by(OutboxMessage.created_at))]

    resident = chromium.new_context(viewport={"width": 390, "height": 844},
                                    locale="pl-PL").new_page()
    sign_in(resident, slug, live_server, person.identifier, person.password)
    resident.get_by_role("link", name="Dane kontaktowe").first.click()
    resident.get_by_role("link", name="Zmień dane").click()
    resident.get_by_label("Telefon komórkowy").fill("58 123 45 67")  # a landline: refused
    resident.get_by_label("Obecne hasło").fill(person.password)
    resident.get_by_role("button", name="Zapisz").click()
    assert resident.get_by_text("To numer stacjonarny").is_visible()
    resident.screenshot(path=str(artifacts / "contacts-error-phone.png"), full_page=True)
    resident.get_by_label("Telefon komórkowy").fill("+48601234567")
    resident.get_by_label("Adres e-mail").fill("nowy.adres@example.org")
    resident.get_by_label("Obecne hasło").fill(person.password)
    resident.get_by_role("button", name="Zapisz").click()
    assert resident.get_by_text("601 234 567").is_visible()
    assert resident.get_by_text("Czeka na potwierdzenie: nowy.adres@example.org").is_visible()
    resident.screenshot(path=str(artifacts / "contacts-resident-phone.png"), full_page=True)
    [(to, context)] = outbox("email_change")
    assert to == "nowy.adres@example.org"
    resident.goto(context["link"].replace("baltyk.localhost", f"baltyk.localhost:{live_server}"))
    resident.get_by_role("button", name="Potwierdź adres").click()
    assert resident.get_by_text("Od teraz piszemy na adres nowy.adres@example.org").is_visible()
    resident.goto(_url(slug, live_server, "/dane-kontaktowe/"))
    resident.get_by_label("Ogłoszenia Spółdzielni e-mailem").check()
    resident.get_by_role("button", name="Zapisz wybór").click()
    assert resident.get_by_text("Wybór został zapisany.").is_visible()
    assert resident.get_by_text(re.compile(r"Włączone \d\d\.\d\d\.\d{4}")).is_visible()
    resident.context.close()

    with in_tenant(baltyk):
        author = db.session.get(User, clerk.user_id)
        announcement_id = announcements.save(announcements.Draft(
            title="Przegląd kominiarski", body="W czwartek.", kind="general",
            send_email=True), author).id
    with in_tenant(baltyk):
        fan_out(announcement_id)
    [(to, context)] = [m for m in outbox("announcement") if m[0] == "nowy.adres@example.org"]
    stranger = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    stranger.goto(context["unsubscribe"].replace("baltyk.localhost",
                                                 f"baltyk.localhost:{live_server}"))
    stranger.get_by_role("button", name="Tak, proszę nie wysyłać").click()
    assert stranger.get_by_text("Gotowe: nie będziemy już wysyłać").is_visible()
    stranger.screenshot(path=str(artifacts / "contacts-unsubscribed.png"), full_page=True)
    stranger.context.close()
    with in_tenant(baltyk):
        assert db.session.get(User, person.user_id).announcement_emails is False

    staff = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(staff, slug, live_server, clerk.identifier, clerk.password)
    staff.goto(_url(slug, live_server, f"/panel/konta/{person.user_id}"))
    history = staff.inner_text("body")
    assert "n•••@example.org" in history and "odnośnikiem z wiadomości e-mail" in history
    staff.screenshot(path=str(artifacts / "contacts-staff.png"), full_page=True)
    staff.context.close()


def test_staff_publish_documents_members_read_them_and_their_own_data(
        ctx, chromium, live_server, artifacts, tmp_path):
    """Zielone Wzgórza: a clerk publishes the statute and a resolution, then a new version of the
    statute; a resident downloads both versions and sees the old one marked replaced; signed out
    and from Bałtyk the same addresses are 404. The resident downloads *Moje dane* (readings
    and ledger inside) and sees that the clerk opened their account."""
    import io
    import json
    import zipfile
    from datetime import date

    from tests.factories import make_ledger, make_meter, pdf_bytes
    from tests.helpers import tenant_ref

    slug, zw = "zielone-wzgorza", tenant_ref("zielone-wzgorza")
    member = make_household(zw, units=1)
    make_ledger(zw, member.unit_ids[0], 1)
    make_meter(zw, member.unit_ids[0], readings=((date(2026, 1, 1), "100"),))
    clerk = make_household(zw, role="clerk", units=0)
    files = {}
    for name in ("statut-2019", "statut-2024", "uchwala-12"):
        files[name] = tmp_path / f"{name}.pdf"
        files[name].write_bytes(pdf_bytes(name))

    staff = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(staff, slug, live_server, clerk.identifier, clerk.password)
    for category, title, number, dated, pdf in (
            ("Statut", "Statut Spółdzielni", "", "2019-06-15", "statut-2019"),
            ("Uchwały rady nadzorczej", "Uchwała w sprawie opłat", "12/2026", "2026-10-15",
             "uchwala-12")):
        staff.goto(_url(slug, live_server, "/panel/dokumenty/nowy"))
        staff.get_by_label("Kategoria").select_option(category)
        staff.get_by_label("Tytuł", exact=True).fill(title)
        staff.get_by_label("Numer (nieobowiązkowo)").fill(number)
        staff.get_by_label("Data dokumentu").fill(dated)
        staff.get_by_label("Dokument (PDF)").set_input_files(str(files[pdf]))
        staff.get_by_role("button", name="Opublikuj", exact=True).click()
        assert staff.get_by_text("Dokument został opublikowany.").is_visible()
    staff.goto(_url(slug, live_server, "/panel/dokumenty/"))
    staff.get_by_role("link", name="Statut Spółdzielni").click()
    statute_path = staff.url.split(str(live_server), 1)[1].replace("/panel", "")
    staff.get_by_label("Nowa wersja (PDF)").set_input_files(str(files["statut-2024"]))
    staff.get_by_label("Co się zmieniło (nieobowiązkowo)").fill("Zmiany z 2024 r.")
    staff.get_by_role("button", name="Opublikuj nową wersję").click()
    assert staff.get_by_text("Nowa wersja została opublikowana.").is_visible()
    staff.screenshot(path=str(artifacts / "documents-staff.png"), full_page=True)
    staff.goto(_url(slug, live_server, f"/panel/konta/{member.user_id}"))  # a logged view
    staff.context.close()

    resident = chromium.new_context(viewport={"width": 390, "height": 844},
                                    accept_downloads=True).new_page()
    sign_in(resident, slug, live_server, member.identifier, member.password)
    resident.get_by_role("link", name="Dokumenty").first.click()
    assert resident.get_by_text("Nowy dokument").count() == 2
    resident.screenshot(path=str(artifacts / "documents-resident.png"), full_page=True)
    resident.get_by_role("link", name="Statut Spółdzielni").click()
    assert resident.get_by_text("wersja obowiązująca").is_visible()
    assert resident.get_by_text("zastąpiona").is_visible()
    links = resident.get_by_role("link", name=re.compile("^Wersja"))
    seen = []
    for index in range(links.count()):
        with resident.expect_download() as download:
            links.nth(index).click()
        seen.append(download.value.path().read_bytes()[:5])
    assert seen == [b"%PDF-", b"%PDF-"]
    resident.screenshot(path=str(artifacts / "documents-versions.png"), full_page=True)
    version_href = links.first.get_attribute("href")

    resident.get_by_role("link", name="Moje dane").first.click()
    assert resident.get_by_text("konto, dane kontaktowe i lokale").is_visible()
    resident.screenshot(path=str(artifacts / "my-data.png"), full_page=True)
    with resident.expect_download() as download:
        resident.get_by_role("button", name="Pobierz moje dane (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    data = json.loads(archive.read("dane.json"))
    assert data["kartoteka"] and data["odczyty"] and data["przegladanie"]
    resident.context.close()

    for context in (chromium.new_context(), None):
        if context is None:  # a Bałtyk resident on the Bałtyk host, the same ids
            other = make_household(tenant_ref("baltyk"), units=1)
            context = chromium.new_context()
            page = context.new_page()
            sign_in(page, "baltyk", live_server, other.identifier, other.password)
            host = "baltyk"
        else:
            page, host = context.new_page(), slug
        for path in (statute_path, version_href):
            assert page.goto(_url(host, live_server, path)).status == 404, (host, path)
        context.close()


# --- every page, as each kind of person sees it: axe-core and reflow at 320 px ------------------

ROLES = {"zielone-wzgorza": [None, ("ZW-000001", "Mieszkanie2026"),
                             ("zw.obsluga", "ObslugaDemo2026"), ("zw.admin", "AdminDemo2026")],
         "baltyk": [None, ("B-000001", "Mieszkanie2026"), ("baltyk.obsluga", "ObslugaDemo2026"),
                    ("baltyk.admin", "AdminDemo2026")]}
PHONE_320 = {"width": 320, "height": 700}
ZOOMED = {"width": 683, "height": 384}  # a 1366 × 768 window at 200 %
# axe-core's rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 adds target-size, 2.5.8).
# Only the violations are asked for: axe then spares itself the passes and the incomplete
# results, which no test reads (the walk of every page takes a good part of the run).
WCAG_22_AA = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}, "resultTypes": ["violations"]}
# Downloads and actions a crawl must not follow (files, signing out, one-time links).
NOT_PAGES = re.compile(r"\.(pdf|csv|svg|zip|png|jpg)(\?|$)|/wyciag|/pobierz|/zdjeci|/wersje/|"
                       r"/zalaczniki/|/wyloguj|/eksport|/dokument\.pdf")


def _pages(page, host: str) -> list[str]:
    """Paths linked from the page (not downloads or actions), in page order."""
    found = []
    hrefs = page.eval_on_selector_all("a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    for href in hrefs:
        path = href.split("#")[0]
        if path and not NOT_PAGES.search(path):
            found.append(path)
    return found


def walk(chromium, slug: str, port: int, who, shapes: set[str] | None = None) -> Iterator:
    """Signed in as ``who`` (None: signed out), at 320 px: every page the menu reaches and every
    page linked from those, one of each shape (digits as N; ``shapes``: those already walked,
    e.g. by a clerk before an admin). Yields (page, path) on each page that answered below
    400."""
    context = chromium.new_context(viewport=PHONE_320, locale="pl-PL")
    try:
        page = context.new_page()
        if who:
            sign_in(page, slug, port, *who)
        page.goto(_url(slug, port, "/"))
        queue = _pages(page, slug)
        shapes = set() if shapes is None else shapes
        if not who:  # the developers' page of components, with the cooperative's colours
            queue.append("/static/components.html")
        for path in list(queue):
            page.goto(_url(slug, port, path))
            queue += [p for p in _pages(page, slug) if p not in queue]
        for path in queue:
            shape = re.sub(r"\d+", "N", path)
            if shape in shapes:
                continue
            shapes.add(shape)
            answer = page.goto(_url(slug, port, path))
            if answer is not None and answer.status < 400:
                yield page, path
    finally:
        context.close()


# WCAG 2.2, 3.3.8 (accessible authentication): every password and one-time-code field says
# what it holds, so password managers fill it in, and nothing stops pasting into it.
AUTHENTICATION_FIELDS = """() => [...document.querySelectorAll(
    "input[type=password], input[name=code], input[autocomplete~='one-time-code']")].flatMap(e => {
  const wanted = e.type === "password" ? ["current-password", "new-password"] : ["one-time-code"];
  const problems = [];
  if (!wanted.includes(e.getAttribute("autocomplete"))) {
    problems.push(`autocomplete="${e.getAttribute("autocomplete")}", not ${wanted.join(" or ")}`);
  }
  for (const blocker of ["onpaste", "oncopy", "oncut", "ondrop", "readonly"]) {
    if (e.hasAttribute(blocker)) problems.push(blocker);
  }
  if (e.form && e.form.getAttribute("autocomplete") === "off") problems.push("form: no autofill");
  const paste = new ClipboardEvent("paste", {bubbles: true, cancelable: true,
                                             clipboardData: new DataTransfer()});
  if (!e.dispatchEvent(paste)) problems.push("a script cancels pasting");
  return problems.map(p => `${e.name}: ${p}`);
})"""

# WCAG 2.2, 2.5.8 (target size, minimum), for what axe's target-size leaves out as inline: every
# visible button and form control is at least 24 × 24 CSS px, or no other target comes within
# a 24 px circle around its centre. Links in running text are exempt (the SC's inline case).
SMALL_CONTROLS = """() => {
  const all = [...document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, summary")]
    .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
    .map(e => [e, e.getBoundingClientRect()]).filter(([, r]) => r.width && r.height);
  const small = r => r.width < 24 || r.height < 24;
  const centre = r => [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
  const near = (s, [x, y]) => small(s)  // the two 24 px circles overlap, or the circle the other
    ? Math.hypot(centre(s)[0] - x, centre(s)[1] - y) < 24
    : Math.hypot(Math.max(s.left - x, 0, x - s.right), Math.max(s.top - y, 0, y - s.bottom)) < 12;
  return all.filter(([e, r]) => e.tagName !== "A" && small(r))
    .filter(([e, r]) => all.some(([o, s]) => o !== e && !o.contains(e) && !e.contains(o)
                                            && near(s, centre(r))))
    .map(([e, r]) => `${e.tagName.toLowerCase()} ${e.name || e.innerText.trim().slice(0, 30)} `
                     + `${Math.round(r.width)}×${Math.round(r.height)} px`);
}"""


def wcag_problems(page, axe) -> list[str]:
    """What axe-core (WCAG 2.2 A and AA) and the two checks above find on the page."""
    found = [v["id"] for v in axe.run(page, options=WCAG_22_AA).response["violations"]]
    found += [f"3.3.8 {p}" for p in page.evaluate(AUTHENTICATION_FIELDS)]
    return found + [f"2.5.8 {p}" for p in page.evaluate(SMALL_CONTROLS)]


@pytest.mark.parametrize("slug", list(ROLES))
def test_every_page_passes_axe_and_reflows_at_320_px_and_at_200_percent_zoom(
        ctx, chromium, live_server, artifacts, slug):
    """The demo of the cooperative, signed out and as a resident, a clerk and an admin: every
    page reachable from the menu (and one step further), one of each shape, at 320 px wide —
    no axe-core violation of WCAG 2.2 A/AA, password and code fields that take pasting and
    password managers, controls of 24 px or spaced apart, and nothing wider than the screen.
    Then the same page in a 1366 px laptop window zoomed to 200 % (683 CSS px, above the phone
    layout's breakpoint, where tables are tables again): nothing wider than the window either."""
    from axe_playwright_python.sync_playwright import Axe

    from iok_saas.cli.demo import reset_demo_data
    from tests.helpers import as_platform

    with as_platform():
        reset_demo_data()
    axe, problems, checked = Axe(), [], 0
    staff_pages: set[str] = set()  # the panel as a clerk; as an admin only what is left
    for who in ROLES[slug]:
        shapes = staff_pages if who and "." in who[0] else None
        for page, path in walk(chromium, slug, live_server, who, shapes):
            checked += 1
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                problems.append(f"{who and who[0]} {path}: {width} px wide")
            page.set_viewport_size(ZOOMED)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > ZOOMED["width"]:
                problems.append(f"{who and who[0]} {path}: {width} px wide at 200 %")
            page.set_viewport_size(PHONE_320)
            problems += [f"{who and who[0]} {path}: {p}" for p in wcag_problems(page, axe)]
    assert checked > 20, f"only {checked} pages were reached"
    assert not problems, "\n".join(problems)


# --- keyboard only: no mouse, every step by Tab, Enter and Space ---------------------------------

FOCUSED = """() => {
  const e = document.activeElement;
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  const style = getComputedStyle(e);
  return {name: [label, e.getAttribute("aria-label") || "", e.innerText || "", e.value || ""]
          .join(" | "), ring: style.outlineStyle !== "none" && style.outlineWidth !== "0px"};
}"""


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's label, name or text contains ``name``; each stop
    on the way must show the focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["ring"], f"no visible focus on {focused['name']!r}"
        if name in focused["name"]:
            return
    raise AssertionError(f"Tab never reached {name!r} on {page.url}")


def enter(page) -> None:
    """Press Enter on the focused link or button and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def keyboard_sign_in(page, slug: str, port: int, identifier: str, password: str) -> None:
    page.goto(_url(slug, port, "/"))
    tab_to(page, "Zaloguj")
    enter(page)
    tab_to(page, "Identyfikator użytkownika")
    page.keyboard.type(identifier)
    tab_to(page, "Hasło")
    page.keyboard.type(password)
    enter(page)


@pytest.mark.parametrize("slug", list(COOPERATIVES))
def test_keyboard_only_sign_in_submit_a_reading_and_staff_accept_it(
        ctx, chromium, live_server, artifacts, slug):
    home, clerk = resident_with_a_meter_and_a_clerk(slug, "ul. Klawiszowa")

    resident = chromium.new_context(viewport={"width": 390, "height": 844},
                                    locale="pl-PL").new_page()
    resident.goto(_url(slug, live_server, "/"))
    resident.keyboard.press("Tab")
    assert resident.evaluate(FOCUSED)["name"].strip(" |") == "Przejdź do treści"
    keyboard_sign_in(resident, slug, live_server, home.identifier, home.password)
    assert resident.get_by_role("button", name="Wyloguj się").count() == 1
    tab_to(resident, "Liczniki")
    enter(resident)
    tab_to(resident, "Zgłoś odczyt licznika")
    enter(resident)
    tab_to(resident, "Stan licznika")
    resident.keyboard.type("136,5")
    enter(resident)
    assert resident.get_by_text("Odczyt czeka na akceptację Spółdzielni").is_visible()
    resident.screenshot(path=str(artifacts / f"keyboard-reading-{slug}.png"), full_page=True)
    resident.context.close()

    staff = chromium.new_context(viewport={"width": 1280, "height": 900},
                                 locale="pl-PL").new_page()
    keyboard_sign_in(staff, slug, live_server, clerk.identifier, clerk.password)
    tab_to(staff, "Odczyty")
    enter(staff)
    tab_to(staff, "Zaznacz wszystkie bez uwag")
    enter(staff)
    tab_to(staff, "Zaakceptuj zaznaczone odczyty")
    enter(staff)
    assert staff.get_by_text("Zaakceptowano 1 odczyt.").is_visible()
    staff.screenshot(path=str(artifacts / f"keyboard-accept-{slug}.png"), full_page=True)
    staff.context.close()


# --- installable: the offline page, and nothing personal kept on the phone ----------------------

def test_without_a_connection_the_phone_shows_the_offline_page_and_keeps_nothing_personal(
        ctx, chromium, live_server, artifacts):
    from tests.helpers import tenant_ref

    home = make_household(tenant_ref("baltyk"), units=1)
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL")
    page = context.new_page()
    sign_in(page, "baltyk", live_server, home.identifier, home.password)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(_url("baltyk", live_server, "/liczniki"))  # now under the service worker
    assert page.evaluate("!!navigator.serviceWorker.controller")
    context.set_offline(True)
    page.goto(_url("baltyk", live_server, "/regulamin"))
    assert page.get_by_role("heading", name="Brak połączenia").is_visible()
    assert page.url.endswith("/regulamin")  # "Spróbuj ponownie" asks for the same page again
    page.screenshot(path=str(artifacts / "offline-baltyk.png"), full_page=True)
    kept = page.evaluate("""async () => {
      const urls = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) {
          urls.push(new URL(request.url).pathname);
        }
      }
      return urls.sort();
    }""")
    assert kept == ["/branding.css", "/logo.svg", "/offline", "/static/css/app.css"]
    context.set_offline(False)
    page.get_by_role("link", name="Spróbuj ponownie").click()
    assert page.get_by_role("heading", name="Brak połączenia").count() == 0
    context.close()


def test_a_letter_written_on_a_phone_answered_from_a_template_and_closed(
        ctx, chromium, live_server, artifacts, tmp_path):
    """Bałtyk: a resident asks about a charge on a phone-sized screen with a PDF attached and
    gets a KO number and a PDF confirmation; the clerk answers from a template with an internal
    note; the resident replies; the clerk closes it with a reason and a PDF attached. The
    resident sees every answer and opens the attachment, never the note; a closed case offers
    a new letter. At Zielone Wzgórza a clerk moves a letter into the fault reports and it links
    to the report."""
    from pypdf import PdfWriter

    from iok_saas.cli.demo import reset_demo_data
    from tests.helpers import as_platform

    with as_platform():
        reset_demo_data()
    pdf = tmp_path / "rozliczenie.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(str(pdf))

    phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, "baltyk", live_server, "B-000001", "Mieszkanie2026")
    phone.get_by_role("link", name="Sprawy").first.click()
    phone.get_by_role("link", name="Napisz do Spółdzielni").first.click()
    phone.get_by_label("Rodzaj sprawy").select_option("reklamacja naliczenia")
    phone.get_by_label("Temat").fill("Naliczenie za c.o. w listopadzie")
    phone.get_by_label("Treść pisma").fill("Proszę o sprawdzenie naliczenia za c.o.")
    phone.get_by_label("Załączniki (nieobowiązkowo)").set_input_files(str(pdf))
    phone.get_by_role("button", name="Wyślij pismo").click()
    notice = phone.locator(".flash-success")
    number = re.search(r"KO/\d{4}/\d{5}", notice.inner_text()).group(0)
    assert phone.get_by_role("link", name="rozliczenie.pdf").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Potwierdzenie złożenia pisma (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    phone.screenshot(path=str(artifacts / "letter-sent.png"), full_page=True)
    case_url = phone.url

    staff = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(staff, "baltyk", live_server, "baltyk.obsluga", "ObslugaDemo2026")
    staff.get_by_role("link", name="Sprawy").first.click()
    staff.get_by_role("link", name=number).click()
    staff.get_by_label("Zacznij od szablonu").select_option(
        label="Reklamacja przyjęta do rozpatrzenia")
    staff.get_by_role("button", name="Użyj szablonu").click()
    assert "reklamacja została przyjęta" in staff.get_by_label(
        re.compile("^Odpowiedź dla mieszkańca")).input_value()
    staff.get_by_label(re.compile("^Notatka wewnętrzna")).fill("Sprawdzić podzielnik.")
    staff.get_by_label("Stan", exact=True).select_option(label="oczekuje na odpowiedź mieszkańca")
    staff.get_by_role("button", name="Zapisz").click()
    assert staff.get_by_text("Sprawdzić podzielnik.").is_visible()
    staff.screenshot(path=str(artifacts / "letter-staff.png"), full_page=True)

    phone.goto(case_url)
    assert phone.get_by_text("reklamacja została przyjęta", exact=False).is_visible()
    assert phone.get_by_text("Marek, Dział Czynszów", exact=False).first.is_visible()
    assert phone.get_by_text("Sprawdzić podzielnik.").count() == 0
    phone.get_by_label("Pani/Pana odpowiedź").fill("Podzielnik odczytano 30 września.")
    phone.get_by_role("button", name="Wyślij", exact=True).click()
    assert phone.get_by_text("Odpowiedź została przekazana Spółdzielni.").is_visible()

    staff.reload()
    staff.get_by_label(re.compile("^Odpowiedź dla mieszkańca")).fill("Naliczenie skorygowano.")
    correction = tmp_path / "korekta-noty.pdf"
    correction.write_bytes(pdf.read_bytes())
    staff.get_by_label(re.compile("^Załączniki do odpowiedzi")).set_input_files(str(correction))
    staff.get_by_label("Zamknij sprawę").check()
    staff.get_by_label(re.compile("^Powód zamknięcia")).fill("Korekta ujęta w rozliczeniu.")
    staff.get_by_role("button", name="Zapisz").click()
    assert staff.locator(".status-line").inner_text().startswith("zamknięta")
    staff.context.close()

    phone.goto(case_url)
    assert phone.get_by_text("Naliczenie skorygowano.").is_visible()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="korekta-noty.pdf").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    assert phone.get_by_role("link", name="Napisz nowe pismo").is_visible()
    assert phone.get_by_text("Sprawdzić podzielnik.").count() == 0
    phone.screenshot(path=str(artifacts / "letter-closed.png"), full_page=True)
    phone.context.close()

    clerk = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(clerk, "zielone-wzgorza", live_server, "zw.obsluga", "ObslugaDemo2026")
    clerk.get_by_role("link", name="Sprawy").first.click()
    clerk.get_by_role("link", name=re.compile(r"KO.\d{4}.\d{5}")).last.click()
    clerk.get_by_label("Kategoria awarii").select_option("ogrzewanie")
    clerk.get_by_role("button", name="Przenieś do zgłoszeń awarii").click()
    moved = clerk.get_by_text(re.compile(r"przeniesione do zgłoszeń awarii jako AW/\d{4}/\d{5}"))
    report = re.search(r"AW/\d{4}/\d{5}", moved.first.inner_text()).group(0)
    clerk.get_by_role("link", name=f"Przejdź do zgłoszenia awarii {report}").click()
    assert clerk.get_by_text(re.compile(r"Przeniesione z pisma KO/\d{4}/\d{5}")).is_visible()
    clerk.screenshot(path=str(artifacts / "letter-moved.png"), full_page=True)
    clerk.context.close()


def test_a_member_activates_the_account_with_a_code_from_a_letter_on_a_phone(
        ctx, chromium, live_server, artifacts):
    """Zielone Wzgórza with activation by letter: the clerk issues the codes and downloads the
    CSV and the letters; a member who has never signed in types the code on a phone (in lower
    case, with spaces), chooses a password and an e-mail address, and is in; the same code
    does not work twice; the clerk sees the account as activated. Both new pages pass axe."""
    import csv
    import io
    import zipfile

    from axe_playwright_python.sync_playwright import Axe

    from iok_saas.cli.demo import reset_demo_data
    from iok_saas.tenancy import services as tenant_services
    from tests.helpers import as_platform

    with as_platform():
        reset_demo_data()
        tenant_services.update_tenant("zielone-wzgorza", ["onboarding.letter_code=true"])
    try:
        staff = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(staff, "zielone-wzgorza", live_server, "zw.obsluga", "ObslugaDemo2026")
        staff.get_by_role("link", name="Mieszkańcy").first.click()
        staff.get_by_role("link", name="Kody aktywacyjne").click()
        staff.screenshot(path=str(artifacts / "activation-codes-staff.png"), full_page=True)
        assert wcag_problems(staff, Axe()) == []
        with staff.expect_download() as download:
            staff.get_by_role("button", name="Wydaj kody i pobierz").click()
        with zipfile.ZipFile(download.value.path()) as archive:
            [name] = [n for n in archive.namelist() if n.endswith(".csv")]
            rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")),
                                       delimiter=";"))
        row = next(r for r in rows if r["identyfikator"] == "ZW-000002")

        phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
        phone.goto(_url("zielone-wzgorza", live_server, "/logowanie"))
        phone.get_by_role("link", name="Aktywuj konto").click()
        assert wcag_problems(phone, Axe()) == []
        phone.get_by_label("Identyfikator użytkownika").fill(row["identyfikator"])
        phone.get_by_label("Kod aktywacyjny").fill(row["kod"].lower().replace("-", " "))
        phone.get_by_label("Nowe hasło", exact=True).fill("Wrzos2026dom")
        phone.get_by_label("Powtórz nowe hasło").fill("Wrzos2026dom")
        phone.get_by_label(re.compile("^Adres e-mail")).fill("jan.nowak.nowy@example.org")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        phone.screenshot(path=str(artifacts / "activation-phone.png"), full_page=True)
        phone.get_by_role("button", name="Aktywuj konto").click()
        assert phone.get_by_text("Konto jest aktywne.").is_visible()
        assert phone.get_by_role("button", name="Wyloguj się").is_visible()
        phone.screenshot(path=str(artifacts / "activation-done.png"), full_page=True)
        phone.context.close()

        again = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
        again.goto(_url("zielone-wzgorza", live_server, "/aktywacja"))
        again.get_by_label("Identyfikator użytkownika").fill(row["identyfikator"])
        again.get_by_label("Kod aktywacyjny").fill(row["kod"])
        again.get_by_label("Nowe hasło", exact=True).fill("Inne2026haslo")
        again.get_by_label("Powtórz nowe hasło").fill("Inne2026haslo")
        again.get_by_role("button", name="Aktywuj konto").click()
        assert again.get_by_text("Ten kod został już użyty").is_visible()
        assert wcag_problems(again, Axe()) == []
        again.context.close()

        staff.goto(_url("zielone-wzgorza", live_server, "/panel/mieszkancy?q=ZW-000002"))
        staff.get_by_role("link", name="ZW-000002").click()
        assert staff.get_by_text("Konto zostało aktywowane kodem").is_visible()
        staff.context.close()
    finally:
        with as_platform():
            tenant_services.update_tenant("zielone-wzgorza", ["onboarding.letter_code=false"])


def test_a_resident_signs_out_a_forgotten_computer_from_the_phone(ctx, chromium, live_server,
                                                                   artifacts):
    """Bałtyk: signed in on a computer and on a phone, the resident opens *Zalogowane
    urządzenia* on the phone, sees both (the phone marked as this device, first), signs the
    computer out; the computer is back at the sign-in page, the phone stays signed in."""
    from axe_playwright_python.sync_playwright import Axe

    from iok_saas.cli.demo import reset_demo_data
    from tests.helpers import as_platform

    with as_platform():
        reset_demo_data()
    phone_agent = ("Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like "
                   "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36")
    computer = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(computer, "baltyk", live_server, "B-000001", "Mieszkanie2026")
    phone = chromium.new_context(viewport={"width": 390, "height": 844},
                                 user_agent=phone_agent).new_page()
    sign_in(phone, "baltyk", live_server, "B-000001", "Mieszkanie2026")
    phone.get_by_role("link", name="Zalogowane urządzenia").click()
    rows = phone.locator("table tbody tr")
    assert rows.count() == 2
    assert "to urządzenie" in rows.first.inner_text() and "Android" in rows.first.inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    assert wcag_problems(phone, Axe()) == []
    phone.screenshot(path=str(artifacts / "devices-phone.png"), full_page=True)
    rows.nth(1).get_by_role("button", name="Wyloguj to urządzenie").click()
    assert phone.get_by_text("Urządzenie zostało wylogowane.").is_visible()
    assert phone.locator("table tbody tr").count() == 1
    computer.goto(_url("baltyk", live_server, "/zalogowane-urzadzenia"))
    computer.wait_for_url("**/logowanie**")
    phone.goto(_url("baltyk", live_server, "/"))
    assert phone.get_by_role("button", name="Wyloguj się").is_visible()
    computer.context.close()
    phone.context.close()


def test_a_clerk_sets_up_two_step_verification_where_it_is_required_and_signs_in_with_it(
        ctx, chromium, live_server, artifacts):
    """Bałtyk requiring a second step of staff: the clerk's first sign-in leads to the set-up
    page (QR code, key to type, the first code), then ten recovery codes; the next sign-in, on
    a phone, asks for the app's code after the password. Both pages pass axe."""
    import time

    import pyotp
    from axe_playwright_python.sync_playwright import Axe

    from iok_saas.cli.demo import reset_demo_data
    from iok_saas.tenancy import services as tenant_services
    from tests.helpers import as_platform

    with as_platform():
        reset_demo_data()
        tenant_services.update_tenant("baltyk", ["second_factor.mode=staff"])
    try:
        desk = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(desk, "baltyk", live_server, "baltyk.obsluga", "ObslugaDemo2026")
        desk.wait_for_url("**/weryfikacja-dwuetapowa")
        assert wcag_problems(desk, Axe()) == []
        key = desk.locator("code.secret-key").inner_text().replace(" ", "")
        desk.get_by_label("Kod", exact=True).fill(pyotp.TOTP(key).now())
        desk.get_by_role("button", name="Włącz weryfikację dwuetapową").click()
        assert desk.locator(".recovery-codes li").count() == 10
        desk.screenshot(path=str(artifacts / "second-factor-codes.png"), full_page=True)
        desk.goto(_url("baltyk", live_server, "/panel/"))
        desk.wait_for_url("**/panel/")
        desk.get_by_role("button", name="Wyloguj się").click()
        desk.context.close()

        phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
        sign_in(phone, "baltyk", live_server, "baltyk.obsluga", "ObslugaDemo2026")
        phone.wait_for_url("**/logowanie/kod")
        assert wcag_problems(phone, Axe()) == []
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        phone.screenshot(path=str(artifacts / "second-factor-step.png"), full_page=True)
        # The set-up code's step is used: the next step's code (one step off is accepted, as
        # a phone's clock a little ahead would give) instead of waiting for it.
        phone.get_by_label("Kod", exact=True).fill(pyotp.TOTP(key).at(time.time() + 30))
        phone.get_by_role("button", name="Zaloguj się").last.click()
        phone.wait_for_url("**/panel/")
        phone.context.close()
    finally:
        with as_platform():
            tenant_services.update_tenant("baltyk", ["second_factor.mode=off"])


# --- WCAG 2.2: pasting into a password field, focus never hidden under a sticky bar -------------

def test_a_password_pasted_from_the_clipboard_signs_the_resident_in(ctx, chromium, live_server):
    """WCAG 2.2, 3.3.8: the password comes from the clipboard (Ctrl+V, as from a password
    manager or a note), and signing in with it works."""
    from tests.helpers import tenant_ref

    home = make_household(tenant_ref("baltyk"), units=1)
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL",
                                   permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(_url("baltyk", live_server, "/logowanie"))
    page.get_by_label("Identyfikator użytkownika").fill(home.identifier)
    page.evaluate("text => navigator.clipboard.writeText(text)", home.password)
    page.get_by_label("Hasło").focus()
    page.keyboard.press("Control+V")
    assert page.get_by_label("Hasło").input_value() == home.password
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(_url("baltyk", live_server, "/"))
    assert page.get_by_role("button", name="Wyloguj się").is_visible()
    context.close()


# Whether the focused element is wholly covered by something that stays put on the screen
# (position sticky or fixed, such as a sticky header): WCAG 2.2, 2.4.11.
FOCUS_HIDDEN = """() => {
  const e = document.activeElement, r = e.getBoundingClientRect();
  const bars = [...document.querySelectorAll("body *")].filter(b => !b.contains(e)
      && ["sticky", "fixed"].includes(getComputedStyle(b).position))
    .map(b => b.getBoundingClientRect()).filter(b => b.width && b.height);
  const seen = {top: Math.max(r.top, 0), bottom: Math.min(r.bottom, innerHeight),
                left: Math.max(r.left, 0), right: Math.min(r.right, innerWidth)};
  const middle = document.elementFromPoint((seen.left + seen.right) / 2,
                                           (seen.top + seen.bottom) / 2);
  const onTop = middle && (middle === e || e.contains(middle));  // as the skip link is
  const hidden = !onTop && bars.some(b => b.top <= seen.top && b.bottom >= seen.bottom
                                          && b.left <= seen.left && b.right >= seen.right);
  return hidden ? `${e.tagName.toLowerCase()} ${(e.innerText || e.name || "").trim()}` : "";
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_focused_element_is_never_hidden_under_a_sticky_header(ctx, chromium, live_server,
                                                                    width):
    """WCAG 2.2, 2.4.11: Tab forwards through a long page and Shift+Tab back up (where a browser
    scrolls the focused element to the top edge, under a sticky bar if there is one): the
    focused element is never wholly covered. The accessibility statement, and the resident's
    financial record (a month per line, each opening)."""
    from iok_saas.cli.demo import reset_demo_data
    from tests.helpers import as_platform

    with as_platform():
        reset_demo_data()
    context = chromium.new_context(viewport={"width": width, "height": 700}, locale="pl-PL")
    page = context.new_page()
    hidden = []
    for path, who in (("/deklaracja-dostepnosci", None),
                      ("/lokale/", ("B-000001", "Mieszkanie2026"))):
        if who:
            sign_in(page, "baltyk", live_server, *who)
            page.wait_for_url(_url("baltyk", live_server, "/"))
            path = page.locator("li.card a").first.get_attribute("href")
        page.goto(_url("baltyk", live_server, path))
        stops = page.evaluate("document.querySelectorAll('a[href], button, input, select, "
                              "textarea, summary').length")
        assert stops > 10, path
        for key in ["Tab"] * stops + ["Shift+Tab"] * stops:
            page.keyboard.press(key)
            if covered := page.evaluate(FOCUS_HIDDEN):
                hidden.append(f"{path} at {width} px, {key}: {covered}")
    context.close()
    assert not hidden, "\n".join(hidden)


# --- valid HTML: the W3C Nu HTML checker over every page this module's tests loaded -------------

def test_every_page_the_browser_tests_load_is_valid_html(ctx, chromium, kept_pages, live_server):
    """The HTML the server sent for every page the tests above loaded (one per shape of address,
    status and kind of visitor; kept by the ``live_server`` fixture), checked at once by the W3C
    Nu HTML checker: no error. This test runs last in the module; run on its own, it walks both
    demo cooperatives first, as each kind of person, rather than check next to nothing."""
    from tests.fixtures.html import nu_errors

    if len(kept_pages.pages) < 40:
        from iok_saas.cli.demo import reset_demo_data
        from tests.helpers import as_platform

        with as_platform():
            reset_demo_data()
        for slug, people in ROLES.items():
            for who in people:
                for _ in walk(chromium, slug, live_server, who):
                    pass
    assert len(kept_pages.pages) >= 40, f"only {len(kept_pages.pages)} pages were kept"
    errors = nu_errors(kept_pages)
    assert not errors, (f"{len(errors)} HTML errors in {len(kept_pages.pages)} pages "
                        f"(the pages are in test-artifacts/html/):\n" + "\n".join(errors))


# --- what an outside walk at 320 and 390 px found: a long e-mail address waiting for
# confirmation, the clerk's printed access document, emergency numbers, the photo field of a
# fault report and lists without stray bullets — nothing wider than the screen, nothing a
# thumb cannot hit ---------------------------------------------------------------------------

PHONE_390 = {"width": 390, "height": 844}
LONG_ADDRESS = "anna.maria.kowalska-nowakowska@poczta.przykladowa-domena.example.org"
WIDTH = "document.documentElement.scrollWidth"


def _phone(chromium, viewport=PHONE_320):
    return chromium.new_context(viewport=viewport, locale="pl-PL").new_page()


def test_an_address_waiting_for_confirmation_fits_a_320_px_phone(ctx, chromium, live_server,
                                                                 artifacts):
    from iok_saas.auth.models import User
    from iok_saas.db import db
    from tests.helpers import in_tenant, tenant_ref

    home = make_household(tenant_ref("baltyk"), units=1)
    with in_tenant(tenant_ref("baltyk")):
        db.session.get(User, home.user_id).pending_email = LONG_ADDRESS
    page = _phone(chromium)
    sign_in(page, "baltyk", live_server, home.identifier, home.password)
    page.goto(_url("baltyk", live_server, "/dane-kontaktowe"))
    assert page.get_by_text("Czeka na potwierdzenie").is_visible()
    page.screenshot(path=str(artifacts / "contacts-pending-320.png"), full_page=True)
    assert page.evaluate(WIDTH) <= 320
    page.context.close()


@pytest.mark.parametrize("slug", ["zielone-wzgorza", "baltyk"])
def test_the_clerks_access_document_fits_a_320_px_phone(ctx, chromium, live_server, artifacts,
                                                        slug):
    from iok_saas.auth.models import CLERK
    from tests.helpers import tenant_ref

    tenant = tenant_ref(slug)
    clerk = make_household(tenant, units=0, role=CLERK)
    resident = make_household(tenant, units=1, street="ul. Bardzo Długiej Nazwy Ulicy Osiedlowej")
    page = _phone(chromium)
    sign_in(page, slug, live_server, clerk.identifier, clerk.password)
    page.goto(_url(slug, live_server, f"/panel/konta/{resident.user_id}"))
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("form[action$='/nowe-haslo'] button").click()
    page.wait_for_url("**/nowe-haslo")
    assert page.get_by_role("heading", name="Dokument dostępu").is_visible()
    page.screenshot(path=str(artifacts / f"access-document-320-{slug}.png"), full_page=True)
    assert page.evaluate(WIDTH) <= 320
    page.context.close()


def test_emergency_numbers_and_the_photo_field_on_a_phone(ctx, chromium, live_server,
                                                          artifacts):
    """Each emergency number stands on one line at 320 px; the photo field is one large
    target under its label at 390 px (not the browser's small control); the resident's list
    of reports has no bullets."""
    from tests.factories import make_fault
    from tests.helpers import tenant_ref

    home = make_household(tenant_ref("zielone-wzgorza"), units=1)
    make_fault(tenant_ref("zielone-wzgorza"), home)
    page = _phone(chromium)
    sign_in(page, "zielone-wzgorza", live_server, home.identifier, home.password)
    page.goto(_url("zielone-wzgorza", live_server, "/awarie/nowa"))
    lines = page.eval_on_selector_all(
        "a[href^='tel:']", "links => links.map(a => [a.innerText, a.getClientRects().length])")
    assert len(lines) >= 5 and all(count == 1 for _text, count in lines), lines
    page.set_viewport_size(PHONE_390)
    photos = page.get_by_label("Zdjęcia (nieobowiązkowo)")
    box, form = photos.bounding_box(), page.locator("form.stacked").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 0.9 * form["width"], (box, form)
    page.screenshot(path=str(artifacts / "fault-form-390.png"), full_page=True)
    page.goto(_url("zielone-wzgorza", live_server, "/awarie"))
    styles = page.eval_on_selector_all(
        "main ul", "lists => lists.map(l => getComputedStyle(l).listStyleType)")
    assert styles and "disc" not in styles, styles
    page.context.close()
