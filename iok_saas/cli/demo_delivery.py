"""The demo's documents delivered to units with proof (issue 34, docs/delivery.md).

Every unit of each cooperative has two documents, as if delivered in 2026:

* last year's water settlement (``settlement``, for 2025), made available in March 2026 — the
  office printed what had to go on paper then (every unit nobody holds in the portal, every
  holder without consent, and the consenting ones who had not opened it within the kind's days);
* the notice of the fees from 1 January 2027 (``fee_change``), made available in the last week
  of September 2026 — in time: art. 4 ust. 7 of the housing cooperatives act wants three whole
  months' notice to the end of a month, so by 30 September. Nothing of it is printed yet: the
  office's paper list (*Do doręczenia papierowego*) shows what still has to go on paper, for the
  clerk to try.

Each PDF is on the cooperative's letterhead and names its unit, with the unit's own amounts (the
fees the demo's ledger charges, ``demo._monthly_fees``) and the notice's written justification;
how they are made quickly is told at ``VARIANTS`` below.

The people (``PLANS``): ``ZW-000001`` consented in February 2026 and opened both settlements
and the notice for the first unit; the notice for the second is still new (on the paper list as
not opened). ``B-000001`` never consented: the paper list shows both of her notices. A few more
residents (accounts without a demo password) show the other cases — consent on paper recorded by
the clerk, a notice not opened in 14 days, two holders of one unit of whom one consented, consent
given only after the deliveries, consent withdrawn in between, a holder without an e-mail. Each
e-mail to a consenting person is in the outbox as sent, with the mail server's acceptance in the
proof.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from html import escape
from uuid import uuid4

from flask import g, render_template
from flask_babel import force_locale
from sqlalchemy import insert

from iok_saas.auth.models import RESIDENT, User
from iok_saas.db import db
from iok_saas.delivery import rules
from iok_saas.delivery.models import (
    MAIL_ACCEPTED,
    OPENED,
    PRINTED,
    STAFF,
    DeliveryConsent,
    DocumentRecipient,
    ProofEvent,
    UnitDocument,
)
from iok_saas.delivery.models import RESIDENT as BY_RESIDENT
from iok_saas.delivery.services import MAIL, PURPOSE
from iok_saas.estate import services as estate
from iok_saas.estate.models import Unit
from iok_saas.files.models import FileChunk, StoredFile
from iok_saas.mail.models import SENT, OutboxMessage
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.formatting import WARSAW, money

FEE_CHANGE, SETTLEMENT = rules.FEE_CHANGE, rules.SETTLEMENT
EFFECTIVE = date(2027, 1, 1)  # the new fees
SETTLED = date(2025, 12, 31)  # the end of the settled year
# A unit's monthly fees: (component, amount outside the heating season, amount in it).
Fees = list[tuple[str, Decimal, Decimal]]
MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
          "września", "października", "listopada", "grudnia")


@dataclass(frozen=True)
class Person:
    """A resident in the demo's delivery: a documented demo account (``units`` empty) or one
    more holder made here. ``consents``: (day, given, on paper at the office); ``opens``: (kind,
    unit index, hours after it was made available)."""

    identifier: str
    first_name: str = ""
    last_name: str = ""
    units: tuple[int, ...] = ()
    email: bool = True
    consents: tuple[tuple[date, bool, bool], ...] = ()
    opens: tuple[tuple[str, int, float], ...] = ()


@dataclass(frozen=True)
class Plan:
    """One cooperative's deliveries: when (its local time), the new fees' bases, the price of
    water, the notice's justification, the people."""

    city: str  # where the letters are dated
    settlement_at: datetime
    fee_change_at: datetime
    new_bases: dict[str, Decimal]  # component → the new monthly base (× the unit's scale)
    water_price: Decimal  # a cubic metre of water and sewage, gross
    signed: str
    justification: tuple[str, ...]
    people: tuple[Person, ...]


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


PLANS = {
    "zielone-wzgorza": Plan(
        city="Murowana Goślina", settlement_at=_local(2026, 3, 16, 10, 0),
        fee_change_at=_local(2026, 9, 28, 10, 15),
        new_bases={"eksploatacja": Decimal("229.60"), "fundusz remontowy": Decimal("130.20")},
        water_price=Decimal("14.26"), signed="Zarząd Spółdzielni",
        justification=(
            "Koszty eksploatacji nieruchomości rosną w 2026 r. szybciej, niż zakładał plan: "
            "wzrosło minimalne wynagrodzenie, od którego zależą ceny sprzątania i konserwacji, "
            "wzrosły ceny energii elektrycznej w częściach wspólnych budynków oraz składka "
            "ubezpieczenia budynków. Opłata eksploatacyjna pokrywa te koszty w części "
            "przypadającej na lokal.",
            "Plan remontów na lata 2027–2029 przewiduje wymianę dźwigów w budynkach "
            "os. Zielone Wzgórza 5 i 7 oraz docieplenie ścian szczytowych budynku przy ul. Polnej "
            "12. Dotychczasowe wpłaty na fundusz remontowy nie wystarczą na te prace, dlatego "
            "Rada Nadzorcza podwyższyła stawkę odpisu.",
            "Kalkulację kosztów dla nieruchomości, w której znajduje się lokal, można obejrzeć "
            "w biurze Spółdzielni w godzinach jego pracy."),
        people=(
            Person("ZW-000001", consents=((date(2026, 2, 16), True, False),),
                   opens=((SETTLEMENT, 0, 9.5), (SETTLEMENT, 14, 9.6), (FEE_CHANGE, 0, 31))),
            Person("ZW-000003", "Maria", "Zielińska", units=(5,),
                   consents=((date(2025, 12, 3), True, False),),
                   opens=((SETTLEMENT, 5, 5), (FEE_CHANGE, 5, 50))),
            Person("ZW-000004", "Tomasz", "Wróbel", units=(9,),
                   consents=((date(2026, 1, 20), True, False),),
                   opens=((SETTLEMENT, 9, 73),)),
            Person("ZW-000005", "Ewa", "Dąbrowska", units=(17,),
                   consents=((date(2026, 2, 9), True, True),), opens=((FEE_CHANGE, 17, 8),)),
            Person("ZW-000006", "Marek", "Dąbrowski", units=(17,)),
            Person("ZW-000007", "Henryk", "Kaczmarek", units=(26,), email=False),
            Person("ZW-000008", "Zofia", "Pawlak", units=(30,),
                   consents=((date(2026, 10, 5), True, False),)),
        )),
    "baltyk": Plan(
        city="Gdańsk", settlement_at=_local(2026, 3, 20, 9, 30),
        fee_change_at=_local(2026, 9, 24, 12, 0),
        new_bases={"eksploatacja": Decimal("226.80"), "fundusz remontowy": Decimal("128.90")},
        water_price=Decimal("15.38"), signed="Zarząd Spółdzielni Mieszkaniowej „Bałtyk”",
        justification=(
            "Od początku 2026 r. Spółdzielnia płaci więcej za sprzątanie klatek schodowych "
            "i terenów zewnętrznych, utrzymanie zieleni, energię elektryczną oświetlenia części "
            "wspólnych oraz obsługę administracyjną osiedla. Dotychczasowa stawka opłaty "
            "eksploatacyjnej nie pokrywa tych kosztów.",
            "W latach 2027–2028 Spółdzielnia wymieni instalację wodną w budynku przy ul. Morskiej "
            "12 i odnowi elewację budynku przy ul. Żeglarskiej 7. Na te prace potrzebne są "
            "wyższe wpłaty na fundusz remontowy nieruchomości.",
            "Szczegółową kalkulację kosztów udostępnia Dział Czynszów w siedzibie Spółdzielni "
            "przy ul. Zgoda 8, pokój nr 4."),
        people=(
            Person("B-000001"),  # never consented: everything goes on paper
            Person("B-000003", "Halina", "Szymańska", units=(2,),
                   consents=((date(2025, 11, 14), True, False),),
                   opens=((SETTLEMENT, 2, 3), (FEE_CHANGE, 2, 20))),
            Person("B-000004", "Zbigniew", "Kozłowski", units=(13,),
                   consents=((date(2026, 2, 25), True, False),),
                   opens=((SETTLEMENT, 13, 48),)),
            Person("B-000005", "Barbara", "Jankowska", units=(20,),
                   consents=((date(2026, 3, 2), True, True),), opens=((FEE_CHANGE, 20, 6),)),
            Person("B-000006", "Jerzy", "Jankowski", units=(20,)),
            Person("B-000007", "Stanisław", "Wojciechowski", units=(33,),
                   consents=((date(2025, 10, 1), True, False), (date(2026, 6, 15), False, False)),
                   opens=((SETTLEMENT, 33, 30),)),
        )),
}


def populate(info: TenantInfo, units: list[Unit], fees: list[Fees],
             residents: dict[str, User], clerk: User,
             settlements: dict[int, tuple[bytes, str, str]] | None = None) -> list:
    """Deliver the demo's documents to every unit (no commit). ``fees``: each unit's monthly
    fees, in the order of ``units``; ``residents``: the demo accounts by identifier;
    ``settlements``: each unit's water settlement as (PDF, title, file name), where the
    settlements demo made them (else a letter made here). Returns the documents as (kind,
    unit index, document)."""
    plan = PLANS.get(info.slug)
    if plan is None:
        return []
    people = _people(plan, units, residents)
    db.session.flush()
    holders: dict[int, list[tuple[Person, User]]] = {}
    for person, user, indexes in people:
        for index in indexes:
            holders.setdefault(index, []).append((person, user))
    _consents(info, people, clerk)
    pages = _pdfs(info, plan, units, fees)
    titles = {(kind, index): TITLES[kind] for kind in TITLES for index in range(len(units))}
    names = {(kind, index): (f"rozliczenie-wody-2025-{unit.external_id}.pdf"
                             if kind == SETTLEMENT else
                             f"zmiana-oplat-2027-{unit.external_id}.pdf")
             for kind in TITLES for index, unit in enumerate(units)}
    for index, (data, title, name) in (settlements or {}).items():
        pages[SETTLEMENT][index] = data
        titles[(SETTLEMENT, index)], names[(SETTLEMENT, index)] = title, name
    made = {SETTLEMENT: plan.settlement_at.astimezone(UTC),
            FEE_CHANGE: plan.fee_change_at.astimezone(UTC)}
    parcels = [(kind, index, unit, pages[kind][index])
               for kind in (SETTLEMENT, FEE_CHANGE) for index, unit in enumerate(units)]
    # Kept as ``files.store`` keeps a file (each of these is one chunk), in two statements.
    stored = [StoredFile(purpose=PURPOSE, filename=names[(kind, index)],
                         content_type="application/pdf", size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), created_at=made[kind])
              for kind, index, _, data in parcels]
    db.session.add_all(stored)
    db.session.flush()
    db.session.execute(insert(FileChunk), [{"file_id": file.id, "seq": 0, "data": data}
                                           for file, (*_, data) in zip(stored, parcels,
                                                                       strict=True)])
    documents = [(kind, index, UnitDocument(
        unit_id=unit.id, kind=kind, title=titles[(kind, index)],
        effective_on=EFFECTIVE if kind == FEE_CHANGE else SETTLED, person_id=None,
        person_key=0, file_id=file.id, filename=file.filename, size=file.size,
        sha256=file.sha256, address=unit.address,
        made_available_at=made[kind] + timedelta(seconds=index), actor=clerk.full_name))
        for file, (kind, index, unit, _) in zip(stored, parcels, strict=True)]
    db.session.add_all([document for _, _, document in documents])
    db.session.flush()
    _proof(info, plan, documents, holders, clerk)
    return documents


TITLES = {FEE_CHANGE: "Zawiadomienie o zmianie wysokości opłat od 1 stycznia 2027 r.",
          SETTLEMENT: "Rozliczenie kosztów wody i ścieków za 2025 r."}


def _people(plan: Plan, units: list[Unit], residents: dict[str, User]
            ) -> list[tuple[Person, User, tuple[int, ...]]]:
    """The plan's people as accounts, with the indexes of the units they hold: the demo
    accounts as they are, the others made here (they never had a demo password)."""
    held = {unit.id: index for index, unit in enumerate(units)}
    planned = {person.identifier for person in plan.people}
    found = []
    # Every demo account holding a unit gets its documents; those the plan does not name
    # never consented and opened nothing.
    for person in (*plan.people, *(Person(identifier) for identifier in residents
                                   if identifier not in planned)):
        user = residents.get(person.identifier)
        if user is not None:
            found.append((person, user, tuple(sorted(
                held[unit_id] for unit_id in db.session.scalars(estate.unit_ids_of(user.id))
                if unit_id in held))))
            continue
        since = plan.settlement_at.astimezone(UTC) - timedelta(days=400)
        made = {SETTLEMENT: plan.settlement_at, FEE_CHANGE: plan.fee_change_at}
        seen = [made[kind].astimezone(UTC) + timedelta(hours=hours)
                for kind, _, hours in person.opens]
        user = User(identifier=person.identifier, role=RESIDENT, first_name=person.first_name,
                    last_name=person.last_name, password_hash="!", must_change_password=False,
                    email=f"{person.identifier.lower()}@example.org" if person.email else None,
                    email_confirmed_at=since if person.email else None, created_at=since,
                    last_login_at=max(seen, default=None))
        db.session.add(user)
        db.session.flush()
        for index in person.units:
            title = estate.grant_title(user.id, units[index], "cooperative_ownership")
            title.since = date(2012, 5, 1 + index % 27)
        found.append((person, user, person.units))
    return found


def _consents(info: TenantInfo, people: list[tuple[Person, User, tuple[int, ...]]],
              clerk: User) -> None:
    """Each person's consents and withdrawals, as given (online or on paper at the office)."""
    digest = hashlib.sha256(info.settings.delivery.consent_rules.encode()).hexdigest()
    for person, user, _ in people:
        for day, given, on_paper in person.consents:
            db.session.add(DeliveryConsent(
                user_id=user.id, given=given, on=day,
                at=datetime.combine(day, time(11 if on_paper else 19, 20), WARSAW).astimezone(UTC),
                way=STAFF if on_paper else BY_RESIDENT,
                actor_id=clerk.id if on_paper else user.id, rules_sha256=digest if given else ""))


def _consented(person: Person, on: date) -> bool:
    """Whether the person consented to electronic delivery on that day."""
    given = False
    for day, choice, _ in person.consents:
        if day <= on:
            given = choice
    return given


def _proof(info: TenantInfo, plan: Plan, documents: list[tuple[str, int, UnitDocument]],
           holders: dict[int, list[tuple[Person, User]]], clerk: User) -> None:
    """Recipients, e-mails (sent), first openings, and the settlements printed for paper."""
    days = info.settings.delivery.paper_after_days
    recipients, events, mails = [], [], []
    for kind, index, document in documents:
        made = document.made_available_at
        day = made.astimezone(WARSAW).date()
        printed_at = datetime.combine(day + timedelta(days=1), time(9, 30), WARSAW)
        late_at = datetime.combine(day + timedelta(days=days[kind] + 1), time(9, 30), WARSAW)
        people = holders.get(index, [])
        if not people and kind == SETTLEMENT:  # nobody in the portal: on paper at once
            events.append(ProofEvent(document_id=document.id, kind=PRINTED, actor_id=clerk.id,
                                     at=printed_at.astimezone(UTC)))
        for number, (person, user) in enumerate(people):
            agreed = _consented(person, day)
            outbox_id = str(uuid4()) if agreed and user.email else None
            recipients.append(DocumentRecipient(document_id=document.id, user_id=user.id,
                                                consented=agreed, outbox_id=outbox_id))
            if outbox_id:
                sent = made + timedelta(seconds=75 + 3 * index + number)
                mails.append(OutboxMessage(
                    id=outbox_id, template=MAIL, recipient=user.email, user_id=user.id,
                    context=_mail_context(info, document),
                    idempotency_key=f"unit-document:{document.id}:{user.id}", status=SENT,
                    attempts=1, sending_started_at=sent - timedelta(seconds=1),
                    data_started_at=sent, sent_at=sent, bulk=True, created_at=made,
                    updated_at=sent))
                events.append(ProofEvent(document_id=document.id, kind=MAIL_ACCEPTED,
                                         user_id=user.id, at=sent, outbox_id=outbox_id))
            opened = next((hours for what, unit, hours in person.opens
                           if what == kind and unit == index), None)
            if opened is not None:
                events.append(ProofEvent(document_id=document.id, kind=OPENED, user_id=user.id,
                                         actor_id=user.id, at=made + timedelta(hours=opened)))
            if kind != SETTLEMENT:
                continue  # the notices wait on the paper list for the clerk
            if not agreed:
                events.append(ProofEvent(document_id=document.id, kind=PRINTED,
                                         user_id=user.id, actor_id=clerk.id,
                                         at=printed_at.astimezone(UTC)))
            elif opened is None or opened > 24 * days[kind]:
                events.append(ProofEvent(document_id=document.id, kind=PRINTED,
                                         user_id=user.id, actor_id=clerk.id,
                                         at=late_at.astimezone(UTC)))
    db.session.add_all(mails)
    db.session.flush()  # the e-mails first: nothing ties them, but they were first
    db.session.add_all(recipients + events)


def _mail_context(info: TenantInfo, document: UnitDocument) -> dict:
    """What the e-mail said (as ``services.deliver`` makes it): the unit, the kind, a link."""
    with force_locale("pl"):
        kind = str(rules.KINDS[document.kind].label)
    return {"document": document.id, "unit": document.address, "kind": kind,
            "url": info.url(f"/moje-dokumenty?lokal={document.unit_id}")}


# --- the PDFs -------------------------------------------------------------------------------
#
# WeasyPrint takes some 50 ms a page: a page a unit would add seconds to every reset. A unit's
# amounts depend only on its place in the demo's list modulo 5 (``demo._monthly_fees``), so one
# rendering per cooperative makes five pages of each kind; each unit's PDF is its variant's page
# with the unit's address written into the empty box left for it, in the page's own embedded
# font (a last page, never delivered, holds every address so the font has their letters).

VARIANTS = 5
MM = 72 / 25.4  # points in a millimetre
MARGIN_TOP, MARGIN_LEFT, CONTENT_WIDTH = 16, 18, 174  # mm, as CSS below says
BOX_TOP, BOX_LEFT = 31, 0.52  # the addressee's box: mm below the margin, share of the width
FONT_SIZE, LINE = 9.5, 4.6  # pt, mm


def _day(value: date) -> str:
    """``28 września 2026 r.``"""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year} r."


def _amount(value: Decimal) -> str:
    return escape(money(value))


def _m3(value: Decimal) -> str:
    return f"{value}".replace(".", ",") + "\xa0m³"


def _box(unit: Unit) -> tuple[str, ...]:
    """The lines written into a unit's PDF: to whom, where."""
    building = unit.building
    return ("Lokal", f"{building.street} {building.number} m. {unit.number}",
            f"{building.postal_code} {building.city}", f"nr ewidencyjny {unit.external_id or ''}")


def _pdfs(info: TenantInfo, plan: Plan, units: list[Unit], fees: list[Fees]
          ) -> dict[str, list[bytes]]:
    """Each kind's PDF of each unit, in the order of ``units``."""
    header = _letterhead(info)
    pages = ([_fee_page(info, plan, fees[v], header) for v in range(VARIANTS)] +
             [_settlement_page(plan, v, fees[v], header) for v in range(VARIANTS)])
    boxes = tuple(_box(unit) for unit in units)
    glyphs = "".join(f"<p>{escape(line)}</p>" for box in boxes for line in box)
    html = (f"<!doctype html><html lang='pl'><head><meta charset='utf-8'><style>{CSS}</style>"
            f"</head><body>{''.join(pages)}<section class='glyphs'>{glyphs}</section>"
            "</body></html>")
    wanted = tuple((variant + (VARIANTS if kind == SETTLEMENT else 0), box, TITLES[kind])
                   for kind in (FEE_CHANGE, SETTLEMENT)
                   for variant, box in ((index % VARIANTS, box)
                                        for index, box in enumerate(boxes)))
    made = _made(html, wanted, info.settings.name)
    return {FEE_CHANGE: list(made[:len(units)]), SETTLEMENT: list(made[len(units):])}


def _top(city: str, on: date, header: str) -> str:
    """The letterhead, the place and date, and the empty box the unit's address goes in."""
    return (f"<div class='top'>{header}<p class='place'>{escape(city)}, {_day(on)}</p>"
            "<div class='box'></div></div>")


def _fee_page(info: TenantInfo, plan: Plan, unit_fees: Fees, header: str) -> str:
    """The notice of the fees from 1 January 2027 for a unit paying ``unit_fees``."""
    rows, old_sum, new_sum = [], Decimal(0), Decimal(0)
    other_low = other_high = Decimal(0)
    for component, low, high in unit_fees:
        if component not in plan.new_bases:
            other_low, other_high = other_low + low, other_high + high
            continue
        new = (plan.new_bases[component] * low / BASES[component]).quantize(Decimal("0.01"))
        old_sum, new_sum = old_sum + low, new_sum + new
        rows.append(f"<tr><th scope='row'>{escape(component)}</th><td class='num'>"
                    f"{_amount(low)}</td><td class='num'>{_amount(new)}</td></tr>")
    rows.append(f"<tr class='sum'><th scope='row'>razem zmieniane składniki</th>"
                f"<td class='num'>{_amount(old_sum)}</td><td class='num'>{_amount(new_sum)}"
                "</td></tr>")
    reasons = "".join(f"<p>{escape(text)}</p>" for text in plan.justification)
    return f"""<section class="page">
  {_top(plan.city, plan.fee_change_at.date(), header)}
  <h1>Zawiadomienie o zmianie wysokości opłat za używanie lokalu</h1>
  <p>Szanowni Państwo,</p>
  <p>na podstawie art. 4 ust. 7 ustawy z dnia 15 grudnia 2000 r. o spółdzielniach
  mieszkaniowych oraz uchwały Rady Nadzorczej nr 12/2026 z dnia 10 września 2026 r.
  {escape(info.settings.name)} zawiadamia, że <strong>od {_day(EFFECTIVE)}</strong> miesięczne
  opłaty za lokal wynoszą:</p>
  <table class="fees">
    <thead><tr><th scope="col">składnik opłaty</th><th scope="col" class="num">dotychczas</th>
      <th scope="col" class="num">od {_day(EFFECTIVE)}</th></tr></thead>
    <tbody>{"".join(rows)}</tbody>
  </table>
  <p>Pozostałe składniki (woda i ścieki, centralne ogrzewanie, wywóz odpadów) nie zmieniają
  się. Łączna opłata miesięczna za lokal od {_day(EFFECTIVE)} wynosi
  {_amount(new_sum + other_low)} poza sezonem grzewczym i {_amount(new_sum + other_high)}
  w sezonie grzewczym (z zaliczką na centralne ogrzewanie).</p>
  <h2>Uzasadnienie</h2>
  {reasons}
  <p>Opłaty wnosi się co miesiąc z góry, do 10. dnia miesiąca, na indywidualny rachunek lokalu
  (jego numer jest w kartotece finansowej lokalu w Internetowej Obsłudze Kontrahenta).
  Zasadność zmiany wysokości opłat można zakwestionować bezpośrednio na drodze sądowej.</p>
  <p class="signed">{escape(plan.signed)}</p>
</section>"""


def _settlement_page(plan: Plan, variant: int, unit_fees: Fees, header: str) -> str:
    """Last year's water settlement of a unit paying ``unit_fees``: consumption, cost,
    advances, the balance and what happens to it."""
    made_on = plan.settlement_at.date()
    pay_by = date(made_on.year, 4, 30)
    advance = next(low for component, low, _ in unit_fees if component == "woda i ścieki")
    paid = advance * 12
    total = (paid / plan.water_price + (-3, 4, -1, 2, -5)[variant]).quantize(Decimal("0.1"))
    cold = (total * Decimal("0.6")).quantize(Decimal("0.1"))
    cost = (total * plan.water_price).quantize(Decimal("0.01"))
    balance = cost - paid
    if balance > 0:
        result = ("niedopłata", balance)
        what = (f"Niedopłatę w kwocie {_amount(balance)} prosimy wpłacić do {_day(pay_by)} "
                "na indywidualny rachunek lokalu.")
    else:
        result = ("nadpłata", -balance)
        what = (f"Nadpłatę w kwocie {_amount(-balance)} Spółdzielnia zaliczy na poczet opłat "
                f"za maj {made_on.year} r., chyba że do {_day(pay_by)} wskażą Państwo rachunek "
                "bankowy do jej zwrotu.")
    return f"""<section class="page">
  {_top(plan.city, made_on, header)}
  <h1>Rozliczenie kosztów wody i ścieków za 2025 r.</h1>
  <p>Okres rozliczeniowy: od 1 stycznia do 31 grudnia 2025 r. Rozliczenie sporządzono według
  odczytów wodomierzy na dzień 31 grudnia 2025 r., zgodnie z Regulaminem rozliczania kosztów
  ciepła i wody.</p>
  <table class="fees"><tbody>
    <tr><th scope="row">zużycie wody zimnej</th><td class="num">{_m3(cold)}</td></tr>
    <tr><th scope="row">zużycie wody ciepłej</th><td class="num">{_m3(total - cold)}</td></tr>
    <tr><th scope="row">zużycie razem</th><td class="num">{_m3(total)}</td></tr>
    <tr><th scope="row">cena 1 m³ wody i odprowadzania ścieków (brutto)</th>
      <td class="num">{_amount(plan.water_price)}</td></tr>
    <tr><th scope="row">koszt za 2025 r.</th><td class="num">{_amount(cost)}</td></tr>
    <tr><th scope="row">zaliczki wniesione za 2025 r. (12 × {_amount(advance)})</th>
      <td class="num">{_amount(paid)}</td></tr>
    <tr class="sum"><th scope="row">{result[0]}</th><td class="num">{_amount(result[1])}</td>
    </tr>
  </tbody></table>
  <p>{what}</p>
  <p>Cenę wody i ścieków ustala taryfa przedsiębiorstwa wodociągowego; Spółdzielnia nie
  dolicza do niej własnych kosztów. Zastrzeżenia do rozliczenia można zgłosić w ciągu 14 dni
  od jego doręczenia, w biurze Spółdzielni albo w Internetowej Obsłudze Kontrahenta (Sprawy →
  Napisz do Spółdzielni).</p>
  <p class="signed">{escape(plan.signed)}</p>
</section>"""


# The demo ledger's monthly bases (``demo.COMPONENTS``), by which a unit's amounts are scaled.
BASES = {"eksploatacja": Decimal("214.60"), "fundusz remontowy": Decimal("118.40")}

CSS = f"""
@page {{ size: A4; margin: {MARGIN_TOP}mm {MARGIN_LEFT}mm; }}
body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: {FONT_SIZE}pt;
  line-height: 1.35; margin: 0; }}
.page {{ page-break-after: always; }}
.top {{ position: relative; height: {BOX_TOP + 4 * LINE + 4}mm; }}
.letterhead {{ display: flex; gap: 0.8rem; align-items: center; border-bottom: 2px solid #000;
  padding-bottom: 0.5rem; }}
.letterhead img {{ width: 13mm; height: 13mm; }}
.letterhead p {{ margin: 0; }}
.letterhead-name {{ font-weight: 700; }}
.place {{ position: absolute; top: {BOX_TOP - 8}mm; right: 0; margin: 0; }}
.box {{ position: absolute; top: {BOX_TOP}mm; left: {BOX_LEFT * 100}%; }}
h1 {{ font-size: 12.5pt; margin: 0 0 0.6rem; }}
h2 {{ font-size: 10.5pt; margin: 0.8rem 0 0.2rem; }}
p {{ margin: 0.35rem 0; }}
.fees {{ border-collapse: collapse; width: 100%; margin: 0.5rem 0; }}
.fees th, .fees td {{ border-bottom: 1px solid #999; padding: 0.25rem 0.4rem; text-align: left; }}
.fees thead th {{ border-bottom: 2px solid #000; background: #f0f0f0; }}
.fees .num {{ text-align: right; white-space: nowrap; }}
.fees .sum th, .fees .sum td {{ font-weight: 700; border-bottom: 2px solid #000; }}
.signed {{ margin-top: 1.4rem; text-align: right; font-style: italic; }}
.glyphs p {{ font-weight: 400; font-style: normal; }}
"""


def _letterhead(info: TenantInfo) -> str:
    """The cooperative's letterhead as printed documents have it (``_letterhead.html``)."""
    svg = info.settings.logo_svg
    logo = (f"data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"
            if svg else None)
    had = getattr(g, "tenant", None)
    g.tenant = info
    try:
        with force_locale("pl"):
            return render_template("_letterhead.html", tenant=info, logo_src=logo)
    finally:
        g.tenant = had


@cache
def _made(html: str, wanted: tuple[tuple[int, tuple[str, ...], str], ...], author: str
          ) -> tuple[bytes, ...]:
    """One rendering of ``html``; for each (page, lines, title) wanted, a PDF of that page
    with the lines in its box. Kept for the process: the demo is reset often in tests, and
    its addresses and amounts come out the same each time."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject
    from weasyprint import HTML  # only the demo's setup makes these
    from weasyprint.urls import URLFetcher

    whole = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    reader = PdfReader(io.BytesIO(whole))
    font, codes = _font(reader.pages[-1])
    left = (MARGIN_LEFT + BOX_LEFT * CONTENT_WIDTH) * MM
    height = float(reader.pages[0].mediabox.height)
    found = []
    for page_number, lines, title in wanted:
        writer = PdfWriter()
        page = writer.add_page(reader.pages[page_number])
        text = [b"q", page.get_contents().get_data(), b"Q", b"BT",
                f"{font} {FONT_SIZE} Tf".encode()]
        for number, line in enumerate(lines):
            top = (MARGIN_TOP + BOX_TOP + number * LINE) * MM + FONT_SIZE
            glyphs = "".join(codes[char] for char in line)
            text.append(f"1 0 0 1 {left:.2f} {height - top:.2f} Tm <{glyphs}> Tj".encode())
        text.append(b"ET")
        stream = DecodedStreamObject()
        stream.set_data(b"\n".join(text))
        page.replace_contents(stream)
        page.compress_content_streams()
        writer.add_metadata({"/Title": f"{title} – {lines[1]}", "/Author": author})
        out = io.BytesIO()
        writer.write(out)
        found.append(out.getvalue())
    return tuple(found)


def _font(page: object) -> tuple[str, dict[str, str]]:
    """The font of the page's text (its resource name) and the code of each character in it,
    read from its ToUnicode map."""
    import re

    contents = page.get_contents().get_data().decode("latin-1")
    name = re.search(r"(/\S+) [\d.]+ Tf", contents).group(1)
    cmap = page["/Resources"]["/Font"][name]["/ToUnicode"].get_data().decode("latin-1")
    codes = {}
    for section in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, char in re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>", section):
            codes.setdefault(chr(int(char, 16)), code)
    for section in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, char in re.findall(
                r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>", section):
            for step in range(int(last, 16) - int(first, 16) + 1):
                codes.setdefault(chr(int(char, 16) + step), f"{int(first, 16) + step:04x}")
    return name, codes
