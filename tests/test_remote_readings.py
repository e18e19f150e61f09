"""Remote readings from the metering company: the import's rules and bad input (issue 33)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from iok_saas.db import db
from iok_saas.meters.models import (
    HELD_DECREASE,
    REMOTE,
    TYPED,
    HeldReading,
    Meter,
    MeterMonth,
    RemoteReading,
)
from tests.factories import make_household, make_meter
from tests.helpers import in_tenant, run_cli

ZW_HEADER = "Nr fabryczny;Adres;Data odczytu;Stan;Jedn.\n"


def _remote_meter(tenant, unit_id: int, serial: str, *, kind: str = "hot_water",
                  measure: str = "m³", radio: str | None = None, mode: str = REMOTE,
                  installed: date = date(2024, 1, 1)) -> int:
    return make_meter(tenant, unit_id, kind=kind, readings=(), serial_number=serial,
                      measure=measure, radio_id=radio, reading_mode=mode, installed_on=installed)


def _csv(tmp_path, rows: list[str], name: str = "odczyty.csv", header: str = ZW_HEADER):
    path = tmp_path / name
    path.write_text(header + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def _import(app, path, slug: str = "zielone-wzgorza", *extra: str):
    return run_cli(app, "import", "remote", "--tenant", slug, "--quiet", *extra, str(path))


def _stored(tenant, meter_id: int) -> list[tuple[datetime, Decimal]]:
    with in_tenant(tenant):
        return [(r.read_at, r.value) for r in db.session.scalars(
            select(RemoteReading).where(RemoteReading.meter_id == meter_id)
            .order_by(RemoteReading.read_at))]


def _held(tenant) -> list[tuple[int, Decimal, str]]:
    with in_tenant(tenant):
        return [(h.meter_id, h.value, h.reason) for h in db.session.scalars(
            select(HeldReading).order_by(HeldReading.read_at))]


@pytest.fixture
def zw_meter(zw):
    home = make_household(zw, units=1)
    return _remote_meter(zw, home.unit_ids[0], "CW-1001")


def test_a_vendor_file_is_read_by_the_cooperatives_mapping_and_a_second_run_adds_nothing(
        app, zw, zw_meter, tmp_path):
    path = _csv(tmp_path, [
        "CW-1001;ul. Testowa 1;30.09.2026 23:59;10,500;m3",
        "CW-1001;ul. Testowa 1;31.10.2026 23:59;11,250;m3",
        " cw-1001 ;ul. Testowa 1;30.11.2026 23:59;12,000;M3",  # spaces and case do not matter
    ])
    first = _import(app, path)
    assert first.exit_code == 0, first.output
    assert "added 3" in first.output and "rows left out 0" in first.output
    stored = _stored(zw, zw_meter)
    assert [v for _, v in stored] == [Decimal("10.500"), Decimal("11.250"), Decimal("12.000")]
    # 23:59 in Warsaw (CET in November) is 22:59 UTC
    assert stored[-1][0] == datetime(2026, 11, 30, 22, 59, tzinfo=UTC)
    again = _import(app, path)
    assert again.exit_code == 0, again.output
    assert "added 0" in again.output and "unchanged 3" in again.output
    assert len(_stored(zw, zw_meter)) == 3


def test_a_lower_value_is_held_for_the_office_not_used(app, zw, zw_meter, tmp_path):
    path = _csv(tmp_path, [
        "CW-1001;;01.11.2026;100,000;m3",
        "CW-1001;;02.11.2026;100,400;m3",
        "CW-1001;;03.11.2026;0,150;m3",  # a new meter under the old number, or a fault
        "CW-1001;;04.11.2026;100,900;m3",
    ])
    result = _import(app, path)
    assert result.exit_code == 0, result.output
    assert "held for the office 1" in result.output
    assert [v for _, v in _stored(zw, zw_meter)] == [Decimal("100"), Decimal("100.4"),
                                                     Decimal("100.9")]
    assert _held(zw) == [(zw_meter, Decimal("0.150"), HELD_DECREASE)]
    again = _import(app, path)  # held once, not twice
    assert "added 0" in again.output and "held for the office 0" in again.output
    assert len(_held(zw)) == 1


def test_a_reading_filling_a_gap_goes_between_its_neighbours_or_is_held(app, zw, zw_meter,
                                                                        tmp_path):
    _import(app, _csv(tmp_path, ["CW-1001;;01.11.2026;10;m3", "CW-1001;;10.11.2026;20;m3"]))
    result = _import(app, _csv(tmp_path, [
        "CW-1001;;05.11.2026;15;m3",  # between 10 and 20: taken
        "CW-1001;;06.11.2026;25;m3",  # above the later 20: held
    ], name="luka.csv"))
    assert result.exit_code == 0, result.output
    assert [v for _, v in _stored(zw, zw_meter)] == [Decimal(10), Decimal(15), Decimal(20)]
    assert [(v, reason) for _, v, reason in _held(zw)] == [(Decimal(25), "above_later")]


def test_the_same_device_and_time_twice_in_a_file_is_one_reading(app, zw, zw_meter, tmp_path):
    result = _import(app, _csv(tmp_path, [
        "CW-1001;;01.11.2026 06:00;10;m3",
        "CW-1001;;01.11.2026 06:00;10;m3",
        "CW-1001;;01.11.2026 06:00;11;m3",
    ]))
    assert result.exit_code == 0, result.output
    assert "added 1" in result.output and "unchanged 1" in result.output
    assert "jest wyżej w pliku (wiersz 2) z inną wartością" in result.output
    assert len(_stored(zw, zw_meter)) == 1


def test_bad_rows_are_reported_with_their_reason_and_the_rest_is_saved(app, zw, zw_meter,
                                                                         tmp_path):
    home = make_household(zw, units=1)
    typed = _remote_meter(zw, home.unit_ids[0], "ZW-7", kind="cold_water", mode=TYPED)
    late = _remote_meter(zw, home.unit_ids[0], "PK-3", kind="heat", measure="jedn.",
                         installed=date(2026, 10, 1))
    path = _csv(tmp_path, [
        "CW-1001;;01.11.2026;10,000;m3",
        "NIEZNANY-1;;01.11.2026;1;m3",
        "CW-1001;;01.01.2099;11;m3",
        "CW-1001;;2026-11-02;abc;m3",
        "CW-1001;;2026-11-03;12;dz.j.",
        "CW-1001;;2026-11-04;12;kg",
        "CW-1001;;31.02.2026;12;m3",
        "ZW-7;;01.11.2026;5;m3",
        "PK-3;;15.09.2026;5;dz.j.",
        "=cmd|' /C calc'!A0;;01.11.2026;1;m3",
        "CW-1001;;2026-11-05;-1;m3",
        "PK-3;;15.10.2026;5;dz.j.",
    ])
    result = _import(app, path)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "added 2" in out and "rows left out 10" in out
    for reason in ("wiersz 3, kolumna Nr fabryczny: w tej spółdzielni nie ma licznika "
                   "zdalnego o numerze „NIEZNANY-1”",
                   "wiersz 4, kolumna Data odczytu: data jest późniejsza niż dzisiejsza",
                   "wiersz 5, kolumna Stan: to nie jest liczba",
                   "jednostka „dz.j.” (jedn.) nie jest jednostką licznika (m³)",
                   "nieznana jednostka „kg”; ustawienia spółdzielni znają: m3, dz.j.",
                   "wiersz 8, kolumna Data odczytu: to nie jest data i godzina",
                   "licznik „ZW-7” jest odczytywany przez mieszkańców (wpisywany)",
                   "wiersz 10, kolumna Data odczytu: data jest wcześniejsza niż montaż",
                   "nie ma licznika zdalnego o numerze „=cmd|' /C calc'!A0”",
                   "wiersz 12, kolumna Stan: stan licznika nie może być ujemny"):
        assert reason in out, (reason, out)
    assert len(_stored(zw, zw_meter)) == 1
    assert _stored(zw, typed) == [] and len(_stored(zw, late)) == 1


def test_a_mapping_naming_a_missing_column_saves_nothing(app, zw, zw_meter, tmp_path):
    path = _csv(tmp_path, ["CW-1001;30.11.2026;12"], header="Nr fabryczny;Data;Stan\n")
    result = _import(app, path)
    assert result.exit_code == 1
    assert "W pliku brak kolumny „data_odczytu”, „jedn.”" in result.output.replace("“", "„")
    assert "Kolumny w pliku: nr_fabryczny, data, stan." in result.output
    assert "nic nie zapisano" in result.output
    assert _stored(zw, zw_meter) == []


def test_another_cooperatives_serial_is_unknown_and_a_shared_serial_reaches_only_its_own(
        app, zw, baltyk, zw_meter, tmp_path):
    theirs = make_household(baltyk, units=1)
    baltyk_meter = _remote_meter(baltyk, theirs.unit_ids[0], "CW-1001", radio="R-77")
    only_theirs = _remote_meter(baltyk, theirs.unit_ids[0], "CW-ONLY-BALTYK", radio="R-78")
    result = _import(app, _csv(tmp_path, ["CW-1001;;01.11.2026;10;m3",
                                          "CW-ONLY-BALTYK;;01.11.2026;10;m3"]))
    assert "nie ma licznika zdalnego o numerze „CW-ONLY-BALTYK”" in result.output
    assert len(_stored(zw, zw_meter)) == 1
    assert _stored(baltyk, baltyk_meter) == [] and _stored(baltyk, only_theirs) == []


def test_a_json_export_by_radio_number_with_litres(app, baltyk, tmp_path):
    home = make_household(baltyk, units=1)
    meter = _remote_meter(baltyk, home.unit_ids[0], "CW-9", radio="R-100")
    path = tmp_path / "odczyty.json"
    path.write_text(json.dumps({"odczyty": [
        {"radio": "R-100", "czas": "2026-11-30T23:00:00+01:00", "stan": 12500, "jm": "l",
         "bateria": {"stan": "ok"}},
        {"radio": "R-100", "czas": "2026-12-01T23:00:00+01:00", "stan": "12.75", "jm": "m3"},
    ]}), encoding="utf-8")
    result = _import(app, path, "baltyk")
    assert result.exit_code == 0, result.output
    assert _stored(baltyk, meter) == [
        (datetime(2026, 11, 30, 22, 0, tzinfo=UTC), Decimal("12.500")),
        (datetime(2026, 12, 1, 22, 0, tzinfo=UTC), Decimal("12.750"))]


def test_a_2_gb_file_is_refused_at_once(app, zw, tmp_path):
    path = tmp_path / "duzy.csv"
    with path.open("wb") as file:
        file.write(ZW_HEADER.encode())
        file.truncate(2 * 1024 ** 3)
    result = _import(app, path)
    assert result.exit_code == 1 and "Plik jest za duży (2 048 MB)" in result.output


def test_the_meters_import_sets_the_mode_and_a_file_without_it_keeps_it(app, baltyk, tmp_path):
    make_household(baltyk, units=1)
    with in_tenant(baltyk):
        from iok_saas.estate.models import Unit
        unit = db.session.scalars(select(Unit).order_by(Unit.id.desc())).first()
        unit.external_id = "L-REMOTE-1"
    header = "id_zewnetrzne;lokal;rodzaj;numer_seryjny;odczyt;radio_id\n"
    path = tmp_path / "liczniki.csv"
    path.write_text(header + "M-R1;L-REMOTE-1;ciepła woda;CW-55;zdalny;R-55\n", encoding="utf-8")
    first = run_cli(app, "import", "meters", "--tenant", "baltyk", str(path))
    assert first.exit_code == 0, first.output
    with in_tenant(baltyk):
        meter = db.session.scalar(select(Meter).where(Meter.external_id == "M-R1"))
        assert (meter.reading_mode, meter.radio_id) == (REMOTE, "R-55"), first.output
    path.write_text("id_zewnetrzne;lokal;rodzaj;numer_seryjny\n"
                    "M-R1;L-REMOTE-1;ciepła woda;CW-55\n", encoding="utf-8")
    again = run_cli(app, "import", "meters", "--tenant", "baltyk", str(path))
    assert "added 0, changed 0" in again.output, again.output
    with in_tenant(baltyk):
        meter = db.session.scalar(select(Meter).where(Meter.external_id == "M-R1"))
        assert (meter.reading_mode, meter.radio_id) == (REMOTE, "R-55")


def _daily(serial: str, first: date, days: int, start: Decimal, per_day: Decimal,
           hour: str = "00:05") -> list[str]:
    rows, value = [], start
    for n in range(days):
        day = first + timedelta(days=n)
        rows.append(f"{serial};;{day:%d.%m.%Y} {hour};{str(value).replace('.', ',')};m3")
        value += per_day
    return rows


def _day_of(row: str) -> date:
    day, month, year = row.split(";")[2][:10].split(".")
    return date(int(year), int(month), int(day))


def _months(tenant, meter_id: int) -> dict[date, tuple[Decimal, bool]]:
    with in_tenant(tenant):
        return {m.month: (m.consumption, m.estimated) for m in db.session.scalars(
            select(MeterMonth).where(MeterMonth.meter_id == meter_id))}


def test_monthly_consumption_from_daily_readings_and_interpolated_where_a_month_end_is_missed(
        app, zw, zw_meter, tmp_path):
    rows = _daily("CW-1001", date(2026, 9, 1), 91, Decimal("100.000"), Decimal("0.100"))
    # October's end is missed by a week: its value is interpolated
    gap = (date(2026, 10, 28), date(2026, 11, 4))
    rows = [r for r in rows if not gap[0] <= _day_of(r) <= gap[1]]
    result = _import(app, _csv(tmp_path, rows))
    assert result.exit_code == 0, result.output
    with app.app_context(), in_tenant(zw):
        from iok_saas.meters.consumption import refresh
        refresh("2026-09-01T00:00:00+00:00", "2026-11-30T00:00:00+00:00")
    months = _months(zw, zw_meter)
    assert months[date(2026, 9, 1)] == (Decimal("3.000"), False)  # 30 days × 0.1
    assert months[date(2026, 10, 1)][0] == Decimal("3.100") and months[date(2026, 10, 1)][1]
    # November's last reading (30.11 00:05) is a day before its end and nothing came after:
    # November is not over as far as the readings go; the 1.12 reading ends it
    assert date(2026, 11, 1) not in months
    assert _import(app, _csv(tmp_path, ["CW-1001;;01.12.2026 00:05;109,100;m3"],
                             name="grudzien.csv")).exit_code == 0
    with app.app_context(), in_tenant(zw):
        refresh("2026-12-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00")
    months = _months(zw, zw_meter)
    assert months[date(2026, 11, 1)][1]  # starts from the interpolated value
    assert date(2026, 12, 1) not in months  # no reading at its end yet


def _resident_of(tenant, unit_id: int, **flags) -> int:
    from iok_saas.auth.models import User
    from iok_saas.estate.models import UnitTitle

    with in_tenant(tenant):
        user = db.session.scalar(select(User).join(UnitTitle, UnitTitle.user_id == User.id)
                                 .where(UnitTitle.unit_id == unit_id))
        for name, value in flags.items():
            setattr(user, name, value)
        return user.id


def _outbox(tenant, template: str) -> list:
    from iok_saas.mail.models import OutboxMessage

    with in_tenant(tenant):
        return [(m.template, m.context) for m in db.session.scalars(select(OutboxMessage)
                                                                .where(OutboxMessage.template
                                                                       == template))]


def test_the_monthly_statement_is_made_once_kept_and_e_mailed_to_those_who_asked(
        app, zw, tmp_path):
    from iok_saas.mail.messages import render
    from iok_saas.meters import statements
    from iok_saas.meters.consumption import refresh
    from iok_saas.meters.models import ConsumptionStatement
    from iok_saas.tenancy.info import get_tenant_info

    home = make_household(zw, units=1)
    meter = _remote_meter(zw, home.unit_ids[0], "CW-2001")
    _resident_of(zw, home.unit_ids[0], consumption_emails=True)
    rows = _daily("CW-2001", date(2026, 10, 1), 62, Decimal("50"), Decimal("0.120"))
    assert _import(app, _csv(tmp_path, rows)).exit_code == 0
    with in_tenant(zw):
        refresh("2026-10-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00")
    with in_tenant(zw):
        assert statements.make_due(date(2026, 12, 7)) == 2  # October and November
        assert statements.make_due(date(2026, 12, 7)) == 0  # never twice
        made = {s.month: s for s in db.session.scalars(select(ConsumptionStatement))}
        assert set(made) == {date(2026, 10, 1), date(2026, 11, 1)}
        november = made[date(2026, 11, 1)]
        assert november.figures[0]["months"][0]["used"] == "3.600"
        assert statements.pdf(november, "ul. Testowa 1 m. 1").startswith(b"%PDF")
    mails = _outbox(zw, "consumption_statement")
    assert len(mails) == 2
    with in_tenant(zw):
        subjects = {render(get_tenant_info(zw.id), template, context).subject
                    for template, context in mails}
    assert {subject.split(" – ")[0] for subject in subjects} == {
        "Informacja o zużyciu za listopad 2026 jest dostępna",
        "Informacja o zużyciu za październik 2026 jest dostępna"}
    assert _months(zw, meter)[date(2026, 11, 1)] == (Decimal("3.600"), False)


def test_no_statement_or_alert_for_a_month_without_data(app, zw, tmp_path):
    from iok_saas.meters import statements
    from iok_saas.meters.models import ConsumptionAlert, ConsumptionStatement

    home = make_household(zw, units=1)
    _remote_meter(zw, home.unit_ids[0], "CW-3001")
    with in_tenant(zw):
        assert statements.make_due(date(2026, 12, 7)) == 0
        assert db.session.scalars(select(ConsumptionStatement)).all() == []
        assert db.session.scalars(select(ConsumptionAlert)).all() == []


def test_alerts_on_a_month_far_above_last_year_and_on_water_flowing_every_day(app, zw,
                                                                             tmp_path):
    from iok_saas.meters.consumption import refresh
    from iok_saas.meters.models import ALERT_HIGH, ALERT_LEAK, ConsumptionAlert

    home = make_household(zw, units=2)
    jumpy = _remote_meter(zw, home.unit_ids[0], "CW-4001")
    leaky = _remote_meter(zw, home.unit_ids[1], "CW-4002")
    _resident_of(zw, home.unit_ids[0], consumption_alerts=True)
    # a year of months at ~3 m³, then November at 12 m³ (readings at each month's start)
    value, rows = Decimal("10"), []
    month = date(2025, 11, 1)
    while month <= date(2026, 12, 1):
        rows.append(f"CW-4001;;{month:%d.%m.%Y} 00:05;{str(value).replace('.', ',')};m3")
        value += Decimal("12") if month == date(2026, 11, 1) else Decimal("3")
        month = (month + timedelta(days=32)).replace(day=1)
    today = date.today()
    # water flowing every day for the last 20 days (the cooperative's leak_days: 14)
    rows += _daily("CW-4002", today - timedelta(days=20), 20, Decimal("5"), Decimal("0.050"))
    assert _import(app, _csv(tmp_path, rows)).exit_code == 0
    with in_tenant(zw):
        refresh("2025-11-01T00:00:00+00:00", (today - timedelta(days=1)).isoformat())
        alerts = {(a.meter_id, a.kind) for a in db.session.scalars(select(ConsumptionAlert))}
    assert (jumpy, ALERT_HIGH) in alerts and (leaky, ALERT_LEAK) in alerts
    assert (leaky, ALERT_HIGH) not in alerts


def test_the_api_takes_a_vendor_json_and_the_worker_works_out_the_months(app, baltyk,
                                                                        baltyk_client):
    from tests.test_import_panel_api import _post, _token, _work

    home = make_household(baltyk, units=1)
    meter = _remote_meter(baltyk, home.unit_ids[0], "CW-77", radio="R-77")
    token = _token(app, "baltyk")
    rows = [{"radio": "R-77", "czas": f"2026-{m:02d}-01T00:05:00+01:00", "stan": 10 + m,
             "jm": "m3"} for m in (9, 10, 11, 12)]
    rows.append({"radio": "R-NIEZNANE", "czas": "2026-11-01T00:05:00+01:00", "stan": 1,
                 "jm": "m3"})
    response = _post(baltyk_client, token, "remote", json.dumps({"odczyty": rows}).encode(),
                     query="?plik=odczyty.json", content_type="application/json")
    assert response.status_code == 202, response.get_data(as_text=True)
    _work(app)
    run = baltyk_client.get(response.headers["Location"],
                            headers={"Authorization": f"Bearer {token}"}).json
    assert (run["status"], run["ok"], run["added"], run["problem_count"]) == ("done", True, 4, 1)
    assert "R-NIEZNANE" in run["problems"][0]["reason"]
    # the import queued the monthly figures: the worker worked them out
    months = _months(baltyk, meter)
    assert months[date(2026, 10, 1)][0] == Decimal("1.000")
    assert months[date(2026, 11, 1)][0] == Decimal("1.000")


def test_alerts_reach_the_holders_who_asked_once_and_old_statements_go(app, zw, tmp_path):
    from iok_saas.meters import statements
    from iok_saas.meters.models import ALERT_LEAK, ConsumptionAlert, ConsumptionStatement

    home = make_household(zw, units=1)
    meter = _remote_meter(zw, home.unit_ids[0], "CW-6001")
    _resident_of(zw, home.unit_ids[0], consumption_alerts=True)
    with in_tenant(zw):
        alert = ConsumptionAlert(meter_id=meter, kind=ALERT_LEAK, month=date(2026, 12, 1),
                                 value=Decimal(14))
        db.session.add(alert)
        db.session.add(ConsumptionStatement(unit_id=home.unit_ids[0], month=date(2023, 11, 1),
                                            figures=[]))
        db.session.flush()
        alert_id = alert.id
    with in_tenant(zw):
        assert statements.notify_alerts([alert_id]) == 1
        assert statements.notify_alerts([alert_id]) == 0  # once
    [(_template, context)] = _outbox(zw, "consumption_alert")
    assert context["kind"] == ALERT_LEAK and context["days"] == 14
    with in_tenant(zw):
        statements.make_due(date(2026, 12, 7))  # kept 3 years (the cooperative's setting)
        assert db.session.scalars(select(ConsumptionStatement)).all() == []


def test_a_date_only_format_of_the_mapping_means_the_end_of_that_day():
    from iok_saas.imports.remote import Times
    from iok_saas.tenancy.settings import RemoteReadings

    at, _ = Times(RemoteReadings(date_format="%d/%m/%Y")).get("30/11/2026", None)
    assert at == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 1.12 00:00 in Warsaw
    at, _ = Times(RemoteReadings(date_format="%d/%m/%Y", date_only="start")).get("30/11/2026",
                                                                                 None)
    assert at == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    at, _ = Times(RemoteReadings(date_format="%d/%m/%Y %H:%M")).get("30/11/2026 12:00", None)
    assert at == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
