"""Factories for tenant-owned test data; each commits in the cooperative's own session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count

from iok_saas.applications.models import SUBMITTED, AccessApplication
from iok_saas.auth.models import RESIDENT, User
from iok_saas.auth.passwords import hash_password
from iok_saas.db import db, utcnow
from iok_saas.estate.models import Building, Unit, UnitTitle
from tests.helpers import TenantRef, in_tenant

_seq = count(1)


def _application(unit: Unit, last_name: str) -> AccessApplication:
    application = AccessApplication(
        first_name="Wnioskująca", last_name=last_name, unit_id=unit.id,
        title_kind="ownership", email="wniosek@example.org", phone="500 600 700",
        terms_version="1", status=SUBMITTED, confirm_by=utcnow(), confirmed_at=utcnow())
    db.session.add(application)
    db.session.flush()
    return application


@dataclass(frozen=True)
class Household:
    """Ids of a resident and their units (plain ints: safe outside the session)."""

    tenant_id: int
    user_id: int
    identifier: str
    password: str
    building_id: int
    unit_ids: tuple[int, ...]
    title_ids: tuple[int, ...]
    last_name: str
    street: str
    slug: str
    application_id: int | None = None


def make_household(tenant: TenantRef, *, street: str | None = None, last_name: str | None = None,
                   units: int = 2, role: str = RESIDENT, password: str = "Haslo12345x",
                   must_change: bool = False, application: bool = False) -> Household:
    """A building with ``units`` units and one account holding a title to each of them
    (and, with ``application``, a confirmed access application for the first unit)."""
    n = next(_seq)
    street = street or f"ul. Testowa {tenant.slug} {n}"
    last_name = last_name or f"Nazwisko{tenant.slug.replace('-', '')}{n}"
    with in_tenant(tenant):
        building = Building(street=street, number=str(n), postal_code="00-001", city="Testowo")
        building.units = [Unit(number=str(i)) for i in range(1, units + 1)]
        user = User(identifier=f"T{n:05d}", role=role, first_name="Testowa",
                    last_name=last_name, email=f"t{n}@example.org",
                    password_hash=hash_password(password), must_change_password=must_change)
        db.session.add_all([building, user])
        titles = [UnitTitle(unit=unit, user=user, since=date(2020, 1, 1))
                  for unit in building.units]
        db.session.add_all(titles)
        db.session.flush()
        application_id = _application(building.units[0], last_name).id if application else None
        household = Household(tenant.id, user.id, user.identifier, password, building.id,
                              tuple(u.id for u in building.units), tuple(t.id for t in titles),
                              last_name, street, tenant.slug, application_id)
    return household


def make_meter(tenant: TenantRef, unit_id: int, *, kind: str = "cold_water",
               readings: tuple[tuple[date, str], ...] = ((date(2026, 1, 1), "100"),
                                                         (date(2026, 7, 1), "130")),
               **fields) -> int:
    """A meter of the unit with accepted readings (imported); returns its id."""
    from decimal import Decimal

    from iok_saas.meters.models import Meter, Reading

    n = next(_seq)
    with in_tenant(tenant):
        meter = Meter(unit_id=unit_id, kind=kind, **{
            "serial_number": f"SN{n:06d}", "place": "łazienka", "installed_on": date(2025, 12, 1),
            "initial_value": Decimal("90"), **fields})
        db.session.add(meter)
        db.session.flush()
        db.session.add_all(Reading(meter_id=meter.id, read_on=day, value=Decimal(value))
                           for day, value in readings)
        meter_id = meter.id
    return meter_id


def make_ledger(tenant, unit_id: int, years: int, *, unpaid_last: bool = True,
                name: str = "Opłaty mieszkaniowe (czynsz)") -> int:
    """A fees account with ``years`` of monthly charges (300 zł) and payments."""
    from decimal import Decimal

    from sqlalchemy import insert

    from iok_saas.finance.models import Account, LedgerEntry

    with in_tenant(tenant):
        account = Account(external_id=f"A-{unit_id}-{name}", unit_id=unit_id, name=name,
                          nrb="61109010140000071219812874")
        db.session.add(account)
        db.session.flush()
        rows = []
        for index in range(years * 12):
            year, month = 2016 + index // 12, index % 12 + 1
            period = f"{year}-{month:02d}"
            rows.append({"account_id": account.id, "external_id": f"N{account.id}-{index}",
                         "booked_on": date(year, month, 1), "due_on": date(year, month, 15),
                         "period": period, "document_no": f"NAL/{year}/{month:02d}",
                         "component": "eksploatacja",
                         "charge": Decimal("200.00"), "payment": Decimal("0")})
            rows.append({"account_id": account.id, "external_id": f"M{account.id}-{index}",
                         "booked_on": date(year, month, 1), "due_on": date(year, month, 15),
                         "period": period, "document_no": f"NAL/{year}/{month:02d}",
                         "component": "c.o.",
                         "charge": Decimal("100.00") + month, "payment": Decimal("0")})
            if not (unpaid_last and index == years * 12 - 1):
                rows.append({"account_id": account.id, "external_id": f"W{account.id}-{index}",
                             "booked_on": date(year, month, 10), "period": period,
                             "document_no": f"WB/{year}/{month:02d}", "component": "wpłata",
                             "charge": Decimal("0"), "payment": Decimal("300.00") + month})
        db.session.execute(insert(LedgerEntry), rows)
        return account.id


def make_import_run(tenant: TenantRef, **fields) -> int:
    """A finished import run of the cooperative (``fields`` override kind, file, actor…)."""
    from iok_saas.imports.models import ImportRun

    with in_tenant(tenant):
        run = ImportRun(**{"kind": "ledger", "filename": "plik.csv", "actor": "Test", **fields})
        db.session.add(run)
        db.session.flush()
        return run.id


def make_pending_reading(tenant: TenantRef, household: Household, meter_id: int,
                         value: str = "135") -> int:
    """A reading the household's resident submitted today, waiting for staff."""
    from decimal import Decimal

    from iok_saas.meters import services
    from iok_saas.meters.models import Meter
    from iok_saas.meters.window import today
    from iok_saas.tenancy.settings import Readings

    with in_tenant(tenant):
        return services.submit(db.session.get(Meter, meter_id),
                               db.session.get(User, household.user_id), Decimal(value),
                               today(), Readings()).id


_FAULT_NUMBERS = __import__("itertools").count(1)


def make_fault(tenant: TenantRef, household: Household) -> tuple[int, int]:
    """A fault report of the household's first unit with one photo: (report id, photo id)."""
    import uuid

    from iok_saas import files
    from iok_saas.cases.models import CaseAttachment, CaseEvent, CaseFollower
    from iok_saas.db import utcnow
    from iok_saas.faults.models import FaultReport

    with in_tenant(tenant):
        number = next(_FAULT_NUMBERS)
        # A year of its own: numbers of this year belong to the demo's and the tests' reports.
        report = FaultReport(register="AW", year=2000, number=number,
                             submission=str(uuid.uuid4()), filed_by_id=household.user_id,
                             category="inne", building_id=household.building_id,
                             unit_id=household.unit_ids[0], description=household.street,
                             status="received", status_at=utcnow())
        db.session.add(report)
        db.session.flush()
        event = CaseEvent(case_id=report.id, kind="created", at=utcnow())
        db.session.add_all([event, CaseFollower(case_id=report.id, user_id=household.user_id,
                                                since=utcnow())])
        db.session.flush()
        stored = files.store(household.street.encode(), filename="x.jpg",
                             content_type="image/jpeg", purpose="fault_photo")
        photo = CaseAttachment(case_id=report.id, event_id=event.id, file_id=stored.id,
                               filename="x.jpg", content_type="image/jpeg", size=stored.size)
        db.session.add(photo)
        db.session.flush()
        return report.id, photo.id


def make_announcement(tenant: TenantRef, household: Household) -> tuple[int, int]:
    """An announcement for the household's building with a PDF attachment, read by the
    household: (announcement id, attachment id)."""
    from iok_saas import files
    from iok_saas.announcements.models import (
        BUILDINGS,
        Announcement,
        AnnouncementAttachment,
        AnnouncementBuilding,
        AnnouncementRead,
    )
    from iok_saas.db import utcnow

    with in_tenant(tenant):
        announcement = Announcement(title=household.street, body_md=household.last_name,
                                    body_html=f"<p>{household.last_name}</p>",
                                    audience=BUILDINGS, publish_from=utcnow())
        db.session.add(announcement)
        db.session.flush()
        stored = files.store(b"%PDF-1.4\n" + household.street.encode(), filename="plan.pdf",
                             content_type="application/pdf", purpose="announcement_attachment")
        attachment = AnnouncementAttachment(announcement_id=announcement.id, file_id=stored.id,
                                            filename="plan.pdf", content_type="application/pdf",
                                            size=stored.size)
        db.session.add_all([
            attachment, AnnouncementBuilding(announcement_id=announcement.id,
                                             building_id=household.building_id),
            AnnouncementRead(announcement_id=announcement.id, user_id=household.user_id,
                             read_at=utcnow())])
        db.session.flush()
        return announcement.id, attachment.id


def pdf_bytes(text: str = "Statut") -> bytes:
    """A small real PDF (one page) with ``text`` in its metadata."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scripted_pdf_bytes() -> bytes:
    """A real one-page PDF that runs JavaScript when it is opened."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x()")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_document(tenant: TenantRef, household: Household) -> tuple[int, int]:
    """A members' document of the cooperative with one version: (document id, version id)."""
    from datetime import date

    from sqlalchemy import select

    from iok_saas import files
    from iok_saas.db import utcnow
    from iok_saas.documents.models import Document, DocumentVersion, DocumentVisit

    with in_tenant(tenant):
        document = Document(category="Statut", title=household.street, number=household.slug,
                            dated=date(2024, 6, 20))
        db.session.add(document)
        db.session.flush()
        stored = files.store(pdf_bytes(household.street), filename="statut.pdf",
                             content_type="application/pdf", purpose="member_document")
        version = DocumentVersion(document_id=document.id, number=1, file_id=stored.id,
                                  filename="statut.pdf", size=stored.size)
        db.session.add(version)
        if not db.session.scalar(select(DocumentVisit).where(
                DocumentVisit.user_id == household.user_id)):
            db.session.add(DocumentVisit(user_id=household.user_id, seen_at=utcnow()))
        db.session.flush()
        return document.id, version.id


def make_unit_document(tenant: TenantRef, household: Household, *, kind: str = "settlement",
                       title: str = "Rozliczenie wody za 2026 r.", consent: bool = True,
                       opened: bool = True, text: str | None = None) -> int:
    """A PDF delivered to the household's first unit (the person consenting to electronic
    delivery, and having opened it, unless told otherwise): the document's id."""
    from iok_saas.delivery import services
    from iok_saas.tenancy.info import get_tenant_info

    with in_tenant(tenant):
        person = db.session.get(User, household.user_id)
        info = get_tenant_info(tenant.id)
        if consent and not services.consented_among([person.id]):
            services.set_consent(person, True, info, actor=person)
        unit = db.session.get(Unit, household.unit_ids[0])
        document, _ = services.deliver(
            services.Parcel(unit_id=unit.id, kind=kind, title=title), pdf_bytes(
                text or f"{title} {household.street}"), "dokument.pdf", unit=unit,
            tenant=info, actor="Test")
        if opened:
            services.opened(document, person)
        db.session.flush()
        return document.id


def make_data_export(tenant: TenantRef, household: Household) -> int:
    """A prepared download of the household's data, ready to be taken: its id."""
    from datetime import timedelta

    from iok_saas import files
    from iok_saas.db import utcnow
    from iok_saas.my_data.models import READY, DataExport

    with in_tenant(tenant):
        stored = files.store(b"PK\x05\x06" + b"\x00" * 18, filename="moje-dane.zip",
                             content_type="application/zip", purpose="data_export")
        export = DataExport(user_id=household.user_id, status=READY, file_id=stored.id,
                            ready_at=utcnow(), expires_at=utcnow() + timedelta(hours=24))
        db.session.add(export)
        db.session.flush()
        return export.id


def make_activation_code(tenant: TenantRef, household: Household) -> str:
    """A live activation code for the household's account: the plain code."""
    from iok_saas.account_security import activation

    with in_tenant(tenant):
        [issued] = activation.issue([db.session.get(User, household.user_id)], 30, None)
        return issued.code


def make_session(tenant: TenantRef, household: Household) -> str:
    """A signed-in device of the household's account: the token its cookie would carry."""
    import hashlib
    import secrets

    from iok_saas.auth.models import SignedInSession

    token = secrets.token_urlsafe(32)
    with in_tenant(tenant):
        db.session.add(SignedInSession(user_id=household.user_id, device="Firefox 133",
                                       ip="127.0.0.1",
                                       token_hash=hashlib.sha256(token.encode()).hexdigest()))
    return token


def make_second_factor(tenant: TenantRef, household: Household) -> str:
    """Two-step verification on for the household's account, with a remembered browser: the
    secret."""
    from iok_saas.account_security import second_factor

    with in_tenant(tenant):
        user = db.session.get(User, household.user_id)
        secret = second_factor.new_secret()
        second_factor.turn_on(user, secret, 0)
        second_factor.remember(user, "Firefox 133")
        return secret
