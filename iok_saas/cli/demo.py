"""``iok demo``: migrate, load both reference cooperatives, reset their demo data, serve."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import delete, insert

from iok_saas.announcements.models import (
    BUILDINGS,
    EVERYONE,
    GENERAL,
    MEETING,
    OUTAGE,
    Announcement,
    AnnouncementBuilding,
)
from iok_saas.announcements.render import to_html
from iok_saas.applications.models import SUBMITTED, AccessApplication
from iok_saas.audit.models import DataView
from iok_saas.auth.models import ADMIN, CLERK, RESIDENT, User
from iok_saas.auth.passwords import hash_password
from iok_saas.cases.models import CREATED, NOTE, STATUS, CaseEvent, CaseFollower
from iok_saas.cli import (
    demo_correspondence,
    demo_delivery,
    demo_meetings,
    demo_remote,
    demo_settlements,
)
from iok_saas.cli.demo_documents import publish_demo_documents
from iok_saas.contacts.models import ConsentEvent
from iok_saas.db import db, immutable, utcnow
from iok_saas.estate.models import Building, Unit, UnitTitle
from iok_saas.faults.models import (
    DONE,
    IN_PROGRESS,
    RECEIVED,
    FaultReport,
)
from iok_saas.faults.models import (
    PREFIX as FAULTS,
)
from iok_saas.finance.models import FEES, LOAN, Account, LedgerEntry
from iok_saas.meters.models import (
    ACCEPTED,
    IMPORT_SOURCE,
    PENDING,
    REMOTE,
    RESIDENT_SOURCE,
    TYPED,
    Meter,
    Reading,
)
from iok_saas.registers import RegistryCounter
from iok_saas.tenancy import services
from iok_saas.tenancy.context import tenant_context
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.formatting import WARSAW


@dataclass(frozen=True)
class DemoAccount:
    """A documented demo account (README's table)."""

    identifier: str
    role: str
    first_name: str
    last_name: str
    password: str
    initial: bool = False
    units: tuple[int, ...] = ()
    department: str = ""


@dataclass(frozen=True)
class DemoCooperative:
    """Demo buildings and accounts of one reference cooperative."""

    slug: str
    city: str
    postal_code: str
    estate: str
    buildings: tuple[tuple[str, str], ...]
    accounts: tuple[DemoAccount, ...]
    loans: bool = False  # seed 000: "stan rozliczeń konta opłat mieszkaniowych (czynsz, kredyt)"


UNITS_PER_BUILDING = 12
DEMO = (
    DemoCooperative(
        slug="zielone-wzgorza", city="Murowana Goślina", postal_code="62-095",
        estate="Osiedle Zielone Wzgórza",
        buildings=(("os. Zielone Wzgórza", "5"), ("os. Zielone Wzgórza", "7"), ("ul. Polna", "12")),
        accounts=(
            DemoAccount("zw.admin", ADMIN, "Barbara", "Lewandowska", "AdminDemo2026"),
            DemoAccount("zw.obsluga", CLERK, "Piotr", "Mazur", "ObslugaDemo2026",
                        department="Dział Członkowsko-Mieszkaniowy"),
            DemoAccount("ZW-000001", RESIDENT, "Anna", "Kowalska", "Mieszkanie2026",
                        units=(0, 14)),
            DemoAccount("ZW-000002", RESIDENT, "Jan", "Nowak", "Poczatek2026", initial=True,
                        units=(3,)),
        ),
        loans=True,
    ),
    DemoCooperative(
        slug="baltyk", city="Gdańsk", postal_code="80-180", estate="Osiedle Morskie",
        buildings=(("ul. Morska", "12"), ("ul. Bursztynowa", "4"), ("ul. Żeglarska", "7")),
        accounts=(
            DemoAccount("baltyk.admin", ADMIN, "Elżbieta", "Wójcik", "AdminDemo2026"),
            DemoAccount("baltyk.obsluga", CLERK, "Marek", "Kamiński", "ObslugaDemo2026",
                        department="Dział Czynszów"),
            DemoAccount("B-000001", RESIDENT, "Krystyna", "Wiśniewska", "Mieszkanie2026",
                        units=(1, 26)),
            DemoAccount("B-000002", RESIDENT, "Tadeusz", "Zieliński", "Poczatek2026",
                        initial=True, units=(5,)),
        ),
    ),
)
ADDRESSES = {
    "zielone-wzgorza": "http://zielone-wzgorza.localhost:{port}",
    "baltyk": "http://baltyk.localhost:{port}",
}


def reset_demo_data() -> None:
    """Put both reference cooperatives' demo data back to the documented state."""
    for coop in DEMO:
        tenant = services.get_tenant(coop.slug)
        info = TenantInfo.from_model(tenant)
        with tenant_context(tenant.id):
            _wipe(tenant.id)
            _populate(coop, info)
            db.session.commit()
        db.session.close()


def _wipe(tenant_id: int) -> None:
    """Every tenant-owned row of the cooperative in context, children first — the proof of
    the demo's deliveries too, which only the whole cooperative's removal may delete
    (``db.immutable``)."""
    immutable.release(db.session, tenant_id)
    for mapper in services.scoped_models():
        db.session.execute(delete(mapper.class_))
    immutable.forget_release(db.session, tenant_id)


def _populate(coop: DemoCooperative, info: TenantInfo) -> None:
    units: list[Unit] = []
    for index, (street, number) in enumerate(coop.buildings, start=1):
        building = Building(estate=coop.estate, street=street, number=number,
                            postal_code=coop.postal_code, city=coop.city,
                            external_id=f"BUD-{index:03d}")
        building.units = [Unit(number=str(n), external_id=f"LOK-{index:03d}-{n:03d}")
                          for n in range(1, UNITS_PER_BUILDING + 1)]
        db.session.add(building)
        units.extend(building.units)
    if info.has_feature("finance"):
        db.session.flush()
        _ledger(units, info, loans=coop.loans)
    if info.has_feature("meters"):
        db.session.flush()
        demo_remote.populate(coop.slug, info, _meters(units))
    if info.has_feature("online_application"):
        db.session.add(AccessApplication(
            first_name="Grażyna", last_name="Wnioskowa", unit_id=_flush_id(units[7]),
            title_kind="cooperative_ownership", email="grazyna.wnioskowa@example.org",
            phone="600 123 456", terms_version=info.settings.terms.version, status=SUBMITTED,
            confirm_by=utcnow(), confirmed_at=utcnow()))
    expires = utcnow() + timedelta(days=info.settings.password.initial_password_days)
    users = {}
    for account in coop.accounts:
        user = User(
            identifier=account.identifier, role=account.role, first_name=account.first_name,
            last_name=account.last_name, email=f"{account.identifier.lower()}@example.org",
            department=account.department,
            password_hash=hash_password(account.password), must_change_password=account.initial,
            initial_password_expires_at=expires if account.initial else None,
        )
        if account.role == RESIDENT and not account.initial:
            # A resident who keeps the details up to date and asked for announcements by e-mail.
            user.phone, user.landline = f"+4860120030{len(users)}", "+48581234567"
            user.email_confirmed_at = utcnow() - timedelta(days=200)
            user.announcement_emails = True
            db.session.add(user)
            db.session.flush()
            db.session.add(ConsentEvent(user_id=user.id, choice="announcements", given=True,
                                        way="resident", actor_id=user.id,
                                        at=utcnow() - timedelta(days=120)))
        db.session.add(user)
        users[account.role if account.role != RESIDENT else account.identifier] = user
        for index in account.units:
            db.session.add(UnitTitle(unit=units[index], user=user, since=date(2015, 3, 1)))
    if info.has_feature("faults"):
        db.session.flush()
        _faults(units, [u for key, u in users.items() if key not in (ADMIN, CLERK)],
                users[CLERK])
    if info.has_feature("correspondence"):
        db.session.flush()
        demo_correspondence.populate(units, users[coop.accounts[2].identifier],
                                     users[coop.accounts[3].identifier], users[CLERK],
                                     with_fault=info.has_feature("faults"))
    if info.has_feature("announcements"):
        db.session.flush()
        _announcements(coop, units, users[CLERK])
    if info.has_feature("documents"):
        db.session.flush()
        publish_demo_documents(info, users[CLERK])
    fees = [_monthly_fees(index) for index in range(len(units))]
    residents = {a.identifier: users[a.identifier] for a in coop.accounts if a.role == RESIDENT}
    settled = None
    if all(info.has_feature(f) for f in ("settlements", "finance", "meters")):
        db.session.flush()
        settled = demo_settlements.populate(info, units, fees)
    if info.has_feature("delivery"):
        db.session.flush()
        documents = demo_delivery.populate(
            info, units, fees, residents, users[CLERK],
            demo_settlements.water_documents(info, settled, units) if settled else None)
        if settled is not None:
            demo_settlements.delivered(settled, documents)
    if info.has_feature("general_meeting"):  # after the delivery demo made its members
        db.session.flush()
        demo_meetings.populate(info, units, residents, users[CLERK])
    if info.has_feature("my_data"):  # the clerk looked at the first resident's account
        db.session.flush()
        resident = users[coop.accounts[2].identifier]
        db.session.add(DataView(subject_id=resident.id, viewer_id=users[CLERK].id,
                                viewer_label=users[CLERK].full_name, viewer_role=CLERK,
                                what="konto, dane kontaktowe i lokale",
                                at=utcnow() - timedelta(days=3)))


def _announcements(coop: DemoCooperative, units: list[Unit], clerk: User) -> None:
    """A pinned general notice, a planned outage for the first building only, a residents'
    meeting (the general meeting's notice is the meetings demo's), and one past notice in the
    archive."""
    now = utcnow()
    tomorrow = (now + timedelta(days=1)).astimezone(WARSAW).replace(
        hour=8, minute=0, second=0, microsecond=0)
    first = units[0].building
    plans = [
        ("Godziny pracy biura w okresie świątecznym",
         "W dniach **24 i 31 grudnia** biuro Spółdzielni jest czynne do 12:00.\n\n"
         "Sprawy pilne prosimy zgłaszać pod numerem pogotowia technicznego.",
         GENERAL, {"pinned": True}),
        (f"Wyłączenie wody — {first.street} {first.number}",
         "Z powodu wymiany zaworów na pionach w budynku nie będzie wody zimnej ani ciepłej. "
         "Prosimy o zrobienie zapasu wody.",
         OUTAGE, {"service": "water", "starts_at": tomorrow,
                  "ends_at": tomorrow + timedelta(hours=6), "audience": BUILDINGS,
                  "buildings": [first.id]}),
        ("Zebranie mieszkańców osiedla — plan remontów na 2027 rok",
         "Zapraszamy na zebranie mieszkańców w sprawie planu remontów na 2027 rok. "
         "Projekt planu jest dostępny w biurze Spółdzielni.",
         MEETING, {"starts_at": tomorrow + timedelta(days=14, hours=9)}),
        ("Przegląd instalacji gazowej",
         "Przegląd odbył się w październiku. Dziękujemy za udostępnienie lokali.",
         GENERAL, {"publish_from": now - timedelta(days=60),
                   "publish_until": now - timedelta(days=20)}),
    ]
    for title, body, kind, extra in plans:
        announcement = Announcement(
            title=title, body_md=body, body_html=to_html(body), kind=kind,
            service=extra.get("service"), starts_at=extra.get("starts_at"),
            ends_at=extra.get("ends_at"), audience=extra.get("audience", EVERYONE),
            publish_from=extra.get("publish_from", now - timedelta(days=2)),
            publish_until=extra.get("publish_until"), pinned=extra.get("pinned", False),
            author_id=clerk.id, author_label=clerk.full_name)
        announcement.published_at = announcement.publish_from
        db.session.add(announcement)
        db.session.flush()
        for building_id in extra.get("buildings", []):
            db.session.add(AnnouncementBuilding(announcement_id=announcement.id,
                                                building_id=building_id))


def _faults(units: list[Unit], residents: list[User], clerk: User) -> None:
    """A few reports: one being dealt with (a reply and an internal note), one just received
    (a common area), one finished a few days ago that the resident may still confirm."""
    now = utcnow()
    year = now.astimezone(WARSAW).year
    anna, jan = residents[0], residents[1]
    plans = (
        (anna, units[0], "woda i kanalizacja", "łazienka",
         "Przecieka pion wody zimnej w łazience, na ścianie za pralką pojawiła się mokra plama.",
         IN_PROGRESS, 3, [(STATUS, IN_PROGRESS, "Hydraulik przyjdzie w czwartek między 8:00 "
                           "a 12:00. Prosimy o dostęp do łazienki."),
                          (NOTE, None, "Zabrać uszczelki do pionu DN25; klucz do piwnicy u "
                           "gospodarza.")]),
        (jan, None, "winda", "klatka schodowa, parter",
         "Winda stoi na parterze i nie reaguje na przyciski.", RECEIVED, 0, []),
        (anna, units[0], "domofon", "przedpokój",
         "Domofon dzwoni, ale nie słychać rozmówcy.", DONE, 9,
         [(STATUS, IN_PROGRESS, "Zlecono serwisowi domofonów."),
          (STATUS, DONE, "Wymieniono unifon w lokalu.")]),
    )
    for number, (user, unit, category, place, text, status, age, steps) in enumerate(plans, 1):
        created = now - timedelta(days=age, hours=2)
        report = FaultReport(
            register=FAULTS, year=year, number=number, submission=f"demo-{number}",
            filed_by_id=user.id,
            category=category, building_id=(unit or units[3]).building_id,
            unit_id=unit.id if unit else None, place=place, description=text,
            entry_allowed=unit is not None, contact_phone="600 100 200", status=status,
            status_at=now - timedelta(days=max(age - 2, 0)), created_at=created,
            assigned_to_id=clerk.id if status != RECEIVED else None,
            planned_on=(now + timedelta(days=2)).date() if status == IN_PROGRESS else None,
            closed_at=now - timedelta(days=4) if status == DONE else None)
        db.session.add(report)
        db.session.flush()
        db.session.add(CaseFollower(case_id=report.id, user_id=user.id, since=created))
        db.session.add(CaseEvent(case_id=report.id, kind=CREATED, status=RECEIVED,
                                 author_id=user.id, author_label=user.full_name, at=created))
        for step, (kind, new_status, body) in enumerate(steps, 1):
            db.session.add(CaseEvent(
                case_id=report.id, kind=kind, status=new_status, body=body,
                author_id=clerk.id, author_label=clerk.full_name, by_staff=True,
                at=created + timedelta(days=step)))
    db.session.add(RegistryCounter(register=FAULTS, year=year, last=len(plans)))


COMPONENTS = (  # component, base monthly amount (zł), extra in the heating season
    ("eksploatacja", Decimal("214.60"), Decimal("0")),
    ("fundusz remontowy", Decimal("118.40"), Decimal("0")),
    ("woda i ścieki", Decimal("72.90"), Decimal("0")),
    ("c.o.", Decimal("96.00"), Decimal("88.50")),
    ("wywóz śmieci", Decimal("46.00"), Decimal("0")),
)
HEATING = {1, 2, 3, 4, 10, 11, 12}


def demo_nrb(tenant_id: int, unit_id: int) -> str:
    """A valid (checksummed) individual account number for the demo: 26 digits."""
    bban = f"10205011{tenant_id:04d}{unit_id:012d}"
    check = 98 - int(bban + "252100") % 97
    return f"{check:02d}{bban}"


def _months(count: int) -> list[date]:
    today = date.today()
    first = date(today.year, today.month, 1)
    months = []
    for back in range(count - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    return months


def _ledger(units: list[Unit], info: TenantInfo, *, loans: bool) -> None:
    """Two years of charges and payments per unit; a few in arrears, a few overpaid; with
    ``loans``, every third unit also repays a loan (kredyt) and is up to date with it."""
    rows = []
    for index, unit in enumerate(units):
        if loans and index % 3 == 0:
            rows.extend(_loan(unit, info))
        account = Account(external_id=f"CZ/{unit.id:05d}", unit_id=unit.id, kind=FEES,
                          name="Opłaty mieszkaniowe (czynsz)", nrb=demo_nrb(info.id, unit.id))
        db.session.add(account)
        db.session.flush()
        fees = _monthly_fees(index)
        months = _months(24)
        for month in months:
            period = month.strftime("%Y-%m")
            total = Decimal("0")
            for number, (component, low, high) in enumerate(fees):
                amount = high if month.month in HEATING else low
                total += amount
                rows.append(_entry(account.id, f"N-{account.id}-{period}-{number}", month,
                                   month.replace(day=15), period, f"NAL/{period}/{unit.id}",
                                   component, charge=amount))
            unpaid = month == months[-1] or (index % 7 == 3 and month >= months[-3])
            if not unpaid:
                extra = Decimal("20.00") if index % 7 == 5 and month == months[-2] else 0
                rows.append(_entry(account.id, f"W-{account.id}-{period}", month.replace(day=10),
                                   None, period, f"WB/{period}/{unit.id}", "wpłata",
                                   payment=total + extra, description="Wpłata — przelew"))
    db.session.execute(insert(LedgerEntry), rows)


def _monthly_fees(index: int) -> list[tuple[str, Decimal, Decimal]]:
    """The monthly fees of the demo's ``index``-th unit by component: outside the heating
    season and in it (the ledger charges them; the demo's fee-change notices quote them)."""
    scale = Decimal(1) + Decimal(index % 5) / 10
    return [(component, (base * scale).quantize(Decimal("0.01")),
             ((base + heating) * scale).quantize(Decimal("0.01")))
            for component, base, heating in COMPONENTS]


def _loan(unit: Unit, info: TenantInfo) -> list[dict]:
    account = Account(external_id=f"KR/{unit.id:05d}", unit_id=unit.id, kind=LOAN, name="Kredyt",
                      nrb=demo_nrb(info.id, 500_000 + unit.id))
    db.session.add(account)
    db.session.flush()
    rows = []
    for month in _months(24):
        period = month.strftime("%Y-%m")
        rows.append(_entry(account.id, f"KN-{account.id}-{period}", month, month.replace(day=15),
                           period, f"KR/{period}/{unit.id}", "spłata kredytu",
                           charge=Decimal("38.70")))
        rows.append(_entry(account.id, f"KW-{account.id}-{period}", month.replace(day=10), None,
                           period, f"WB/{period}/{unit.id}", "wpłata",
                           payment=Decimal("38.70"), description="Wpłata — przelew"))
    return rows


def _entry(account_id: int, external_id: str, booked_on: date, due_on: date | None,
           period: str, document_no: str, component: str, *, charge: Decimal = Decimal(0),
           payment: Decimal = Decimal(0), description: str = "") -> dict:
    return {"account_id": account_id, "external_id": external_id, "booked_on": booked_on,
            "due_on": due_on, "period": period, "document_no": document_no,
            "component": component, "description": description or component,
            "charge": charge, "payment": payment}


def _flush_id(unit: Unit) -> int:
    db.session.flush()
    return unit.id


def print_accounts(port: int) -> None:
    """The demo addresses and accounts, as the README lists them."""
    click.echo("\nDemo addresses:")
    for coop in DEMO:
        click.echo(f"  {ADDRESSES[coop.slug].format(port=port)}")
    click.echo("\nDemo accounts (cooperative, role, identifier, password):")
    for coop in DEMO:
        for account in coop.accounts:
            note = " (initial password: change at first sign-in)" if account.initial else ""
            click.echo(f"  {coop.slug:<16} {account.role:<9} {account.identifier:<15} "
                       f"{account.password}{note}")


@click.command("demo")
@click.option("--port", default=5000, show_default=True, envvar="IOK_DEMO_PORT")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-serve", is_flag=True, help="Set up the data only; do not start the server.")
@with_appcontext
def demo(port: int, host: str, no_serve: bool) -> None:
    """Migrate, sync tenants/*.toml, reset the demo data and serve it with gunicorn."""
    upgrade()
    results = services.sync_dir(Path(current_app.config["TENANTS_DIR"]))
    db.session.commit()
    for result in results:
        click.echo(f"{result.slug}: {result.action}")
    reset_demo_data()
    print_accounts(port)
    demo_remote.print_files([(coop.slug, TenantInfo.from_model(services.get_tenant(coop.slug))
                              .settings.remote_readings) for coop in DEMO])
    if no_serve:
        return
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    click.echo(f"\nServing on {host}:{port} with gunicorn (Ctrl+C stops).")
    os.environ.setdefault("IOK_PUBLIC_PORT", str(port))
    os.execv(gunicorn, [gunicorn, "--bind", f"{host}:{port}", "--workers", "2",
                        "--access-logfile", "-", "wsgi:app"])


METERS = (("cold_water", "łazienka", Decimal("0.16"), TYPED),
          ("hot_water", "łazienka", Decimal("0.35"), REMOTE),
          ("heat", "pokój", Decimal("28"), REMOTE))


def _meters(units: list[Unit]) -> list[demo_remote.RemoteMeter]:
    """Water meters and a heat cost allocator in every unit. Cold water is read by the resident
    each quarter (two years of readings; a few units have one from last week still waiting for
    the office); hot water and the allocator are read remotely (``demo_remote``): returned."""
    today = date.today()
    quarters = [_quarter_start(today, back) for back in range(8, 0, -1)]
    readings, remote = [], []
    for index, unit in enumerate(units):
        for number, (kind, place, per_day, mode) in enumerate(METERS):
            installed = quarters[0] - timedelta(days=30)
            # By the unit's place in the demo, not its id: the same every time the demo is
            # put back (its settlements' PDFs are then made once a process).
            seed = index + 1
            value = Decimal(100 + seed % 37)
            serial = f"{seed:05d}{number}{(seed * 7919) % 1000:03d}"
            meter = Meter(initial_value=value, unit_id=unit.id, kind=kind, place=place,
                          serial_number=serial, reading_mode=mode,
                          radio_id=f"R-{serial}" if mode == REMOTE else None,
                          measure="jedn." if kind == "heat" else "m³", installed_on=installed,
                          legalised_until=installed.replace(year=installed.year + 5),
                          external_id=f"LIC-{unit.id:05d}-{number}")
            db.session.add(meter)
            db.session.flush()
            if mode == REMOTE:
                remote.append(demo_remote.RemoteMeter(index, unit, meter))
                continue
            for day in quarters:
                factor = Decimal(10 + (seed + day.month) % 5) / 10  # 1.0–1.4
                value += (per_day * 91 * factor).quantize(Decimal("0.001"))
                readings.append({"meter_id": meter.id, "read_on": day, "value": value,
                                 "source": IMPORT_SOURCE, "status": ACCEPTED})
            if seed % 6 == 5:  # waiting for the office
                readings.append({"meter_id": meter.id, "read_on": today - timedelta(days=3),
                                 "value": value + Decimal("4.250"), "source": RESIDENT_SOURCE,
                                 "status": PENDING})
    db.session.execute(insert(Reading), readings)
    return remote


def _quarter_start(today: date, back: int) -> date:
    month = (today.month - 1) // 3 * 3 + 1 - 3 * back
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)
