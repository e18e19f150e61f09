"""The residents' consumption page ("Zużycie") and remote meters on the meters pages (issue 33):
each remote meter's last 12 complete months beside the year before and the building's median
(over at least five units), estimated months marked; a remote meter takes no typed reading."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from iok_saas.db import db
from iok_saas.meters.models import (
    REMOTE,
    BuildingMonth,
    ConsumptionStatement,
    MeterMonth,
    Reading,
    RemoteReading,
)
from tests.factories import make_household, make_meter
from tests.helpers import in_tenant, queries_for, run_cli

ESTIMATED = "szacunkowo — wyliczone z odczytów najbliższych końcowi miesiąca"
NO_REMOTE = "W tym lokalu nie ma liczników odczytywanych zdalnie."
NO_MONTH = "Dla tego licznika nie ma jeszcze pełnego miesiąca odczytów zdalnych."


def _remote(tenant, unit_id: int, *, kind: str = "cold_water", measure: str = "m³",
            **fields) -> int:
    return make_meter(tenant, unit_id, kind=kind, readings=(), measure=measure,
                      reading_mode=REMOTE, installed_on=date(2024, 1, 1), **fields)


def _month(first: date, back: int) -> date:
    """The month ``back`` months before ``first``'s."""
    index = first.year * 12 + first.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _figures(tenant, meter_id: int, figures: dict[date, str], estimated: tuple[date, ...] = ()
             ) -> None:
    """``meter_month`` rows of the meter: month → consumption."""
    with in_tenant(tenant):
        db.session.execute(insert(MeterMonth), [
            {"meter_id": meter_id, "month": month, "start_value": Decimal(100),
             "end_value": Decimal(100) + Decimal(used), "consumption": Decimal(used),
             "estimated": month in estimated, "readings": 30}
            for month, used in figures.items()])


def _median(tenant, building_id: int, month: date, median: str, units: int = 6,
            kind: str = "cold_water", measure: str = "m³") -> None:
    with in_tenant(tenant):
        db.session.add(BuildingMonth(building_id=building_id, kind=kind, measure=measure,
                                     month=month, units=units, median=Decimal(median)))


def _signed_in(client, household):
    assert client.login(household.identifier, household.password).status_code == 302
    return client


def _rows(page: str) -> dict[str, list[str]]:
    """The tables' rows: month → its cells as a screen reader reads them (what is hidden from
    it left out, what is there only for it kept)."""
    found = {}
    for month, cells in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', page, re.S):
        cells = re.sub(r'<span[^>]*aria-hidden="true"[^>]*>[^<]*</span>', "", cells)
        found[month] = [re.sub(r"<[^>]+>", "", cell).strip()
                        for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    return found


# --- what the page shows -----------------------------------------------------------------------


def test_twelve_months_beside_last_year_and_the_median_with_the_estimated_month_marked(
        zw, zw_client):
    home = make_household(zw, units=1, street="ul. Wodna")
    meter = _remote(zw, home.unit_ids[0], serial_number="CW-7001", place="kuchnia")
    newest = date(2026, 11, 1)
    # 24 months: November 2024 to November 2026, one litre more each month
    _figures(zw, meter, {_month(newest, back): f"{3 - back / 10:.1f}" for back in range(25)},
             estimated=(date(2026, 10, 1),))
    _median(zw, home.building_id, newest, "2.5", units=6)
    _median(zw, home.building_id, date(2026, 10, 1), "2.75", units=6)
    page = _signed_in(zw_client, home).get("/zuzycie").get_data(as_text=True)
    assert "<h1>Zużycie</h1>" in page and "ul. Wodna" in page
    assert "Zimna woda — Nr CW-7001 (kuchnia)" in page
    rows = _rows(page)
    months = list(rows)
    assert len(months) == 12  # the last 12 complete months, newest first
    assert (months[0], months[-1]) == ("listopad 2026", "grudzień 2025")
    assert rows["listopad 2026"] == ["3", "1,8", "2,5"]  # this month, a year before, median
    assert rows["październik 2026"] == ["2,9 (szacunkowo)", "1,7", "2,75"]
    assert '2,9<span class="estimated" aria-hidden="true">*</span>' in page  # seen
    assert rows["wrzesień 2026"] == ["2,8", "1,6", "brak danych"]
    assert ESTIMATED in page
    assert "<caption>Zużycie w kolejnych miesiącach (m³), od najnowszego</caption>" in page
    assert re.search(r"<thead><tr><th[^>]*>Miesiąc</th><th[^>]*>Zużycie</th><th[^>]*>Rok "
                     r"wcześniej</th><th[^>]*>Mediana w budynku</th></tr></thead>", page)
    assert "spośród 6 lokali Państwa budynku" in page
    assert "Zużycia żadnego z sąsiadów nie pokazujemy." in page
    # the chart: this year, last year and the median, with its legend and its own title
    chart = page[page.index('<figure class="chart">'):page.index("</figure>")]
    assert chart.count('class="bar-used"') == chart.count('class="bar-last_year"') == 12
    assert chart.count('class="bar-median"') == 12
    assert f'aria-labelledby="licznik-{meter}-wykres"' in chart
    assert "key-used" in chart and "key-last_year" in chart and "key-median" in chart
    assert "Mediana w budynku" in chart
    # the months end with the newest figure: nothing is said about December yet
    assert "grudzień 2026" not in page


def test_the_median_shows_only_over_at_least_five_units(zw, zw_client):
    """The building's median (``compute_medians``) exists only where five units have such a
    device: with four, no column, no bars, no sentence; with five, all three."""
    from iok_saas.meters.consumption import compute_medians

    home = make_household(zw, units=5)
    month = date(2026, 11, 1)
    meters = [_remote(zw, unit_id) for unit_id in home.unit_ids]
    for used, meter in zip(("1", "2", "3", "4"), meters, strict=False):
        _figures(zw, meter, {month: used})
    with in_tenant(zw):
        compute_medians([month])
    client = _signed_in(zw_client, home)
    page = client.get(f"/zuzycie?lokal={home.unit_ids[0]}").get_data(as_text=True)
    assert _rows(page)["listopad 2026"] == ["1", "brak danych"]
    assert "Mediana w budynku" not in page and "bar-median" not in page
    _figures(zw, meters[4], {month: "5"})
    with in_tenant(zw):
        compute_medians([month])
    page = client.get(f"/zuzycie?lokal={home.unit_ids[0]}").get_data(as_text=True)
    assert _rows(page)["listopad 2026"] == ["1", "brak danych", "3"]
    assert "spośród 5 lokali Państwa budynku" in page and "bar-median" in page


def test_an_allocator_counts_in_its_own_units_not_kwh(zw, zw_client):
    home = make_household(zw, units=1)
    meter = _remote(zw, home.unit_ids[0], kind="heat", measure="jedn.")
    _figures(zw, meter, {date(2026, 11, 1): "41.5", date(2026, 10, 1): "20"})
    page = _signed_in(zw_client, home).get("/zuzycie").get_data(as_text=True)
    assert "Zużycie w kolejnych miesiącach (jedn.), od najnowszego" in page
    assert "kWh" not in page
    assert _rows(page) == {"listopad 2026": ["41,5", "brak danych"],
                           "październik 2026": ["20", "brak danych"]}


def test_each_unit_its_own_section_and_plain_sentences_where_there_is_nothing(zw, zw_client):
    """A unit without remote meters and a remote meter without a complete month say so, with
    no empty table; a removed meter long gone is not listed."""
    home = make_household(zw, units=3, street="ul. Trzech Lokali")
    make_meter(zw, home.unit_ids[0])  # typed: not on this page
    _remote(zw, home.unit_ids[1], serial_number="CW-NOWY")
    gone = _remote(zw, home.unit_ids[2], serial_number="CW-DAWNY", removed_on=date(2023, 5, 1))
    _figures(zw, gone, {date(2023, 3, 1): "4"})
    counted = _remote(zw, home.unit_ids[2], serial_number="CW-LICZY")
    _figures(zw, counted, {date(2026, 11, 1): "2"})
    page = _signed_in(zw_client, home).get("/zuzycie").get_data(as_text=True)
    sections = page.split('<section class="consumption-unit"')[1:]
    assert len(sections) == 3
    assert [re.search(r"m\. (\d+),", s).group(1) for s in sections] == ["1", "2", "3"]
    assert NO_REMOTE in sections[0] and "<table" not in sections[0]
    assert "CW-NOWY" in sections[1] and NO_MONTH in sections[1] and "<table" not in sections[1]
    assert "CW-LICZY" in sections[2] and "CW-DAWNY" not in sections[2]
    assert ESTIMATED not in page  # no estimated month, no legend for it


def test_a_person_without_units_is_told_so(zw, zw_client):
    nobody = make_household(zw, units=0)
    page = _signed_in(zw_client, nobody).get("/zuzycie").get_data(as_text=True)
    assert "Do konta nie przypisano jeszcze żadnego lokalu" in page


def test_figures_from_an_imported_file_reach_the_page(app, zw, zw_client, tmp_path):
    """Daily readings imported from the metering company's file, worked out into months by
    ``consumption.refresh``: the resident reads them, October estimated (its end missed)."""
    from iok_saas.meters.consumption import refresh

    home = make_household(zw, units=1)
    _remote(zw, home.unit_ids[0], serial_number="CW-IMPORT")
    rows, value = [], Decimal("100.0")
    for n in range(91):
        day = date(2026, 9, 1) + timedelta(days=n)
        if not date(2026, 10, 28) <= day <= date(2026, 11, 4):
            rows.append(f"CW-IMPORT;;{day:%d.%m.%Y} 00:05;{str(value).replace('.', ',')};m3")
        value += Decimal("0.1")
    path = tmp_path / "odczyty.csv"
    path.write_text("Nr fabryczny;Adres;Data odczytu;Stan;Jedn.\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    result = run_cli(app, "import", "remote", "--tenant", "zielone-wzgorza", "--quiet",
                     str(path))
    assert result.exit_code == 0, result.output
    with app.app_context(), in_tenant(zw):
        refresh("2026-09-01T00:00:00+00:00", "2026-11-30T00:00:00+00:00")
    page = _signed_in(zw_client, home).get("/zuzycie").get_data(as_text=True)
    rows = _rows(page)
    assert rows["wrzesień 2026"] == ["3", "brak danych"]
    assert rows["październik 2026"][0] == "3,1 (szacunkowo)"
    assert list(rows)[-1] == "wrzesień 2026"  # no empty months before the first figure
    assert ESTIMATED in page


# --- whose page: one's own units only --------------------------------------------------------


def test_one_unit_by_its_id_and_nobody_elses(zw, baltyk, zw_client, baltyk_client):
    home = make_household(zw, units=2, street="ul. Moja")
    neighbour = make_household(zw, units=1, street="ul. Sąsiednia")
    elsewhere = make_household(baltyk, units=1, street="ul. Bałtycka")
    for tenant, unit_id, serial in ((zw, home.unit_ids[0], "CW-MOJ-1"),
                                    (zw, home.unit_ids[1], "CW-MOJ-2"),
                                    (zw, neighbour.unit_ids[0], "CW-SASIADA"),
                                    (baltyk, elsewhere.unit_ids[0], "CW-BALTYK")):
        _figures(tenant, _remote(tenant, unit_id, serial_number=serial),
                 {date(2026, 11, 1): "3"})
    client = _signed_in(zw_client, home)
    everything = client.get("/zuzycie").get_data(as_text=True)
    assert "CW-MOJ-1" in everything and "CW-MOJ-2" in everything
    assert "CW-SASIADA" not in everything and "CW-BALTYK" not in everything
    one = client.get(f"/zuzycie?lokal={home.unit_ids[1]}").get_data(as_text=True)
    assert "CW-MOJ-2" in one and "CW-MOJ-1" not in one
    assert "Wszystkie Państwa lokale" in one
    for unit_id in (neighbour.unit_ids[0], elsewhere.unit_ids[0]):
        assert client.get(f"/zuzycie?lokal={unit_id}").status_code == 404
    # a Bałtyk resident on their own cooperative's address: a Zielone Wzgórza unit is not there
    theirs = _signed_in(baltyk_client, elsewhere)
    assert theirs.get(f"/zuzycie?lokal={home.unit_ids[0]}").status_code == 404
    page = theirs.get("/zuzycie").get_data(as_text=True)
    assert "CW-BALTYK" in page and "CW-MOJ" not in page


@pytest.mark.parametrize("value", ["abc", "99999999999", "2147483648", "-1", "0", "1e3",
                                   "1.5", "%00", "١", "9" * 5000, " 7", "0x1f"])
def test_a_unit_that_cannot_be_is_not_found(zw, zw_client, value):
    home = make_household(zw, units=1)
    client = _signed_in(zw_client, home)
    assert client.get(f"/zuzycie?lokal={value}").status_code == 404


def test_an_empty_choice_shows_every_unit_and_signing_in_comes_first(zw, zw_client):
    assert zw_client.get("/zuzycie").status_code == 302  # to the sign-in page
    home = make_household(zw, units=2)
    client = _signed_in(zw_client, home)
    page = client.get("/zuzycie?lokal=").get_data(as_text=True)
    assert page.count('<section class="consumption-unit"') == 2


def test_the_menu_has_consumption_right_after_meters(zw, zw_client):
    home = make_household(zw, units=1)
    page = _signed_in(zw_client, home).get("/").get_data(as_text=True)
    nav = page[page.index('class="main-nav"'):]
    links = re.findall(r'<a href="(/[^"]*)"[^>]*>([^<]+)</a>', nav)
    names = [name for _, name in links]
    assert names[names.index("Liczniki") + 1] == "Zużycie"
    assert ("/zuzycie", "Zużycie") in links


# --- the meters pages: a remote meter is read, not typed -----------------------------------------


def _remote_reading(tenant, meter_id: int, at: datetime, value: str) -> None:
    with in_tenant(tenant):
        db.session.add(RemoteReading(meter_id=meter_id, read_at=at, value=Decimal(value)))


def test_the_meters_page_shows_the_last_remote_reading_and_no_form(zw, zw_client):
    home = make_household(zw, units=1)
    typed = make_meter(zw, home.unit_ids[0], serial_number="ZW-TYPED")
    remote = _remote(zw, home.unit_ids[0], kind="hot_water", serial_number="CW-RADIO")
    silent = _remote(zw, home.unit_ids[0], kind="heat", measure="jedn.",
                     serial_number="PK-CICHY")
    _remote_reading(zw, remote, datetime(2026, 11, 29, 22, 59, tzinfo=UTC), "12.4")
    _remote_reading(zw, remote, datetime(2026, 11, 30, 22, 59, tzinfo=UTC), "12.5")
    client = _signed_in(zw_client, home)
    page = client.get("/liczniki").get_data(as_text=True)
    cards = {serial: card for card in page.split('<li class="card meter">')[1:]
             for serial in ("ZW-TYPED", "CW-RADIO", "PK-CICHY") if serial in card}
    assert "Zgłoś odczyt licznika" in cards["ZW-TYPED"] and "Odczyt zdalny" not in cards[
        "ZW-TYPED"]
    assert "Odczyt zdalny" in cards["CW-RADIO"]
    assert "ostatni odczyt: 12,5 m³ (30.11.2026 23:59)" in cards["CW-RADIO"]
    assert "odczyty jeszcze nie nadeszły" in cards["PK-CICHY"]
    for serial, meter in (("CW-RADIO", remote), ("PK-CICHY", silent)):
        assert "Zgłoś odczyt licznika" not in cards[serial]
        assert (f'href="/zuzycie?lokal={home.unit_ids[0]}#licznik-{meter}">Zużycie miesięczne'
                in cards[serial])
    one = client.get(f"/liczniki/{remote}").get_data(as_text=True)
    assert "Odczyt zdalny" in one and "Ostatni odczyt zdalny: 12,5 m³ (30.11.2026 23:59)." in one
    assert "Ten licznik jest odczytywany zdalnie" in one
    assert 'name="value"' not in one and "Zgłoś odczyt" not in one
    assert f'href="/zuzycie?lokal={home.unit_ids[0]}#licznik-{remote}"' in one
    assert "Historia odczytów" not in one  # no typed readings of it
    assert "Nie nadszedł jeszcze żaden odczyt zdalny." in client.get(
        f"/liczniki/{silent}").get_data(as_text=True)
    assert typed


def test_a_reading_sent_for_a_remote_meter_is_refused_and_nothing_saved(baltyk, baltyk_client):
    from iok_saas.meters.window import today

    home = make_household(baltyk, units=1)
    meter = _remote(baltyk, home.unit_ids[0])
    client = _signed_in(baltyk_client, home)
    path = f"/liczniki/{meter}"
    token = client.csrf_token("/liczniki")
    answer = client.post(path, data={"csrf_token": token, "value": "150",
                                     "read_on": today().isoformat()},
                         content_type="multipart/form-data")
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert ('role="alert">Ten licznik jest odczytywany zdalnie: odczyty trafiają do Spółdzielni '
            "samoczynnie, więc odczytu nie trzeba podawać.") in text
    with in_tenant(baltyk):
        assert db.session.scalars(select(Reading).where(Reading.meter_id == meter)).all() == []


def test_the_check_refuses_a_remote_meter_whatever_the_value(baltyk):
    from iok_saas.meters.checks import ReadingError, check_resident
    from iok_saas.meters.models import Meter
    from iok_saas.meters.window import today
    from iok_saas.tenancy.settings import Readings

    home = make_household(baltyk, units=1)
    meter = _remote(baltyk, home.unit_ids[0])
    with in_tenant(baltyk):
        found = db.session.get(Meter, meter)
        with pytest.raises(ReadingError, match="odczytywany zdalnie"):
            check_resident(found, Decimal("1000"), today(), Readings())


# --- what the page costs ---------------------------------------------------------------------


def test_the_consumption_page_is_three_statements_for_one_meter_or_many(zw, zw_client,
                                                                         app):
    """The setting, the person, and the units with every month of their remote meters and the
    buildings' medians in one statement: the same for one meter of two months as for three
    units with five meters of two years each, and for one unit chosen; the meters page stays
    at three with remote meters and their readings."""
    from tests.helpers import client_for

    small, big = make_household(zw, units=1), make_household(zw, units=3)
    _figures(zw, _remote(zw, small.unit_ids[0]), {date(2026, 11, 1): "1", date(2026, 10, 1): "2"})
    months = {_month(date(2026, 11, 1), back): "2" for back in range(24)}
    for index, unit_id in enumerate(big.unit_ids):
        for kind in ("cold_water", "hot_water")[:1 + index % 2]:
            meter = _remote(zw, unit_id, kind=kind)
            _figures(zw, meter, months, estimated=(date(2026, 3, 1),))
            _remote_reading(zw, meter, datetime(2026, 11, 30, 23, tzinfo=UTC), "50")
    for month in months:
        _median(zw, big.building_id, month, "2")
    one = _signed_in(client_for(app, "zielone-wzgorza.localhost"), small)
    many = _signed_in(zw_client, big)
    assert queries_for(one, "/zuzycie") == queries_for(many, "/zuzycie") == 3
    assert queries_for(many, f"/zuzycie?lokal={big.unit_ids[1]}") == 3
    assert queries_for(many, "/liczniki") == 3
    assert len(_rows(many.get("/zuzycie").get_data(as_text=True))) == 12


def test_the_monthly_statements_are_listed_and_download_as_pdf_only_for_their_holders(
        app, zw, baltyk, zw_client, baltyk_client, tmp_path):
    from iok_saas.meters import statements
    from iok_saas.meters.consumption import refresh
    from iok_saas.tenancy.info import get_tenant_info
    from tests.test_remote_readings import _csv, _daily, _import, _remote_meter

    home = make_household(zw, units=1)
    _remote_meter(zw, home.unit_ids[0], "CW-5001")
    rows = _daily("CW-5001", date(2026, 10, 1), 62, Decimal("50"), Decimal("0.120"))
    assert _import(app, _csv(tmp_path, rows)).exit_code == 0
    with in_tenant(zw):
        refresh("2026-10-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00")
        assert statements.make_month(get_tenant_info(zw.id), date(2026, 11, 1), waited=True) == 1
        kept = db.session.scalar(select(ConsumptionStatement))
        kept_id = kept.id
    zw_client.login(home.identifier, home.password)
    page = zw_client.get("/zuzycie").get_data(as_text=True)
    assert "Informacja o zużyciu za listopad 2026" in page
    pdf = zw_client.get(f"/zuzycie/informacja/{kept_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "informacja-o-zuzyciu-2026-11.pdf" in pdf.headers["Content-Disposition"]
    for wrong in (kept_id + 1000, 2 ** 31, 99999999999):
        assert zw_client.get(f"/zuzycie/informacja/{wrong}.pdf").status_code == 404
    # another resident of the cooperative, and one of another cooperative: not found
    other = make_household(zw, units=1)
    zw_client.post("/wyloguj", data={"csrf_token": zw_client.csrf_token("/")})
    zw_client.login(other.identifier, other.password)
    assert zw_client.get(f"/zuzycie/informacja/{kept_id}.pdf").status_code == 404
    theirs = make_household(baltyk, units=1)
    baltyk_client.login(theirs.identifier, theirs.password)
    assert baltyk_client.get(f"/zuzycie/informacja/{kept_id}.pdf").status_code == 404


def test_the_e_mail_choices_are_saved_from_the_page(zw, zw_client):
    from iok_saas.auth.models import User

    home = make_household(zw, units=1)
    zw_client.login(home.identifier, home.password)
    page = zw_client.get("/zuzycie").get_data(as_text=True)
    assert "Proszę o e-mail, gdy gotowa będzie comiesięczna informacja" in page
    response = zw_client.post("/zuzycie/powiadomienia", data={
        "csrf_token": zw_client.csrf_token("/zuzycie"), "consumption": "y"},
        follow_redirects=True)
    assert "Wybór został zapisany." in response.get_data(as_text=True)
    with in_tenant(zw):
        user = db.session.get(User, home.user_id)
        assert (user.consumption_emails, user.consumption_alerts) == (True, False)
