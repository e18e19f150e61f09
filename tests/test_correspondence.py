"""Letters to the office (sprawy): registry numbers, the thread each side sees, staff answers
and e-mails, follow-ups, bad input through the page, attachments, other people's and other
cooperatives' ids, moving a letter into the fault reports, answer templates, the feature off."""

from __future__ import annotations

import io
import re
import threading

import pytest
from PIL import Image
from sqlalchemy import func, select

from iok_saas.audit.models import CASE_ANSWERED, CASE_ASSIGNED, CASE_CLOSED, AuditEvent
from iok_saas.auth.models import CLERK, User
from iok_saas.cases import services as cases
from iok_saas.cases.kinds import Upload
from iok_saas.cases.models import ASSIGNED, MOVED, NOTE, CaseAttachment, CaseEvent
from iok_saas.cases.models import COMMENT as FOLLOW_UP
from iok_saas.cases.models import CREATED as LETTER
from iok_saas.cases.models import REPLY as ANSWER
from iok_saas.correspondence import services
from iok_saas.correspondence.models import (
    CLOSED,
    IN_PROGRESS,
    RECEIVED,
    WAITING,
    AnswerTemplate,
)
from iok_saas.correspondence.models import Letter as Case
from iok_saas.db import db
from iok_saas.faults.models import FaultReport
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy import tenant_context
from tests.factories import make_household, pdf_bytes
from tests.helpers import as_platform, client_for, detached, in_tenant

SECRET_NOTE = "Mieszkaniec dzwonił trzy razy — notatka wewnętrzna"
CLERK_SURNAME = "Przydzielska"
TOPIC = "pytanie o rozliczenie"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" type="hidden" value="([^"]*)"')


def _image(fmt: str = "PNG", size=(60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 10)).save(out, fmt)
    return out.getvalue()


def _rules(tenant):
    from iok_saas.tenancy.info import get_tenant_info

    return get_tenant_info(tenant.id).settings.correspondence


def _new(household, **fields) -> services.NewCase:
    values = {"topic": TOPIC, "unit_id": household.unit_ids[0] if household.unit_ids else None,
              "subject": "Naliczenie za wodę w październiku",
              "body": "Proszę o wyjaśnienie naliczenia za wodę.",
              "submission": cases.new_submission(), "attachments": ()} | fields
    return services.NewCase(**values)


def _create(tenant, household, **fields) -> int:
    with in_tenant(tenant):
        user = db.session.get(User, household.user_id)
        return services.create(user, _new(household, **fields), _rules(tenant)).id


def _case(tenant, case_id) -> Case:
    [case] = detached(tenant, select(Case).where(Case.id == case_id))
    return case


def _count(tenant, model=Case) -> int:
    with tenant_context(tenant.id):
        found = db.session.scalar(select(func.count()).select_from(model))
    db.session.remove()
    return found


def _kinds(tenant, case_id) -> list[tuple[str, str | None]]:
    with tenant_context(tenant.id):
        found = [(e.kind, e.status) for e in db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))]
    db.session.remove()
    return found


def _mails(tenant, template: str) -> list[OutboxMessage]:
    return detached(tenant, select(OutboxMessage).where(OutboxMessage.template == template)
                    .order_by(OutboxMessage.created_at))


def _act(tenant, case_id, staff, **action) -> list[str]:
    with in_tenant(tenant):
        case = db.session.get(Case, case_id)
        names = {"answer": "reply", "attachments": "files"}  # the staff form's words
        return cases.act(case, db.session.get(User, staff.user_id),
                         cases.Action(**{names.get(k, k): v for k, v in action.items()}),
                         _rules(tenant))


def _attachments(tenant, case_id) -> list[CaseAttachment]:
    with tenant_context(tenant.id):
        rows = list(db.session.scalars(select(CaseAttachment).where(
            CaseAttachment.case_id == case_id).order_by(CaseAttachment.id)))
        for row in rows:
            db.session.expunge(row)
    db.session.remove()
    return rows


def _signed_in(client, household):
    assert client.login(household.identifier, household.password).status_code == 302
    return client


def _send_letter(client, household, fields=None, files=None, submission=None):
    """POST /sprawy/nowa as the page does: its CSRF token and its submission key."""
    page = client.get("/sprawy/nowa").get_data(as_text=True)
    data = {"csrf_token": CSRF.search(page).group(1),
            "submission": submission or SUBMISSION.search(page).group(1),
            "topic": TOPIC, "unit": str(household.unit_ids[0]),
            "subject": "Naliczenie za wodę", "body": "Proszę o wyjaśnienie naliczenia."}
    data |= fields or {}
    if files:
        data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/sprawy/nowa", data=data, content_type="multipart/form-data")


def _post_page(client, path, fields, page_path=None):
    """POST a form of the page with the page's CSRF token."""
    page = client.get(page_path or path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": CSRF.search(page).group(1), **fields})


def _error(page: str, field: str) -> str:
    """The message shown under ``field`` (the form macro's ``<field>-error``)."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown for {field}"
    return found.group(1)


@pytest.fixture
def resident(zw):
    return make_household(zw, units=2)


@pytest.fixture
def clerk(zw):
    return make_household(zw, units=0, role=CLERK, last_name=CLERK_SURNAME)


@pytest.fixture
def office(app, clerk):
    """The clerk, signed in on Zielone Wzgórza's host."""
    return _signed_in(client_for(app, "zielone-wzgorza.localhost"), clerk)


# --- numbering ----------------------------------------------------------------------------------


def test_numbers_run_per_cooperative_without_gaps(zw, baltyk, resident):
    other = make_household(baltyk)
    first, second = _create(zw, resident), _create(zw, resident)
    with pytest.raises(services.CaseError):  # refused: takes no number
        _create(zw, resident, body="  ")
    in_baltyk = _create(baltyk, other)
    third = _create(zw, resident)
    year = _case(zw, first).year
    assert [_case(zw, i).registry_number for i in (first, second, third)] == [
        f"KO/{year}/00001", f"KO/{year}/00002", f"KO/{year}/00003"]
    assert _case(baltyk, in_baltyk).registry_number == f"KO/{year}/00001"


def test_a_rolled_back_letter_gives_its_number_back(zw, resident):
    def rolled_back() -> int:
        with tenant_context(zw.id):
            user = db.session.get(User, resident.user_id)
            number = services.create(user, _new(resident), _rules(zw)).number
            db.session.rollback()
        db.session.remove()
        return number

    assert rolled_back() == 1  # the year's counter did not exist yet: it goes too
    assert _case(zw, _create(zw, resident)).number == 1
    assert rolled_back() == 2
    assert _case(zw, _create(zw, resident)).number == 2
    assert _count(zw) == 2


def test_letters_sent_at_once_get_distinct_consecutive_numbers(app, zw, resident):
    """Several transactions take numbers at the same moment (the first round also creates the
    year's counter at once): each waits for the one before, none shares or skips a number."""
    numbers, errors = [], []

    def write(barrier):
        try:
            with app.app_context():
                barrier.wait()
                numbers.append(_case(zw, _create(zw, resident)).number)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)

    for round_ in range(2):
        barrier = threading.Barrier(5)
        threads = [threading.Thread(target=write, args=(barrier,)) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert sorted(numbers) == list(range(1, 5 * (round_ + 1) + 1))
    assert _count(zw) == 10


# --- what each side sees ------------------------------------------------------------------------


def test_notes_and_assignments_are_never_shown_to_the_resident(zw, resident, clerk, office,
                                                                zw_client):
    case_id = _create(zw, resident)
    _act(zw, case_id, clerk, note=SECRET_NOTE, assign_to=clerk.user_id)
    with in_tenant(zw):
        case = db.session.get(Case, case_id)
        theirs = [e.kind for e in cases.history(case, viewer_id=resident.user_id)]
        staffs = [e.kind for e in cases.history(case)]
    assert theirs == [LETTER]
    assert staffs == [LETTER, ASSIGNED, NOTE]
    assert _case(zw, case_id).assigned_to_id == clerk.user_id

    page = _signed_in(zw_client, resident).get(f"/sprawy/{case_id}").get_data(as_text=True)
    assert SECRET_NOTE not in page and CLERK_SURNAME not in page
    assert "event-note" not in page and "event-assigned" not in page

    staff_page = office.get(f"/panel/sprawy/{case_id}").get_data(as_text=True)
    assert SECRET_NOTE in staff_page and CLERK_SURNAME in staff_page
    assert "event-note" in staff_page and "event-assigned" in staff_page


# --- staff answer, close, audit -----------------------------------------------------------------


def test_an_answer_is_recorded_and_emailed_with_its_text_where_the_cooperative_chose_so(
        zw, resident, clerk):
    assert _rules(zw).answer_in_email is True
    case_id = _create(zw, resident)
    assert _case(zw, case_id).first_answer_at is None
    assert _act(zw, case_id, clerk, answer="Naliczenie wynika z odczytu z 30 września.") == [
        "answer"]
    case = _case(zw, case_id)
    assert case.first_answer_at is not None and case.status == IN_PROGRESS
    [received] = _mails(zw, "case_received")
    assert received.context["number"] == case.registry_number
    [mail] = _mails(zw, "case_answer")
    assert mail.recipient == received.recipient
    assert mail.context["number"] == case.registry_number
    assert mail.context["answer"] == "Naliczenie wynika z odczytu z 30 września."
    first = case.first_answer_at
    _act(zw, case_id, clerk, answer="Uzupełnienie odpowiedzi.")
    assert _case(zw, case_id).first_answer_at == first  # the first answer stays the first
    assert len(_mails(zw, "case_answer")) == 2
    assert _kinds(zw, case_id) == [(LETTER, RECEIVED), (ANSWER, None), (ANSWER, None)]


def test_without_answer_in_email_the_email_carries_only_the_link(baltyk):
    assert _rules(baltyk).answer_in_email is False
    home = make_household(baltyk)
    office = make_household(baltyk, units=0, role=CLERK)
    case_id = _create(baltyk, home)
    _act(baltyk, case_id, office, answer="Tekst odpowiedzi tylko w portalu.")
    assert _case(baltyk, case_id).first_answer_at is not None
    [mail] = _mails(baltyk, "case_answer")
    assert "Tekst odpowiedzi tylko w portalu." not in str(mail.context)
    assert mail.context["link"].endswith(f"/sprawy/{case_id}")


def test_closing_needs_a_reason_and_every_step_is_audited(zw, resident, clerk):
    case_id = _create(zw, resident)
    _act(zw, case_id, clerk, assign_to=clerk.user_id)
    _act(zw, case_id, clerk, answer="Korekta zostanie ujęta w rozliczeniu.")
    with pytest.raises(services.CaseError) as refused:
        _act(zw, case_id, clerk, close=True, close_reason="   ")
    assert refused.value.field == "close_reason"
    assert _case(zw, case_id).status == IN_PROGRESS and _mails(zw, "case_closed") == []
    _act(zw, case_id, clerk, close=True, close_reason="Korekta ujęta w rozliczeniu.")
    case = _case(zw, case_id)
    assert case.status == CLOSED and case.closed_at is not None
    assert case.close_reason == "Korekta ujęta w rozliczeniu."
    [closed] = _mails(zw, "case_closed")
    assert closed.context["reason"] == "Korekta ujęta w rozliczeniu."
    with pytest.raises(services.CaseError):  # already closed
        _act(zw, case_id, clerk, close=True, close_reason="Jeszcze raz.")
    with in_tenant(zw):
        events = db.session.execute(select(AuditEvent.action, AuditEvent.subject_label).where(
            AuditEvent.action.in_((CASE_ANSWERED, CASE_CLOSED, CASE_ASSIGNED)))
            .order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [
        (CASE_ASSIGNED, case.registry_number), (CASE_ANSWERED, case.registry_number),
        (CASE_CLOSED, case.registry_number)]


def test_staff_answer_through_the_page_and_the_resident_reads_it(zw, resident, office,
                                                                 zw_client):
    case_id = _create(zw, resident)
    answer = _post_page(office, f"/panel/sprawy/{case_id}", {
        "answer": "Prosimy o zdjęcie licznika.", "status": WAITING, "assign_to": ""})
    assert answer.status_code == 302
    assert _case(zw, case_id).status == WAITING
    refused = _post_page(office, f"/panel/sprawy/{case_id}", {"close": "y", "close_reason": ""})
    assert refused.status_code == 200 and _error(refused.get_data(as_text=True), "close_reason")
    assert _case(zw, case_id).status == WAITING
    page = _signed_in(zw_client, resident).get(f"/sprawy/{case_id}").get_data(as_text=True)
    assert "Prosimy o zdjęcie licznika." in page


# --- the resident writes again ------------------------------------------------------------------


def test_a_reply_to_a_waiting_case_sends_it_back_to_the_office(zw, resident, clerk, zw_client):
    case_id = _create(zw, resident)
    _act(zw, case_id, clerk, answer="Prosimy o zdjęcie licznika.", status=WAITING)
    assert _case(zw, case_id).status == WAITING
    _signed_in(zw_client, resident)
    answer = _post_page(zw_client, f"/sprawy/{case_id}", {"text": "Zdjęcie w załączeniu."})
    assert answer.status_code == 302
    assert _case(zw, case_id).status == IN_PROGRESS
    assert _kinds(zw, case_id)[-1] == (FOLLOW_UP, IN_PROGRESS)


def test_a_closed_case_takes_no_reply_and_offers_a_new_letter(zw, resident, clerk, zw_client):
    case_id = _create(zw, resident)
    _act(zw, case_id, clerk, close=True, close_reason="Sprawa załatwiona.")
    before = _kinds(zw, case_id)
    _signed_in(zw_client, resident)
    page = zw_client.get(f"/sprawy/{case_id}").get_data(as_text=True)
    assert 'name="text"' not in page and 'href="/sprawy/nowa?' in page
    token = zw_client.csrf_token(f"/sprawy/{case_id}")
    answer = zw_client.post(f"/sprawy/{case_id}", data={"csrf_token": token,
                                                        "text": "Jednak nie załatwiona."})
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert re.search(r'<p class="error" role="alert">[^<]+</p>', shown)
    assert 'href="/sprawy/nowa?' in shown
    assert "Jednak nie załatwiona." not in shown
    assert _kinds(zw, case_id) == before and _case(zw, case_id).status == CLOSED


def test_a_resident_cannot_act_as_staff(zw, resident, zw_client):
    case_id = _create(zw, resident)
    _signed_in(zw_client, resident)
    assert zw_client.get(f"/panel/sprawy/{case_id}").status_code == 404
    token = zw_client.csrf_token(f"/sprawy/{case_id}")
    answer = zw_client.post(f"/panel/sprawy/{case_id}", data={
        "csrf_token": token, "close": "y", "close_reason": "Sam zamykam."})
    assert answer.status_code in (403, 404)
    assert _case(zw, case_id).status == RECEIVED


# --- bad input through the page -----------------------------------------------------------------


@pytest.mark.parametrize(("fields", "field"), [
    ({"subject": ""}, "subject"),
    ({"subject": "   "}, "subject"),
    ({"body": ""}, "body"),
    ({"body": "x" * 50_000}, "body"),
    ({"topic": "kosmici"}, "topic"),
    ({"topic": ""}, "topic"),
])
def test_bad_letters_are_refused_and_nothing_is_saved(zw, resident, zw_client, fields, field):
    _signed_in(zw_client, resident)
    answer = _send_letter(zw_client, resident, fields)
    assert answer.status_code == 200
    assert _error(answer.get_data(as_text=True), field)
    assert _count(zw) == 0 and _mails(zw, "case_received") == []


def test_another_persons_unit_is_refused(zw, resident, zw_client):
    neighbour = make_household(zw)
    _signed_in(zw_client, resident)
    for unit in (str(neighbour.unit_ids[0]), "999999"):
        answer = _send_letter(zw_client, resident, {"unit": unit})
        assert answer.status_code == 200
        assert _error(answer.get_data(as_text=True), "unit")
    assert _count(zw) == 0


def test_markup_is_kept_as_text_and_shown_escaped(zw, resident, office, zw_client):
    subject = "<script>alert(1)</script> opłata"
    body = "Temperatura < 18°C.\n<img src=x onerror=alert(2)><script>alert(3)</script>"
    _signed_in(zw_client, resident)
    answer = _send_letter(zw_client, resident, {"subject": subject, "body": body})
    assert answer.status_code == 302
    with in_tenant(zw):
        case = db.session.scalars(select(Case)).one()
        case_id, saved_subject = case.id, case.subject
        letter = db.session.scalars(select(CaseEvent.body).where(
            CaseEvent.case_id == case_id, CaseEvent.kind == LETTER)).one()
    assert saved_subject == subject and letter == body.strip()
    for page in (zw_client.get(answer.location).get_data(as_text=True),
                 zw_client.get("/sprawy").get_data(as_text=True),
                 office.get(f"/panel/sprawy/{case_id}").get_data(as_text=True),
                 office.get("/panel/sprawy/").get_data(as_text=True)):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>alert(" not in page and "<img src=x" not in page
    shown = zw_client.get(answer.location).get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(2)&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in shown


@pytest.mark.parametrize("content", [_image("PNG"), bytes(range(256)) * 8],
                         ids=["png-named-pdf", "random-bytes"])
def test_a_file_that_is_not_what_its_name_says_is_refused(zw, resident, zw_client, content):
    _signed_in(zw_client, resident)
    answer = _send_letter(zw_client, resident, files=[("skan-umowy.pdf", content)])
    assert answer.status_code == 200
    message = _error(answer.get_data(as_text=True), "attachments")
    assert "skan-umowy.pdf" in message and "PDF" in message
    assert _count(zw) == 0 and _count(zw, CaseAttachment) == 0


def test_a_sixth_attachment_is_refused(zw, resident, zw_client):
    _signed_in(zw_client, resident)
    answer = _send_letter(zw_client, resident,
                          files=[(f"strona{i}.png", _image()) for i in range(6)])
    assert answer.status_code == 200
    assert "5" in _error(answer.get_data(as_text=True), "attachments")
    assert _count(zw) == 0 and _count(zw, CaseAttachment) == 0


def test_the_same_form_sent_twice_makes_one_letter(zw, resident, zw_client):
    _signed_in(zw_client, resident)
    key = cases.new_submission()
    first = _send_letter(zw_client, resident, submission=key)
    again = _send_letter(zw_client, resident, submission=key)
    assert first.status_code == again.status_code == 302
    assert first.location == again.location
    assert _count(zw) == 1 and len(_mails(zw, "case_received")) == 1


# --- attachments and the confirmation -----------------------------------------------------------


def test_a_pdf_and_pictures_are_kept_and_only_the_author_and_staff_can_open_them(
        zw, resident, office, zw_client):
    document = pdf_bytes("Umowa najmu")
    _signed_in(zw_client, resident)
    answer = _send_letter(zw_client, resident, files=[
        ("umowa.pdf", document), ("licznik.png", _image("PNG")),
        ("drzwi.jpeg", _image("JPEG"))])
    assert answer.status_code == 302
    with in_tenant(zw):
        case_id = db.session.scalars(select(Case.id)).one()
    pdf, png, jpeg = _attachments(zw, case_id)
    assert (pdf.filename, pdf.content_type) == ("umowa.pdf", "application/pdf")
    assert (png.filename, png.content_type) == ("licznik.jpg", "image/jpeg")
    assert (jpeg.filename, jpeg.content_type) == ("drzwi.jpg", "image/jpeg")
    page = zw_client.get(f"/sprawy/{case_id}").get_data(as_text=True)
    for attachment in (pdf, png, jpeg):
        assert f"/sprawy/{case_id}/zalaczniki/{attachment.id}" in page

    got = zw_client.get(f"/sprawy/{case_id}/zalaczniki/{pdf.id}")
    assert got.status_code == 200 and got.data == document
    got = zw_client.get(f"/sprawy/{case_id}/zalaczniki/{png.id}")
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(got.data)) as picture:
        assert picture.format == "JPEG"
    confirmation = zw_client.get(f"/sprawy/{case_id}/potwierdzenie.pdf")
    assert confirmation.status_code == 200 and confirmation.data.startswith(b"%PDF")

    for attachment in (pdf, png, jpeg):
        got = office.get(f"/panel/sprawy/{case_id}/zalaczniki/{attachment.id}")
        assert got.status_code == 200 and got.mimetype == attachment.content_type
    assert office.get(f"/panel/sprawy/{case_id}/zalaczniki/{pdf.id}").data == document

    neighbour = _signed_in(client_for(zw_client.application, "zielone-wzgorza.localhost"),
                           make_household(zw))
    for path in (f"/sprawy/{case_id}", f"/sprawy/{case_id}/potwierdzenie.pdf",
                 *(f"/sprawy/{case_id}/zalaczniki/{a.id}" for a in (pdf, png, jpeg)),
                 f"/panel/sprawy/{case_id}"):
        assert neighbour.get(path).status_code == 404, path
    token = neighbour.csrf_token("/sprawy")
    assert neighbour.post(f"/sprawy/{case_id}", data={
        "csrf_token": token, "text": "Cudza sprawa."}).status_code == 404
    assert [kind for kind, _status in _kinds(zw, case_id)] == [LETTER]


def test_an_attachment_of_another_case_is_not_found_through_ones_own_case(zw, resident,
                                                                           zw_client):
    mine = _create(zw, resident)
    neighbour = make_household(zw)
    theirs = _create(zw, neighbour, attachments=(Upload("a.pdf", pdf_bytes()),))
    [attachment] = _attachments(zw, theirs)
    _signed_in(zw_client, resident)
    assert zw_client.get(f"/sprawy/{mine}/zalaczniki/{attachment.id}").status_code == 404


# --- another cooperative ------------------------------------------------------------------------


def test_another_cooperatives_case_is_not_found(zw, baltyk, resident, baltyk_client):
    case_id = _create(zw, resident, attachments=(Upload("a.pdf", pdf_bytes()),))
    [attachment] = _attachments(zw, case_id)
    stranger = _signed_in(baltyk_client, make_household(baltyk))
    office = _signed_in(client_for(baltyk_client.application, "baltyk.localhost"),
                        make_household(baltyk, units=0, role=CLERK))
    for path in (f"/sprawy/{case_id}", f"/sprawy/{case_id}/potwierdzenie.pdf",
                 f"/sprawy/{case_id}/zalaczniki/{attachment.id}"):
        assert stranger.get(path).status_code == 404, path
    for path in (f"/panel/sprawy/{case_id}",
                 f"/panel/sprawy/{case_id}/zalaczniki/{attachment.id}"):
        assert office.get(path).status_code == 404, path
    token = office.csrf_token("/panel/sprawy/")
    for path, data in ((f"/panel/sprawy/{case_id}", {"close": "y", "close_reason": "Obce."}),
                       (f"/panel/sprawy/{case_id}/przenies", {"category": "inne"})):
        assert office.post(path, data={"csrf_token": token, **data}).status_code == 404
    assert _case(zw, case_id).status == RECEIVED
    assert _kinds(zw, case_id) == [(LETTER, RECEIVED)]


# --- moving a letter into the fault reports -----------------------------------------------------


def test_a_letter_moves_into_the_fault_reports(zw, resident, office):
    case_id = _create(zw, resident, subject="Cieknie pion",
                      body="Od wczoraj cieknie pion w łazience.")
    number = _case(zw, case_id).registry_number
    page = office.get(f"/panel/sprawy/{case_id}").get_data(as_text=True)
    assert f'action="/panel/sprawy/{case_id}/przenies' in page
    answer = _post_page(office, f"/panel/sprawy/{case_id}/przenies", {
        "category": "woda i kanalizacja", "where": f"unit:{resident.unit_ids[0]}"},
        page_path=f"/panel/sprawy/{case_id}")
    assert answer.status_code == 302
    with in_tenant(zw):
        report = db.session.scalars(select(FaultReport)).one()
        report_id, fault_number = report.id, report.registry_number
        assert number in report.description and "cieknie pion" in report.description
        assert report.reporter_id == resident.user_id and report.unit_id == resident.unit_ids[0]
    case = _case(zw, case_id)
    assert case.status == CLOSED and case.moved_to_id == report_id
    assert fault_number.startswith("AW/")
    assert _kinds(zw, case_id)[-1] == (MOVED, CLOSED)
    page = office.get(f"/panel/sprawy/{case_id}").get_data(as_text=True)
    assert f'href="/panel/awarie/{report_id}"' in page and fault_number in page
    assert f'action="/panel/sprawy/{case_id}/przenies' not in page  # closed: no second move
    again = _post_page(office, f"/panel/sprawy/{case_id}/przenies", {
        "category": "inne", "where": f"unit:{resident.unit_ids[0]}"},
        page_path=f"/panel/sprawy/{case_id}")
    assert again.status_code == 302 and _count(zw, FaultReport) == 1


def test_a_refused_move_changes_nothing(zw, resident, office):
    case_id = _create(zw, resident)
    answer = _post_page(office, f"/panel/sprawy/{case_id}/przenies", {
        "category": "kosmici", "where": f"unit:{resident.unit_ids[0]}"},
        page_path=f"/panel/sprawy/{case_id}")
    assert answer.status_code == 200
    assert _count(zw, FaultReport) == 0 and _case(zw, case_id).status == RECEIVED


def test_without_fault_reports_a_letter_cannot_be_moved(baltyk, baltyk_client):
    home = make_household(baltyk)
    case_id = _create(baltyk, home)
    office = _signed_in(baltyk_client, make_household(baltyk, units=0, role=CLERK))
    page = office.get(f"/panel/sprawy/{case_id}").get_data(as_text=True)
    assert "/przenies" not in page
    answer = _post_page(office, f"/panel/sprawy/{case_id}/przenies", {
        "category": "inne", "where": f"unit:{home.unit_ids[0]}"},
        page_path=f"/panel/sprawy/{case_id}")
    assert answer.status_code == 302
    assert _case(baltyk, case_id).status == RECEIVED
    assert _count(baltyk, FaultReport) == 0


# --- answer templates ---------------------------------------------------------------------------


def test_templates_are_named_once_and_fill_the_answer(zw, resident, office):
    made = _post_page(office, "/panel/sprawy/szablony", {
        "topic": "", "title": "Korekta naliczenia", "body": "Naliczenie zostało poprawione."})
    assert made.status_code == 302
    twice = _post_page(office, "/panel/sprawy/szablony", {
        "topic": TOPIC, "title": "Korekta naliczenia", "body": "Inny tekst."})
    assert twice.status_code == 200 and _error(twice.get_data(as_text=True), "title")
    other_topic = _post_page(office, "/panel/sprawy/szablony", {
        "topic": "zmiana liczby osób", "title": "Liczba osób", "body": "Przyjęto zmianę osób."})
    assert other_topic.status_code == 302
    with in_tenant(zw):
        templates = {t.title: (t.id, t.body) for t in db.session.scalars(select(AnswerTemplate))}
    assert templates == {"Korekta naliczenia": (templates["Korekta naliczenia"][0],
                                                "Naliczenie zostało poprawione."),
                         "Liczba osób": (templates["Liczba osób"][0], "Przyjęto zmianę osób.")}

    case_id = _create(zw, resident)
    chosen = office.get(f"/panel/sprawy/{case_id}?szablon={templates['Korekta naliczenia'][0]}")
    assert re.search(r'<textarea[^>]*name="answer"[^>]*>\s*Naliczenie zostało poprawione\.'
                     r'</textarea>', chosen.get_data(as_text=True))
    # A template of another topic is neither offered nor filled in.
    other = office.get(f"/panel/sprawy/{case_id}?szablon={templates['Liczba osób'][0]}")
    assert "Przyjęto zmianę osób." not in other.get_data(as_text=True)


# --- the feature switched off -------------------------------------------------------------------


def test_letters_are_a_feature_of_the_cooperative(baltyk, baltyk_client):
    from iok_saas.tenancy import services as tenant_services

    home = make_household(baltyk)
    case_id = _create(baltyk, home)
    _signed_in(baltyk_client, home)
    assert baltyk_client.get("/sprawy").status_code == 200
    office = _signed_in(client_for(baltyk_client.application, "baltyk.localhost"),
                        make_household(baltyk, units=0, role=CLERK))
    with as_platform():
        tenant_services.update_tenant("baltyk", ["features.correspondence=false"])
    try:
        for path in ("/sprawy", "/sprawy/nowa", f"/sprawy/{case_id}",
                     f"/sprawy/{case_id}/potwierdzenie.pdf"):
            assert baltyk_client.get(path).status_code == 404, path
        for path in ("/panel/sprawy/", f"/panel/sprawy/{case_id}", "/panel/sprawy/szablony",
                     "/panel/sprawy/eksport.csv"):
            assert office.get(path).status_code == 404, path
        assert 'href="/sprawy' not in baltyk_client.get("/").get_data(as_text=True)
    finally:
        with as_platform():
            tenant_services.update_tenant("baltyk", ["features.correspondence=true"])
    assert baltyk_client.get("/sprawy").status_code == 200


# --- odd input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["²", "9" * 30, "-1", "lokal"])
def test_an_odd_unit_value_is_refused_with_a_message(zw, resident, zw_client, unit):
    _signed_in(zw_client, resident)
    answer = _send_letter(zw_client, resident, {"unit": unit})
    assert answer.status_code == 200
    assert _error(answer.get_data(as_text=True), "unit")
    assert _count(zw) == 0


def test_an_odd_place_for_the_move_is_refused_with_a_message(zw, resident, office):
    case_id = _create(zw, resident)
    answer = _post_page(office, f"/panel/sprawy/{case_id}/przenies", {
        "category": "inne", "where": "unit:²"}, page_path=f"/panel/sprawy/{case_id}")
    assert answer.status_code == 200
    assert _count(zw, FaultReport) == 0 and _case(zw, case_id).status == RECEIVED


def test_a_long_letter_moved_to_the_fault_reports_still_names_its_number(zw, resident, office):
    case_id = _create(zw, resident, body="Cieknie pion. " * 500)  # 7 000 characters
    number = _case(zw, case_id).registry_number
    answer = _post_page(office, f"/panel/sprawy/{case_id}/przenies", {
        "category": "woda i kanalizacja", "where": f"unit:{resident.unit_ids[0]}"},
        page_path=f"/panel/sprawy/{case_id}")
    assert answer.status_code == 302
    with in_tenant(zw):
        report = db.session.scalars(select(FaultReport)).one()
        assert number in report.description
        assert len(report.description) <= 4000


def test_a_long_file_name_keeps_its_ending(zw, resident):
    name = "skan-" + "a" * 200 + ".pdf"
    case_id = _create(zw, resident, attachments=(Upload(name, pdf_bytes()),))
    [attachment] = _attachments(zw, case_id)
    assert attachment.filename.endswith(".pdf") and len(attachment.filename) <= 160
    assert attachment.content_type == "application/pdf"


def test_a_letter_not_about_one_unit(zw, resident, zw_client):
    _signed_in(zw_client, resident)
    assert _send_letter(zw_client, resident, {"unit": "none"}).status_code == 302
    with in_tenant(zw):
        assert db.session.scalars(select(Case.unit_id)).one() is None


# --- the office's attachments -------------------------------------------------------------------


def _answer_with_files(office, case_id, files, answer="W załączeniu kopia uchwały."):
    path = f"/panel/sprawy/{case_id}"
    page = office.get(path).get_data(as_text=True)
    data = {"csrf_token": CSRF.search(page).group(1), "answer": answer, "status": "",
            "assign_to": "", "attachments": [(io.BytesIO(c), n) for n, c in files]}
    return office.post(path, data=data, content_type="multipart/form-data")


def test_the_office_attaches_files_to_an_answer_and_the_resident_opens_them(
        zw, resident, office, zw_client):
    case_id = _create(zw, resident)
    copy = pdf_bytes("Uchwała nr 12/2026")
    answer = _answer_with_files(office, case_id, [("uchwala-12-2026.pdf", copy),
                                                  ("plan.png", _image())])
    assert answer.status_code == 302
    pdf, png = _attachments(zw, case_id)
    kinds = _kinds(zw, case_id)
    assert [kind for kind, _status in kinds] == [LETTER, ANSWER]
    with tenant_context(zw.id):
        answer_id = db.session.scalars(select(CaseEvent.id).where(
            CaseEvent.case_id == case_id, CaseEvent.kind == ANSWER)).one()
    db.session.remove()
    assert pdf.event_id == png.event_id == answer_id
    assert (png.filename, png.content_type) == ("plan.jpg", "image/jpeg")
    mail = _mails(zw, "case_answer")[-1]
    assert mail.context["attachments"] == 2
    page = _signed_in(zw_client, resident).get(f"/sprawy/{case_id}").get_data(as_text=True)
    assert f"/sprawy/{case_id}/zalaczniki/{pdf.id}" in page
    got = zw_client.get(f"/sprawy/{case_id}/zalaczniki/{pdf.id}")
    assert got.status_code == 200 and got.data == copy


@pytest.mark.parametrize(("files", "answer", "says"), [
    ([("uchwala.pdf", pdf_bytes("Uchwała"))], "", "odpowied"),
    ([("uchwala.pdf", _image())], "W załączeniu uchwała.", "uchwala.pdf"),
    ([(f"strona{i}.png", _image()) for i in range(6)], "W załączeniu skany.", "5"),
], ids=["without-an-answer", "not-what-it-claims", "six-files"])
def test_bad_attachments_to_an_answer_are_refused_and_nothing_is_sent(
        zw, resident, office, files, answer, says):
    case_id = _create(zw, resident)
    before = _kinds(zw, case_id)
    refused = _answer_with_files(office, case_id, files, answer)
    assert refused.status_code == 200
    assert says in _error(refused.get_data(as_text=True), "attachments")
    assert _kinds(zw, case_id) == before
    assert _attachments(zw, case_id) == [] and _mails(zw, "case_answer") == []
