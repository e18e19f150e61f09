"""The demo's general meetings (issue 36), Zielone Wzgórza only (Bałtyk has none).

**This year's meeting** — "Walne Zgromadzenie Członków <next spring's year>" — is prepared and
convened today through the services, so every check of the act runs: three parts, one building
each, on 17, 18 and 19 May at 17:00 (the first part far more than 21 days ahead, so the notice is
in time); ``ZW-000001`` holds units in the first two buildings and is placed in the first part by
the office. The agenda: the board's and the supervisory board's reports (not voted) and five
resolutions — the financial statement, the board's discharge, the surplus, a change of the
statute (two thirds) and the election of the supervisory board (``elects``: proxy holders do not
vote on it); each with its document laid out in the members' library. The notice is given today:
the announcement for the three buildings and each member's notice in *Moje dokumenty*.

Members' drafts: ``ZW-000001`` filed one in the portal today (in time; open for the office to
decide). A *late* draft for this meeting cannot exist yet — its deadline (15 days before the
first part) is in the future, and a paper draft cannot be dated after today — so the late,
refused draft is **last year's**: handed in on paper the day after that meeting's deadline and
refused at once with the dates (``register_paper_draft``).

Proxies, all received today (the deadline, 3 days before the first part, is months away, so no
proxy for this meeting can be late yet): standing — a close person with the statement, an
advocate, another member; refused with reasons — a partner living with the member without
marriage, a close person without the statement, the advocate again for another member (one
holder, one member). A *late* proxy is in last year's register.

**Last year's meeting** (May of the year before) sat and is closed: its parts, attendance and
votes per part, results published (one resolution not adopted: the statute's change missed two
thirds), the minutes and the adopted resolutions in the library. The services refuse dates in
the past for parts (``add_part``), so its parts are rows made here; everything after that —
the agenda, the seat, the late draft, the proxies, attendance, votes and the results — goes
through the services as the office would have entered it, and the moments are then set back to
last year (when the draft was received, the votes entered, the results and documents
published). Attendance is small: the demo's buildings have eight members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import select, update

from iok_saas.auth.models import RESIDENT, User
from iok_saas.cases import services as cases
from iok_saas.cases.kinds import Upload
from iok_saas.cases.models import CaseEvent
from iok_saas.db import db
from iok_saas.documents.models import Document, DocumentVersion
from iok_saas.estate.models import Building, Unit
from iok_saas.estate.services import grant_title
from iok_saas.meetings import library, notice, services
from iok_saas.meetings.models import (
    ADVOCATE,
    CLOSE_PERSON,
    COHABITANT,
    CONVENED,
    DRAFT,
    MINUTES,
    OTHER_MEMBER,
    REPORT,
    RESOLUTION,
    TWO_THIRDS,
    Meeting,
    MeetingItem,
    MeetingPart,
    MeetingPartBuilding,
    MeetingProxy,
)
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.formatting import WARSAW, local_today


@dataclass(frozen=True)
class Member:
    """A member the demo needs (the delivery demo makes most of them; made here if not)."""

    identifier: str
    first_name: str
    last_name: str
    unit: int  # the unit's index in the demo


@dataclass(frozen=True)
class Item:
    """An item of the agenda: its title, whether voted, the document laid out with it."""

    title: str
    resolution: bool = True
    document: str = ""  # the PDF's text; none for an item without a document
    elects: bool = False
    majority: str = ""


@dataclass(frozen=True)
class Plan:
    """One cooperative's meetings."""

    places: tuple[str, ...]  # each part's place, by building
    members: tuple[Member, ...]
    items: tuple[Item, ...]
    last_items: tuple[Item, ...]
    # Last year's votes per resolution and part (for, against, abstained), and attendance
    # per part (present in person, by proxy).
    last_votes: tuple[tuple[tuple[int, int, int], ...], ...]
    last_attendance: tuple[tuple[int, int], ...]


PLANS = {
    "zielone-wzgorza": Plan(
        places=("świetlica osiedlowa, os. Zielone Wzgórza 9 (wejście od parkingu)",
                "Sala konferencyjna Spółdzielni, os. Zielone Wzgórza 1",
                "Szkoła Podstawowa nr 2, ul. Polna 20, aula"),
        members=(Member("ZW-000003", "Maria", "Zielińska", 5),
                 Member("ZW-000004", "Tomasz", "Wróbel", 9),
                 Member("ZW-000005", "Ewa", "Dąbrowska", 17),
                 Member("ZW-000006", "Marek", "Dąbrowski", 17),
                 Member("ZW-000007", "Henryk", "Kaczmarek", 26),
                 Member("ZW-000008", "Zofia", "Pawlak", 30)),
        items=(
            Item("Sprawozdanie Zarządu z działalności Spółdzielni w {prev} r.", False,
                 "Zarząd przedstawia działalność Spółdzielni w {prev} r.: gospodarkę zasobami, "
                 "remonty, windykację należności i plany na rok następny."),
            Item("Sprawozdanie Rady Nadzorczej z działalności w {prev} r.", False,
                 "Rada Nadzorcza przedstawia swoją działalność i ocenę pracy Zarządu w {prev} r."),
            Item("Zatwierdzenie sprawozdania finansowego Spółdzielni za {prev} r.", True,
                 "Walne Zgromadzenie zatwierdza sprawozdanie finansowe Spółdzielni za {prev} r., "
                 "wykazujące sumę bilansową i nadwyżkę bilansową zgodnie z załącznikiem."),
            Item("Udzielenie absolutorium członkom Zarządu za {prev} r.", True,
                 "Walne Zgromadzenie udziela absolutorium członkom Zarządu z wykonania przez "
                 "nich obowiązków w {prev} r."),
            Item("Podział nadwyżki bilansowej za {prev} r.", True,
                 "Walne Zgromadzenie przeznacza nadwyżkę bilansową za {prev} r. na fundusz "
                 "remontowy nieruchomości."),
            Item("Zmiana statutu Spółdzielni (§ 34 — walne zgromadzenie w częściach)", True,
                 "Walne Zgromadzenie zmienia § 34 statutu: walne zgromadzenie może obradować "
                 "w częściach, po jednej dla każdego budynku lub osiedla.",
                 majority=TWO_THIRDS),
            Item("Wybór członków Rady Nadzorczej na kadencję {year}–{end}", True,
                 "Walne Zgromadzenie wybiera członków Rady Nadzorczej na kadencję {year}–{end} "
                 "spośród kandydatów zgłoszonych przez członków.", elects=True),
        ),
        last_items=(
            Item("Sprawozdanie Zarządu z działalności Spółdzielni w {prev} r.", False),
            Item("Zatwierdzenie sprawozdania finansowego Spółdzielni za {prev} r.", True,
                 "Walne Zgromadzenie zatwierdza sprawozdanie finansowe Spółdzielni za {prev} r."),
            Item("Udzielenie absolutorium członkom Zarządu za {prev} r.", True,
                 "Walne Zgromadzenie udziela absolutorium członkom Zarządu za {prev} r."),
            Item("Podział nadwyżki bilansowej za {prev} r.", True,
                 "Walne Zgromadzenie przeznacza nadwyżkę bilansową za {prev} r. na fundusz "
                 "remontowy nieruchomości."),
            Item("Zmiana statutu Spółdzielni (§ 21 — wpisowe)", True,
                 "Walne Zgromadzenie zmienia § 21 statutu w sprawie wysokości wpisowego.",
                 majority=TWO_THIRDS),
        ),
        last_votes=(((3, 0, 0), (2, 0, 0), (2, 0, 0)),
                    ((2, 1, 0), (1, 0, 1), (2, 0, 0)),
                    ((3, 0, 0), (1, 1, 0), (1, 0, 1)),
                    ((1, 2, 0), (1, 1, 0), (2, 0, 0))),
        last_attendance=((3, 0), (2, 0), (1, 1)),
    ),
}
DAYS = (17, 18, 19)  # the parts' days in May, at 17:00
ROMAN = ("I", "II", "III", "IV", "V")
LATE_DRAFT = ("W sprawie zmiany zasad rozliczania kosztów ogrzewania",
              "Walne Zgromadzenie zobowiązuje Zarząd do rozliczania kosztów ogrzewania "
              "wyłącznie według powierzchni lokali.")
DRAFT_TEXT = ("W sprawie budowy wiat rowerowych przy budynkach osiedla",
              "Walne Zgromadzenie zobowiązuje Zarząd do wybudowania w {year} r. zadaszonych "
              "wiat rowerowych przy budynkach os. Zielone Wzgórza 5 i 7 oraz ul. Polnej 12, "
              "sfinansowanych z funduszu remontowego nieruchomości.\n\n§ 2. Uchwała wchodzi "
              "w życie z dniem podjęcia.")


@cache
def _pdf(cooperative: str, title: str, text: str) -> bytes:
    """One page: the cooperative, the title, a paragraph (made once per process)."""
    from html import escape

    from weasyprint import HTML  # only the demo's setup makes these (web workers need not)

    html = (f"<html lang='pl'><body style='font-family: sans-serif'><p>{escape(cooperative)}"
            f"</p><h1>{escape(title)}</h1><p>{escape(text)}</p></body></html>")
    return HTML(string=html).write_pdf()


def years(today: date) -> tuple[int, int]:
    """This year's meeting's year (next spring: its first part at least the notice's days
    ahead) and last year's (whose parts have sat)."""
    year = today.year if today <= date(today.year, 4, 20) else today.year + 1
    last = year - 1 if date(year - 1, 5, DAYS[-1] + 1) < today else year - 2
    return year, last


def _starts(year: int, number: int) -> datetime:
    return datetime.combine(date(year, 5, DAYS[number]), time(17), tzinfo=WARSAW)


def populate(info: TenantInfo, units: list[Unit], residents: dict[str, User],
             clerk: User) -> Meeting | None:
    """The cooperative's meetings (no commit): last year's, closed with its results, and this
    year's, convened today. None where the demo has no meeting for the cooperative."""
    plan = PLANS.get(info.slug)
    if plan is None:
        return None
    rules = info.settings.general_meeting
    people = _members(plan, units, residents)
    buildings = _buildings(units)
    year, last = years(local_today())
    _last_year(info, plan, last, buildings, people, clerk)
    return _this_year(info, plan, year, buildings, people, clerk, rules)


def _members(plan: Plan, units: list[Unit], residents: dict[str, User]) -> dict[str, User]:
    """The members the demo needs by identifier: the demo accounts, those the delivery demo
    made, and (without it) made here with their unit."""
    wanted = [m.identifier for m in plan.members]
    found = {u.identifier: u for u in db.session.scalars(
        select(User).where(User.identifier.in_(wanted)))}
    for member in plan.members:
        if member.identifier in found:
            continue
        user = User(identifier=member.identifier, role=RESIDENT, first_name=member.first_name,
                    last_name=member.last_name, password_hash="!", must_change_password=False,
                    email=f"{member.identifier.lower()}@example.org")
        db.session.add(user)
        db.session.flush()
        grant_title(user.id, units[member.unit], "cooperative_ownership").since = date(2015, 3, 1)
        found[member.identifier] = user
    db.session.flush()
    return {**residents, **found}


def _buildings(units: list[Unit]) -> list[Building]:
    seen: dict[int, Building] = {}
    for unit in units:
        seen.setdefault(unit.building_id, unit.building)
    return list(seen.values())


def _words(text: str, year: int) -> str:
    return text.format(year=year, prev=year - 1, end=year + 3)


def _publish(meeting: Meeting, info: TenantInfo, clerk: User, title: str, text: str,
             role: str, number: str = "", dated: date | None = None) -> int:
    data = _pdf(info.settings.name, f"{number} {title}".strip(), text)
    slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower())[:50].strip("-")
    document, _ = library.publish_pdf(meeting, title=title, data=data, filename=f"{slug}.pdf",
                                      role=role, actor=clerk, tenant_info=info, number=number,
                                      dated=dated)
    return document.id


def _agenda(meeting: Meeting, info: TenantInfo, clerk: User, items: tuple[Item, ...],
            year: int, dated: date | None = None) -> list[MeetingItem]:
    """The agenda with each item's document laid out (a report, a draft resolution)."""
    made = []
    resolutions = 0
    for item in items:
        title = _words(item.title, year)
        document_id = None
        if item.document:
            number = ""
            if item.resolution:
                resolutions += 1
                number = f"{resolutions}/{year}"
            document_id = _publish(
                meeting, info, clerk,
                title if not item.resolution else f"Projekt uchwały: {title}",
                _words(item.document, year), REPORT if not item.resolution else DRAFT,
                number, dated)
        made.append(services.add_item(meeting, title=title, resolution=item.resolution,
                                      actor=clerk, elects=item.elects, majority=item.majority,
                                      document_id=document_id))
    return made


def _this_year(info: TenantInfo, plan: Plan, year: int, buildings: list[Building],
               people: dict[str, User], clerk: User, rules: object) -> Meeting:
    """Convened today with its documents, the notice, a draft in time and the proxies."""
    meeting = services.create_meeting(f"Walne Zgromadzenie Członków {year}", clerk)
    for number, building in enumerate(buildings[:3]):
        services.add_part(meeting, name=f"Część {ROMAN[number]} — {building.street} "
                          f"{building.number}", starts_at=_starts(year, number),
                          place=plan.places[number], building_ids=[building.id], actor=clerk)
    _agenda(meeting, info, clerk, plan.items, year)
    _seat_first(meeting, people, clerk, rules)
    services.convene(meeting, clerk, rules)
    notice.give(meeting, info, clerk, queue=False)
    notice.deliver_waiting(meeting, info)
    title, text = DRAFT_TEXT
    services.submit_draft(
        meeting, people["ZW-000001"], title=title, text=_words(text, year), supporters=14,
        uploads=[Upload("lista-poparcia.pdf", _pdf(info.settings.name, "Lista poparcia",
                                                   "14 podpisów członków Spółdzielni."))],
        submission=cases.new_submission(), rules=rules)
    today = local_today()
    for member, kind, holder, identifier, statement in (
            ("ZW-000003", CLOSE_PERSON, "Piotr Zieliński (syn)", "", True),
            ("ZW-000007", ADVOCATE, "adw. Katarzyna Nowicka", "", False),
            ("ZW-000004", OTHER_MEMBER, "", "ZW-000002", False),
            ("ZW-000006", COHABITANT, "Beata Lis (partnerka)", "", False),
            ("ZW-000008", CLOSE_PERSON, "Adam Pawlak (brat)", "", False),
            ("ZW-000005", ADVOCATE, "adw. Katarzyna Nowicka", "", False)):
        _proxy(meeting, info, clerk, rules, member, kind, holder, identifier, statement, today)
    return meeting


def _seat_first(meeting: Meeting, people: dict[str, User], clerk: User, rules: object) -> None:
    """``ZW-000001`` holds units in the first two parts' buildings: the office places her in
    the first."""
    services.seat_member(meeting, people["ZW-000001"], meeting.parts[0].id, clerk, rules)


def _proxy(meeting: Meeting, info: TenantInfo, clerk: User, rules: object, member: str,
           kind: str, holder: str, identifier: str, statement: bool, received: date
           ) -> MeetingProxy:
    scan = Upload(f"pelnomocnictwo-{member}.pdf", _pdf(
        info.settings.name, "Pełnomocnictwo", f"Pełnomocnictwo członka {member} na walne "
        "zgromadzenie." + (" Oświadczenie osoby bliskiej w załączeniu." if statement else "")))
    return services.register_proxy(meeting, services.ProxyInput(
        member=member, holder_kind=kind, holder_name=holder, holder_identifier=identifier,
        statement=statement, received_on=received), clerk, rules, scan=scan)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=WARSAW).astimezone(UTC)


def _last_year(info: TenantInfo, plan: Plan, year: int, buildings: list[Building],
               people: dict[str, User], clerk: User) -> Meeting:
    """Last year's meeting, sat and closed with its results, minutes and resolutions."""
    rules = info.settings.general_meeting
    meeting = services.create_meeting(f"Walne Zgromadzenie Członków {year}", clerk)
    # The services take no part in the past: the parts are rows (as entered back then).
    for number, building in enumerate(buildings[:3]):
        part = MeetingPart(meeting_id=meeting.id, number=number + 1,
                           name=f"Część {ROMAN[number]} — {building.street} {building.number}",
                           starts_at=_starts(year, number), place=plan.places[number])
        db.session.add(part)
        db.session.flush()
        db.session.add(MeetingPartBuilding(meeting_id=meeting.id, part_id=part.id,
                                           building_id=building.id))
    db.session.flush()
    db.session.expire(meeting, ["parts"])
    dates = services.deadlines_of(meeting, rules)
    assert dates is not None
    announced = dates.notice_by - timedelta(days=4)
    items = _agenda(meeting, info, clerk, plan.last_items, year, dated=announced)
    _seat_first(meeting, people, clerk, rules)
    meeting.status, meeting.notice_on, meeting.convened_by = (CONVENED, announced,
                                                              clerk.full_name)
    # A draft handed in on paper the day after the deadline: refused at once with the dates.
    late_on = dates.drafts_by + timedelta(days=1)
    title, text = LATE_DRAFT
    draft = services.register_paper_draft(meeting, people["ZW-000002"], title=title, text=text,
                                          supporters=11, received_on=late_on, actor=clerk,
                                          rules=rules)
    received = _at(late_on, 11)
    draft.created_at = draft.status_at = received
    db.session.execute(update(CaseEvent).where(CaseEvent.case_id == draft.id).values(
        at=received))
    # Proxies: one in time (the advocate, part III), one delivered two days before the first
    # part (late: refused).
    standing = _proxy(meeting, info, clerk, rules, "ZW-000007", ADVOCATE,
                      "adw. Katarzyna Nowicka", "", False, dates.proxies_by - timedelta(days=6))
    late = _proxy(meeting, info, clerk, rules, "ZW-000003", CLOSE_PERSON,
                  "Piotr Zieliński (syn)", "", True, dates.first_day - timedelta(days=2))
    for proxy in (standing, late):
        proxy.registered_at = _at(proxy.received_on, 12)
    # The parts sat: attendance from the signed lists and the votes counted in the room,
    # entered the next morning.
    parts = list(meeting.parts)
    for part, (present, by_proxy) in zip(parts, plan.last_attendance, strict=True):
        services.enter_attendance(meeting, part, present=present, by_proxy=by_proxy,
                                  actor=clerk, rules=rules)
        part.attendance_at = part.starts_at + timedelta(hours=16)
    for item, votes in zip([i for i in items if i.resolution], plan.last_votes, strict=True):
        for part, (votes_for, against, abstained) in zip(parts, votes, strict=True):
            vote = services.enter_votes(meeting, part, item, votes_for=votes_for,
                                        against=against, abstained=abstained, actor=clerk)
            vote.entered_at = part.starts_at + timedelta(hours=16)
    services.publish_results(meeting, clerk, rules)
    published = dates.first_day + timedelta(days=10)
    meeting.results_at = _at(published, 12)
    _minutes(meeting, info, clerk, items, year, published)
    db.session.flush()
    return meeting


def _minutes(meeting: Meeting, info: TenantInfo, clerk: User, items: list[MeetingItem],
             year: int, published: date) -> None:
    """The minutes and the adopted resolutions in the library, as published after the
    meeting (their versions dated then: nothing of last year looks new)."""
    ids = [_publish(meeting, info, clerk, f"Protokół z obrad Walnego Zgromadzenia Członków "
                    f"{year}", "Protokół z obrad wszystkich części walnego zgromadzenia, "
                    "z listami obecności i wynikami głosowań.", MINUTES, dated=published)]
    for item in items:
        if item.resolution and item.outcome == "adopted":
            ids.append(_publish(meeting, info, clerk, f"Uchwała nr {item.number}: {item.title}",
                                f"Walne Zgromadzenie podjęło uchwałę: {item.title}.",
                                RESOLUTION, item.number, published))
    at = _at(published, 12)
    db.session.execute(update(DocumentVersion).where(DocumentVersion.document_id.in_(ids))
                       .values(added_at=at))
    db.session.execute(update(Document).where(Document.id.in_(ids)).values(changed_at=at))
    laid = [i.document_id for i in items if i.document_id]
    if laid:
        before = _at(meeting.notice_on or published, 9)
        db.session.execute(update(DocumentVersion).where(
            DocumentVersion.document_id.in_(laid)).values(added_at=before))
        db.session.execute(update(Document).where(Document.id.in_(laid)).values(
            changed_at=before))

