"""Fault reports: numbering, the resident's form and history, staff actions, merging, e-mails,
photos, bad input, another cooperative's ids, the feature switched off."""

from __future__ import annotations

import io
import re
import threading

import pytest
from PIL import Image
from sqlalchemy import select

from iok_saas.audit.models import FAULT_MERGED, FAULT_STATUS, AuditEvent
from iok_saas.auth.models import CLERK, User
from iok_saas.cases import services as cases
from iok_saas.cases.kinds import Upload
from iok_saas.cases.models import CaseAttachment, CaseEvent
from iok_saas.db import db
from iok_saas.faults import services
from iok_saas.faults.models import (
    DONE,
    IN_PROGRESS,
    MERGED,
    RECEIVED,
    REJECTED,
    FaultReport,
)
from iok_saas.mail.models import OutboxMessage
from iok_saas.web.problems import DomainError
from tests.factories import make_household
from tests.helpers import client_for, detached, in_tenant

NOTE = "Klucz do piwnicy u gospodarza — wewnętrzne"


def _image(fmt: str = "JPEG", size=(60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, fmt)
    return out.getvalue()


def _rules(tenant):
    from iok_saas.tenancy.info import get_tenant_info

    return get_tenant_info(tenant.id).settings.faults


def _act(report, user, **action) -> list[str]:
    """A staff action, as the report's page sends it."""
    from iok_saas.tenancy.context import require_tenant_id
    from iok_saas.tenancy.info import get_tenant_info

    rules = get_tenant_info(require_tenant_id()).settings.faults
    return cases.act(report, user, cases.Action(**action), rules)


def _new(household, **fields) -> services.NewReport:
    fields["photos"] = tuple(Upload(f"zdjecie-{n}", data)
                             for n, data in enumerate(fields.get("photos", ())))
    values = {"category": "woda i kanalizacja", "place_kind": "unit",
              "place_id": household.unit_ids[0], "place": "łazienka",
              "description": "Przecieka pion w łazience.", "entry_allowed": True,
              "contact_phone": "600 700 800", "contact_note": "po 15:00",
              "submission": cases.new_submission()} | fields
    return services.NewReport(**values)


def _create(tenant, household, **fields) -> int:
    with in_tenant(tenant):
        user = db.session.get(User, household.user_id)
        return services.create(user, _new(household, **fields), _rules(tenant)).id


def _report(tenant, report_id) -> FaultReport:
    [report] = detached(tenant, select(FaultReport).where(FaultReport.id == report_id))
    return report


def _mails(tenant, template: str) -> list[OutboxMessage]:
    return detached(tenant, select(OutboxMessage).where(OutboxMessage.template == template)
                    .order_by(OutboxMessage.created_at))


@pytest.fixture
def resident(zw):
    return make_household(zw, units=2)


@pytest.fixture
def clerk(zw):
    return make_household(zw, units=0, role=CLERK)


def _post_form(client, path, fields, files=None, page_path=None):
    page = client.get(page_path or path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, **fields}
    submission = re.search(r'name="submission" type="hidden" value="([^"]*)"', page)
    if submission and "submission" not in fields:
        data["submission"] = submission.group(1)
    if files:
        data["photos"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(path, data=data, content_type="multipart/form-data")


# --- numbering ----------------------------------------------------------------------------------


def test_numbers_run_per_cooperative_and_year_without_gaps(zw, baltyk, resident):
    other = make_household(baltyk)
    first, second = _create(zw, resident), _create(zw, resident)
    with pytest.raises(services.FaultError):  # refused: takes no number
        _create(zw, resident, description="")
    third = _create(zw, resident)
    year = _report(zw, first).year
    assert [_report(zw, i).registry_number for i in (first, second, third)] == [
        f"AW/{year}/00001", f"AW/{year}/00002", f"AW/{year}/00003"]
    with pytest.raises(services.FaultError):  # Bałtyk's refusal takes no number either
        _create(baltyk, other, category="nieznana")
    assert _report(baltyk, _create(baltyk, other, category="inne")).number == 1


def test_two_reports_at_once_never_share_a_number(app, zw, resident):
    """Two transactions take numbers at the same moment: the second waits for the first."""
    numbers, errors = [], []
    barrier = threading.Barrier(4)

    def report():
        try:
            with app.app_context():
                barrier.wait()
                numbers.append(_report(zw, _create(zw, resident)).number)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and sorted(numbers) == [1, 2, 3, 4]


def test_the_same_form_sent_twice_makes_one_report(zw, resident):
    key = cases.new_submission()
    assert _create(zw, resident, submission=key) == _create(zw, resident, submission=key)
    with in_tenant(zw):
        assert len(db.session.scalars(select(FaultReport)).all()) == 1


# --- residents ----------------------------------------------------------------------------------


def test_resident_reports_with_a_photo_and_gets_the_number_by_email(zw, resident, zw_client):
    zw_client.login(resident.identifier, resident.password)
    page = zw_client.get("/awarie/nowa").get_data(as_text=True)
    for emergency in ("112", "992", "991", "994", "Pogotowie techniczne"):
        assert emergency in page
    answer = _post_form(zw_client, "/awarie/nowa", {
        "category": "woda i kanalizacja", "where": f"unit:{resident.unit_ids[0]}",
        "place": "łazienka", "description": "Cieknie pion <b>wody</b>.", "entry_allowed": "y",
        "contact_phone": "600 700 800"}, files=[("pion.jpg", _image())])
    assert answer.status_code == 302
    report_page = zw_client.get(answer.location).get_data(as_text=True)
    with in_tenant(zw):
        report = db.session.scalars(select(FaultReport)).one()
        report_id, number = report.id, report.registry_number
        photo_id = db.session.scalars(select(CaseAttachment.id)).one()
    assert number in report_page and "przyjęte" in report_page
    assert "Cieknie pion &lt;b&gt;wody&lt;/b&gt;." in report_page  # shown as text
    [mail] = _mails(zw, "fault_received")
    assert mail.recipient.startswith("t") and mail.context["number"] == number
    image = zw_client.get(f"/awarie/{report_id}/zdjecia/{photo_id}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert "no-store" in image.headers["Cache-Control"]
    assert number in zw_client.get("/awarie").get_data(as_text=True)
    assert number in zw_client.get("/").get_data(as_text=True)  # the home page block


def test_common_area_of_a_building_the_resident_lives_in(zw, resident):
    report_id = _create(zw, resident, place_kind="building", place_id=resident.building_id,
                        place="klatka II, 3 piętro")
    report = _report(zw, report_id)
    assert report.unit_id is None and report.building_id == resident.building_id


@pytest.mark.parametrize(("fields", "message"), [
    ({"description": ""}, "Prosimy opisać"),
    ({"description": "x" * 20_000}, "4000"),
    ({"category": "kosmici"}, "kategori"),
    ({"where": "unit:999999"}, "lokali"),
    ({"where": "building:999999"}, "lokali"),
    ({"where": "unit:abc"}, "lokali"),
    ({"place": "<script>alert(1)</script>"}, "niedozwolone"),
    ({"contact_phone": "zadzwoń"}, "cyfr"),
])
def test_bad_input_gets_a_message_and_saves_nothing(zw, resident, zw_client, fields, message):
    zw_client.login(resident.identifier, resident.password)
    data = {"category": "elektryka", "where": f"unit:{resident.unit_ids[0]}",
            "description": "Nie działa gniazdko."} | fields
    answer = _post_form(zw_client, "/awarie/nowa", data)
    assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    with in_tenant(zw):
        assert db.session.scalars(select(FaultReport)).all() == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("skan.pdf", b"%PDF-1.4 not a photo", "to nie jest zdjęcie"),
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 200, "to nie jest zdjęcie"),
    ("rysunek.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "to nie jest zdjęcie"),
])
def test_a_file_that_is_not_a_photo_is_refused(zw, resident, zw_client, name, content, message):
    zw_client.login(resident.identifier, resident.password)
    answer = _post_form(zw_client, "/awarie/nowa", {
        "category": "elektryka", "where": f"unit:{resident.unit_ids[0]}",
        "description": "Iskrzy gniazdko."}, files=[(name, content)])
    assert message in answer.get_data(as_text=True).lower()
    with in_tenant(zw):
        assert db.session.scalars(select(FaultReport)).all() == []


def test_a_decompression_bomb_a_sixth_photo_and_a_huge_file_are_refused(zw, resident):
    bomb = _image("PNG", size=(8000, 8000))  # small file, 64 million pixels
    for photos, field in (((bomb,), "photos"), ((_image(),) * 6, "photos"),
                          ((b"\xff\xd8" + b"0" * (13 * 1024 * 1024),), "photos")):
        with pytest.raises(DomainError) as error:
            _create(zw, resident, photos=photos)
        assert error.value.field == field
    with in_tenant(zw):
        assert db.session.scalars(select(FaultReport)).all() == []


def test_a_heic_photo_from_a_phone_is_kept_as_a_jpeg_without_metadata(zw, resident):
    report_id = _create(zw, resident, photos=(_image("HEIF"),))
    with in_tenant(zw):
        from iok_saas import files

        photo = db.session.scalars(select(CaseAttachment).where(
            CaseAttachment.case_id == report_id)).one()
        kept = files.read(photo.file_id)
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "JPEG" and not image.info.get("exif")


def test_residents_see_replies_but_never_internal_notes(zw, resident, clerk, zw_client):
    report_id = _create(zw, resident)
    with in_tenant(zw):
        report = db.session.get(FaultReport, report_id)
        _act(report, db.session.get(User, clerk.user_id), status=IN_PROGRESS,
                     reply="Hydraulik przyjdzie w czwartek.", note=NOTE)
    zw_client.login(resident.identifier, resident.password)
    page = zw_client.get(f"/awarie/{report_id}").get_data(as_text=True)
    assert "Hydraulik przyjdzie w czwartek." in page and "w realizacji" in page
    assert NOTE not in page and "notatka" not in page.lower()
    [mail] = _mails(zw, "fault_status")
    assert NOTE not in str(mail.context)


def test_comment_confirm_and_reopen_within_the_cooperatives_days(zw, resident, clerk, zw_client):
    report_id = _create(zw, resident)
    zw_client.login(resident.identifier, resident.password)
    answer = _post_form(zw_client, f"/awarie/{report_id}", {"text": "Woda leci coraz mocniej."},
                        files=[("zdjecie.png", _image("PNG"))])
    assert answer.status_code == 302
    with in_tenant(zw):
        report = db.session.get(FaultReport, report_id)
        _act(report, db.session.get(User, clerk.user_id), status=DONE,
                     reply="Wymieniono uszczelkę.")
    page = zw_client.get(f"/awarie/{report_id}").get_data(as_text=True)
    assert "Czy usterka została usunięta?" in page
    answer = _post_form(zw_client, f"/awarie/{report_id}/otworz", {"text": "Nadal cieknie."},
                        page_path=f"/awarie/{report_id}")
    assert answer.status_code == 302
    assert _report(zw, report_id).status == RECEIVED
    with in_tenant(zw):
        report = db.session.get(FaultReport, report_id)
        _act(report, db.session.get(User, clerk.user_id), status=DONE)
        report.closed_at = report.closed_at.replace(year=report.closed_at.year - 1)
    page = zw_client.get(f"/awarie/{report_id}").get_data(as_text=True)
    assert "Czy usterka została usunięta?" not in page  # past the 14 days
    token = zw_client.csrf_token("/awarie/nowa")  # the page offers no form any more
    zw_client.post(f"/awarie/{report_id}/otworz", data={"csrf_token": token, "text": "Nadal."})
    assert _report(zw, report_id).status == DONE


def test_a_resident_cannot_change_the_status(zw, resident, zw_client):
    report_id = _create(zw, resident)
    zw_client.login(resident.identifier, resident.password)
    assert zw_client.get(f"/panel/awarie/{report_id}").status_code == 404
    answer = zw_client.post(f"/panel/awarie/{report_id}", data={"status": DONE})
    assert answer.status_code in (400, 404)
    assert _report(zw, report_id).status == RECEIVED


def test_another_residents_or_cooperatives_report_and_photo_are_not_found(
        zw, baltyk, resident, zw_client, baltyk_client):
    report_id = _create(zw, resident, photos=(_image(),))
    with in_tenant(zw):
        photo_id = db.session.scalars(select(CaseAttachment.id)).one()
    neighbour = make_household(zw)
    zw_client.login(neighbour.identifier, neighbour.password)
    for path in (f"/awarie/{report_id}", f"/awarie/{report_id}/zdjecia/{photo_id}"):
        assert zw_client.get(path).status_code == 404
    stranger = make_household(baltyk)
    baltyk_client.login(stranger.identifier, stranger.password)
    assert baltyk_client.get(f"/awarie/{report_id}").status_code == 404  # feature off there
    baltyk_clerk = make_household(baltyk, units=0, role=CLERK)
    other = client_for(baltyk_client.application, "baltyk.localhost")
    other.login(baltyk_clerk.identifier, baltyk_clerk.password)
    assert other.get(f"/panel/awarie/{report_id}").status_code == 404


def test_balyk_has_no_fault_reports_at_all(baltyk, baltyk_client):
    resident = make_household(baltyk)
    baltyk_client.login(resident.identifier, resident.password)
    for path in ("/awarie", "/awarie/nowa", "/panel/awarie/"):
        assert baltyk_client.get(path).status_code == 404
    assert 'href="/awarie' not in baltyk_client.get("/").get_data(as_text=True)


# --- staff --------------------------------------------------------------------------------------


def test_staff_move_a_report_through_its_statuses_and_each_step_is_audited(
        zw, resident, clerk, zw_client):
    report_id = _create(zw, resident)
    zw_client.login(clerk.identifier, clerk.password)
    queue = zw_client.get("/panel/awarie/").get_data(as_text=True)
    assert _report(zw, report_id).registry_number in queue and "0 dni" in queue
    assert "1 zgłoszenie awarii jest otwarte" in zw_client.get("/panel/").get_data(as_text=True)
    path = f"/panel/awarie/{report_id}"
    answer = _post_form(zw_client, path, {"status": IN_PROGRESS, "reply": "Zlecono hydraulikowi.",
                                          "note": NOTE, "assign_to": str(clerk.user_id),
                                          "planned_on": "2026-12-03"})
    assert answer.status_code == 302
    page = zw_client.get(path).get_data(as_text=True)
    assert NOTE in page and "Zlecono hydraulikowi." in page  # staff see the note
    kept = {"assign_to": str(clerk.user_id), "planned_on": "2026-12-03"}  # as the page shows
    assert _post_form(zw_client, path, {"status": REJECTED, **kept}).status_code == 200
    assert _post_form(zw_client, path, {"status": DONE, "reply": "Naprawione.",
                                        **kept}).status_code == 302
    report = _report(zw, report_id)
    assert report.status == DONE and report.closed_at is not None
    assert report.assigned_to_id == clerk.user_id and str(report.planned_on) == "2026-12-03"
    assert [m.context["status"] for m in _mails(zw, "fault_status")] == [IN_PROGRESS, DONE]
    with in_tenant(zw):
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action == FAULT_STATUS)).all()
    assert len(actions) == 2


def test_a_public_reply_without_a_status_change_is_emailed(zw, resident, clerk):
    report_id = _create(zw, resident)
    with in_tenant(zw):
        _act(db.session.get(FaultReport, report_id), db.session.get(User, clerk.user_id),
                     reply="Prosimy o dostęp do piwnicy.")
    [mail] = _mails(zw, "fault_reply")
    assert mail.context["reply"] == "Prosimy o dostęp do piwnicy."


def test_merging_duplicates_tells_every_reporter_and_they_follow_one_report(
        zw, resident, clerk, zw_client):
    neighbour = make_household(zw)
    first = _create(zw, resident, description="Cieknie u Kowalskich.", photos=(_image(),))
    second = _create(zw, neighbour, place_kind="unit", place_id=neighbour.unit_ids[0],
                     description="Kapie z sufitu sąsiada.", photos=(_image("PNG"),))
    zw_client.login(clerk.identifier, clerk.password)
    path = f"/panel/awarie/{first}"
    page = zw_client.get(path).get_data(as_text=True)
    assert _report(zw, second).registry_number not in page  # another building: no candidate
    with in_tenant(zw):  # same building for the test: the neighbour's unit is elsewhere
        report = db.session.get(FaultReport, second)
        report.building_id = resident.building_id
    page = zw_client.get(path).get_data(as_text=True)
    token = re.search(r'id="polacz".*?name="csrf_token" type="hidden" value="([^"]+)"', page,
                      re.S).group(1)
    answer = zw_client.post(f"{path}/polacz", data={"csrf_token": token, "duplicates": second})
    assert answer.status_code == 302
    assert _report(zw, second).status == MERGED and _report(zw, second).merged_into_id == first
    [told] = _mails(zw, "fault_merged")
    assert told.recipient == f"t{int(neighbour.identifier[1:])}@example.org"
    _post_form(zw_client, path, {"status": IN_PROGRESS, "reply": "Technik jedzie."})
    assert len(_mails(zw, "fault_status")) == 2  # both reporters
    other = client_for(zw_client.application, "zielone-wzgorza.localhost")
    other.login(neighbour.identifier, neighbour.password)
    mine = other.get("/awarie").get_data(as_text=True)
    assert _report(zw, first).registry_number in mine
    followed = other.get(f"/awarie/{first}").get_data(as_text=True)
    assert "Technik jedzie." in followed and "połączyła" in followed
    # Each resident sees their own words and photos, never the other's.
    assert "Cieknie u Kowalskich." not in followed and "Kapie z sufitu" in followed
    with in_tenant(zw):
        photo_of = dict(db.session.execute(select(CaseAttachment.case_id, CaseAttachment.id)).all())
    assert f"/zdjecia/{photo_of[first]}" not in followed
    assert f"/zdjecia/{photo_of[second]}" in followed
    assert other.get(f"/awarie/{first}/zdjecia/{photo_of[second]}").status_code == 200
    anna = client_for(zw_client.application, "zielone-wzgorza.localhost")
    anna.login(resident.identifier, resident.password)
    theirs = anna.get(f"/awarie/{first}").get_data(as_text=True)
    assert "Cieknie u Kowalskich." in theirs and "Kapie z sufitu" not in theirs
    assert f"/zdjecia/{photo_of[second]}" not in theirs
    # Photo ids run in order: neither reporter downloads the other's by typing its address.
    assert other.get(f"/awarie/{first}/zdjecia/{photo_of[first]}").status_code == 404
    assert anna.get(f"/awarie/{first}/zdjecia/{photo_of[second]}").status_code == 404
    assert anna.get(f"/awarie/{first}/zdjecia/{photo_of[first]}").status_code == 200
    # Staff see both.
    for photo in photo_of.values():
        assert zw_client.get(f"/panel/awarie/{first}/zdjecia/{photo}").status_code == 200
    with in_tenant(zw):
        assert db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action == FAULT_MERGED)).all() == [FAULT_MERGED]


def test_queue_filters_and_the_export_keep_formulas_out(zw, resident, clerk, zw_client):
    power = _create(zw, resident, description="=HYPERLINK(\"http://zlo\")",
                    category="elektryka")
    lift = _create(zw, resident, category="winda")
    zw_client.login(clerk.identifier, clerk.password)
    page = zw_client.get("/panel/awarie/?category=winda").get_data(as_text=True)
    assert _report(zw, lift).registry_number in page
    assert _report(zw, power).registry_number not in page
    assert zw_client.get("/panel/awarie/?status=nonsense&assigned=<x>").status_code == 200
    export = zw_client.get("/panel/awarie/eksport.csv")
    text = export.get_data(as_text=True)
    assert export.status_code == 200 and "numer;zgloszono;kategoria" in text
    assert "'=HYPERLINK" in text


def test_history_events_are_kept_in_order(zw, resident, clerk):
    report_id = _create(zw, resident)
    with in_tenant(zw):
        report = db.session.get(FaultReport, report_id)
        _act(report, db.session.get(User, clerk.user_id), note="Sprawdzić pion.")
        kinds = [e.kind for e in db.session.scalars(select(CaseEvent).order_by(CaseEvent.id))]
    assert kinds == ["created", "note"]


def test_the_form_sent_twice_and_a_30_mb_photo_through_the_page(zw, resident, zw_client):
    zw_client.login(resident.identifier, resident.password)
    page = zw_client.get("/awarie/nowa").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    key = re.search(r'name="submission" type="hidden" value="([^"]*)"', page).group(1)
    fields = {"csrf_token": token, "submission": key, "category": "gaz",
              "where": f"unit:{resident.unit_ids[0]}", "description": "Kuchenka nie zapala się."}
    huge = zw_client.post("/awarie/nowa", content_type="multipart/form-data", data={
        **fields, "photos": [(io.BytesIO(b"\xff\xd8" + b"0" * (30 << 20)), "duze.jpg")]})
    assert huge.status_code == 200 and "najwyżej 12 MB" in huge.get_data(as_text=True)
    first = zw_client.post("/awarie/nowa", data=fields, content_type="multipart/form-data")
    again = zw_client.post("/awarie/nowa", data=fields, content_type="multipart/form-data")
    assert first.status_code == again.status_code == 302
    assert first.location == again.location
    with in_tenant(zw):
        assert len(db.session.scalars(select(FaultReport)).all()) == 1
