"""The settlement company's file (issue 35): building, unit and meter rows checked to add up to
the grosz, all or nothing; every bad input the issue names refused with its row, column and
reason; a re-sent file changes nothing, other figures make a visible correction; the
cooperative's own column names; CSV and JSON; the panel, the API and the command line."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from iok_saas.auth.models import ADMIN
from iok_saas.db import db
from iok_saas.finance.models import Account, LedgerEntry
from iok_saas.imports.models import ImportRun
from iok_saas.settlements.models import Settlement, SettlementLine
from tests.factories import make_household
from tests.helpers import as_platform, in_tenant, run_cli
from tests.settlement_data import (
    csv_text,
    heating_rows,
    import_settlements,
    make_settled_estate,
    months,
    water_rows,
)


def _problems(report) -> str:
    return "\n".join(report.lines())


def _count(tenant, model) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_file_is_saved_with_every_figure_as_written(zw, tmp_path):
    e = make_settled_estate(zw)
    report = import_settlements(zw, tmp_path, heating_rows(e) + water_rows(e))
    assert report.ok, _problems(report)
    assert (report.rows, report.added, report.changed, report.unchanged) == (15, 6, 0, 0)
    with in_tenant(zw):
        heating = db.session.scalar(select(Settlement).where(Settlement.medium == "heating"))
        assert (heating.cost, heating.fixed_cost, heating.variable_cost, heating.area,
                heating.fixed_rate, heating.units, heating.variable_rate, heating.quantity,
                heating.measure, heating.version) == (
            Decimal("3000.00"), Decimal("1200.00"), Decimal("1800.00"), Decimal("150.00"),
            Decimal("8.0000"), Decimal("600.000"), Decimal("3.0000"), Decimal("420.500"),
            "GJ", 1)
        a = db.session.scalar(select(SettlementLine).where(
            SettlementLine.settlement_id == heating.id,
            SettlementLine.unit_id == e.unit_ids["A"]))
        assert (a.cost, a.advances, a.result, a.refund, a.due_on, a.document_no) == (
            Decimal("1000.00"), Decimal("1200.00"), Decimal("-200.00"), "credit", None,
            f"RZ/CO/2025/A{e.serial}")
        assert a.advances_monthly["2025-01"] == "100.00" and len(a.advances_monthly) == 12
        assert [(r["place"], r["start"], r["end"], r["coefficient"], r["units"])
                for r in a.readings] == [("pokój", "0", "150", "1", "150"),
                                         ("kuchnia", "0", "62.5", "0.8", "50")]
        assert all(r["meter_id"] for r in a.readings)
        b = db.session.scalar(select(SettlementLine).where(
            SettlementLine.settlement_id == heating.id,
            SettlementLine.unit_id == e.unit_ids["B"]))
        assert (b.result, b.due_on) == (Decimal("20.00"), date(2027, 3, 31))
        water = db.session.scalar(select(Settlement).where(Settlement.medium == "cold_water"))
        assert (water.quantity, water.units, water.difference, water.difference_cost) == (
            Decimal("130.000"), Decimal("120.000"), Decimal("10.000"), Decimal("150.00"))
        # Every line's parts add up to the grosz, and the lines to the building.
        for settlement in (heating, water):
            lines = db.session.scalars(select(SettlementLine).where(
                SettlementLine.settlement_id == settlement.id)).all()
            assert sum(x.cost for x in lines) == settlement.cost
            assert sum(x.fixed_cost for x in lines) == settlement.fixed_cost
            assert sum(x.variable_cost for x in lines) == settlement.variable_cost
            assert sum(x.difference_cost for x in lines) == settlement.difference_cost
            assert all(x.cost - x.advances == x.result for x in lines)


def test_a_re_sent_file_changes_nothing_and_other_figures_are_a_correction(zw, tmp_path):
    e = make_settled_estate(zw)
    assert import_settlements(zw, tmp_path, heating_rows(e)).ok
    again = import_settlements(zw, tmp_path, heating_rows(e))
    assert again.ok and (again.added, again.changed, again.unchanged) == (0, 0, 3)
    assert any("tymi samymi danymi" in note for note in again.notes)
    assert _count(zw, Settlement) == 1 and _count(zw, SettlementLine) == 3
    # The company corrects unit A's advances (and its result): one line differs.
    corrected = heating_rows(e, A={"zaliczki": "1100,00", "wynik": "-100,00",
                                   "zaliczki_miesieczne": months("91,67")[:-5] + "91,63"})
    report = import_settlements(zw, tmp_path, corrected)
    assert report.ok, _problems(report)
    assert (report.added, report.changed, report.unchanged) == (0, 1, 2)
    with in_tenant(zw):
        old, new = db.session.scalars(select(Settlement).order_by(Settlement.version)).all()
        assert (old.version, new.version) == (1, 2)
        assert old.replaced_at is not None and new.replaced_at is None
        lines = {line.unit_id: line for line in db.session.scalars(
            select(SettlementLine).where(SettlementLine.settlement_id == new.id))}
        previous = {line.unit_id: line for line in db.session.scalars(
            select(SettlementLine).where(SettlementLine.settlement_id == old.id))}
        assert lines[e.unit_ids["A"]].corrects_id == previous[e.unit_ids["A"]].id
        assert lines[e.unit_ids["B"]].corrects_id is None  # the same as before
        assert previous[e.unit_ids["A"]].result == Decimal("-200.00")  # still readable
    # The correction sent again changes nothing; the first version again is a correction.
    assert import_settlements(zw, tmp_path, corrected).changed == 0
    assert import_settlements(zw, tmp_path, heating_rows(e)).changed == 1
    assert _count(zw, Settlement) == 3


def test_a_dry_run_saves_nothing(zw, tmp_path):
    e = make_settled_estate(zw)
    report = import_settlements(zw, tmp_path, heating_rows(e), dry_run=True)
    assert report.ok and report.added == 3
    assert _count(zw, Settlement) == 0 and _count(zw, SettlementLine) == 0


BAD = {
    "the units' parts do not add up to the building's": (
        {"building": {"koszt_staly": "1201,00", "koszt": "3001,00"}},
        "koszt_staly", "dają razem 1200,00, a wiersz budynku podaje 1201,00"),
    "a unit's parts do not add up to its cost": (
        {"A": {"koszt": "1000,01", "wynik": "-199,99"}}, "koszt",
        "dają razem 1000,00 zł, a nie 1000,01 zł"),
    "the cost less the advances is not the result": (
        {"A": {"wynik": "-199,00"}}, "wynik", "daje -200,00 zł, a nie -199,00 zł"),
    "the months do not add up to the advances": (
        {"A": {"zaliczki_miesieczne": months("99,00")}}, "zaliczki_miesieczne",
        "zaliczki miesięczne dają razem 1188,00 zł"),
    "a month outside the period": (
        {"A": {"zaliczki_miesieczne": months("100,00").replace("2025-12", "2026-01")}},
        "zaliczki_miesieczne", "poza okresem rozliczenia"),
    "area times the rate is not the fixed part": (
        {"A": {"powierzchnia": "51,00"}}, "koszt_staly", "51 m² × 8 zł/m² daje 408,00 zł"),
    "the meters do not add up to the unit's consumption": (
        {"A2": {"stan_koncowy": "75", "zuzycie": "75", "jednostki": "60"}}, "zuzycie",
        "liczniki lokalu dają razem 210"),
    "negative consumption": (
        {"B1": {"stan_poczatkowy": "120", "stan_koncowy": "110", "zuzycie": "100"}},
        "stan_koncowy", "niższy od początkowego"),
    "negative consumption written as such": (
        {"C": {"zuzycie": "-300"}}, "zuzycie", "nie może być ujemne"),
    "readings that do not give the consumption": (
        {"C1": {"stan_koncowy": "299"}}, "zuzycie", "299 − 0 daje 299, a nie 300"),
    "units that are not the consumption times the coefficient": (
        {"A2": {"jednostki": "51"}}, "jednostki", "daje 50, a nie 51"),
    "a meter the unit does not have": (
        {"B1": {"licznik": "NIE-MA-TAKIEGO"}}, "licznik", "licznika „NIE-MA-TAKIEGO”"),
    "an unknown unit": ({"C": {"lokal": "L-NIE-MA"}}, "lokal", "nie ma lokalu o identyfikatorze"),
    "an unknown building": ({"building": {"budynek": "B-NIE-MA"}}, "budynek",
                            "nie ma budynku o identyfikatorze"),
    "an unknown medium": ({"building": {"medium": "prąd"}}, "medium", "nieznane medium"),
    "a period that has not ended": (
        {"building": {"okres_do": "2030-12-31"}}, "okres_do", "jeszcze się nie zakończył"),
    "a period that ends before it starts": (
        {"building": {"okres_od": "2025-12-31", "okres_do": "2025-01-01"}}, "okres_do",
        "musi przypadać po jego początku"),
    "to nie jest data": ({"building": {"okres_od": "31/12/2025"}}, "okres_od", "to nie jest data"),
    "a surcharge without the day it is due": (
        {"B": {"termin": ""}}, "termin", "trzeba podać termin jej zapłaty"),
    "an unknown word for an overpayment": (
        {"A": {"nadplata": "do szuflady"}}, "nadplata", "nieznana wartość"),
    "to nie jest kwota": ({"A": {"zaliczki": "tysiąc"}}, "zaliczki", "to nie jest kwota"),
    "an unknown type of row": ({"C1": {"typ": "podlicznik"}}, "typ", "nieznany rodzaj wiersza"),
    "a negative cost": ({"C": {"koszt_zmienny": "-900,00", "koszt": "-420,00",
                               "zaliczki": "0,00", "wynik": "-420,00"}},
                        "koszt_zmienny", "nie może być ujemna"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_input_is_refused_with_its_row_and_nothing_is_saved(zw, tmp_path, case):
    e = make_settled_estate(zw)
    changes, column, words = BAD[case]
    report = import_settlements(zw, tmp_path, heating_rows(e, **changes))
    text = _problems(report)
    assert not report.ok
    assert f"kolumna {column}" in text and words in text, text
    assert _count(zw, Settlement) == 0 and _count(zw, SettlementLine) == 0
    with in_tenant(zw):
        run = db.session.scalar(select(ImportRun))
        assert run.ok is False and run.problem_count == report.problem_count


def test_a_bad_unit_row_is_reported_once_not_again_in_the_sums(zw, tmp_path):
    e = make_settled_estate(zw)
    report = import_settlements(zw, tmp_path, heating_rows(e, C={"lokal": "L-NIE-MA"}))
    assert report.problem_count == 1, _problems(report)


def test_a_unit_of_another_cooperative_or_building_is_refused(zw, baltyk, tmp_path):
    e = make_settled_estate(zw)
    theirs = make_settled_estate(baltyk)
    report = import_settlements(zw, tmp_path, heating_rows(e, C={"lokal": theirs["C"]}))
    assert "nie ma lokalu o identyfikatorze" in _problems(report)
    other = make_settled_estate(zw)
    report = import_settlements(zw, tmp_path, heating_rows(e, C={"lokal": other["C"]}))
    assert "jest w innym budynku niż ten" in _problems(report)
    assert _count(zw, Settlement) == 0 and _count(baltyk, Settlement) == 0


def test_a_medium_the_unit_has_no_meter_for_is_refused(zw, tmp_path):
    e = make_settled_estate(zw, meters=False)
    report = import_settlements(zw, tmp_path, heating_rows(e, A1=None, A2=None, B1=None,
                                                           C1=None))
    text = _problems(report)
    assert text.count("nie ma w systemie licznika tego medium") == 3, text


def test_a_period_overlapping_another_settlement_is_refused(zw, tmp_path):
    e = make_settled_estate(zw)
    assert import_settlements(zw, tmp_path, heating_rows(e)).ok
    shifted = heating_rows(e, building={"okres_od": "2025-07-01", "okres_do": "2026-06-30"})
    report = import_settlements(zw, tmp_path, shifted)
    assert "nakłada się na rozliczenie tego budynku i tego medium za 01.01.2025–31.12.2025" in \
        _problems(report)
    twice = import_settlements(zw, tmp_path, water_rows(e) + water_rows(e))
    assert "podano już wyżej w pliku" in _problems(twice)
    # The next year and another medium are not overlaps.
    assert import_settlements(zw, tmp_path, water_rows(e) + heating_rows(
        e, 2024, building={"okres_od": "2024-01-01", "okres_do": "2024-12-31"})).ok


def test_rows_out_of_order_are_refused(zw, tmp_path):
    e = make_settled_estate(zw)
    rows = heating_rows(e)
    report = import_settlements(zw, tmp_path, [rows[1], *rows])
    assert "wiersz lokalu musi następować po wierszu jego budynku" in _problems(report)
    report = import_settlements(zw, tmp_path, [rows[2], *rows])
    assert "wiersz licznika musi następować po wierszu jego lokalu" in _problems(report)


def test_a_file_without_rows_or_without_the_type_column_is_refused(zw, tmp_path):
    make_settled_estate(zw)
    empty = import_settlements(zw, tmp_path, [], text="typ;budynek\n")
    assert "nie zawiera żadnych wierszy" in _problems(empty)
    headless = import_settlements(zw, tmp_path, [], text="budynek;lokal\nB;L\n")
    assert not headless.ok and "typ" in _problems(headless)


def test_advances_must_agree_with_the_ledger_where_it_holds_the_month(zw, tmp_path):
    e = make_settled_estate(zw)
    with in_tenant(zw):
        account = Account(external_id=f"K-{e.serial}", unit_id=e.unit_ids["A"], name="Czynsz")
        db.session.add(account)
        db.session.flush()
        db.session.add_all(LedgerEntry(
            external_id=f"N-{e.serial}-{m}", account_id=account.id,
            booked_on=date(2025, m, 1), period=f"2025-{m:02d}", component="c.o.",
            charge=Decimal("100.00") if m != 3 else Decimal("110.00")) for m in range(1, 7))
    report = import_settlements(zw, tmp_path, heating_rows(e))
    assert "zaliczka za 2025-03 wynosi 100,00 zł, a w kartotece naliczono 110,00 zł („c.o.”)" in \
        _problems(report)
    with in_tenant(zw):
        db.session.execute(LedgerEntry.__table__.update().where(
            LedgerEntry.period == "2025-03").values(charge=Decimal("100.00")))
    assert import_settlements(zw, tmp_path, heating_rows(e)).ok  # months 7–12: not in the ledger


def test_a_rounding_of_one_grosz_is_the_companys_and_is_accepted(zw, tmp_path):
    e = make_settled_estate(zw)
    rows = heating_rows(e, A={"koszt_staly": "400,01", "koszt": "1000,01", "wynik": "-199,99"},
                        B={"koszt_staly": "319,99", "koszt": "619,99", "wynik": "19,99"})
    assert import_settlements(zw, tmp_path, rows).ok


def test_json_and_the_cooperatives_own_column_names(zw, baltyk, tmp_path):
    e = make_settled_estate(zw)
    rows = heating_rows(e)
    text = json.dumps({"wiersze": rows}, ensure_ascii=False)
    report = import_settlements(zw, tmp_path, [], name="rozliczenia.json", text=text)
    assert report.ok, _problems(report)
    b = make_settled_estate(baltyk)
    from iok_saas.tenancy.info import get_tenant_info

    settings = get_tenant_info(baltyk.id).settings.settlements
    marks = {"budynek": "B", "lokal": "L", "licznik": "P"}
    theirs = [row | {"typ": marks[row["typ"]]} for row in heating_rows(b)]
    text = csv_text(theirs, names=settings.columns)
    assert "Nr lokalu" in text.splitlines()[0]
    report = import_settlements(baltyk, tmp_path, [], text=text)
    assert report.ok, _problems(report)
    with in_tenant(baltyk):
        refund = db.session.scalar(select(SettlementLine.refund).where(
            SettlementLine.result < 0))
    assert refund == "credit"  # the file says "zaliczenie"; without a word, Bałtyk pays out
    ours = import_settlements(baltyk, tmp_path, heating_rows(b))
    assert not ours.ok and "[settlements]" in _problems(ours)


@pytest.mark.parametrize(("tenant", "name"), [("zw", "rozliczenia-a.csv"),
                                              ("baltyk", "rozliczenia-b.csv")])
def test_the_examples_import_in_their_cooperatives_format(request, tmp_path, tenant, name):
    from tests.helpers import ROOT

    cooperative = request.getfixturevalue(tenant)
    make_settled_estate(cooperative, example=True)
    text = (ROOT / "docs/examples" / name).read_text(encoding="utf-8")
    report = import_settlements(cooperative, tmp_path, [], text=text)
    assert report.ok and report.added == 6, _problems(report)
    with in_tenant(cooperative):
        refunds = set(db.session.scalars(select(SettlementLine.refund).where(
            SettlementLine.result < 0)))
    assert refunds == ({"credit"} if tenant == "zw" else {"payout"})


def test_without_the_feature_nothing_is_imported(zw, tmp_path):
    from iok_saas.tenancy import services as tenant_services

    e = make_settled_estate(zw)
    with as_platform():
        tenant_services.update_tenant("zielone-wzgorza", ["features.settlements=false"])
    try:
        report = import_settlements(zw, tmp_path, heating_rows(e))
    finally:
        with as_platform():
            tenant_services.update_tenant("zielone-wzgorza", ["features.settlements=true"])
    assert "nie udostępnia rozliczeń" in _problems(report)
    assert _count(zw, Settlement) == 0


def test_statements_do_not_grow_with_the_number_of_units(zw, tmp_path):
    """A batch of lines is one lookup of meters, one of the ledger and one insert: ten units
    or a hundred cost the same statements."""
    e = make_settled_estate(zw)

    def statements(units: int) -> int:
        rows = _big(zw, e, units)
        seen = []
        engine = db.engine

        def count(*_):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            report = import_settlements(zw, tmp_path, rows, dry_run=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert report.ok, _problems(report)
        return len(seen)

    assert statements(10) == statements(100)


def _big(tenant, e, units: int) -> list[dict]:
    """A settlement of ``units`` units made here, each with an allocator."""
    from iok_saas.estate.models import Unit
    from iok_saas.meters.models import Meter

    with in_tenant(tenant):
        existing = db.session.scalars(select(Unit).where(Unit.building_id == e.building_id,
                                                         Unit.number.like("X%"))).all()
        for n in range(len(existing), units):
            unit = Unit(building_id=e.building_id, number=f"X{n}",
                        external_id=f"L-{e.serial}-X{n}")
            db.session.add(unit)
            db.session.flush()
            db.session.add(Meter(unit_id=unit.id, kind="heat", serial_number=f"H-{e.serial}-X{n}",
                                 installed_on=date(2020, 1, 1)))
    rows = [{"typ": "budynek", "budynek": e.building, "medium": "CO", "okres_od": "2025-01-01",
             "okres_do": "2025-12-31", "koszt": f"{units * 10},00",
             "koszt_zmienny": f"{units * 10},00", "stawka_zmienna": "1,0000",
             "jednostki": str(units * 10)}]
    for n in range(units):
        rows += [{"typ": "lokal", "lokal": f"L-{e.serial}-X{n}", "zuzycie": "10",
                  "koszt_zmienny": "10,00", "koszt": "10,00", "zaliczki": "10,00",
                  "wynik": "0,00"},
                 {"typ": "licznik", "licznik": f"H-{e.serial}-X{n}", "zuzycie": "10"}]
    return rows


# --- the panel, the API, the command line --------------------------------------------------


def test_an_admin_imports_settlements_from_the_panel(zw, zw_client):
    from iok_saas.imports import queue

    e = make_settled_estate(zw)
    admin = make_household(zw, units=0, role=ADMIN)
    zw_client.login(admin.identifier, admin.password)
    form = zw_client.get("/panel/import/").get_data(as_text=True)
    assert 'value="settlements"' in form
    data = {"csrf_token": zw_client.csrf_token("/panel/import/"), "kind": "settlements",
            "file": (io.BytesIO(csv_text(heating_rows(e)).encode()), "rozliczenie co.csv")}
    response = zw_client.post("/panel/import/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    run_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with in_tenant(zw):
        queue.process(run_id)
    assert _count(zw, SettlementLine) == 3
    page = zw_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "rozliczenie co.csv" in page


def test_the_api_and_the_command_line_import_settlements(app, zw, zw_client, tmp_path):
    from iok_saas.imports import queue

    e = make_settled_estate(zw)
    result = run_cli(app, "tenants", "api-token", "zielone-wzgorza")
    token = re.search(r"^iok_\S+$", result.output, re.M).group(0)
    response = zw_client.post("/api/v1/import/settlements?plik=co.csv",
                              data=csv_text(heating_rows(e)).encode(),
                              headers={"Authorization": f"Bearer {token}"},
                              content_type="text/csv")
    assert response.status_code == 202, response.get_data(as_text=True)
    with in_tenant(zw):
        queue.process(response.json["id"])
    assert _count(zw, SettlementLine) == 3
    path = tmp_path / "woda.csv"
    path.write_text(csv_text(water_rows(e)), encoding="utf-8")
    done = run_cli(app, "import", "settlements", "--tenant", "zielone-wzgorza", "--quiet",
                   str(path))
    assert done.exit_code == 0, done.output
    assert _count(zw, SettlementLine) == 6
    path.write_text(csv_text(water_rows(e, A={"wynik": "1,00"})), encoding="utf-8")
    refused = run_cli(app, "import", "settlements", "--tenant", "zielone-wzgorza", "--quiet",
                      str(path))
    assert refused.exit_code == 1 and "nic nie zapisano" in refused.output
