"""The resident's settlements (issue 35): each unit's current settlements with the result first,
one settlement explained step by step with every figure as the settlement company's file gave
it (sums to the grosz), a correction and the version it replaced, the comparison with the
year before, the ledger line, the PDF (drawn, or the delivered document with its proof), a
question about a settlement (the deadline kept, bad input, a double click), the question's
case page, other people's and other cooperatives' ids, and what the pages cost."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from iok_saas.auth.models import User
from iok_saas.cases import services as cases
from iok_saas.cases.models import CaseAttachment
from iok_saas.db import db
from iok_saas.delivery.models import OPENED, ProofEvent
from iok_saas.estate import services as estate
from iok_saas.estate.models import Unit
from iok_saas.finance.models import Account, LedgerEntry
from iok_saas.settlements import services
from iok_saas.settlements.kind import TEXT_MAX
from iok_saas.settlements.models import (
    CLOSED,
    WAITING,
    Settlement,
    SettlementLine,
    SettlementQuestion,
)
from iok_saas.settlements.pdf import explanation_pdf
from iok_saas.tenancy import tenant_context
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import local_day
from tests.factories import make_household, make_unit_document, pdf_bytes
from tests.helpers import client_for, in_tenant, queries_for
from tests.settlement_data import (
    PASSWORD,
    csv_text,
    heating_rows,
    import_settlements,
    make_settled_estate,
    months,
    water_rows,
)

SUBMISSION = re.compile(r'name="submission" type="hidden" value="([^"]*)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
HOSTS = {"zielone-wzgorza": "zielone-wzgorza.localhost", "baltyk": "baltyk.localhost"}
# 2024 for the comparison: A used less (180 units, 940,00 zł), B more; the building the same.
HEATING_2024 = {
    "A": {"zuzycie": "180", "koszt_zmienny": "540,00", "koszt": "940,00", "wynik": "-260,00"},
    "A2": {"stan_koncowy": "37,5", "zuzycie": "37,5", "jednostki": "30"},
    "B": {"zuzycie": "120", "koszt_zmienny": "360,00", "koszt": "680,00", "wynik": "80,00"},
    "B1": {"stan_koncowy": "130", "zuzycie": "120"},
}
# A correction of 2025: A's advances were 95,00 zł a month, not 100,00.
CORRECTED_A = {"A": {"zaliczki": "1140,00", "zaliczki_miesieczne": months("95,00"),
                     "wynik": "-140,00"}}


def _pl(app, text) -> str:
    """A message as Polish readers see it (whatever the catalogue has for it now)."""
    with app.test_request_context(), force_locale("pl"):
        return str(text)


def _text(page: str) -> str:
    """The page's main part as a person reads it: no tags, single spaces."""
    main = page[page.find("<main"):page.find("</main>")] if "<main" in page else page
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).replace("\xa0", " ").split())


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\xa0", " ").split())


def _card(page: str, line_id: int) -> str:
    """A settlement's card on the list, as read."""
    return _text(page.split(f'id="rozliczenie-{line_id}">')[1].split("</li>")[0])


def _settled(tenant, tmp_path, *files: list[dict], holds: str = "A"):
    """A settled estate whose resident (able to sign in at once) holds the units ``holds``,
    with each of ``files`` imported (each must import cleanly)."""
    e = make_settled_estate(tenant)
    with in_tenant(tenant):
        db.session.get(User, e.user_id).must_change_password = False
        for letter in holds.replace("A", ""):
            estate.grant_title(e.user_id, db.session.get(Unit, e.unit_ids[letter]), "ownership")
    for rows in files:
        report = import_settlements(tenant, tmp_path, rows(e) if callable(rows) else rows)
        assert report.ok, [str(p) for p in report.problems]
    return e


def _client(app, tenant, e):
    client = client_for(app, HOSTS[tenant.slug])
    assert client.login(e.identifier, PASSWORD).status_code == 302
    return client


def _line(tenant, e, letter: str, medium: str = "heating", *, year: int = 2025,
          current: bool = True) -> int:
    """The id of unit ``letter``'s line of the medium for ``year`` (the current version, or
    the first one)."""
    with in_tenant(tenant):
        query = (select(SettlementLine.id).join(
            Settlement, Settlement.id == SettlementLine.settlement_id).where(
            SettlementLine.unit_id == e.unit_ids[letter], Settlement.medium == medium,
            Settlement.period_end == date(year, 12, 31)))
        query = query.where(Settlement.replaced_at.is_(None)) if current else query.order_by(
            Settlement.version)
        return db.session.scalars(query).first()


def _baltyk_import(tenant, tmp_path, rows: list[dict]):
    """Rows in Bałtyk's own column names and row marks."""
    settings = get_tenant_info(tenant.id).settings.settlements
    marks = {"budynek": "B", "lokal": "L", "licznik": "P"}
    text = csv_text([row | {"typ": marks[row["typ"]]} for row in rows], names=settings.columns)
    report = import_settlements(tenant, tmp_path, [], text=text)
    assert report.ok, [str(p) for p in report.problems]


def _form(client, path: str) -> dict:
    page = client.get(path).get_data(as_text=True)
    return {"csrf_token": CSRF.search(page).group(1),
            "submission": SUBMISSION.search(page).group(1)}


def _ask(client, line_id: int, text: str = "Odczyt podzielnika w kuchni się nie zgadza.", **more):
    data = _form(client, f"/rozliczenia/{line_id}/pytanie") | {"text": text} | more
    return client.post(f"/rozliczenia/{line_id}/pytanie", data=data,
                       content_type="multipart/form-data")


def _questions(tenant) -> list[SettlementQuestion]:
    with in_tenant(tenant):
        found = list(db.session.scalars(select(SettlementQuestion).order_by(
            SettlementQuestion.id)))
        for question in found:
            db.session.expunge(question)
    return found


# --- services -------------------------------------------------------------------------------


def test_the_advances_by_month_and_the_changes_are_the_files_figures():
    line = SimpleNamespace(advances_monthly={"2025-02": "50.00", "2025-01": "45.50"})
    assert services.advances_by_month(line) == [(date(2025, 1, 1), Decimal("45.50")),
                                                (date(2025, 2, 1), Decimal("50.00"))]
    assert services.advances_by_month(SimpleNamespace(advances_monthly={})) == []
    assert services.percent_change(Decimal("940"), Decimal("1000")) == 6
    assert services.percent_change(Decimal("-200"), Decimal("-100")) == 50
    assert services.percent_change(Decimal("0"), Decimal("10")) is None
    assert services.percent_change(None, Decimal("10")) is None
    building = SimpleNamespace(quantity=Decimal("420.5"), area=Decimal("150.00"))
    assert services.quantity_per_m2(building) == Decimal("2.803")
    assert services.quantity_per_m2(SimpleNamespace(quantity=None, area=1)) is None
    assert local_day(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == "01.04.2026"


def test_the_questions_of_a_person_are_theirs_only(app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    other = make_household(zw)
    line_id = _line(zw, e, "A")
    with in_tenant(zw):
        rules = get_tenant_info(zw.id).settings.settlements
        line = services.line_of(e.user_id, line_id)
        person = db.session.get(User, e.user_id)
        asked = services.ask(line, person, "Dlaczego tyle?", [], cases.new_submission(), rules)
        assert services.questions_of(e.user_id) == [asked]
        assert services.questions_of(other.user_id) == []
        assert services.line_of(other.user_id, line_id) is None
        assert services.unit_of(line).building.id == e.building_id


def test_the_questions_are_in_the_download_of_the_persons_data(app, zw, tmp_path):
    from iok_saas.settlements import personal

    e = _settled(zw, tmp_path, heating_rows)
    client = _client(app, zw, e)
    _ask(client, _line(zw, e, "A"), attachments=[(io.BytesIO(pdf_bytes("s")), "skan.pdf")])
    [question] = _questions(zw)
    with in_tenant(zw):
        rows = personal.question_rows(e.user_id)
        files = personal.question_files(e.user_id)
        assert personal.question_rows(make_household(zw).user_id) == []
    assert [(r["numer"], r["wpis"], r["tresc"]) for r in rows] == [
        (question.registry_number, "question", "Odczyt podzielnika w kuchni się nie zgadza.")]
    assert rows[0]["termin_pytan"] == question.deadline_on
    assert [name.endswith("-skan.pdf") for name, _ in files] == [True]


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_each_units_settlements_result_first(app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows, water_rows, holds="ABC")
    elsewhere = make_household(zw, units=1, street="ul. Bez Rozliczeń")
    with in_tenant(zw):
        estate.grant_title(e.user_id, db.session.get(Unit, elsewhere.unit_ids[0]), "ownership")
    page = _client(app, zw, e).get("/rozliczenia").get_data(as_text=True)
    text = _text(page)
    a_heating, b_heating, c_heating = (_line(zw, e, x) for x in "ABC")
    a_water = _line(zw, e, "A", "cold_water")
    card = _card(page, b_heating)
    assert card.startswith("Do dopłaty 20,00 zł do 31.03.2027")  # the result first
    assert "Centralne ogrzewanie, 2025" in card
    card = _card(page, a_heating)
    assert card.startswith("Nadpłata 200,00 zł — zaliczona na poczet opłat")
    card = _card(page, c_heating)
    assert card.startswith("Rozliczenie bez dopłaty i bez nadpłaty")
    card = _card(page, a_water)
    assert card.startswith("Do dopłaty 50,00 zł do 31.03.2027") and "Zimna woda, 2025" in card
    for line_id in (a_heating, b_heating, c_heating, a_water):
        assert f'href="/rozliczenia/{line_id}"' in page
    assert "ul. Bez Rozliczeń" in text
    assert "Dla tego lokalu nie ma jeszcze w portalu rozliczeń wody ani ciepła." in text
    assert "Korekta" not in text


def test_an_overpayment_paid_out_says_so(app, zw, tmp_path):
    e = _settled(zw, tmp_path, lambda e: heating_rows(e, A={"nadplata": "wypłata"}))
    client = _client(app, zw, e)
    assert "Nadpłata 200,00 zł — do wypłaty" in _text(client.get("/rozliczenia").get_data(
        as_text=True))
    page = _text(client.get(f"/rozliczenia/{_line(zw, e, 'A')}").get_data(as_text=True))
    assert "Nadpłata zostanie Państwu wypłacona." in page


def test_a_person_without_units_or_settlements_is_told_plainly(app, zw):
    nobody = make_household(zw, units=0)
    client = client_for(app, HOSTS["zielone-wzgorza"])
    client.login(nobody.identifier, nobody.password)
    text = _text(client.get("/rozliczenia").get_data(as_text=True))
    assert "Do konta nie przypisano jeszcze żadnego lokalu" in text


def test_the_menu_has_settlements_after_consumption(app, zw, tmp_path):
    e = _settled(zw, tmp_path)
    page = _client(app, zw, e).get("/rozliczenia").get_data(as_text=True)
    menu = re.findall(r'<li><a href="(/[^"]*)"', page.split('class="main-nav"')[1].split(
        "</nav>")[0])
    assert menu.index("/rozliczenia") == menu.index("/zuzycie") + 1
    assert '<a href="/rozliczenia" aria-current="page">Rozliczenia</a>' in page


# --- the explanation ------------------------------------------------------------------------


def test_the_heating_explanation_goes_from_the_building_to_the_result(app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    line_id = _line(zw, e, "A")
    page = _client(app, zw, e).get(f"/rozliczenia/{line_id}").get_data(as_text=True)
    text = _text(page)
    assert text.index("Nadpłata 200,00 zł — zaliczona na poczet opłat") < text.index(
        "1. Koszt budynku")  # the result first
    for said in ("Ciepło pobrane przez budynek 420,5 GJ", "Koszt budynku razem 3 000,00 zł",
                 "Rozliczenia Ciepła sp. z o.o.",
                 "w tym część stała 1 200,00 zł — dzielona według powierzchni lokali (razem "
                 "150,00 m²): 8,0000 zł za 1 m²",
                 "w tym część zmienna 1 800,00 zł — dzielona według jednostek z podzielników "
                 "kosztów ogrzewania (razem 600 jedn. po współczynnikach): 3,0000 zł za jednostkę",
                 "Średni koszt na 1 m² powierzchni lokali (średnia dla budynku) 20,00 zł",
                 "Państwa lokal 50,00 m² × 8,0000 zł/m² = 400,00 zł",
                 "200 jedn. × 3,0000 zł za jednostkę = 600,00 zł",
                 "400,00 zł + 600,00 zł = 1 000,00 zł",
                 "Koszt lokalu 1 000,00 zł − zaliczki 1 200,00 zł = -200,00 zł.",
                 "Jednostki Państwa lokalu po uwzględnieniu współczynników: 200.",
                 "Pytania i reklamacje do tego rozliczenia można składać do"):
        assert said in text, said
    # the unit's allocators: readings, coefficient, units; each linked to its history
    with in_tenant(zw):
        readings = db.session.get(SettlementLine, line_id).readings
    assert [r["serial"] for r in readings] == [f"H-{e.serial}-A1", f"H-{e.serial}-A2"]
    for reading in readings:
        assert reading["meter_id"] and f'href="/liczniki/{reading["meter_id"]}"' in page
    meters = _text(page.split('class="settlement-meters')[1].split("</table>")[0])
    assert f"Nr H-{e.serial}-A2 (kuchnia) 0 62,5 62,5 0,8 50" in meters
    assert f'href="/rozliczenia/{line_id}/pytanie"' in page
    assert f'href="/rozliczenia/{line_id}.pdf"' in page
    assert "wyrównanie zaokrągleń" not in text  # the company's figures are the products here


def test_the_water_explanation_shows_the_main_meter_and_the_difference(app, zw, tmp_path):
    e = _settled(zw, tmp_path, water_rows)
    text = _text(_client(app, zw, e).get(f"/rozliczenia/{_line(zw, e, 'A', 'cold_water')}")
                 .get_data(as_text=True))
    for said in ("Do dopłaty 50,00 zł do 31.03.2027",
                 "Woda według wodomierza głównego budynku 130 m³",
                 "w tym różnica wodomierzy 150,00 zł — wodomierz główny budynku 130 m³ − "
                 "wodomierze w lokalach 120 m³ = 10 m³",
                 "40 m³ × 15,0000 zł/m³ = 600,00 zł",
                 "Część różnicy przypadająca na Państwa lokal: 50,00 zł",
                 "600,00 zł + 50,00 zł = 650,00 zł", "Zużycie Państwa lokalu: 40 m³.",
                 f"Nr W-{e.serial}-A 100 140 40 m³", "Zaliczki razem: 600,00 zł."):
        assert said in text, said
    assert "Współczynnik" not in text  # water meters have none: no such columns


def test_the_sums_shown_agree_to_the_grosz_with_the_file(app, zw, tmp_path):
    """Uneven advances and a fixed part the company rounded: the page shows the file's figures
    and what it adds up comes out at the file's totals."""
    uneven = "|".join(f"2025-{m:02d}={a}" for m, a in enumerate(
        ["100,01", "99,99", "100,00", "100,00", "100,00", "100,00", "100,00", "100,00",
         "100,00", "100,00", "100,00", "100,00"], 1))
    e = _settled(zw, tmp_path, lambda e: heating_rows(
        e, A={"koszt_staly": "400,01", "koszt": "1000,01", "wynik": "-199,99",
              "zaliczki_miesieczne": uneven},
        B={"koszt_staly": "319,99", "koszt": "619,99", "wynik": "19,99"}))
    page = _client(app, zw, e).get(f"/rozliczenia/{_line(zw, e, 'A')}").get_data(as_text=True)
    advances = page.split('class="settlement-advances')[1].split("</table>")[0]
    shown = [Decimal(a.replace("\xa0", "").replace(" ", "").replace(",", "."))
             for a in re.findall(r'<td class="num">([-\d\xa0 ]+,\d\d)\xa0zł</td>', advances)]
    assert len(shown) == 13  # twelve months and the total
    assert sum(shown[:-1]) == shown[-1] == Decimal("1200.00")
    assert "100,01 zł" in _text(advances) and "99,99 zł" in _text(advances)
    text = _text(page)
    assert ("Państwa lokal 50,00 m² × 8,0000 zł/m² = 400,00 zł; naliczono 400,01 zł, w tym "
            "wyrównanie zaokrągleń 0,01 zł") in text
    assert "400,01 zł + 600,00 zł = 1 000,01 zł" in text
    assert "Koszt lokalu 1 000,01 zł − zaliczki 1 200,00 zł = -199,99 zł." in text
    assert "Nadpłata 199,99 zł" in text


def test_the_comparison_with_the_year_before(app, zw, tmp_path):
    e = _settled(zw, tmp_path, lambda e: heating_rows(e, 2024, **HEATING_2024), heating_rows)
    page = _client(app, zw, e).get(f"/rozliczenia/{_line(zw, e, 'A')}").get_data(as_text=True)
    compare = _text(page.split('class="settlement-compare')[1].split("</table>")[0])
    assert "Koszt Państwa lokalu 940,00 zł 1 000,00 zł +6%" in compare
    assert "Zużycie (jedn.) 180 200 +11%" in compare
    assert "Nadpłata 260,00 zł — zaliczona na poczet opłat Nadpłata 200,00 zł" in compare
    assert ">2024</th>" in page and ">2025</th>" in page


def test_the_ledger_line_is_linked_when_it_arrives(app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    client = _client(app, zw, e)
    line_id = _line(zw, e, "A")
    text = _text(client.get(f"/rozliczenia/{line_id}").get_data(as_text=True))
    assert (f"Spółdzielnia zaksięguje wynik w kartotece finansowej lokalu jako dokument "
            f"RZ/CO/2025/A{e.serial}") in text
    with in_tenant(zw):
        account = Account(external_id=f"F-{e.serial}", unit_id=e.unit_ids["A"], name="Czynsz")
        db.session.add(account)
        db.session.flush()
        db.session.add(LedgerEntry(
            external_id=f"RZ-{e.serial}", account_id=account.id, booked_on=date(2026, 3, 16),
            document_no=f"RZ/CO/2025/A{e.serial}", component="rozliczenie c.o.",
            charge=Decimal("0"), payment=Decimal("200.00")))
        account_id = account.id
    page = client.get(f"/rozliczenia/{line_id}").get_data(as_text=True)
    assert ("Wynik zaksięgowano w kartotece finansowej lokalu 16.03.2026 "
            f"(dokument RZ/CO/2025/A{e.serial})") in _text(page)
    assert (f'href="/lokale/{e.unit_ids["A"]}?konto={account_id}&amp;rok=2026"') in page


def test_a_correction_replaces_the_line_visibly_and_the_old_one_stays_readable(
        app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows, lambda e: heating_rows(e, **CORRECTED_A),
                 holds="AB")
    old, new = _line(zw, e, "A", current=False), _line(zw, e, "A")
    assert old != new
    today = local_day(datetime.now(UTC))
    client = _client(app, zw, e)
    listed = client.get("/rozliczenia").get_data(as_text=True)
    assert f'href="/rozliczenia/{new}"' in listed and f'href="/rozliczenia/{old}"' not in listed
    card = _card(listed, new)
    assert card.startswith("Nadpłata 140,00 zł") and f"Korekta z {today}" in card
    current = client.get(f"/rozliczenia/{new}").get_data(as_text=True)
    assert f"Korekta z {today} — poprzednia wersja" in _text(current)
    assert f'<a href="/rozliczenia/{old}">poprzednia wersja</a>' in current
    assert "Korekta: Rozliczenie kosztów centralnego ogrzewania za 2025" in _text(current)
    replaced = client.get(f"/rozliczenia/{old}").get_data(as_text=True)
    assert f"Ta wersja została zastąpiona korektą z {today}." in _text(replaced)
    assert f'<a href="/rozliczenia/{new}">Aktualna wersja</a>' in replaced
    assert "Nadpłata 200,00 zł" in _text(replaced)  # the old figures, readable
    assert f"/rozliczenia/{old}/pytanie" not in replaced  # questions go to the current one
    asked = client.get(f"/rozliczenia/{old}/pytanie")
    assert asked.status_code == 303 and asked.location.endswith(f"/rozliczenia/{old}")
    assert "prosimy zadać pytanie do aktualnej wersji" in _text(
        client.get(asked.location).get_data(as_text=True))
    # B was not corrected: its line in the new version names no earlier one
    b_page = _text(client.get(f"/rozliczenia/{_line(zw, e, 'B')}").get_data(as_text=True))
    assert "Korekta" not in b_page and "zastąpiona" not in b_page


# --- the PDF --------------------------------------------------------------------------------


def test_the_pdf_is_the_whole_explanation_with_what_the_law_asks(app, zw, tmp_path):
    e = _settled(zw, tmp_path, lambda e: heating_rows(e, 2024, **HEATING_2024), heating_rows)
    answer = _client(app, zw, e).get(f"/rozliczenia/{_line(zw, e, 'A')}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "rozliczenie-2025-" in answer.headers["Content-Disposition"]
    text = _pdf_text(answer.data)
    for said in ("Rozliczenie kosztów centralnego ogrzewania za 2025",
                 "Nadpłata 200,00 zł — zaliczona na poczet opłat",
                 "Ciepło pobrane przez budynek 420,5 GJ", "Koszt budynku razem 3 000,00 zł",
                 "1 200,00 zł", "1 800,00 zł", "8,0000 zł za 1 m²", "3,0000 zł za jednostkę",
                 "Średni koszt na 1 m²", "20,00 zł", "Powierzchnia lokalu 50,00 m²",
                 "0,8", "62,5", "Państwa lokal 50,00 m² × 8,0000 zł/m² = 400,00 zł",
                 "Zaliczki razem 1 200,00 zł", "= -200,00 zł",
                 "6. Porównanie z poprzednim rozliczeniem", "940,00 zł", "+6%",
                 "Pytania i reklamacje do tego rozliczenia można składać do",
                 "iok@zielone-wzgorza.pl", "61 000 00 00", "art. 45c ust. 1",
                 "Dz.U. z 2021 r. poz. 2273"):
        assert said in text, said
    assert "Zadaj pytanie o to rozliczenie" in text  # the procedure, named as in the portal


def test_the_pdf_is_made_in_a_job_without_a_request(app, zw, tmp_path):
    e = _settled(zw, tmp_path, water_rows)
    line_id = _line(zw, e, "A", "cold_water")
    with app.app_context(), tenant_context(zw.id):
        line = db.session.get(SettlementLine, line_id)
        info = get_tenant_info(zw.id)
        data = explanation_pdf(line, info.settings.settlements, info)
        db.session.remove()
    text = _pdf_text(data)
    assert data.startswith(b"%PDF") and "Do dopłaty 50,00 zł do 31.03.2027" in text
    assert "wodomierz główny budynku 130 m³" in text


def test_a_delivered_settlement_opens_as_the_delivered_document_with_its_proof(
        app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    line_id = _line(zw, e, "A")
    document_id = make_unit_document(
        zw, SimpleNamespace(user_id=e.user_id, unit_ids=(e.unit_ids["A"],), street=e.building),
        title="Rozliczenie c.o. za 2025", opened=False)
    with in_tenant(zw):
        db.session.get(SettlementLine, line_id).document_id = document_id
    client = _client(app, zw, e)
    answer = client.get(f"/rozliczenia/{line_id}.pdf")
    assert answer.status_code == 302
    assert answer.location.endswith(f"/moje-dokumenty/{document_id}.pdf")
    opened = client.get(answer.location)
    assert opened.status_code == 200 and opened.data.startswith(b"%PDF")
    with in_tenant(zw):
        proof = db.session.scalars(select(ProofEvent.user_id).where(
            ProofEvent.document_id == document_id, ProofEvent.kind == OPENED)).all()
    assert proof == [e.user_id]


# --- a question -----------------------------------------------------------------------------


def test_a_question_in_one_click_becomes_a_case_with_the_deadline_kept(app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    line_id = _line(zw, e, "A")
    client = _client(app, zw, e)
    form = client.get(f"/rozliczenia/{line_id}/pytanie").get_data(as_text=True)
    assert "Nadpłata 200,00 zł" in _text(form) and 'name="text"' in form
    answer = _ask(client, line_id, attachments=[(io.BytesIO(pdf_bytes("skan")), "skan.pdf")])
    [question] = _questions(zw)
    assert answer.status_code == 303
    assert answer.location.endswith(f"/rozliczenia/pytania/{question.id}")
    year = datetime.now(UTC).year
    assert question.registry_number == f"RR/{year}/00001"
    assert question.settlement_line_id == line_id and question.unit_id == e.unit_ids["A"]
    with in_tenant(zw):
        line = db.session.get(SettlementLine, line_id)
        assert question.deadline_on == services.deadline_of(
            line, get_tenant_info(zw.id).settings.settlements)
    page = client.get(answer.location).get_data(as_text=True)
    text = _text(page)
    assert f"Pytanie zostało zarejestrowane pod numerem RR/{year}/00001." in text
    assert f"Pytanie RR/{year}/00001" in text
    assert f"{question.deadline_on:%d.%m.%Y} — złożone w terminie" in text
    assert "Odczyt podzielnika w kuchni się nie zgadza." in text
    assert "skan.pdf" in text
    attachment = re.search(rf'href="(/rozliczenia/pytania/{question.id}/zalaczniki/\d+)"', page)
    assert client.get(attachment.group(1)).data.startswith(b"%PDF")
    assert f'href="/rozliczenia/{line_id}"' in page
    # the explanation and the list name it
    assert f"Państwa pytanie RR/{year}/00001" in _text(
        client.get(f"/rozliczenia/{line_id}").get_data(as_text=True))
    listed = _text(client.get("/rozliczenia").get_data(as_text=True))
    assert f"RR/{year}/00001 · Rozliczenie kosztów centralnego ogrzewania za 2025" in listed


def test_after_the_deadline_a_question_is_taken_and_the_page_says_so(app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    line_id = _line(zw, e, "A")
    with in_tenant(zw):
        line = db.session.get(SettlementLine, line_id)
        line.delivered_at = datetime.now(UTC) - timedelta(days=40)
        deadline = services.deadline_of(line, get_tenant_info(zw.id).settings.settlements)
    client = _client(app, zw, e)
    explained = _text(client.get(f"/rozliczenia/{line_id}").get_data(as_text=True))
    assert (f"Termin na pytania i reklamacje do tego rozliczenia minął {deadline:%d.%m.%Y}. "
            "Pytanie można nadal zadać — o jego rozpatrzeniu zdecyduje spółdzielnia.") in explained
    assert "minął" in _text(client.get(f"/rozliczenia/{line_id}/pytanie").get_data(as_text=True))
    answer = _ask(client, line_id)
    [question] = _questions(zw)
    assert answer.status_code == 303 and not question.in_time
    text = _text(client.get(answer.location).get_data(as_text=True))
    assert f"{deadline:%d.%m.%Y} — złożone po terminie" in text
    assert "o jego rozpatrzeniu zdecyduje spółdzielnia" in text


@pytest.mark.parametrize(("case", "fields", "files"), [
    ("empty", {"text": "   "}, []),
    ("too long", {"text": "x" * (TEXT_MAX + 1)}, []),
    ("not a document", {}, [("MZ\x90\x00 program".encode(), "rachunek.pdf")]),
    ("too many", {}, [(pdf_bytes(f"{n}"), f"skan{n}.pdf") for n in range(6)]),
    ("a control character", {"text": "Proszę\x07 o wyjaśnienie"}, []),
])
def test_a_bad_question_is_refused_with_a_clear_message_and_nothing_saved(
        app, zw, tmp_path, case, fields, files):
    e = _settled(zw, tmp_path, heating_rows)
    line_id = _line(zw, e, "A")
    client = _client(app, zw, e)
    data = {"text": "Proszę o wyjaśnienie."} | fields
    answer = _ask(client, line_id, **data, attachments=[(io.BytesIO(b), n) for b, n in files])
    assert answer.status_code == 200
    text = _text(answer.get_data(as_text=True))
    expected = {
        "empty": _pl(app, _l("Write what in the settlement you question or ask about.")),
        "too long": _pl(app, _l("The text is too long: at most %(max)d characters.",
                                max=TEXT_MAX)),
        "not a document": "",
        "too many": _pl(app, _l("At most %(count)d attachments at a time.", count=5)),
        "a control character": _pl(app, _l("Contains characters that are not allowed.")),
    }[case]
    assert 'class="error"' in answer.get_data(as_text=True) and expected in text
    assert _questions(zw) == []
    with in_tenant(zw):
        assert db.session.scalar(select(func.count()).select_from(CaseAttachment)) == 0


def test_a_double_click_makes_one_question(app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    line_id = _line(zw, e, "A")
    client = _client(app, zw, e)
    data = _form(client, f"/rozliczenia/{line_id}/pytanie") | {"text": "Proszę o wyjaśnienie."}
    first = client.post(f"/rozliczenia/{line_id}/pytanie", data=data)
    second = client.post(f"/rozliczenia/{line_id}/pytanie", data=data)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert len(_questions(zw)) == 1


def test_the_resident_adds_to_an_open_question_and_reads_the_offices_answer(app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    line_id = _line(zw, e, "A")
    client = _client(app, zw, e)
    location = _ask(client, line_id).location
    [question] = _questions(zw)
    clerk = make_household(zw, units=0, role="clerk")
    with in_tenant(zw):
        case = db.session.get(SettlementQuestion, question.id)
        cases.act(case, db.session.get(User, clerk.user_id), cases.Action(
            reply="Odczyt jest zgodny z protokołem firmy.", note="Sprawdzić protokół",
            status=WAITING), get_tenant_info(zw.id).settings.settlements)
    page = client.get(location).get_data(as_text=True)
    assert "Odczyt jest zgodny z protokołem firmy." in page
    assert "Sprawdzić protokół" not in page  # the office's internal note
    token = CSRF.search(page).group(1)
    answer = client.post(location, data={"csrf_token": token, "text": "Dziękuję, rozumiem.",
                                         "attachments": [(io.BytesIO(pdf_bytes("p")), "p.pdf")]},
                         content_type="multipart/form-data")
    assert answer.status_code == 303
    page = client.get(location).get_data(as_text=True)
    assert "Dziękuję, rozumiem." in page and "p.pdf" in page
    empty = client.post(location, data={"csrf_token": token, "text": " "})
    assert empty.status_code == 200
    assert _pl(app, _l("Write your question or attach a file.")) in _text(
        empty.get_data(as_text=True))
    with in_tenant(zw):
        case = db.session.get(SettlementQuestion, question.id)
        cases.close(case, db.session.get(User, clerk.user_id), "Wyjaśnione.")
    closed = _text(client.get(location).get_data(as_text=True))
    assert "Ta sprawa jest zamknięta" in closed and "Powód: Wyjaśnione." in closed
    refused = client.post(location, data={"csrf_token": token, "text": "Jeszcze jedno."})
    assert refused.status_code == 200
    with in_tenant(zw):
        assert db.session.get(SettlementQuestion, question.id).status == CLOSED


# --- other people, other cooperatives -------------------------------------------------------


def test_another_residents_or_cooperatives_line_or_question_is_not_found(
        app, zw, baltyk, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    line_id = _line(zw, e, "A")
    b_line = _line(zw, e, "B")  # a neighbour's unit in the same building
    owner = _client(app, zw, e)
    location = _ask(owner, line_id, attachments=[(io.BytesIO(pdf_bytes("z")), "z.pdf")]).location
    attachment = re.search(r'href="(/rozliczenia/pytania/\d+/zalaczniki/\d+)"',
                           owner.get(location).get_data(as_text=True)).group(1)
    neighbour = make_household(zw, units=1)
    other = client_for(app, HOSTS["zielone-wzgorza"])
    other.login(neighbour.identifier, neighbour.password)
    theirs = make_settled_estate(baltyk)
    with in_tenant(baltyk):
        db.session.get(User, theirs.user_id).must_change_password = False
    _baltyk_import(baltyk, tmp_path, heating_rows(theirs))
    there = _client(app, baltyk, theirs)
    assert there.get(f"/rozliczenia/{_line(baltyk, theirs, 'A')}").status_code == 200
    for client in (other, there):
        for path in (f"/rozliczenia/{line_id}", f"/rozliczenia/{line_id}.pdf",
                     f"/rozliczenia/{line_id}/pytanie", location, attachment):
            assert client.get(path).status_code == 404, path
        assert client.post(f"/rozliczenia/{line_id}/pytanie", data={"text": "x"}).status_code \
            in (400, 404)
    assert owner.get(f"/rozliczenia/{b_line}").status_code == 404
    assert owner.get(f"/rozliczenia/{_line(baltyk, theirs, 'A')}").status_code == 404
    for huge in ("/rozliczenia/99999999999", "/rozliczenia/0"):
        assert owner.get(huge).status_code == 404
    assert f"Rozliczeniowa {e.serial}" not in there.get("/rozliczenia").get_data(as_text=True)


def test_a_former_holder_no_longer_sees_the_units_settlements(app, zw, tmp_path):
    e = _settled(zw, tmp_path, heating_rows)
    line_id = _line(zw, e, "A")
    client = _client(app, zw, e)
    assert client.get(f"/rozliczenia/{line_id}").status_code == 200
    with in_tenant(zw):
        [title] = estate.titles_of(e.user_id)
        estate.revoke_title(e.user_id, title.id)
    assert client.get(f"/rozliczenia/{line_id}").status_code == 404
    assert f"/rozliczenia/{line_id}" not in client.get("/rozliczenia").get_data(as_text=True)


def test_the_pages_are_off_with_the_feature(app, zw, tmp_path, monkeypatch):
    e = _settled(zw, tmp_path, heating_rows)
    client = _client(app, zw, e)
    from iok_saas.tenancy.info import TenantInfo

    real = TenantInfo.has_feature
    monkeypatch.setattr(TenantInfo, "has_feature",
                        lambda self, name: name != "settlements" and real(self, name))
    assert client.get("/rozliczenia").status_code == 404
    assert 'href="/rozliczenia"' not in client.get("/").get_data(as_text=True)


# --- what the pages cost --------------------------------------------------------------------


def test_the_list_and_the_explanation_cost_the_same_whatever_the_data(app, zw, tmp_path):
    small = _settled(zw, tmp_path, water_rows)
    big = _settled(zw, tmp_path, lambda e: heating_rows(e, 2024, **HEATING_2024),
                   heating_rows, lambda e: heating_rows(e, **CORRECTED_A), water_rows,
                   holds="ABC")
    small_client, big_client = _client(app, zw, small), _client(app, zw, big)
    for letter in "AB":
        _ask(big_client, _line(zw, big, letter))
    list_small = queries_for(small_client, "/rozliczenia")
    list_big = queries_for(big_client, "/rozliczenia")
    assert list_small == list_big <= 5
    plain = queries_for(small_client, f"/rozliczenia/{_line(zw, small, 'A', 'cold_water')}")
    full = queries_for(big_client, f"/rozliczenia/{_line(zw, big, 'A')}")  # corrected, asked
    replaced = queries_for(big_client, f"/rozliczenia/{_line(zw, big, 'A', current=False)}")
    assert plain <= full <= 8 and replaced <= 8
