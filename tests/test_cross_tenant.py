"""Every route, tried automatically with another cooperative's ids and sessions.

The walk covers ``app.url_map`` as it is, so a route added by a later issue is tried too.
A route argument that names a row must be listed in ``ID_SOURCES`` (how to get an id of a
Zielone Wzgórza row); an unknown argument fails the test, so no route escapes the walk.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from tests.factories import (
    Household,
    make_announcement,
    make_data_export,
    make_document,
    make_fault,
    make_household,
    make_import_run,
    make_unit_document,
)
from tests.helpers import client_for, tenant_ref

# Route argument → an id of a row that belongs to the other cooperative (Zielone Wzgórza).
ID_SOURCES: dict[str, Callable[[Household], object]] = {
    "unit_id": lambda home: home.unit_ids[0],
    "delivered_id": lambda home: make_unit_document(tenant_ref(home.slug), home),
    "building_id": lambda home: home.building_id,
    "user_id": lambda home: home.user_id,
    "title_id": lambda home: home.title_ids[0],
    "application_id": lambda home: home.application_id,
    "run_id": lambda home: make_import_run(
        tenant_ref(home.slug), filename=f"{home.last_name}.csv", actor=home.street),
    "meter_id": lambda home: _meter_and_reading(home)[0],
    "reading_id": lambda home: _meter_and_reading(home)[1],
    "report_id": lambda home: make_fault(tenant_ref(home.slug), home)[0],
    "photo_id": lambda home: make_fault(tenant_ref(home.slug), home)[1],
    "announcement_id": lambda home: make_announcement(tenant_ref(home.slug), home)[0],
    "attachment_id": lambda home: make_announcement(tenant_ref(home.slug), home)[1],
    "document_id": lambda home: make_document(tenant_ref(home.slug), home)[0],
    "version_id": lambda home: make_document(tenant_ref(home.slug), home)[1],
    "export_id": lambda home: make_data_export(tenant_ref(home.slug), home),
    "case_id": lambda home: _case_and_attachment(home)[0],
    "template_id": lambda home: _answer_template(home),
    "row_id": lambda home: _signed_in_device(home),
    "device_id": lambda home: _remembered_device(home),
    "held_id": lambda home: _remote(home)[0],
    "statement_id": lambda home: _remote(home)[1],
    "line_id": lambda home: _settlement_question(home)[0],
    "settlement_id": lambda home: _settlement_question(home)[3],
    "meeting_id": lambda home: _meeting(home)["meeting_id"],
    "part_id": lambda home: _meeting(home)["part_id"],
    "item_id": lambda home: _meeting(home)["item_id"],
    "member_id": lambda home: home.user_id,
    "draft_id": lambda home: _meeting(home)["draft_id"],
    "proxy_id": lambda home: _meeting(home)["proxy_id"],
}
# (endpoint, argument) → an id for that route alone, where the argument's name means another
# row elsewhere (a letter's attachment, not an announcement's): it belongs to the route's case.
ROUTE_ID_SOURCES: dict[tuple[str, str], Callable[[Household], object]] = {
    ("correspondence.attachment", "attachment_id"): lambda home: _case_and_attachment(home)[1],
    ("staff_correspondence.attachment", "attachment_id"):
        lambda home: _case_and_attachment(home)[1],
    ("settlements.question", "case_id"): lambda home: _settlement_question(home)[1],
    ("settlements.attachment", "case_id"): lambda home: _settlement_question(home)[1],
    ("settlements.attachment", "attachment_id"): lambda home: _settlement_question(home)[2],
    ("staff_settlement_questions.case", "case_id"): lambda home: _settlement_question(home)[1],
    ("staff_settlement_questions.attachment", "case_id"):
        lambda home: _settlement_question(home)[1],
    ("staff_settlement_questions.attachment", "attachment_id"):
        lambda home: _settlement_question(home)[2],
    ("meetings.draft", "case_id"): lambda home: _meeting(home)["draft_id"],
    ("meetings.attachment", "case_id"): lambda home: _meeting(home)["draft_id"],
    ("meetings.attachment", "attachment_id"): lambda home: _meeting(home)["attachment_id"],
    ("staff_meeting_drafts.case", "case_id"): lambda home: _meeting(home)["draft_id"],
    ("staff_meeting_drafts.attachment", "case_id"): lambda home: _meeting(home)["draft_id"],
    ("staff_meeting_drafts.attachment", "attachment_id"):
        lambda home: _meeting(home)["attachment_id"],
}
# Route argument → a value that is the same on every cooperative (not a row of one of them).
SHARED_ARGS: dict[str, object] = {
    "name": "test_message",  # e-mail template names
    "change": "odblokuj",  # account actions
    "token": "nie-podpisany-token",  # password-reset links (signed per cooperative)
    "kind": "ledger",  # import kinds
    "size": 192,  # home-screen icons
}
SKIP_ENDPOINTS = {"static", "health.healthz"}
DENIED = {302, 303, 400, 401, 403, 404, 405}


def _meter_and_reading(home: Household) -> tuple[int, int]:
    """A meter of the household's first unit and a pending reading of it, with a photo."""
    from datetime import date
    from decimal import Decimal

    from iok_saas import files
    from iok_saas.db import db
    from iok_saas.meters.models import PENDING, Meter, Reading, ReadingPhoto
    from tests.helpers import in_tenant, tenant_ref

    with in_tenant(tenant_ref(home.slug)):
        meter = Meter(unit_id=home.unit_ids[0], kind="gas", serial_number=home.last_name[:40])
        db.session.add(meter)
        db.session.flush()
        reading = Reading(meter_id=meter.id, value=Decimal(1), read_on=date(2026, 1, 1),
                          status=PENDING, source="resident", submitted_by_id=home.user_id)
        db.session.add(reading)
        db.session.flush()
        stored = files.store(home.street.encode(), filename="x.jpg", content_type="image/jpeg",
                             purpose="reading_photo")
        db.session.add(ReadingPhoto(reading_id=reading.id, file_id=stored.id))
        return meter.id, reading.id


@cache
def _case_and_attachment(home: Household) -> tuple[int, int]:
    """A letter of the household with a PDF attachment (one per household, so a route's case
    and attachment belong together): (case id, attachment id)."""
    from iok_saas.auth.models import User
    from iok_saas.cases import files
    from iok_saas.cases.kinds import Upload
    from iok_saas.cases.services import history, new_submission
    from iok_saas.correspondence import services
    from iok_saas.db import db
    from iok_saas.tenancy.info import get_tenant_info
    from tests.factories import pdf_bytes
    from tests.helpers import in_tenant

    tenant = tenant_ref(home.slug)
    with in_tenant(tenant):
        case = services.create(db.session.get(User, home.user_id), services.NewCase(
            topic=get_tenant_info(tenant.id).settings.correspondence.topics[0],
            unit_id=home.unit_ids[0], subject=home.street, body=home.last_name,
            submission=new_submission(),
            attachments=(Upload("pismo.pdf", pdf_bytes(home.street)),)),
            get_tenant_info(tenant.id).settings.correspondence)
        [attachment] = files.by_event(history(case)).popitem()[1]
        return case.id, attachment.id


@cache
def _answer_template(home: Household) -> int:
    """A ready answer of the household's cooperative, named after the household (one per
    household: the names are unique)."""
    from iok_saas.correspondence.models import AnswerTemplate
    from iok_saas.db import db
    from tests.helpers import in_tenant

    with in_tenant(tenant_ref(home.slug)):
        template = AnswerTemplate(topic="", title=f"{home.street} {home.identifier}",
                                  body=home.last_name)
        db.session.add(template)
        db.session.flush()
        return template.id


@cache
def _remote(home: Household) -> tuple[int, int]:
    """A remote meter of the household's first unit named after the household, with a reading
    held for the office and a monthly statement: (held reading id, statement id)."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from iok_saas.db import db
    from iok_saas.meters.models import REMOTE, ConsumptionStatement, HeldReading, Meter
    from tests.helpers import in_tenant

    with in_tenant(tenant_ref(home.slug)):
        meter = Meter(unit_id=home.unit_ids[0], kind="hot_water", reading_mode=REMOTE,
                      serial_number=home.last_name[:40])
        db.session.add(meter)
        db.session.flush()
        held = HeldReading(meter_id=meter.id, read_at=datetime(2026, 11, 3, tzinfo=UTC),
                           value=Decimal(1), previous_value=Decimal(5))
        statement = ConsumptionStatement(unit_id=home.unit_ids[0], month=date(2026, 11, 1),
                                         figures=[])
        db.session.add_all([held, statement])
        db.session.flush()
        return held.id, statement.id


@cache
def _signed_in_device(home: Household) -> int:
    """A signed-in device of the household's account: its row's id."""
    from sqlalchemy import select

    from iok_saas.auth.models import SignedInSession
    from iok_saas.db import db
    from tests.factories import make_session
    from tests.helpers import in_tenant

    make_session(tenant_ref(home.slug), home)
    with in_tenant(tenant_ref(home.slug)):
        return db.session.scalars(select(SignedInSession.id).where(
            SignedInSession.user_id == home.user_id)).first()


@cache
def _remembered_device(home: Household) -> int:
    """A browser remembered for two-step verification of the household's account."""
    from iok_saas.account_security import second_factor
    from iok_saas.auth.models import User
    from iok_saas.db import db
    from tests.helpers import in_tenant

    with in_tenant(tenant_ref(home.slug)):
        second_factor.remember(db.session.get(User, home.user_id), "Firefox 133")
        return second_factor.trusted_of(home.user_id)[0].id


@cache
def _settlement_question(home: Household) -> tuple[int, int, int, int]:
    """A 2025 heating settlement of the household's building, its line of the household's
    first unit and the household's question about it with a PDF attached (one per
    household): (line id, case id, attachment id, settlement id)."""
    from datetime import date
    from decimal import Decimal

    from iok_saas.auth.models import User
    from iok_saas.cases import files
    from iok_saas.cases.kinds import Upload
    from iok_saas.cases.services import history, new_submission
    from iok_saas.db import db, utcnow
    from iok_saas.settlements import services
    from iok_saas.settlements.models import Settlement, SettlementLine
    from iok_saas.tenancy.info import get_tenant_info
    from tests.factories import pdf_bytes
    from tests.helpers import in_tenant

    tenant, zero, cost = tenant_ref(home.slug), Decimal("0.00"), Decimal("100.00")
    with in_tenant(tenant):
        settlement = Settlement(
            building_id=home.building_id, medium="heating", period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31), company=home.last_name[:120], cost=cost,
            fixed_cost=zero, variable_cost=cost, difference_cost=zero, digest=home.identifier,
            imported_at=utcnow())
        db.session.add(settlement)
        db.session.flush()
        line = SettlementLine(
            settlement_id=settlement.id, unit_id=home.unit_ids[0], fixed_cost=zero,
            variable_cost=cost, difference_cost=zero, cost=cost, advances=zero, result=cost,
            due_on=date(2026, 3, 31), document_no=home.street[:60], digest=home.identifier)
        db.session.add(line)
        db.session.flush()
        question = services.ask(line, db.session.get(User, home.user_id), home.last_name,
                                [Upload("skan.pdf", pdf_bytes(home.street))], new_submission(),
                                get_tenant_info(tenant.id).settings.settlements)
        [attachment] = files.by_event(history(question)).popitem()[1]
        return line.id, question.id, attachment.id, settlement.id


@cache
def _meeting(home: Household) -> dict[str, int]:
    """A convened general meeting of the household's cooperative (its building in the first
    part), the household's draft resolution with the signed list attached, and a proxy in the
    register (one per household)."""
    from iok_saas.auth.models import User
    from iok_saas.cases.files import file_count
    from iok_saas.cases.kinds import Upload
    from iok_saas.cases.models import CaseAttachment
    from iok_saas.db import db
    from iok_saas.meetings import services
    from iok_saas.tenancy.info import get_tenant_info
    from iok_saas.web.formatting import local_today
    from tests.factories import pdf_bytes
    from tests.helpers import in_tenant, tenant_ref
    from tests.meeting_data import make_meeting

    tenant = tenant_ref(home.slug)
    setup = make_meeting(tenant, parts=1)
    with in_tenant(tenant):
        rules = get_tenant_info(tenant.id).settings.general_meeting
        meeting = services.meeting(setup.meeting_id)
        draft = services.submit_draft(
            meeting, db.session.get(User, home.user_id), title=home.street,
            text=home.last_name, supporters=10, submission=f"walk-{home.user_id}",
            uploads=[Upload("lista.pdf", pdf_bytes(home.street))], rules=rules)
        assert file_count(draft) == 1
        attachment = db.session.query(CaseAttachment).filter_by(case_id=draft.id).one()
        proxy = services.register_proxy(meeting, services.ProxyInput(
            member=setup.members[0].identifier, holder_kind="advocate",
            holder_name="adw. Anna Nowak", received_on=local_today()),
            db.session.get(User, setup.staff.user_id), rules,
            scan=Upload("pelnomocnictwo.pdf", pdf_bytes(home.street)))
        return {"meeting_id": meeting.id, "part_id": setup.part_ids[0],
                "item_id": setup.item_ids[1], "draft_id": draft.id,
                "attachment_id": attachment.id, "proxy_id": proxy.id}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            yield rule, method


def test_every_route_argument_has_an_id_source(app):
    known = ID_SOURCES.keys() | SHARED_ARGS.keys()
    unknown = {arg for rule, _ in _routes(app) for arg in rule.arguments} - known
    assert not unknown, f"add these route arguments to ID_SOURCES or SHARED_ARGS: {sorted(unknown)}"


NAMES = {"zielone-wzgorza": "Zielone Wzgórza", "baltyk": "Bałtyk"}


@pytest.fixture
def foreign(zw):
    """A Zielone Wzgórza household whose names must never appear on Bałtyk's host."""
    return make_household(zw, street="ul. Tajna Zielona", last_name="Zielonogórska-Sekret",
                          application=True)


def _url(rule, home: Household) -> str:
    def value(arg: str) -> object:
        if arg in SHARED_ARGS:
            return SHARED_ARGS[arg]
        return ROUTE_ID_SOURCES.get((rule.endpoint, arg), ID_SOURCES[arg])(home)

    values = {arg: value(arg) for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def _assert_no_foreign_data(answer, foreign: Household, where: str) -> None:
    body = answer.get_data()  # bytes: some answers are images
    name = NAMES[foreign.slug]
    for marker in (foreign.street, foreign.last_name, name, foreign.identifier):
        assert marker.encode() not in body, f"{where}: shows {marker!r}"


def _walk(app, client, foreign: Household, who: str) -> int:
    # Signed in: the sign-out form has a token; anonymous here (even with a cookie from
    # elsewhere): the sign-in form.
    signed_in = b"/wyloguj" in client.get("/", follow_redirects=True).data
    token = client.csrf_token("/" if signed_in else "/logowanie")
    tried = 0
    for rule, method in _routes(app):
        url = _url(rule, foreign)
        data = {"csrf_token": token} if method == "POST" else None
        answer = client.open(url, method=method, data=data)
        where = f"{who} {method} {url}"
        _assert_no_foreign_data(answer, foreign, where)
        if rule.arguments & ID_SOURCES.keys():
            assert answer.status_code in DENIED, f"{where}: {answer.status_code}"
        tried += 1
    return tried


def test_other_cooperatives_ids_as_anonymous(app, baltyk, foreign):
    assert _walk(app, client_for(app, "baltyk.localhost"), foreign, "anonymous") > 0


@pytest.mark.parametrize("role", ["resident", "clerk", "admin"])
def test_other_cooperatives_ids_as_signed_in_user(app, baltyk, foreign, role):
    own = make_household(baltyk, role=role)
    client = client_for(app, "baltyk.localhost")
    assert client.login(own.identifier, own.password).status_code == 302
    _walk(app, client, foreign, role)


@pytest.mark.parametrize("role", ["resident", "clerk", "admin"])
def test_the_other_way_round(app, zw, baltyk, role):
    """Bałtyk's ids on Zielone Wzgórza's host, where every feature (applications too) is on."""
    foreign = make_household(baltyk, street="ul. Tajna Bałtycka", last_name="Bałtycka-Sekret",
                             application=True)
    own = make_household(zw, role=role)
    client = client_for(app, "zielone-wzgorza.localhost")
    assert client.login(own.identifier, own.password).status_code == 302
    _walk(app, client, foreign, role)


def test_other_cooperatives_session_is_anonymous_here(app, baltyk, foreign):
    source = client_for(app, "zielone-wzgorza.localhost")
    assert source.login(foreign.identifier, foreign.password).status_code == 302
    cookie = source.get_cookie("session", domain="zielone-wzgorza.localhost")
    client = client_for(app, "baltyk.localhost")
    client.set_cookie("session", cookie.value, domain="baltyk.localhost")
    _walk(app, client, foreign, "replayed cookie")
    assert "Zaloguj się" in client.get("/").get_data(as_text=True)
