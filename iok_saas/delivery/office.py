"""What the office's delivery pages read and make (``staff``): the bulk deliveries, the units
and their documents with the proof per person, the proof sheets (PDF and CSV), the paper list
printed with its documents. Nothing here commits.

A proof sheet is drawn from the insert-only proof (``models``) as it stands when it is made:
the rows cannot be changed afterwards, so a sheet made again later says the same and more.
WeasyPrint lays out about a hundred table rows a second, so one PDF sheet holds at most
``PDF_ROWS`` lines (a bulk delivery's sheet is made per building); the CSV has every line and
is written out as it is read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import g
from flask_babel import force_locale
from sqlalchemy import func, or_, select

from iok_saas import files
from iok_saas.auth.models import User
from iok_saas.db import db, delivery_runs, utcnow
from iok_saas.delivery import rules
from iok_saas.delivery.models import WITHDRAWN, DocumentRecipient, ProofEvent, UnitDocument
from iok_saas.delivery.services import PaperRow, ProofRow, holders_of, proof_rows
from iok_saas.estate.models import Building, Unit
from iok_saas.estate.services import holders as holders_of_unit
from iok_saas.estate.services import holdings
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.web.formatting import WARSAW, csv_cell

RUN_KIND = "documents"  # the import kind of a bulk delivery (a ZIP of PDFs and a manifest)
RUNS_SHOWN = 30
RECENT_SHOWN = 15
FOUND_SHOWN = 50  # units a search lists
RUN_ROWS_SHOWN = 200  # proof lines on a bulk delivery's page (the rest: CSV, PDF per building)
PDF_ROWS = 300  # proof lines on one PDF sheet (about four seconds of WeasyPrint)
PAPER_SHOWN = 1000  # lines of the paper list on its page
PAPER_PRINTED = 150  # lines one print takes (the list and a copy of each document)
CHUNK = 1000  # ids in one IN (…)

CSV_COLUMNS = (
    "id dokumentu", "lokal (adres w dniu doręczenia)", "rodzaj", "tytuł", "obowiązuje od",
    "numer KSeF", "plik", "SHA-256 pliku", "udostępniono", "identyfikator konta",
    "imię i nazwisko", "zgoda na doręczenie elektroniczne w dniu doręczenia",
    "id wiadomości e-mail", "serwer poczty przyjął wiadomość", "pierwsze otwarcie",
    "wycofano", "powód wycofania", "wydrukowano do doręczenia papierowego",
    "zastępuje dokument")
PAPER_COLUMNS = ("budynek", "lokal", "imię i nazwisko", "identyfikator konta", "rodzaj",
                 "tytuł", "udostępniono", "powód", "wydrukowano")
PAPER_REASONS = {"no_consent": "brak zgody na doręczenie elektroniczne",
                 "not_opened": "nieotwarty w portalu",
                 "no_account": "nikt nie ma konta w portalu"}


def moment(value: datetime | None) -> str:
    """``07.12.2026 10:15:03`` in Polish time: a proof's moment, to the second."""
    return value.astimezone(WARSAW).strftime("%d.%m.%Y %H:%M:%S") if value else ""


def _iso(value: datetime | None) -> str:
    """``2026-12-07 10:15:03+01:00``: a moment in a CSV, Polish time with its offset."""
    return value.astimezone(WARSAW).isoformat(sep=" ", timespec="seconds") if value else ""


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


# --- bulk deliveries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunLine:
    """A bulk delivery (an import run of kind ``documents``) as the pages list it."""

    id: int
    filename: str
    actor: str
    status: str
    dry_run: bool
    created_at: datetime | None
    finished_at: datetime | None
    delivered: int  # documents of the run in the proof
    refused: int  # rows the import refused (the run's problems)
    already: int  # rows whose PDF had been delivered to the unit before

    @property
    def pending(self) -> bool:
        return self.status in ("queued", "running")


def _run_line(row: Any) -> RunLine:
    # The import keeps a bulk delivery's counts as added (delivered) and changed (already
    # delivered: the same PDF to the same unit before); its problems are the refused rows.
    return RunLine(id=row.id, filename=row.filename, actor=row.actor, status=row.status,
                   dry_run=bool(row.dry_run), created_at=row.created_at,
                   finished_at=row.finished_at, delivered=row.delivered,
                   refused=row.problem_count or 0, already=row.changed or 0)


def runs(limit: int = RUNS_SHOWN) -> list[RunLine]:
    """The newest bulk deliveries."""
    return [_run_line(row) for row in delivery_runs.document_runs(
        db.session, require_tenant_id(), RUN_KIND, limit)]


def run(run_id: int) -> RunLine | None:
    """A bulk delivery of this cooperative, or None."""
    row = delivery_runs.document_run(db.session, require_tenant_id(), RUN_KIND, run_id)
    return _run_line(row) if row is not None else None


@dataclass(frozen=True)
class RunBuilding:
    """A building a bulk delivery reached: how many documents and proof lines."""

    id: int
    address: str
    documents: int
    lines: int


def run_buildings(run_id: int) -> list[RunBuilding]:
    """The buildings of a bulk delivery's documents, in address order."""
    rows = db.session.execute(
        select(Building.id, Building.street, Building.number, Building.city,
               func.count(func.distinct(UnitDocument.id)), func.count())
        .select_from(UnitDocument)
        .join(Unit, Unit.id == UnitDocument.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .outerjoin(DocumentRecipient, DocumentRecipient.document_id == UnitDocument.id)
        .where(UnitDocument.run_id == run_id)
        .group_by(Building.id, Building.street, Building.number, Building.city)
        .order_by(Building.street, Building.number, Building.city))
    return [RunBuilding(r[0], f"{r[1]} {r[2]}, {r[3]}", r[4], r[5]) for r in rows]


def units_of_building(building_id: int) -> set[int]:
    """The ids of a building's units."""
    return set(db.session.scalars(select(Unit.id).where(Unit.building_id == building_id)))


def building(building_id: int | None) -> Building | None:
    """A building of this cooperative, or None."""
    if building_id is None or not 0 < building_id < 2 ** 31:
        return None
    return db.session.scalar(select(Building).where(Building.id == building_id))


# --- units ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitHit:
    """A unit a search found."""

    id: int
    address: str
    documents: int


_IGNORED = {"m", "m.", "lok", "lok.", "ul", "ul.", "nr", "nr."}


def _like(token: str) -> str:
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_units(query: str, limit: int = FOUND_SHOWN) -> list[UnitHit]:
    """Units whose address has every word of ``query`` (``Polna 3 m. 12``, ``Polna 3/12``, a
    city, the accounting system's id), with how many documents each has, in address order."""
    words = [w for w in re.split(r"[\s/,]+", query.strip()) if w and w.lower() not in _IGNORED]
    if not words:
        return []
    stmt = (select(Unit.id, Building.street, Building.number, Unit.number, Building.postal_code,
                   Building.city, func.count(UnitDocument.id))
            .join(Building, Building.id == Unit.building_id)
            .outerjoin(UnitDocument, UnitDocument.unit_id == Unit.id))
    for word in words[:8]:
        like = _like(word)
        stmt = stmt.where(or_(Building.street.ilike(f"%{like}%", escape="\\"),
                              Building.city.ilike(f"%{like}%", escape="\\"),
                              Building.number.ilike(like, escape="\\"),
                              Unit.number.ilike(like, escape="\\"),
                              Unit.external_id == word))
    rows = db.session.execute(
        stmt.group_by(Unit.id, Building.street, Building.number, Unit.number,
                      Building.postal_code, Building.city)
        .order_by(Building.street, Building.number, func.length(Unit.number), Unit.number)
        .limit(limit))
    return [UnitHit(r[0], f"{r[1]} {r[2]} m. {r[3]}, {r[4]} {r[5]}", r[6]) for r in rows]


def unit(unit_id: int) -> Unit | None:
    """A unit of this cooperative (with its building), or None."""
    if not 0 < unit_id < 2 ** 31:
        return None
    return db.session.scalar(select(Unit).where(Unit.id == unit_id))


def holders(unit_id: int) -> list[User]:
    """The people a document for the unit goes to now (``services.holders_of``), by name."""
    return sorted(holders_of(unit_id), key=lambda u: (u.last_name, u.first_name, u.id))


def people_of_unit(unit_id: int) -> list[int]:
    """Who holds the unit now and who its documents were delivered to."""
    holding = holders_of_unit(unit_id)
    delivered = (select(DocumentRecipient.user_id)
                 .join(UnitDocument, UnitDocument.id == DocumentRecipient.document_id)
                 .where(UnitDocument.unit_id == unit_id))
    return sorted(set(holding) | set(db.session.scalars(delivered)))


def holder(unit_id: int, identifier: str) -> User | None:
    """The person with this account identifier, if they hold a title to the unit."""
    holding = holdings()
    return db.session.scalar(
        select(User).join(holding, holding.c.user_id == User.id)
        .where(holding.c.unit_id == unit_id, User.active.is_(True),
               func.upper(User.identifier) == identifier.strip().upper()))


def recent_documents(limit: int = RECENT_SHOWN) -> list[Any]:
    """The documents delivered last, newest first: id, unit, address, kind, title, when."""
    return list(db.session.execute(
        select(UnitDocument.id, UnitDocument.unit_id, UnitDocument.address, UnitDocument.kind,
               UnitDocument.title, UnitDocument.made_available_at, UnitDocument.run_id)
        .order_by(UnitDocument.made_available_at.desc(), UnitDocument.id.desc()).limit(limit)))


# --- the proof, document by document -------------------------------------------------------------


@dataclass(frozen=True)
class Withdrawal:
    """When and why the office withdrew a document, and who did."""

    at: datetime
    reason: str
    by: str


@dataclass
class DocumentProof:
    """A delivered document and the proof of its delivery to each person."""

    document: UnitDocument
    people: list[ProofRow] = field(default_factory=list)  # none: nobody in the portal held it
    withdrawal: Withdrawal | None = None
    replaced_by: list[int] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return max(len(self.people), 1)


def _withdrawals(ids: list[int]) -> dict[int, Withdrawal]:
    found: dict[int, Withdrawal] = {}
    for part in _chunks(ids):
        for row in db.session.execute(
                select(ProofEvent.document_id, ProofEvent.at, ProofEvent.note,
                       User.first_name, User.last_name)
                .outerjoin(User, User.id == ProofEvent.actor_id)
                .where(ProofEvent.kind == WITHDRAWN, ProofEvent.document_id.in_(part))
                .order_by(ProofEvent.at, ProofEvent.id)):
            name = f"{row.first_name or ''} {row.last_name or ''}".strip()
            found.setdefault(row.document_id, Withdrawal(row.at, row.note, name))
    return found


def proofs(rows: list[ProofRow]) -> list[DocumentProof]:
    """The proof lines gathered per document, in their order, with each document, its
    withdrawal and the documents that correct it."""
    order = list(dict.fromkeys(row.document_id for row in rows))
    documents: dict[int, UnitDocument] = {}
    replaced: dict[int, list[int]] = {}
    for part in _chunks(order):
        documents.update((d.id, d) for d in db.session.scalars(
            select(UnitDocument).where(UnitDocument.id.in_(part))))
        for new_id, old_id in db.session.execute(
                select(UnitDocument.id, UnitDocument.replaces_id)
                .where(UnitDocument.replaces_id.in_(part)).order_by(UnitDocument.id)):
            replaced.setdefault(old_id, []).append(new_id)
    withdrawals = _withdrawals(order)
    found = {i: DocumentProof(documents[i], withdrawal=withdrawals.get(i),
                              replaced_by=replaced.get(i, [])) for i in order}
    for row in rows:
        if row.user_id is not None:
            found[row.document_id].people.append(row)
    return list(found.values())


def unit_proofs(unit_id: int) -> list[DocumentProof]:
    """Every document delivered to the unit, newest first, with its proof."""
    found = proofs(proof_rows(unit_id=unit_id))
    return sorted(found, key=lambda p: (p.document.made_available_at, p.document.id),
                  reverse=True)


def first_lines(rows: list[ProofRow], most: int) -> list[ProofRow]:
    """The first lines, whole documents only, up to ``most`` (at least one document)."""
    kept: list[ProofRow] = []
    for row in rows:
        if len(kept) >= most and row.document_id != kept[-1].document_id:
            break
        kept.append(row)
    return kept


def lines_of(found: list[DocumentProof]) -> int:
    return sum(p.lines for p in found)


# --- the CSV -------------------------------------------------------------------------------------


def _kind_labels() -> dict[str, str]:
    with force_locale("pl"):  # a proof of a Polish cooperative, whoever downloads it
        return {name: str(kind.label) for name, kind in rules.KINDS.items()}


def _line(values: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def _pairs(stmt: Any) -> dict[Any, Any]:
    return {row[0]: row[1] for row in db.session.execute(stmt)}


def proof_csv(rows: list[ProofRow]) -> Iterator[str]:
    """The proof, one line per document and person (a document nobody in the portal held: one
    line without a person), as Excel in Poland opens it: ``;``, UTF-8 with BOM, text cells
    safe from formulas; never an e-mail address. What it needs from the database is read
    now; the lines are written out as the answer goes (no query after the view returns)."""
    kinds = _kind_labels()
    withdrawals: dict[int, Withdrawal] = {}
    ksef: dict[int, str] = {}
    ids = list(dict.fromkeys(row.document_id for row in rows))
    for part in _chunks(ids):
        withdrawals.update(_withdrawals(part))
        ksef.update(_pairs(select(UnitDocument.id, UnitDocument.ksef_number)
                           .where(UnitDocument.id.in_(part))))

    def lines() -> Iterator[str]:
        yield "\ufeff" + _line(CSV_COLUMNS)
        for row in rows:
            gone = withdrawals.get(row.document_id)
            yield _line([
                row.document_id, csv_cell(row.address), kinds.get(row.kind, row.kind),
                csv_cell(row.title), row.effective_on.isoformat() if row.effective_on else "",
                csv_cell(ksef.get(row.document_id, "")), csv_cell(row.filename), row.sha256,
                _iso(row.made_available_at), csv_cell(row.identifier), csv_cell(row.name),
                "" if row.consented is None else ("tak" if row.consented else "nie"),
                row.outbox_id or "", _iso(row.mail_accepted_at), _iso(row.opened_at),
                _iso(row.withdrawn_at), csv_cell(gone.reason if gone else ""),
                _iso(row.printed_at), row.replaces_id or ""])

    return lines()


def paper_csv(rows: list[PaperRow]) -> Iterator[str]:
    """The paper list as CSV (the same conventions as the proof)."""
    kinds, identifiers = _kind_labels(), identifiers_of(rows)

    def lines() -> Iterator[str]:
        yield "\ufeff" + _line(PAPER_COLUMNS)
        for row in rows:
            yield _line([csv_cell(row.address.partition(" m. ")[0]), csv_cell(row.address),
                         csv_cell(row.name), csv_cell(identifiers.get(row.user_id, "")),
                         kinds.get(row.kind, row.kind), csv_cell(row.title),
                         _iso(row.made_available_at), PAPER_REASONS.get(row.reason, row.reason),
                         _iso(row.printed_at)])

    return lines()


def identifiers_of(rows: list[PaperRow]) -> dict[int, str]:
    """The account identifiers of the people on these lines."""
    ids = sorted({row.user_id for row in rows if row.user_id is not None})
    found: dict[int, str] = {}
    for part in _chunks(ids):
        found.update(_pairs(select(User.id, User.identifier).where(User.id.in_(part))))
    return found


# --- the paper list ------------------------------------------------------------------------------


@dataclass
class PaperGroup:
    """One building's lines of the paper list."""

    building_id: int
    address: str
    rows: list[PaperRow]


def paper_groups(rows: list[PaperRow]) -> list[PaperGroup]:
    """The lines gathered by building, in their order, with each building's address."""
    ids = list(dict.fromkeys(row.building_id for row in rows))
    names = {b.id: b.address for part in _chunks(ids)
             for b in db.session.scalars(select(Building).where(Building.id.in_(part)))}
    groups: dict[int, PaperGroup] = {}
    for row in rows:
        groups.setdefault(row.building_id, PaperGroup(row.building_id,
                                                      names.get(row.building_id, ""), [])
                          ).rows.append(row)
    return list(groups.values())


def with_documents(sheet: bytes, rows: list[PaperRow]) -> bytes:
    """The printed list followed by a copy of each line's document (one per person)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(sheet)))
    kept: dict[int, bytes] = {}
    file_ids = _pairs(select(UnitDocument.id, UnitDocument.file_id).where(
        UnitDocument.id.in_({row.document_id for row in rows})))
    for row in rows:
        if row.document_id not in kept:
            kept[row.document_id] = files.read(file_ids[row.document_id])
        writer.append(PdfReader(io.BytesIO(kept[row.document_id])))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def today_and_earliest() -> tuple[date, dict[str, date | None]]:
    """Today and the earliest lawful effective date of each fee-change kind delivered today."""
    from iok_saas.web.formatting import local_today

    today = local_today()
    day = g.tenant.settings.delivery.payment_day
    return today, {kind: rules.earliest_effective(kind, today, day)
                   for kind in (rules.FEE_CHANGE, rules.FEE_CHANGE_INDEPENDENT)
                   if kind in g.tenant.settings.delivery.kinds}


def generated_at() -> datetime:
    return utcnow()
