"""Meters and readings: checks, the window, residents' submissions, staff decisions, export."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from iok_saas.auth.models import ADMIN, CLERK, User
from iok_saas.db import db
from iok_saas.mail.models import OutboxMessage
from iok_saas.meters import photos, services
from iok_saas.meters.checks import ReadingError, parse_value
from iok_saas.meters.models import ACCEPTED, PENDING, REJECTED, Meter, Reading
from iok_saas.meters.window import today, window_open, window_opens
from iok_saas.tenancy import services as tenant_services
from iok_saas.tenancy.settings import Readings
from tests.factories import make_household, make_meter, make_pending_reading
from tests.helpers import ROOT, as_platform, in_tenant, queries_for, run_cli

TODAY = today()


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def home(baltyk):
    """A Bałtyk resident with a cold-water meter (accepted: 100 on 1.01, 130 on 1.07.2026)."""
    household = make_household(baltyk, units=2)
    meter_id = make_meter(baltyk, household.unit_ids[0])
    return household, meter_id


def _readings(tenant, meter_id) -> list[tuple[str, Decimal, str]]:
    with in_tenant(tenant):
        rows = db.session.execute(select(Reading.status, Reading.value, Reading.source)
                                  .where(Reading.meter_id == meter_id)
                                  .order_by(Reading.read_on, Reading.id)).all()
    return [tuple(r) for r in rows]


def _form(client, path: str, **fields):
    data = {"csrf_token": client.csrf_token(path), **fields}
    return client.post(path, data=data, content_type="multipart/form-data")


# --- values and the window ---------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [("123,456", "123.456"), ("12.5", "12.500"),
                                            ("1 234,5", "1234.500"), ("0", "0.000")])
def test_values_with_comma_or_dot(raw, value):
    assert parse_value(raw) == Decimal(value)


@pytest.mark.parametrize(("raw", "message"), [
    ("", "Prosimy wpisać stan licznika"), ("abc", "to liczba"), ("-1", "nie może być ujemny"),
    ("1,2345", "najwyżej 3 cyfry po przecinku"), ("1e999", "to liczba"), ("NaN", "to liczba"),
    ("99999999999999", "za duża"), ("1,000000000000000000001", "najwyżej 3 cyfry"),
])
def test_impossible_values_are_refused(ctx, raw, message):
    with pytest.raises(ReadingError, match=message):
        parse_value(raw)


@pytest.mark.parametrize(("start", "end", "day", "is_open", "opens"), [
    (25, 31, date(2026, 11, 21), False, date(2026, 11, 25)),
    (25, 31, date(2026, 11, 30), True, None),  # November has 30 days: open to its last day
    (25, 31, date(2026, 2, 28), True, None),
    (25, 5, date(2026, 12, 3), True, None),  # wraps into the next month
    (25, 5, date(2026, 12, 10), False, date(2026, 12, 25)),
    (1, 1, date(2026, 12, 2), False, date(2027, 1, 1)),
    (31, 31, date(2026, 2, 27), False, date(2026, 2, 28)),
])
def test_the_reading_window(start, end, day, is_open, opens):
    rules = Readings(window_start_day=start, window_end_day=end)
    assert window_open(rules, day) is is_open
    assert window_opens(rules, day) == opens


def test_an_always_open_window_and_half_a_window_is_refused():
    assert window_open(Readings(), TODAY)
    with pytest.raises(ValueError):
        Readings(window_start_day=25)


# --- residents ---------------------------------------------------------------------------------


def test_a_resident_submits_changes_and_deletes_a_pending_reading(baltyk, baltyk_client, home):
    household, meter_id = home
    baltyk_client.login(household.identifier, household.password)
    page = baltyk_client.get("/liczniki").get_data(as_text=True)
    assert "Zimna woda" in page and "130 m³" in page and "Zgłoś odczyt licznika" in page
    path = f"/liczniki/{meter_id}"
    answer = _form(baltyk_client, path, value="141,5", read_on=TODAY.isoformat(),
                   photo=(io.BytesIO(_png()), "licznik.png"))
    assert answer.status_code == 302
    [*_, pending] = _readings(baltyk, meter_id)
    assert pending == (PENDING, Decimal("141.500"), "resident")
    page = baltyk_client.get(path).get_data(as_text=True)
    assert "czeka na akceptację" in page and "Popraw odczyt" in page
    with in_tenant(baltyk):
        reading_id = db.session.scalar(select(Reading.id).where(Reading.status == PENDING))
    photo = baltyk_client.get(f"{path}/odczyty/{reading_id}/zdjecie")
    assert photo.mimetype == "image/jpeg" and Image.open(io.BytesIO(photo.data)).size == (40, 30)
    edit = f"{path}/odczyty/{reading_id}/popraw"
    assert _form(baltyk_client, edit, value="142", read_on=TODAY.isoformat()).status_code == 302
    assert _readings(baltyk, meter_id)[-1][:2] == (PENDING, Decimal("142.000"))
    token = baltyk_client.csrf_token(path)
    assert baltyk_client.post(f"{path}/odczyty/{reading_id}/usun",
                              data={"csrf_token": token}).status_code == 302
    assert [r[0] for r in _readings(baltyk, meter_id)] == [ACCEPTED, ACCEPTED]


def test_after_acceptance_the_resident_can_no_longer_change_it(baltyk, baltyk_client, home):
    household, meter_id = home
    baltyk_client.login(household.identifier, household.password)
    path = f"/liczniki/{meter_id}"
    _form(baltyk_client, path, value="150", read_on=TODAY.isoformat())
    with in_tenant(baltyk):
        reading_id = db.session.scalar(select(Reading.id).where(Reading.status == PENDING))
        clerk = db.session.get(User, make_clerk_id(baltyk))
        services.decide({reading_id: Decimal("150")}, clerk, accept=True)
    page = baltyk_client.get(path).get_data(as_text=True)
    assert "Popraw odczyt" not in page and "Usuń odczyt" not in page
    assert "zaakceptowany" in page and "150 m³" in page
    edit = f"{path}/odczyty/{reading_id}/popraw"
    refused = "został już rozpatrzony przez Spółdzielnię"
    assert refused in baltyk_client.get(edit, follow_redirects=True).get_data(as_text=True)
    answer = baltyk_client.post(edit, data={"csrf_token": baltyk_client.csrf_token(path),
                                            "value": "1", "read_on": TODAY.isoformat()},
                                content_type="multipart/form-data", follow_redirects=True)
    assert refused in answer.get_data(as_text=True)
    token = baltyk_client.csrf_token(path)
    answer = baltyk_client.post(f"{path}/odczyty/{reading_id}/usun", data={"csrf_token": token},
                                follow_redirects=True)
    assert refused in answer.get_data(as_text=True)
    assert _readings(baltyk, meter_id)[-1] == (ACCEPTED, Decimal("150.000"), "resident")


def make_clerk_id(tenant) -> int:
    return make_household(tenant, units=0, role=CLERK).user_id


@pytest.mark.parametrize(("fields", "message"), [
    ({"value": "abc"}, "Stan licznika to liczba"),
    ({"value": "-5"}, "nie może być ujemny"),
    ({"value": "1,23456"}, "najwyżej 3 cyfry po przecinku"),
    ({"value": "120"}, "nie może być niższy niż ostatni zaakceptowany odczyt (130 m³)"),
    ({"value": "140", "read_on": (TODAY + timedelta(days=1)).isoformat()},
     "nie może być późniejsza niż dzisiejsza"),
    ({"value": "140", "read_on": "2026-06-01"}, "Ostatni zaakceptowany odczyt jest z 01.07.2026"),
    ({"value": "140", "read_on": "2025-11-01"}, "Licznik zamontowano 01.12.2025"),
    ({"value": "140", "read_on": "nie-data"}, "Nieprawidłowa data"),
    ({"value": "140", "photo": (io.BytesIO(b"%PDF-1.4 not an image"), "skan.png")},
     "To nie jest zdjęcie"),
    ({"value": "140", "photo": (io.BytesIO(b"GIF89a" + b"\x00" * 20), "a.gif")},
     "To nie jest zdjęcie"),
])
def test_bad_readings_get_a_message_and_nothing_is_saved(baltyk, baltyk_client, home, fields,
                                                         message):
    household, meter_id = home
    baltyk_client.login(household.identifier, household.password)
    data = {"read_on": TODAY.isoformat(), **fields}
    answer = _form(baltyk_client, f"/liczniki/{meter_id}", **data)
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True).replace("&#39;", "'")
    assert len(_readings(baltyk, meter_id)) == 2


def test_a_photo_over_the_limit_is_refused(baltyk, baltyk_client, home):
    household, meter_id = home
    baltyk_client.login(household.identifier, household.password)
    big = io.BytesIO(b"\xff" * (9 * 1024 * 1024))
    answer = _form(baltyk_client, f"/liczniki/{meter_id}", value="140",
                   read_on=TODAY.isoformat(), photo=(big, "duze.jpg"))
    assert answer.status_code == 413
    assert len(_readings(baltyk, meter_id)) == 2


def test_far_above_usual_consumption_must_be_confirmed(baltyk, baltyk_client, home):
    household, meter_id = home  # 30 m³ in 181 days: about 0.17 a day
    baltyk_client.login(household.identifier, household.password)
    path = f"/liczniki/{meter_id}"
    answer = _form(baltyk_client, path, value="900", read_on=TODAY.isoformat())
    page = answer.get_data(as_text=True)
    assert "znacznie wyższe niż zwykle" in page and "stan licznika jest prawidłowy" in page
    assert len(_readings(baltyk, meter_id)) == 2
    confirmed = _form(baltyk_client, path, value="900", read_on=TODAY.isoformat(), confirmed="y")
    assert confirmed.status_code == 302
    with in_tenant(baltyk):
        reading = db.session.scalar(select(Reading).where(Reading.status == PENDING))
        assert reading.high_confirmed and reading.value == Decimal("900")


def test_removed_and_expired_meters_take_no_readings(baltyk, baltyk_client):
    household = make_household(baltyk, units=1)
    removed = make_meter(baltyk, household.unit_ids[0], removed_on=date(2026, 8, 1))
    expired = make_meter(baltyk, household.unit_ids[0], kind="hot_water",
                         legalised_until=date(2026, 10, 1))
    baltyk_client.login(household.identifier, household.password)
    page = baltyk_client.get("/liczniki").get_data(as_text=True)
    assert "został zdemontowany" in page and "minęła data legalizacji" in page
    assert "Zgłoś odczyt licznika" not in page
    for meter_id in (removed, expired):
        answer = _form(baltyk_client, f"/liczniki/{meter_id}", value="140",
                       read_on=TODAY.isoformat())
        assert "nie przyjmuje odczytów" in answer.get_data(as_text=True)
        assert len(_readings(baltyk, meter_id)) == 2


def test_two_submissions_for_one_meter_cannot_both_wait(baltyk, home):
    household, meter_id = home
    with in_tenant(baltyk):
        meter = db.session.get(Meter, meter_id)
        user = db.session.get(User, household.user_id)
        services.submit(meter, user, Decimal("140"), TODAY, Readings())
    with in_tenant(baltyk), pytest.raises(ReadingError, match="czeka już na akceptację"):
        # the race: the second request passed its checks before the first one committed
        services.submit(db.session.get(Meter, meter_id), db.session.get(User, household.user_id),
                        Decimal("141"), TODAY, Readings())
    assert [r[0] for r in _readings(baltyk, meter_id)].count(PENDING) == 1


def test_a_closed_window_says_when_it_opens(app, baltyk, baltyk_client, home):
    household, meter_id = home
    start = (TODAY + timedelta(days=3)).day
    end = (TODAY + timedelta(days=4)).day
    run_cli(app, "tenants", "update", "baltyk", f"readings.window_start_day={start}",
            f"readings.window_end_day={end}")
    try:
        baltyk_client.login(household.identifier, household.password)
        page = baltyk_client.get(f"/liczniki/{meter_id}").get_data(as_text=True)
        opens = window_opens(Readings(window_start_day=start, window_end_day=end),
                                      TODAY)
        assert f"Najbliższy termin zaczyna się {opens:%d.%m.%Y}" in page
        answer = _form(baltyk_client, f"/liczniki/{meter_id}", value="140",
                       read_on=TODAY.isoformat())
        assert "Odczyty przyjmujemy od" in answer.get_data(as_text=True)
        assert len(_readings(baltyk, meter_id)) == 2
    finally:
        with as_platform():
            tenant_services.sync_dir(ROOT / "tenants")


def test_meters_of_another_unit_or_cooperative_are_not_found(zw, baltyk, baltyk_client, home):
    household, meter_id = home
    neighbour = make_household(baltyk, units=1)
    theirs = make_meter(baltyk, neighbour.unit_ids[0])
    foreign = make_meter(zw, make_household(zw, units=1).unit_ids[0])
    baltyk_client.login(household.identifier, household.password)
    for other in (theirs, foreign):
        assert baltyk_client.get(f"/liczniki/{other}").status_code == 404
        answer = _form(baltyk_client, f"/liczniki/{other}", value="500",
                       read_on=TODAY.isoformat())
        assert answer.status_code == 404
    with in_tenant(baltyk):
        their_reading = db.session.scalar(select(Reading.id).where(Reading.meter_id == theirs))
    assert baltyk_client.get(
        f"/liczniki/{meter_id}/odczyty/{their_reading}/zdjecie").status_code == 404
    assert len(_readings(baltyk, theirs)) == 2


def test_the_meters_page_uses_the_same_queries_for_one_meter_or_many(baltyk, baltyk_client):
    household = make_household(baltyk, units=2)
    make_meter(baltyk, household.unit_ids[0])
    baltyk_client.login(household.identifier, household.password)
    few = queries_for(baltyk_client, "/liczniki")
    for unit_id in household.unit_ids:
        for kind in ("hot_water", "heat", "gas"):
            make_meter(baltyk, unit_id, kind=kind)
    assert queries_for(baltyk_client, "/liczniki") == few


# --- staff -------------------------------------------------------------------------------------


def _pending(tenant, count: int) -> list[int]:
    """``count`` residents (two with e-mail-less twins) each with one pending reading."""
    ids = []
    for _ in range(count):
        household = make_household(tenant, units=1)
        ids.append(make_pending_reading(tenant, household,
                                        make_meter(tenant, household.unit_ids[0])))
    return ids


def test_staff_accept_many_at_once_and_each_resident_gets_one_email(baltyk, baltyk_client):
    ids = _pending(baltyk, 3)
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    page = baltyk_client.get("/panel/odczyty/").get_data(as_text=True)
    assert "Czekają 3 odczyty." in page and "<strong>135</strong> m³" in page
    token = baltyk_client.csrf_token("/panel/odczyty/")
    answer = baltyk_client.post("/panel/odczyty/decyzja", data={
        "csrf_token": token, "reading": [f"{i}:135.000" for i in ids[:2]], "action": "accept"},
        follow_redirects=True)
    assert "Zaakceptowano 2 odczyty." in answer.get_data(as_text=True)
    again = baltyk_client.post("/panel/odczyty/decyzja", data={
        "csrf_token": token, "reading": [f"{ids[0]}:135"], "action": "accept"},
        follow_redirects=True)
    assert "Zaakceptowano 0 odczytów." in again.get_data(as_text=True)
    with in_tenant(baltyk):
        statuses = dict(db.session.execute(select(Reading.id, Reading.status)
                                           .where(Reading.id.in_(ids))).all())
        mails = db.session.scalars(select(OutboxMessage.template)).all()
    assert [statuses[i] for i in ids] == [ACCEPTED, ACCEPTED, PENDING]
    assert mails == ["reading_accepted", "reading_accepted"]


def test_the_clerk_ticks_all_readings_or_all_without_notes_in_one_step(baltyk, baltyk_client):
    ids = _pending(baltyk, 3)
    with in_tenant(baltyk):
        db.session.get(Reading, ids[1]).high_confirmed = True
        db.session.commit()
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)

    def ticked(query: str) -> list[int]:
        page = baltyk_client.get(f"/panel/odczyty/{query}").get_data(as_text=True)
        return [i for i in ids if re.search(rf'value="{i}:[^"]*" id="r{i}"\s*checked', page)]

    assert ticked("") == []
    assert ticked("?zaznacz=wszystkie") == ids
    assert ticked("?zaznacz=bez-uwag") == [ids[0], ids[2]]
    assert ticked("?zaznacz=cokolwiek") == []
    page = baltyk_client.get("/panel/odczyty/?zaznacz=wszystkie").get_data(as_text=True)
    assert "Zaznacz wszystkie bez uwag" in page and "Wyczyść zaznaczenie" in page


def test_a_long_queue_comes_a_page_at_a_time_and_ticking_all_covers_the_page(
        baltyk, baltyk_client, monkeypatch):
    monkeypatch.setattr(services, "QUEUE_PAGE", 2)
    ids = _pending(baltyk, 5)
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    first = baltyk_client.get("/panel/odczyty/?zaznacz=wszystkie").get_data(as_text=True)
    assert "Czeka 5 odczytów." in first and "Na tej stronie: 1–2, od najstarszych." in first
    assert [i for i in ids if f'id="r{i}"' in first] == ids[:2]
    assert first.count(" checked") == 2 and "Strona 1 z 3" in first
    last = baltyk_client.get("/panel/odczyty/?strona=3").get_data(as_text=True)
    assert [i for i in ids if f'id="r{i}"' in last] == ids[4:]
    for odd in ("?strona=99", "?strona=-1", "?strona=abc"):  # clamped, never an error
        assert baltyk_client.get(f"/panel/odczyty/{odd}").status_code == 200


def test_a_rejection_needs_a_reason_which_the_resident_reads(baltyk, baltyk_client):
    [reading_id] = _pending(baltyk, 1)
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    token = baltyk_client.csrf_token("/panel/odczyty/")
    refused = baltyk_client.post("/panel/odczyty/decyzja", data={
        "csrf_token": token, "reading": [f"{reading_id}:135"], "action": "reject", "reason": ""},
        follow_redirects=True)
    assert "Prosimy podać powód odrzucenia." in refused.get_data(as_text=True)
    baltyk_client.post("/panel/odczyty/decyzja", data={
        "csrf_token": token, "reading": [f"{reading_id}:135"], "action": "reject",
        "reason": "Stan na zdjęciu jest inny."})
    with in_tenant(baltyk):
        reading = db.session.get(Reading, reading_id)
        message = db.session.scalar(select(OutboxMessage))
        assert (reading.status, reading.reject_reason) == (REJECTED, "Stan na zdjęciu jest inny.")
        assert message.template == "reading_rejected"
        assert message.context["reason"] == "Stan na zdjęciu jest inny."


def test_the_queue_uses_the_same_queries_for_two_readings_or_twenty(baltyk, baltyk_client):
    _pending(baltyk, 2)
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    few = queries_for(baltyk_client, "/panel/odczyty/")
    _pending(baltyk, 18)
    assert queries_for(baltyk_client, "/panel/odczyty/") == few


def test_staff_enter_a_reading_from_paper_and_correct_it_with_a_trail(baltyk, baltyk_client,
                                                                      home):
    _, meter_id = home
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    path = f"/panel/odczyty/licznik/{meter_id}"
    assert _form(baltyk_client, path, value="145,5", read_on=TODAY.isoformat()).status_code == 302
    assert _readings(baltyk, meter_id)[-1] == (ACCEPTED, Decimal("145.500"), "staff")
    with in_tenant(baltyk):
        reading_id = db.session.scalar(select(Reading.id).where(Reading.source == "staff"))
    correct = f"/panel/odczyty/{reading_id}/korekta"
    missing = _form(baltyk_client, correct, value="154,5", read_on=TODAY.isoformat(), reason="")
    assert "Prosimy podać powód korekty." in missing.get_data(as_text=True)
    assert _form(baltyk_client, correct, value="154,5", read_on=TODAY.isoformat(),
                 reason="Pomyłka przy przepisywaniu").status_code == 302
    page = baltyk_client.get(path).get_data(as_text=True)
    assert "145,5 → 154,5 (Pomyłka przy przepisywaniu)" in page
    lower = _form(baltyk_client, correct, value="120", read_on=TODAY.isoformat(), reason="x")
    assert "nie może być niższy" in lower.get_data(as_text=True)


def test_residents_and_other_cooperatives_staff_do_not_reach_the_queue(zw, baltyk, zw_client,
                                                                        baltyk_client, home):
    household, meter_id = home
    [reading_id] = _pending(baltyk, 1)
    baltyk_client.login(household.identifier, household.password)
    assert baltyk_client.get("/panel/odczyty/").status_code == 404
    admin = make_household(zw, units=0, role=ADMIN)
    zw_client.login(admin.identifier, admin.password)
    assert zw_client.get(f"/panel/odczyty/licznik/{meter_id}").status_code == 404
    assert zw_client.get(f"/panel/odczyty/{reading_id}/korekta").status_code == 404
    token = zw_client.csrf_token("/panel/odczyty/")
    zw_client.post("/panel/odczyty/decyzja", data={
        "csrf_token": token, "reading": [f"{reading_id}:135"], "action": "accept"})
    with in_tenant(baltyk):
        assert db.session.get(Reading, reading_id).status == PENDING


# --- export ------------------------------------------------------------------------------------


def _staff_readings(tenant, meter_id: int) -> None:
    """Two readings from paper (imported ones are not exported back)."""
    clerk_id = make_clerk_id(tenant)
    with in_tenant(tenant):
        meter, clerk = db.session.get(Meter, meter_id), db.session.get(User, clerk_id)
        for day, value in ((date(2026, 8, 1), "140"), (date(2026, 9, 1), "150")):
            services.enter(meter, Decimal(value), day, clerk)


def test_each_accepted_reading_is_exported_once_unless_asked_again(app, baltyk, home, tmp_path):
    _staff_readings(baltyk, home[1])
    first = run_cli(app, "export", "readings", "--tenant", "baltyk", "--format", "json")
    rows = json.loads(first.output[:first.output.rindex("}") + 1])["readings"]
    assert [(r["data"], r["wartosc"], r["zrodlo"]) for r in rows] == [
        ("2026-08-01", "140.000", "staff"), ("2026-09-01", "150.000", "staff")]
    second = run_cli(app, "export", "readings", "--tenant", "baltyk")
    assert second.output.splitlines()[0].lstrip("\ufeff").startswith("id_zewnetrzne;licznik")
    assert "0 readings exported." in second.output
    out = tmp_path / "odczyty.csv"
    run_cli(app, "export", "readings", "--tenant", "baltyk", "--all", "--output", str(out))
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[2].split(";")[5] == "150,000"


def test_the_api_exports_readings_with_the_cooperatives_token(app, zw, baltyk, home,
                                                              baltyk_client, zw_client):
    _staff_readings(baltyk, home[1])
    token = re.search(r"^iok_\S+$", run_cli(app, "tenants", "api-token", "baltyk").output,
                      re.M).group(0)
    headers = {"Authorization": f"Bearer {token}"}
    assert zw_client.post("/api/v1/export/readings", headers=headers).status_code == 401
    first = baltyk_client.post("/api/v1/export/readings", headers=headers).json
    assert first["count"] == 2
    assert baltyk_client.post("/api/v1/export/readings", headers=headers).json["count"] == 0
    assert baltyk_client.post("/api/v1/export/readings?all=1", headers=headers).json["count"] == 2
    with in_tenant(baltyk):
        assert db.session.scalar(select(func.count()).select_from(Reading).where(
            Reading.exported_at.is_not(None))) == 2


# --- reminders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "day", "window"), [
    (25, 31, date(2026, 11, 26), (date(2026, 11, 25), date(2026, 11, 30))),
    (25, 5, date(2026, 12, 2), (date(2026, 11, 25), date(2026, 12, 5))),
    (25, 5, date(2026, 11, 27), (date(2026, 11, 25), date(2026, 12, 5))),
    (25, 31, date(2026, 11, 20), None),
])
def test_the_current_window(start, end, day, window):
    from iok_saas.meters.reminders import current_window

    assert current_window(Readings(window_start_day=start, window_end_day=end), day) == window
    assert current_window(Readings(), day) is None


def test_residents_who_asked_get_one_reminder_per_window(app, baltyk, baltyk_client):
    keen = make_household(baltyk, units=1)
    make_household(baltyk, units=1)  # did not ask
    baltyk_client.login(keen.identifier, keen.password)
    run_cli(app, "tenants", "update", "baltyk", f"readings.window_start_day={TODAY.day}",
            f"readings.window_end_day={TODAY.day}")
    try:
        page = baltyk_client.get("/liczniki").get_data(as_text=True)
        assert "Przypominaj mi e-mailem" in page
        token = baltyk_client.csrf_token("/liczniki")
        answer = baltyk_client.post("/liczniki/przypomnienia",
                                    data={"csrf_token": token, "reminders": "y"},
                                    follow_redirects=True)
        assert "Przypomnienia włączone." in answer.get_data(as_text=True)
        assert "1 reminders queued." in run_cli(app, "meters", "remind").output
        assert "0 reminders queued." in run_cli(app, "meters", "remind").output
        with in_tenant(baltyk):
            [message] = db.session.scalars(select(OutboxMessage)).all()
            assert message.template == "reading_reminder" and message.recipient.startswith("t")
            assert message.context["until"] == f"{TODAY:%d.%m.%Y}"
    finally:
        with as_platform():
            tenant_services.sync_dir(ROOT / "tenants")


def test_staff_correct_an_older_reading_between_its_neighbours(baltyk, baltyk_client):
    household = make_household(baltyk, units=1)
    meter_id = make_meter(baltyk, household.unit_ids[0], readings=())
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    path = f"/panel/odczyty/licznik/{meter_id}"
    for day, value in (("2026-01-10", "100"), ("2026-04-10", "120"), ("2026-07-10", "130")):
        assert _form(baltyk_client, path, value=value, read_on=day).status_code == 302
    with in_tenant(baltyk):
        middle = db.session.scalar(select(Reading.id).where(Reading.value == Decimal("120")))
    correct = f"/panel/odczyty/{middle}/korekta"
    too_high = _form(baltyk_client, correct, value="135", read_on="2026-04-10", reason="x")
    assert "nie może być wyższy niż zaakceptowany odczyt z 10.07.2026" in too_high.get_data(
        as_text=True)
    assert _form(baltyk_client, correct, value="125", read_on="2026-04-10",
                 reason="Błąd odczytu").status_code == 302
    assert [r[1] for r in _readings(baltyk, meter_id)] == [Decimal("100"), Decimal("125"),
                                                          Decimal("130")]


def test_imported_readings_are_corrected_in_the_accounting_system(baltyk, baltyk_client, home):
    _, meter_id = home
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    with in_tenant(baltyk):
        imported = db.session.scalar(select(Reading.id).where(Reading.meter_id == meter_id))
    answer = _form(baltyk_client, f"/panel/odczyty/{imported}/korekta", value="101",
                   read_on="2026-01-01", reason="x")
    assert "pochodzi z systemu księgowego" in answer.get_data(as_text=True)


def test_a_reading_changed_after_staff_saw_it_is_not_accepted_blindly(baltyk, baltyk_client):
    [reading_id] = _pending(baltyk, 1)
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    with in_tenant(baltyk):  # the resident changes it after the list was shown
        db.session.get(Reading, reading_id).value = Decimal("999")
    token = baltyk_client.csrf_token("/panel/odczyty/")
    answer = baltyk_client.post("/panel/odczyty/decyzja", data={
        "csrf_token": token, "reading": [f"{reading_id}:135.000", "²:1", "x"],
        "action": "accept"}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "Zaakceptowano 0 odczytów." in page and "zmieniona przez mieszkańca" in page
    with in_tenant(baltyk):
        assert db.session.get(Reading, reading_id).status == PENDING


def test_a_photo_that_unpacks_to_gigapixels_is_refused_and_phone_jpegs_are_fine(ctx):
    tiny = io.BytesIO()
    Image.new("1", (12000, 12000)).save(tiny, "PNG")
    with pytest.raises(ReadingError, match="za dużą rozdzielczość"):
        photos.clean(tiny.getvalue(), Readings())
    photo = io.BytesIO()
    Image.new("RGB", (3000, 2000), (1, 2, 3)).save(photo, "JPEG", comment=b"GPS secret")
    cleaned = photos.clean(photo.getvalue(), Readings())
    assert b"GPS secret" not in cleaned
    assert Image.open(io.BytesIO(cleaned)).size == (1600, 1067)


def test_the_staff_panel_says_how_many_readings_wait(baltyk, baltyk_client):
    _pending(baltyk, 3)
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    page = baltyk_client.get("/panel/").get_data(as_text=True)
    assert "Na akceptację czekają 3 odczyty liczników." in page and 'href="/panel/odczyty/"' in page
