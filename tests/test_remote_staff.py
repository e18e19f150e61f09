"""Staff: remote meters (issue 33) — the month's overview, held readings (a fault or a replaced
meter), alerts, the consumption CSV, the import run page; cross-tenant and bad input; a browser
journey at 390 and 1280 px."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from iok_saas.audit.models import METER_REPLACED, REMOTE_READING_FAULT, AuditEvent
from iok_saas.db import db
from iok_saas.imports.models import ImportRun
from iok_saas.meters.models import (
    ALERT_HIGH,
    ALERT_LEAK,
    HELD_DECREASE,
    HELD_FAULT,
    HELD_REPLACED,
    REMOTE,
    TYPED,
    ConsumptionAlert,
    HeldReading,
    Meter,
    MeterMonth,
    RemoteReading,
)
from iok_saas.meters.window import today
from tests.factories import make_household, make_meter
from tests.helpers import in_tenant, queries_for, run_cli
from tests.test_browser import (  # noqa: F401  (fixtures)
    chromium,
    kept_pages,
    live_server,
    sign_in,
    wcag_problems,
)

BASE = "/panel/liczniki-zdalne"
HEADER = "Nr fabryczny;Adres;Data odczytu;Stan;Jedn.\n"
# 100 and 100,4, then a new meter under the same number: 0,15 and on (the dates are the state at
# the end of each day: 02.11 is 3.11 00:00 in Warsaw).
REPLACED = ["CW-1001;;01.11.2026;100,000;m3", "CW-1001;;02.11.2026;100,400;m3",
            "CW-1001;;03.11.2026;0,150;m3", "CW-1001;;04.11.2026;0,300;m3",
            "CW-1001;;05.11.2026;0,250;m3", "CW-1001;;06.11.2026;0,100;m3"]
WARSAW_MIDNIGHT = timedelta(hours=1)  # CET in November


def _meter(tenant, unit_id: int, serial: str, *, mode: str = REMOTE, kind: str = "hot_water",
           installed: date = date(2024, 1, 1), **fields) -> int:
    return make_meter(tenant, unit_id, kind=kind, readings=(), serial_number=serial,
                      reading_mode=mode, installed_on=installed, radio_id=f"R-{serial}"[:40],
                      **fields)


def _csv(tmp_path, rows: list[str], name: str = "odczyty.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def _import(app, path, slug: str = "zielone-wzgorza"):
    result = run_cli(app, "import", "remote", "--tenant", slug, "--quiet", str(path))
    assert result.exit_code == 0, result.output
    return result


def _midnight(day: date) -> datetime:
    """Local midnight starting ``day`` in Warsaw (winter), in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - WARSAW_MIDNIGHT


@pytest.fixture
def office(zw, zw_client):
    """A signed-in clerk of Zielone Wzgórza and a unit with remote meter CW-1001."""
    clerk = make_household(zw, role="clerk", units=0)
    home = make_household(zw, street="ul. Radiowa", units=2)
    meter = _meter(zw, home.unit_ids[0], "CW-1001", place="łazienka")
    assert zw_client.login(clerk.identifier, clerk.password).status_code == 302
    zw_client.home, zw_client.meter = home, meter
    return zw_client


def _held(tenant, meter_id: int | None = None) -> list[HeldReading]:
    with in_tenant(tenant):
        stmt = select(HeldReading).order_by(HeldReading.read_at)
        if meter_id is not None:
            stmt = stmt.where(HeldReading.meter_id == meter_id)
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
    return rows


def _stored(tenant, meter_id: int) -> list[tuple[datetime, Decimal]]:
    with in_tenant(tenant):
        return [(r.read_at, r.value) for r in db.session.scalars(
            select(RemoteReading).where(RemoteReading.meter_id == meter_id)
            .order_by(RemoteReading.read_at))]


def _meters(tenant, unit_id: int) -> list[Meter]:
    with in_tenant(tenant):
        rows = list(db.session.scalars(select(Meter).where(Meter.unit_id == unit_id)
                                       .order_by(Meter.id)))
        db.session.expunge_all()
    return rows


def _audit(tenant, action: str) -> list[AuditEvent]:
    with in_tenant(tenant):
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
    return rows


def _post(client, path: str, **fields):
    token = client.csrf_token(f"{BASE}/wstrzymane")
    return client.post(path, data={"csrf_token": token, **fields})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _as_admin(client, tenant) -> None:
    """Sign the clerk out and an admin of the cooperative in (the import pages and the audit
    log are the admins')."""
    admin = make_household(tenant, role="admin", units=0)
    client.post("/wyloguj", data={"csrf_token": client.csrf_token(f"{BASE}/")})
    assert client.login(admin.identifier, admin.password).status_code == 302


# --- the month's overview ----------------------------------------------------------------------


def _add_readings(tenant, meter_id: int, *moments: tuple[datetime, str]) -> None:
    with in_tenant(tenant):
        db.session.add_all(RemoteReading(meter_id=meter_id, read_at=at, value=Decimal(value))
                           for at, value in moments)


def test_the_overview_counts_each_buildings_devices_and_lists_those_that_sent_nothing(
        zw, baltyk, office):
    home = office.home
    silent = _meter(zw, home.unit_ids[1], "CW-CISZA")
    _meter(zw, home.unit_ids[1], "ZW-RECZNY", mode=TYPED)  # typed: not a remote device
    gone = _meter(zw, home.unit_ids[1], "CW-STARY", removed_on=date(2026, 10, 1))
    _meter(zw, home.unit_ids[1], "CW-GRUDZIEN", installed=date(2026, 12, 1))
    _add_readings(zw, office.meter, (datetime(2026, 11, 15, 10, tzinfo=UTC), "10"))
    _add_readings(zw, silent, (datetime(2026, 10, 15, 10, tzinfo=UTC), "5"))  # October only
    _add_readings(zw, gone, (datetime(2026, 9, 15, 10, tzinfo=UTC), "5"))
    with in_tenant(zw):
        db.session.add(HeldReading(meter_id=office.meter, read_at=datetime(
            2026, 11, 16, 10, tzinfo=UTC), value=Decimal("1"), previous_value=Decimal("10"),
            reason=HELD_DECREASE))
        db.session.add(ConsumptionAlert(meter_id=silent, kind=ALERT_HIGH,
                                        month=date(2026, 11, 1), value=Decimal("9")))
    theirs = make_household(baltyk, street="ul. Bałtycka Obca", units=1)
    _meter(baltyk, theirs.unit_ids[0], "CW-OBCY")

    page = _text(office.get(f"{BASE}/?miesiac=2026-11"))
    row = re.search(r"<strong>ul\. Radiowa \d+</strong></td>(.*?)</tr>", page, re.S)
    assert row, page
    assert [int(n) for n in re.findall(r">(\d+)<", row.group(1))] == [2, 1, 1, 1]
    listed = page.split("Liczniki bez odczytu")[1]
    assert "CW-CISZA" in listed and "ul. Radiowa" in listed and "m. 2" in listed
    for absent in ("CW-1001", "ZW-RECZNY", "CW-STARY", "CW-GRUDZIEN"):
        assert absent not in listed
    assert "Bałtycka Obca" not in page and "CW-OBCY" not in page
    assert "1 wstrzymany odczyt czeka na decyzję biura." in page
    assert "listopad 2026" in page

    december = _text(office.get(f"{BASE}/?miesiac=2026-12"))  # installed in December
    assert "CW-GRUDZIEN" in december.split("Liczniki bez odczytu")[1]


def test_the_overview_takes_the_same_few_statements_however_many_buildings(zw, office):
    path = f"{BASE}/?miesiac=2026-11"
    queries_for(office, path)  # the first request of a client settles its session
    few = queries_for(office, path)
    for n in range(4):
        home = make_household(zw, units=3)
        for unit_id in home.unit_ids:
            meter = _meter(zw, unit_id, f"CW-X{n}-{unit_id}")
            _add_readings(zw, meter, (datetime(2026, 11, 2, tzinfo=UTC), "1"))
            with in_tenant(zw):
                db.session.add(HeldReading(meter_id=meter, read_at=datetime(
                    2026, 11, 3, tzinfo=UTC), value=Decimal("0.5"), previous_value=Decimal(1)))
    assert queries_for(office, path) == few


@pytest.mark.parametrize("asked", ["2026-13", "abc", "２０２６-11", "0001-01", "2026-1",
                                   "9999-12", "2026-11-01", "x" * 500])
def test_a_month_that_is_not_one_is_told_and_the_current_month_shown(office, asked):
    answer = office.get(f"{BASE}/", query_string={"miesiac": asked})
    assert answer.status_code == 200
    page = _text(answer)
    assert "nie jest miesiącem: prosimy podać go w postaci RRRR-MM" in page
    current = today()
    assert f'value="{current:%Y-%m}"' in page


def test_residents_do_not_see_the_panel(zw, office):
    office.post("/wyloguj", data={"csrf_token": office.csrf_token(f"{BASE}/")})
    assert office.login(office.home.identifier, office.home.password).status_code == 302
    for path in ("/", "/wstrzymane", "/alerty", "/zuzycie.csv"):
        assert office.get(BASE + path).status_code == 404
    assert "Liczniki zdalne" not in _text(office.get("/"))


# --- held readings: a fault ---------------------------------------------------------------------


def test_held_readings_are_listed_oldest_first_in_plain_polish(app, zw, office, tmp_path):
    _import(app, _csv(tmp_path, REPLACED))
    page = _text(office.get(f"{BASE}/wstrzymane"))
    assert "Czekają 4 odczyty." in page
    rows = re.findall(r'<section class="card" id="wstrzymany-\d+".*?>(.*?)</section>', page, re.S)
    assert [re.search(r"<strong>([\d,]+) m³</strong>", r).group(1) for r in rows] == [
        "0,15", "0,3", "0,25", "0,1"]
    assert "Nr CW-1001" in rows[0] and "Ciepła woda · ul. Radiowa" in rows[0]
    assert "100,4 m³" in rows[0]
    assert "niższy od poprzedniego odczytu: wymieniony licznik albo usterka" in rows[0]
    assert "Usterka – pominąć" in rows[0] and "Wymiana licznika" in rows[0]
    assert 'name="csrf_token"' in rows[0]
    assert "Liczniki zdalne" in _text(office.get("/panel/"))  # in the staff menu


def test_a_fault_leaves_the_reading_unused_and_is_audited_once(app, zw, office, tmp_path):
    _import(app, _csv(tmp_path, REPLACED[:3]))
    [held] = _held(zw)
    before = _stored(zw, office.meter)
    answer = _post(office, f"{BASE}/wstrzymane/{held.id}/usterka")
    assert answer.status_code == 302
    page = _text(office.get(answer.headers["Location"]))
    assert "Odczyt 0,15 m³ z 04.11.2026 (licznik CW-1001) został pominięty jako usterka." in page
    [decided] = _held(zw)
    assert decided.decision == HELD_FAULT and decided.decided_at is not None
    assert decided.decided_by.endswith(")") and "Testowa" in decided.decided_by
    assert _stored(zw, office.meter) == before
    [event] = _audit(zw, REMOTE_READING_FAULT)
    assert event.subject_label.startswith("CW-1001, ul. Radiowa")
    assert event.detail["value"] == "0.150" and event.actor_id is not None

    again = _post(office, f"{BASE}/wstrzymane/{held.id}/usterka")
    assert "Ten odczyt został już rozpatrzony; niczego nie zmieniono." in _text(
        office.get(again.headers["Location"]))
    assert _held(zw)[0].decided_at == decided.decided_at
    assert len(_audit(zw, REMOTE_READING_FAULT)) == 1
    replace = office.get(f"{BASE}/wstrzymane/{held.id}/wymiana")
    assert replace.status_code == 302


def test_a_held_reading_of_another_cooperative_is_not_there(app, zw, baltyk, office):
    theirs = make_household(baltyk, units=1)
    meter = _meter(baltyk, theirs.unit_ids[0], "CW-B1")
    with in_tenant(baltyk):
        held = HeldReading(meter_id=meter, read_at=datetime(2026, 11, 3, tzinfo=UTC),
                           value=Decimal("0.1"), previous_value=Decimal(5))
        db.session.add(held)
        db.session.flush()
        held_id = held.id
    assert _post(office, f"{BASE}/wstrzymane/{held_id}/usterka").status_code == 404
    assert office.get(f"{BASE}/wstrzymane/{held_id}/wymiana").status_code == 404
    assert _post(office, f"{BASE}/wstrzymane/{held_id}/wymiana", serial="CW-B1",
                 replaced_on="2026-11-03", last_value="5").status_code == 404
    assert _post(office, f"{BASE}/wstrzymane/999999/usterka").status_code == 404
    [still] = _held(baltyk)
    assert still.decided_at is None and still.decision == ""
    assert all(m.removed_on is None for m in _meters(baltyk, theirs.unit_ids[0]))
    assert len(_meters(baltyk, theirs.unit_ids[0])) == 1
    assert "CW-B1" not in _text(office.get(f"{BASE}/wstrzymane"))


# --- held readings: a replaced meter ------------------------------------------------------------


def test_a_replacement_makes_a_new_meter_from_the_held_reading_and_a_second_file_adds_nothing(
        app, zw, office, tmp_path):
    path = _csv(tmp_path, REPLACED)
    _import(app, path)
    first = _held(zw)[0]
    form = _text(office.get(f"{BASE}/wstrzymane/{first.id}/wymiana"))
    assert 'value="CW-1001"' in form and 'value="2026-11-04"' in form
    assert 'value="100,4"' in form  # the last stored reading
    answer = _post(office, f"{BASE}/wstrzymane/{first.id}/wymiana", serial="CW-1001",
                   replaced_on="2026-11-04", last_value="100,4")
    assert answer.status_code == 302, _text(answer)
    page = _text(office.get(answer.headers["Location"]))
    assert ("Zapisano wymianę licznika CW-1001 na nowy o tym samym numerze z dniem 04.11.2026; "
            "nowy licznik ma 2 odczyty.") in page

    old, new = _meters(zw, office.home.unit_ids[0])
    assert old.id == office.meter and old.removed_on == date(2026, 11, 4)
    assert (new.serial_number, new.kind, new.place, new.measure, new.reading_mode,
            new.radio_id, new.installed_on, new.initial_value, new.external_id, new.unit_id) == (
        "CW-1001", old.kind, "łazienka", "m³", REMOTE, old.radio_id, date(2026, 11, 4),
        Decimal("0.150"), None, old.unit_id)
    assert _stored(zw, new.id) == [(_midnight(date(2026, 11, 4)), Decimal("0.150")),
                                   (_midnight(date(2026, 11, 5)), Decimal("0.300"))]
    assert [v for _, v in _stored(zw, old.id)] == [Decimal("100"), Decimal("100.4")]
    held = {h.value: h for h in _held(zw)}
    assert held[Decimal("0.150")].decision == held[Decimal("0.300")].decision == HELD_REPLACED
    # 0,25 after 0,3 and 0,1 below the first: still for the office, now as the new meter's
    for value, compared in ((Decimal("0.250"), Decimal("0.300")),
                            (Decimal("0.100"), Decimal("0.300"))):
        assert held[value].decided_at is None and held[value].meter_id == new.id
        assert held[value].previous_value == compared
    [event] = _audit(zw, METER_REPLACED)
    assert event.detail["into"] == "CW-1001" and event.detail["on"] == "2026-11-04"
    assert event.detail["moved"] == 2 and event.detail["last_value"] == "100.400"

    again = _import(app, path)
    assert "added 0" in again.output and "held for the office 0" in again.output, again.output
    assert len(_held(zw)) == 4


def test_a_replacement_with_a_new_serial_and_the_old_meters_last_value(app, zw, office,
                                                                       tmp_path):
    _import(app, _csv(tmp_path, REPLACED[:4]))
    first = _held(zw)[0]
    answer = _post(office, f"{BASE}/wstrzymane/{first.id}/wymiana", serial="  CW-2002 ",
                   replaced_on="2026-11-04", last_value="100,9")
    assert answer.status_code == 302, _text(answer)
    assert ("Zapisano wymianę licznika CW-1001 na CW-2002 z dniem 04.11.2026; nowy licznik ma 2 "
            "odczyty.") in _text(office.get(answer.headers["Location"]))
    old, new = _meters(zw, office.home.unit_ids[0])
    assert new.serial_number == "CW-2002" and new.installed_on == date(2026, 11, 4)
    assert old.removed_on == date(2026, 11, 4)
    # the old meter's last value, read off at the replacement, is its last reading
    assert _stored(zw, old.id)[-1] == (_midnight(date(2026, 11, 4)), Decimal("100.900"))
    assert [v for _, v in _stored(zw, new.id)] == [Decimal("0.150"), Decimal("0.300")]
    _as_admin(office, zw)
    log = _text(office.get("/panel/dziennik/?rodzaj=meter_replaced"))
    assert "Zapisano wymianę licznika → CW-2002" in log and "CW-1001, ul. Radiowa" in log


def _unchanged(tenant, unit_id: int, meter_id: int, readings: list) -> None:
    meters = _meters(tenant, unit_id)
    assert len(meters) == 1 and meters[0].removed_on is None
    assert all(h.decided_at is None and h.meter_id == meter_id for h in _held(tenant))
    assert _stored(tenant, meter_id) == readings
    assert _audit(tenant, METER_REPLACED) == []


TOMORROW = (today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("fields", "message"), [
    ({"serial": ""}, "Prosimy wpisać numer fabryczny nowego licznika."),
    ({"serial": "   "}, "Prosimy wpisać numer fabryczny nowego licznika."),
    ({"serial": "X" * 41}, "Numer fabryczny może mieć najwyżej 40 znaków."),
    ({"serial": "CW-ZAJETY"}, "Numer fabryczny CW-ZAJETY ma już inny licznik w użyciu."),
    ({"serial": "CW\u202e1"}, "niedozwolone"),
    ({"replaced_on": ""}, "Prosimy wpisać datę wymiany."),
    ({"replaced_on": "jutro"}, "Prosimy wpisać datę wymiany."),
    ({"replaced_on": TOMORROW}, "Data wymiany nie może być późniejsza niż dzisiejsza."),
    ({"replaced_on": "2026-11-02"},
     "Stary licznik ma odczyt z 03.11.2026: wymiana nie mogła nastąpić wcześniej."),
    ({"replaced_on": "2023-06-01"},
     "Stary licznik zamontowano 01.01.2024: wymiana nie mogła nastąpić wcześniej."),
    ({"replaced_on": "0001-01-01"}, "Prosimy sprawdzić datę wymiany: jest zbyt odległa."),
    ({"replaced_on": "2026-11-05"},
     "Wstrzymany odczyt pochodzi z 04.11.2026, gdy nowy licznik był już zamontowany"),
    ({"last_value": ""}, "Prosimy wpisać stan końcowy starego licznika."),
    ({"last_value": "abc"}, "Stan licznika to liczba"),
    ({"last_value": "-1"}, "nie może być ujemny"),
    ({"last_value": "100,1"},
     "Stary licznik wskazywał wcześniej 100,4 m³: stan końcowy nie może być niższy."),
])
def test_a_replacement_that_cannot_be_is_refused_with_a_clear_message_and_nothing_changes(
        app, zw, office, tmp_path, fields, message):
    _meter(zw, office.home.unit_ids[1], "CW-ZAJETY")
    _import(app, _csv(tmp_path, REPLACED[:3]))
    [held] = _held(zw)
    readings = _stored(zw, office.meter)
    answer = _post(office, f"{BASE}/wstrzymane/{held.id}/wymiana", **{
        "serial": "CW-1001", "replaced_on": "2026-11-04", "last_value": "100,4", **fields})
    assert answer.status_code == 200
    page = _text(answer)
    assert message in page, page
    assert 'aria-invalid="true"' in page
    _unchanged(zw, office.home.unit_ids[0], office.meter, readings)


def test_a_reading_above_a_later_one_or_of_a_removed_meter_is_not_a_replacement(
        app, zw, office, tmp_path):
    _import(app, _csv(tmp_path, ["CW-1001;;01.11.2026;10;m3", "CW-1001;;10.11.2026;20;m3"]))
    _import(app, _csv(tmp_path, ["CW-1001;;06.11.2026;25;m3"], name="luka.csv"))
    [held] = _held(zw)
    page = _text(office.get(f"{BASE}/wstrzymane"))
    assert "wyższy od późniejszego odczytu: najpewniej usterka" in page
    assert f"/wstrzymane/{held.id}/wymiana" not in page
    answer = _post(office, f"{BASE}/wstrzymane/{held.id}/wymiana", serial="CW-1001",
                   replaced_on="2026-11-07", last_value="20")
    assert "wymiana licznika tego nie wyjaśnia. Prosimy pominąć go jako usterkę" in _text(answer)
    _unchanged(zw, office.home.unit_ids[0], office.meter, _stored(zw, office.meter))


def test_a_decided_reading_cannot_be_decided_again(app, zw, office, tmp_path):
    _import(app, _csv(tmp_path, REPLACED[:3]))
    [held] = _held(zw)
    form = f"{BASE}/wstrzymane/{held.id}/wymiana"
    token = office.csrf_token(form)
    assert _post(office, f"{BASE}/wstrzymane/{held.id}/usterka").status_code == 302
    answer = office.post(form, data={"csrf_token": token, "serial": "CW-1001",
                                     "replaced_on": "2026-11-04", "last_value": "100,4"})
    assert answer.status_code == 302
    assert "Ten odczyt został już rozpatrzony" in _text(office.get(answer.headers["Location"]))
    assert _held(zw)[0].decision == HELD_FAULT
    assert len(_meters(zw, office.home.unit_ids[0])) == 1


def test_decisions_need_the_forms_token(app, zw, office, tmp_path):
    _import(app, _csv(tmp_path, REPLACED[:3]))
    [held] = _held(zw)
    assert office.post(f"{BASE}/wstrzymane/{held.id}/usterka").status_code == 400
    assert office.post(f"{BASE}/wstrzymane/{held.id}/wymiana", data={
        "serial": "CW-1001", "replaced_on": "2026-11-04", "last_value": "100,4"}
    ).status_code == 400
    assert _held(zw)[0].decided_at is None
    assert len(_meters(zw, office.home.unit_ids[0])) == 1


# --- alerts and the CSV -------------------------------------------------------------------------


def test_alerts_are_listed_in_words(zw, baltyk, office):
    with in_tenant(zw):
        db.session.add_all([
            ConsumptionAlert(meter_id=office.meter, kind=ALERT_HIGH, month=date(2026, 10, 1),
                             value=Decimal("9.5"), compared_with=Decimal("3")),
            ConsumptionAlert(meter_id=office.meter, kind=ALERT_LEAK, month=date(2026, 11, 1),
                             value=Decimal(14))])
    theirs = make_household(baltyk, units=1)
    other = _meter(baltyk, theirs.unit_ids[0], "CW-OBCY-ALERT")
    with in_tenant(baltyk):
        db.session.add(ConsumptionAlert(meter_id=other, kind=ALERT_LEAK,
                                        month=date(2026, 11, 1), value=Decimal(14)))
    page = _text(office.get(f"{BASE}/alerty"))
    assert "woda płynie codziennie od 14 dni — możliwy wyciek" in page
    assert ("zużycie wyraźnie wyższe niż przed rokiem lub niż zwykle: 9,5 m³ "
            "(w porównaniu z 3 m³)") in page
    assert "październik 2026" in page and "ciepła woda CW-1001" in page
    assert "CW-OBCY-ALERT" not in page
    assert page.index("od 14 dni") < page.index("9,5 m³")  # newest first


def test_the_months_consumption_csv_is_safe_for_a_spreadsheet(zw, baltyk, office):
    formula = "=cmd|' /C calc'!A0"
    odd = _meter(zw, office.home.unit_ids[1], formula, kind="cold_water")
    typed = _meter(zw, office.home.unit_ids[1], "ZW-WPISYWANY", mode=TYPED)
    theirs = make_household(baltyk, units=1)
    other = _meter(baltyk, theirs.unit_ids[0], "CW-OBCY-CSV")
    month = date(2026, 11, 1)

    def figures(meter_id, start, end, estimated=False, when=month):
        return MeterMonth(meter_id=meter_id, month=when, start_value=Decimal(start),
                          end_value=Decimal(end), consumption=Decimal(end) - Decimal(start),
                          estimated=estimated, readings=30)

    with in_tenant(zw):
        db.session.add_all([figures(office.meter, "10", "12.5"),
                            figures(odd, "1", "1.25", estimated=True),
                            figures(typed, "1", "2"),
                            figures(office.meter, "9", "10", when=date(2026, 10, 1))])
    with in_tenant(baltyk):
        db.session.add(figures(other, "1", "2"))
    answer = office.get(f"{BASE}/zuzycie.csv?miesiac=2026-11")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "zuzycie-2026-11.csv" in answer.headers["Content-Disposition"]
    body = answer.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body[1:].split("\r\n")
    assert lines[0] == ("budynek;lokal;licznik;rodzaj;jednostka;miesiąc;stan początkowy;"
                        "stan końcowy;zużycie;szacunkowo")
    street = office.home.street
    assert f"{street} " in lines[1]
    assert lines[1].endswith(";1;CW-1001;ciepła woda;m³;2026-11;10,000;12,500;2,500;nie")
    assert lines[2].endswith(";2;'=cmd|' /C calc'!A0;zimna woda;m³;2026-11;1,000;1,250;0,250;tak")
    assert len([line for line in lines if line]) == 3  # no typed meter, no October, no Bałtyk
    assert "CW-OBCY-CSV" not in body and "ZW-WPISYWANY" not in body

    bad = office.get(f"{BASE}/zuzycie.csv?miesiac=listopad")
    assert bad.status_code == 302
    assert "„listopad” nie jest miesiącem" in _text(office.get(bad.headers["Location"]))


# --- the import run page ------------------------------------------------------------------------


def test_the_run_page_says_the_good_rows_were_saved_and_links_the_held_ones(app, zw, office,
                                                                           tmp_path):
    _import(app, _csv(tmp_path, [*REPLACED[:3], "NIEZNANY;;01.11.2026;1;m3"]))
    _as_admin(office, zw)
    with in_tenant(zw):
        run_id = db.session.scalar(select(func.max(ImportRun.id)))
    page = _text(office.get(f"/panel/import/{run_id}"))
    assert ("Poprawne wiersze pliku zostały zapisane. 1 wiersz pominięto z powodu podanego "
            "niżej") in page
    assert "nie ma licznika zdalnego o numerze „NIEZNANY”" in page
    assert re.search(r"Pominięte</th><td>1<", page)
    assert "Wstrzymany do decyzji biura: 1 odczyt" in page
    assert f'href="{BASE}/wstrzymane"' in page
    assert "Nic z tego pliku nie zapisano" not in page
    history = _text(office.get("/panel/import/"))
    assert "zapisano poprawne wiersze; nowych: 2; pominięto 1 wiersz" in history
    assert "Wyjątkiem są odczyty zdalne" in history


# --- a browser journey --------------------------------------------------------------------------


def _send(staff, port: int, path) -> str:
    """Send the file through Panel → Import danych as remote readings; the run page's text."""
    staff.goto(f"http://zielone-wzgorza.localhost:{port}/panel/")
    staff.get_by_role("link", name="Import danych").first.click()
    staff.get_by_label("Co zawiera plik").select_option(
        label="Odczyty zdalne od firmy rozliczeniowej")
    staff.get_by_label("Plik (CSV lub JSON; dokumenty: ZIP)").set_input_files(str(path))
    staff.get_by_role("button", name="Wyślij plik").click()
    staff.get_by_role("status").filter(has_text="zapisano").wait_for(timeout=30_000)
    return staff.locator("main").inner_text()


@pytest.mark.browser
def test_a_clerk_imports_remote_readings_twice_and_decides_the_held_one(
        ctx, app, chromium, live_server, artifacts, tmp_path):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    from tests.fixtures.mail import kill_worker, start_worker
    from tests.helpers import tenant_ref

    axe, problems = Axe(), []
    zw = tenant_ref("zielone-wzgorza")
    home = make_household(zw, street="ul. Nadajnikowa", units=1)
    _meter(zw, home.unit_ids[0], "CW-1001", place="łazienka")
    admin = make_household(zw, role="admin", units=0)  # the import panel is the admins'
    path = _csv(tmp_path, [*REPLACED[:3], "NIEZNANY-7;;01.11.2026;1;m3"], name="zdalne.csv")
    worker = start_worker(app.config)
    try:
        for width, height, sends in ((1280, 900, 2), (390, 844, 1)):
            staff = chromium.new_context(viewport={"width": width, "height": height},
                                         locale="pl-PL").new_page()
            sign_in(staff, "zielone-wzgorza", live_server, admin.identifier, admin.password)
            for _ in range(sends):
                body = _send(staff, live_server, path)
                assert "Poprawne wiersze pliku zostały zapisane." in body, body
                assert "NIEZNANY-7" in body
                new = "2" if "Wstrzymany do decyzji biura: 1 odczyt" in body else "0"
                assert re.search(rf"Nowe\s+{new}\b", body), body
                staff.screenshot(path=str(artifacts / f"remote-import-{new}-new-{width}.png"),
                                 full_page=True)
                problems += [f"import {width}: {p}" for p in wcag_problems(staff, axe)]
                assert staff.evaluate("document.documentElement.scrollWidth") <= width
            assert new == "0"  # the file again: nothing new
            staff.goto(f"http://zielone-wzgorza.localhost:{live_server}/panel/")
            staff.get_by_role("link", name="Liczniki zdalne").first.click()
            staff.get_by_label("Miesiąc", exact=True).fill("2026-11")
            staff.get_by_role("button", name="Pokaż").click()
            main = staff.locator("main").inner_text()
            assert "1 wstrzymany odczyt czeka na decyzję biura." in main, main
            assert "listopad 2026" in main
            staff.screenshot(path=str(artifacts / f"remote-overview-{width}.png"),
                             full_page=True)
            problems += [f"overview {width}: {p}" for p in wcag_problems(staff, axe)]
            assert staff.evaluate("document.documentElement.scrollWidth") <= width
            staff.get_by_role("link", name=re.compile("wstrzymany odczyt czeka")).click()
            row = staff.locator("section.card", has_text="CW-1001")
            assert "0,15" in row.inner_text() and "ul. Nadajnikowa" in row.inner_text()
            staff.screenshot(path=str(artifacts / f"remote-held-{width}.png"), full_page=True)
            problems += [f"held {width}: {p}" for p in wcag_problems(staff, axe)]
            assert staff.evaluate("document.documentElement.scrollWidth") <= width
            if width == 390:
                row.get_by_role("link", name="Wymiana licznika").click()
                serial = staff.get_by_label("Numer fabryczny nowego licznika")
                assert serial.input_value() == "CW-1001"
                assert staff.get_by_label("Data wymiany").input_value() == "2026-11-04"
                staff.screenshot(path=str(artifacts / "remote-replace-390.png"), full_page=True)
                problems += [f"replace: {p}" for p in wcag_problems(staff, axe)]
                staff.get_by_role("button", name="Zapisz wymianę licznika").click()
                done = staff.locator("main").inner_text()
                assert "Zapisano wymianę licznika CW-1001 na nowy o tym samym numerze" in done, done
                assert "Żaden wstrzymany odczyt nie czeka na decyzję." in done
                staff.screenshot(path=str(artifacts / "remote-replaced-390.png"), full_page=True)
            staff.context.close()
    finally:
        kill_worker(worker)
    assert not problems, "\n".join(problems)
    assert [m.removed_on for m in _meters(zw, home.unit_ids[0])] == [date(2026, 11, 4), None]
