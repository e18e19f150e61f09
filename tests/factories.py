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
from tests.conftest import TenantRef, in_tenant

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
        meter = Meter(unit_id=unit_id, kind=kind, serial_number=f"SN{n:06d}", place="łazienka",
                      installed_on=date(2025, 12, 1), initial_value=Decimal("90"), **fields)
        db.session.add(meter)
        db.session.flush()
        db.session.add_all(Reading(meter_id=meter.id, read_on=day, value=Decimal(value))
                           for day, value in readings)
        meter_id = meter.id
    return meter_id
