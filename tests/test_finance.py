"""The financial record: balances on the home page, a unit's ledger, constant queries."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from werkzeug.http import parse_options_header

from iok_saas.db import db
from iok_saas.estate.models import Unit
from tests.factories import make_household, make_ledger
from tests.helpers import as_platform, in_tenant, queries_for


@pytest.fixture
def resident(baltyk, baltyk_client):
    home = make_household(baltyk, street="ul. Morska", units=2)
    make_ledger(baltyk, home.unit_ids[0], 2)
    make_ledger(baltyk, home.unit_ids[1], 1, unpaid_last=False)
    baltyk_client.login(home.identifier, home.password)
    return home


def test_home_lists_each_unit_with_its_balance_in_plain_words(resident, baltyk_client):
    page = baltyk_client.get("/").get_data(as_text=True)
    assert "Do zapłaty 312,00\xa0zł" in page and "(po terminie od 15.12.2017)" in page
    assert "Rozliczone" in page
    assert page.count('href="/lokale/') == 2


def test_record_shows_the_ledger_with_running_balance_and_the_breakdown(resident,
                                                                       baltyk_client):
    page = baltyk_client.get(f"/lokale/{resident.unit_ids[0]}").get_data(as_text=True)
    assert "61 1090 1014 0000 0712 1981 2874" in page  # NRB in groups
    assert "Naliczenia w bieżącym miesiącu" in page and "112,00\xa0zł" in page
    ledger = page.split('class="ledger stack"', 1)[1]
    months = page.count('<details class="month card"')
    assert months == 12 and page.count('<details class="month card" open>') == 1  # the newest
    # 2017: 12 months × (2 charges + 1 payment) − the unpaid last payment; a header per month
    assert ledger.count("<tr>") - months == 35
    assert "grudzień 2017" in page and "saldo po miesiącu" in page
    older = baltyk_client.get(f"/lokale/{resident.unit_ids[0]}?rok=2016").get_data(as_text=True)
    assert "01.01.2016" in older and "01.12.2017" not in older


def test_unit_without_a_title_is_404_here_and_on_the_other_cooperative(resident, baltyk,
                                                                      baltyk_client, zw, app):
    stranger = make_household(baltyk)
    assert baltyk_client.get(f"/lokale/{stranger.unit_ids[0]}").status_code == 404
    foreign = make_household(zw)
    assert baltyk_client.get(f"/lokale/{foreign.unit_ids[0]}").status_code == 404


def test_a_unit_with_ten_years_uses_as_many_queries_as_one_with_one(baltyk, baltyk_client):
    home = make_household(baltyk, units=2)
    make_ledger(baltyk, home.unit_ids[0], 1)
    make_ledger(baltyk, home.unit_ids[1], 10)
    baltyk_client.login(home.identifier, home.password)
    short = queries_for(baltyk_client, f"/lokale/{home.unit_ids[0]}")
    long = queries_for(baltyk_client, f"/lokale/{home.unit_ids[1]}")
    assert short == long
    assert queries_for(baltyk_client, "/") <= 8
    for statement in ("wyciag.csv", "wyciag.pdf"):
        short = queries_for(baltyk_client, f"/lokale/{home.unit_ids[0]}/{statement}")
        long = queries_for(baltyk_client, f"/lokale/{home.unit_ids[1]}/{statement}")
        assert short == long, statement


def test_finance_switched_off_hides_the_record(resident, baltyk_client, ctx):
    from iok_saas.tenancy import services

    with as_platform():
        services.update_tenant("baltyk", ["features.finance=false"])
    try:
        assert baltyk_client.get(f"/lokale/{resident.unit_ids[0]}").status_code == 404
        assert 'href="/lokale/' not in baltyk_client.get("/").get_data(as_text=True)
    finally:
        with as_platform():
            services.update_tenant("baltyk", ["features.finance=true"])


def test_payment_details_and_the_qr_code_decode_to_standard_2d(resident, baltyk_client):
    import io

    import zxingcpp
    from PIL import Image

    page = baltyk_client.get(f"/lokale/{resident.unit_ids[0]}").get_data(as_text=True)
    assert "Dane do przelewu" in page and "kod-platnosci.svg" in page
    account_id = re.search(r"kod-platnosci\.svg\?konto=(\d+)", page).group(1)
    svg = baltyk_client.get(f"/lokale/{resident.unit_ids[0]}/kod-platnosci.svg?konto={account_id}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    from iok_saas.finance.payments import PaymentDetails

    details = PaymentDetails("SM „Bałtyk”", "61109010140000071219812874",
                             "Lokal ul. Morska 1/1", Decimal("312.00"))
    buffer = io.BytesIO()
    details.qr_code().save(buffer, kind="png", scale=6, border=4)
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(buffer.getvalue())))
    fields = decoded.text.split("|")
    assert fields == ["", "PL", "61109010140000071219812874", "031200", "SM „Bałtyk”",
                      "Lokal ul. Morska 1/1", "", "", ""]


def test_qr_code_of_a_foreign_unit_is_404(resident, baltyk_client, zw):
    foreign = make_household(zw)
    assert baltyk_client.get(f"/lokale/{foreign.unit_ids[0]}/kod-platnosci.svg").status_code == 404


def test_nrb_checksum():
    from iok_saas.finance.payments import nrb_is_valid

    assert nrb_is_valid("61109010140000071219812874")
    assert nrb_is_valid("61 1090 1014 0000 0712 1981 2874")
    assert not nrb_is_valid("61109010140000071219812875")
    assert not nrb_is_valid("6110901014")


def test_statement_csv_opens_in_polish_excel(resident, baltyk_client):
    answer = baltyk_client.get(f"/lokale/{resident.unit_ids[0]}/wyciag.csv?rok=2016")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    text = answer.get_data().decode("utf-8")
    assert text.startswith("\ufeffData;Dokument;Okres;Opis;Naliczenie;Wpłata;Saldo\r\n")
    lines = text.strip("\ufeff").split("\r\n")
    assert lines[1].startswith("01.01.2016;") and lines[1].endswith(";200,00;;200,00")
    assert len([line for line in lines[1:] if line]) == 36
    assert "attachment" in answer.headers["Content-Disposition"]


@pytest.mark.parametrize("statement", ["wyciag.csv", "wyciag.pdf"])
def test_statement_of_a_foreign_unit_is_404(resident, baltyk_client, zw, statement):
    foreign = make_household(zw)
    assert baltyk_client.get(f"/lokale/{foreign.unit_ids[0]}/{statement}").status_code == 404


def _pdf_text(data: bytes) -> str:
    """The PDF's text with every run of white space (NBSP too) as one space."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join("\n".join(page.extract_text() for page in reader.pages).split())


def test_statement_pdf_is_the_years_ledger_on_the_letterhead(resident, baltyk, baltyk_client):
    with in_tenant(baltyk):
        address = db.session.get(Unit, resident.unit_ids[0]).address
    answer = baltyk_client.get(f"/lokale/{resident.unit_ids[0]}/wyciag.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF")
    disposition, options = parse_options_header(answer.headers["Content-Disposition"])
    assert disposition == "attachment" and options["filename"].endswith("-2017.pdf")
    assert answer.headers["Cache-Control"] == "no-store"
    text = _pdf_text(answer.data)
    assert "Spółdzielnia Mieszkaniowa „Bałtyk”" in text
    assert address in text
    assert "61 1090 1014 0000 0712 1981 2874" in text
    assert "NAL/2017/12" in text and "WB/2017/11" in text and "NAL/2016/12" not in text
    assert "3 678,00 zł" in text and "3 366,00 zł" in text  # the year's charges and payments
    assert "01.12.2017 312,00 zł" in text  # the balance after the year's last entry
    older = _pdf_text(baltyk_client.get(
        f"/lokale/{resident.unit_ids[0]}/wyciag.pdf?rok=2016").data)
    assert "NAL/2016/01" in older and "NAL/2017/01" not in older
    assert "10.12.2016 0,00 zł" in older


def test_statement_pdf_needs_a_title_and_an_account(resident, baltyk, baltyk_client):
    stranger = make_household(baltyk)
    make_ledger(baltyk, stranger.unit_ids[0], 1)
    assert baltyk_client.get(f"/lokale/{stranger.unit_ids[0]}/wyciag.pdf").status_code == 404
    mine_without_ledger = make_household(baltyk)
    baltyk_client.login(mine_without_ledger.identifier, mine_without_ledger.password)
    answer = baltyk_client.get(f"/lokale/{mine_without_ledger.unit_ids[0]}/wyciag.pdf")
    assert answer.status_code == 404


def test_chart_of_the_last_24_months_with_a_table_alternative(resident, baltyk_client):
    page = baltyk_client.get(f"/lokale/{resident.unit_ids[0]}").get_data(as_text=True)
    assert '<svg viewBox="0 0 720 240" role="img"' in page
    assert page.count('class="bar-charge"') == 24 and page.count('class="bar-payment"') == 24
    table = page.split("Te same dane w tabeli")[1]
    assert "2017-12" in table and "2016-01" in table and "2015-12" not in table


@pytest.mark.parametrize("query", ["?rok=abc&konto=99999999999", "?rok=1999", "?konto=-1"])
def test_odd_filters_fall_back_to_the_latest_year(resident, baltyk_client, query):
    page = baltyk_client.get(f"/lokale/{resident.unit_ids[0]}{query}")
    assert page.status_code == 200 and "01.12.2017" in page.get_data(as_text=True)
