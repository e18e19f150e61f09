"""Running an import: one pass over the file, all or nothing, a report and a history entry.

Rows are checked as they are read and, while the file is still clean, handed to a sink: a
staging table merged in one statement (buildings, units, accounts, ledger) or, for titles,
the ORM (titles may open residents' accounts). One bad row and the transaction is rolled
back; the report lists every bad row. The caller's session must have nothing uncommitted:
the import owns the transaction and commits the history entry itself.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from iok_saas.auth.models import RESIDENT, User
from iok_saas.auth.services import free_identifiers
from iok_saas.db import db, utcnow
from iok_saas.db.bulk import Stage, lock_imports
from iok_saas.delivery import bulk
from iok_saas.estate.models import UnitTitle
from iok_saas.imports import models
from iok_saas.imports.kinds import (
    DOCUMENTS,
    KINDS,
    REMOTE,
    SETTLEMENTS,
    Checker,
    Kind,
    TitleRow,
)
from iok_saas.imports.reading import (
    FileTooLarge,
    ImportFileError,
    ImportReport,
    Progress,
    Row,
    csv_rows,
    detect_encoding,
    file_size,
    json_rows,
)
from iok_saas.imports.remote import import_remote
from iok_saas.imports.settlements import import_settlements
from iok_saas.jobs import enqueue
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import local_today

log = logging.getLogger(__name__)

BATCH = 5000
CONSUMPTION_JOB = "iok_saas.meters.consumption.refresh"
_RUN: ContextVar[int | None] = ContextVar("iok_import_run", default=None)
PROGRESS_EVERY = 10000
UNUSABLE_PASSWORD = "!"  # no password verifies: staff hand out an initial password at the office


def max_bytes() -> int:
    """The largest file any way in accepts (``IOK_IMPORT_MAX_MB``)."""
    return current_app.config["IMPORT_MAX_MB"] * 1024 * 1024


def too_large_message(size: int) -> LazyString:
    """The same words for the command, the panel and the API."""
    return _l("The file is too large (%(size)s MB); the largest file accepted is %(limit)d MB. "
              "Please split the data into smaller files.",
              size=f"{size / 1024 ** 2:,.0f}".replace(",", " "),
              limit=current_app.config["IMPORT_MAX_MB"])


class StageSink:
    """Rows into a staging table; at the end checks across rows, counts, one merge."""

    def __init__(self, kind: Kind, tenant_id: int) -> None:
        self.kind, self.tenant_id = kind, tenant_id
        self.stage = Stage(db.session, dict(kind.stage))
        self.batch: list[tuple] = []

    def add(self, line: int, values: tuple, report: ImportReport) -> None:
        self.batch.append((line, *values))
        if len(self.batch) >= BATCH:
            self.stage.write(self.batch)
            self.batch = []

    def finish(self, report: ImportReport, dry_run: bool) -> None:
        self.stage.write(self.batch)
        kind, key = self.kind, self.kind.stage[0][0]
        _repeated(report, *self.stage.repeated([key], 500), kind.columns[0],
                  _l("this identifier is already given above in the file (%(place)s)"),
                  _l("this identifier is repeated"))
        if kind.natural:
            _repeated(report, *self.stage.repeated(kind.natural, 500), "",
                      _l("the same address or number is already given above in the file "
                         "(%(place)s)"),
                      _l("the same address or number is repeated"))
        if kind.natural and report.ok:
            self.stage.adopt(kind.table, key, kind.natural, self.tenant_id)
            for line, other in self.stage.taken(kind.table, key, kind.natural, self.tenant_id, 500):
                report.add(line, "", _l("the same address or number already has another "
                                        "identifier in the system: “%(id)s”", id=other)
                           if other else
                           _l("at this address or number there already is another building or "
                              "unit in the system (entered by hand), and the identifier from "
                              "the file already has another one"))
        if report.ok:
            kept = dict(kind.kept)
            new, changed = self.stage.counts(kind.table, key, kind.fields, self.tenant_id,
                                             kept)
            report.added, report.changed = new, changed
            report.unchanged = report.rows - new - changed
            if not dry_run:
                now = utcnow()
                self.stage.merge(kind.table, key, kind.fields, self.tenant_id, now, kept)
                if kind.after and new:  # after the commit, on the bulk queue
                    enqueue(kind.after, self.tenant_id, bulk=True, at=now.isoformat())
        self.stage.drop()


def _repeated(report: ImportReport, count: int, rows: list[tuple[int, int]], column: str,
              above: LazyString, repeated: LazyString) -> None:
    """Rows repeating an earlier one: ``above`` (``%(place)s``: where the first one is) for
    each listed row, ``repeated`` for the rest."""
    for line, first in rows:
        report.add(line, column, above % {"place": report.row(first)})
    for _ in range(count - len(rows)):
        report.add(0, "", repeated)


class TitleSink:
    """Titles to units; a person the system does not know yet gets a resident account."""

    def __init__(self, kind: Kind, tenant_id: int) -> None:
        self.rows: list[TitleRow] = []
        self.seen: dict[tuple[int, str], int] = {}
        self.names: dict[str, tuple[str, str, int]] = {}
        self.tenant_id = tenant_id
        self.created = 0

    def add(self, line: int, values: tuple, report: ImportReport) -> None:
        row: TitleRow = values[0]
        first = self.seen.setdefault((row.unit_id, row.person), line)
        if first != line:
            report.add(line, "", _l("this person and this unit are already given above in the "
                                    "file (row %(line)d)", line=first))
        first_name, last_name, where = self.names.setdefault(
            row.person, (row.first_name, row.last_name, line))
        if (first_name, last_name) != (row.first_name, row.last_name):
            report.add(line, "nazwisko", _l("the same person (%(person)s) has a different first "
                                            "or last name above in the file (row %(line)d)",
                                            person=row.person, line=where))
        self.rows.append(row)

    def finish(self, report: ImportReport, dry_run: bool) -> None:
        if not report.ok:
            return  # nothing else to find across rows: titles are checked as they are added
        people = {u.external_id: u for u in db.session.scalars(
            select(User).where(User.external_id.is_not(None)))}
        identifiers = free_identifiers(get_tenant_info(self.tenant_id).settings)
        for row in self.rows:
            if row.person not in people:
                people[row.person] = User(
                    identifier=next(identifiers), role=RESIDENT, external_id=row.person,
                    first_name=row.first_name, last_name=row.last_name, email=row.email,
                    phone=row.phone, password_hash=UNUSABLE_PASSWORD, must_change_password=True)
                db.session.add(people[row.person])
                self.created += 1
        db.session.flush()
        titles = {(t.unit_id, t.user_id): t for t in db.session.scalars(select(UnitTitle))}
        renamed = {person for person, (first, last, _) in self.names.items()
                   if (people[person].first_name, people[person].last_name) != (first, last)}
        for row in self.rows:
            person = people[row.person]
            person.first_name, person.last_name = row.first_name, row.last_name
            title = titles.get((row.unit_id, person.id))
            if title is None:
                db.session.add(UnitTitle(unit_id=row.unit_id, user_id=person.id, kind=row.kind,
                                         since=row.since))
                report.added += 1
            elif (title.kind, title.since) != (row.kind, row.since) or row.person in renamed:
                title.kind, title.since = row.kind, row.since
                report.changed += 1
            else:
                report.unchanged += 1
        if self.created:
            report.notes.append(str(_l(
                "New residents' accounts: %(num)d. They have no password yet: the office hands "
                "out the initial password (Staff panel → Residents).", num=self.created)))
        db.session.flush()


def _rows(stream: BinaryIO, kind: Kind, report: ImportReport) -> Iterator[tuple[int, Row]]:
    if report.json:
        detect_encoding(stream, json=True)
        return json_rows(stream, kind.columns, report)
    return csv_rows(stream, detect_encoding(stream), kind.columns, kind.required, report)


def is_json(filename: str) -> bool:
    """JSON by the file's extension; everything else is read as CSV."""
    return filename.lower().endswith(".json")


def run_import(kind_name: str, path: Path, *, filename: str | None = None, dry_run: bool = False,
               actor: str = "", source: str = models.CLI, progress: Progress | None = None,
               run: models.ImportRun | None = None) -> ImportReport:
    """Import one file of one kind for the current cooperative; commit; record the run.

    The format follows the file's own name (``.json`` or CSV; documents for units: a ZIP);
    ``filename`` is only shown.
    Imports of one cooperative run one at a time (the next waits for the lock).
    """
    kind = KINDS[kind_name]
    filename = filename or path.name
    report = ImportReport(kind=kind_name, json=is_json(path.name))
    tenant_id = require_tenant_id()
    db.session.rollback()  # the import owns its transaction
    if run is None:  # from the command line: in the history at once, so a kill leaves a trace
        run = start_run(kind_name, filename, actor, source)
    record = functools.partial(record_run, filename=filename, dry_run=dry_run, actor=actor,
                               source=source, run=run, size=path.stat().st_size)
    token = _RUN.set(run.id)
    try:
        lock_imports(db.session, tenant_id)
        with path.open("rb") as stream:
            _read(stream, kind, report, tenant_id, dry_run, progress, actor=actor,
                  filename=filename)
    except ImportFileError as exc:
        report.add(0, "", str(exc))
    except DBAPIError as exc:  # a clash the checks did not foresee: nothing is saved
        log.exception("Import of %s stopped by the database", filename)
        report.add(0, "", _l("The database refused to save (%(error)s); nothing was saved. "
                             "Please send the file to technical support.",
                             error=type(exc.orig).__name__))
    finally:
        _RUN.reset(token)
    if report.ok and not dry_run:
        record(report)  # the data and its history entry in one transaction
    else:
        db.session.rollback()
        record(report)
    db.session.commit()
    return report


def _read(stream: BinaryIO, kind: Kind, report: ImportReport, tenant_id: int, dry_run: bool,
          progress: Progress | None, *, actor: str = "", filename: str = "") -> None:
    size = file_size(stream)
    if size > max_bytes():
        raise FileTooLarge(too_large_message(size))
    if kind.name == REMOTE:
        _read_remote(stream, report, tenant_id, dry_run, progress, size)
        return
    if kind.name == DOCUMENTS:
        _read_documents(stream, report, tenant_id, dry_run, progress, actor, filename)
        return
    if kind.name == SETTLEMENTS:
        _read_settlements(stream, report, tenant_id, dry_run, progress, size)
        return
    lookups = kind.load()
    today = local_today()  # once per import, not once for each of a million rows
    sink: Any = StageSink(kind, tenant_id) if kind.stage else TitleSink(kind, tenant_id)
    for line, row in _rows(stream, kind, report):
        report.rows += 1
        values = kind.check(Checker(line, row, report, today), lookups)
        if values is not None:  # kept even in a broken file: duplicates are reported too
            sink.add(line, values, report)
        if progress is not None and report.rows % PROGRESS_EVERY == 0:
            progress(stream.tell(), size)
    if report.rows == 0 and report.ok:
        report.add(0, "", _l("The file contains no rows of data."))
    sink.finish(report, dry_run)
    if progress is not None:
        progress(size, size)


def _read_remote(stream: BinaryIO, report: ImportReport, tenant_id: int, dry_run: bool,
                 progress: Progress | None, size: int) -> None:
    """Remote readings, row by row; once saved, the months they touch are worked out again
    (consumption, the building's medians, alerts) by a job."""
    settings = get_tenant_info(tenant_id).settings.remote_readings
    outcome = import_remote(stream, report, tenant_id, settings, _RUN.get(), progress, size)
    if not dry_run and report.ok and outcome.first is not None:
        enqueue(CONSUMPTION_JOB, tenant_id, bulk=True, first=outcome.first.isoformat(),
                last=outcome.last.isoformat())
    if progress is not None:
        progress(size, size)


def _read_settlements(stream: BinaryIO, report: ImportReport, tenant_id: int, dry_run: bool,
                      progress: Progress | None, size: int) -> None:
    """The settlement company's file, all or nothing (``iok_saas.imports.settlements``); once
    committed, each new or corrected unit's explanation is delivered to the unit."""
    tenant = get_tenant_info(tenant_id)
    if not tenant.has_feature("settlements"):
        raise ImportFileError(_l("This cooperative does not show settlements in the portal "
                                 "(the feature is switched off in its settings)."))
    settings = tenant.settings.settlements
    import_settlements(stream, report, tenant_id, settings, _RUN.get(), dry_run,
                       settings.deliver and tenant.has_feature("delivery"), progress, size)
    if progress is not None:
        progress(size, size)


def _read_documents(stream: BinaryIO, report: ImportReport, tenant_id: int, dry_run: bool,
                    progress: Progress | None, actor: str, filename: str) -> None:
    """Documents for units: a ZIP of PDFs and its manifest, row by row — a bad row is
    reported and left out, the others delivered; a problem with the ZIP or the manifest as a
    whole delivers nothing (``iok_saas.delivery.bulk``)."""
    report.partial = True
    tenant = get_tenant_info(tenant_id)
    if not tenant.has_feature("delivery"):
        raise ImportFileError(_l("This cooperative does not deliver documents to units in the "
                                 "portal (the feature is switched off in its settings)."))
    kind = KINDS[DOCUMENTS]
    try:
        with bulk.Archive(stream, max_unpacked=max_bytes() * bulk.UNPACKED_FACTOR) as archive, \
                archive.manifest() as manifest:
            delivery = bulk.BulkDelivery(archive, tenant, actor=actor, run_id=_RUN.get(),
                                         dry_run=dry_run, filename=filename)
            for line, row in _manifest_rows(manifest, kind, report):
                report.rows += 1
                values = kind.check(Checker(line, row, report, delivery.today), None)
                problem = None
                if values is None:
                    delivery.skip(line, row.get("plik", ""))
                else:
                    problem = delivery.row(line, bulk.Entry(*values))
                if problem is not None:
                    report.add(line, *problem)
                if progress is not None and report.rows % 100 == 0:
                    progress(report.rows, max(archive.count, report.rows))
            if report.rows == 0 and report.ok:
                report.add(0, "", _l("manifest.csv contains no rows of data."))
            if report.ok:
                for name, reason in delivery.unnamed():
                    report.add(0, name, reason, whole_file=False)
                delivery.finish(left_out=report.rows - delivery.delivered - delivery.already)
    except bulk.ArchiveError as exc:
        raise ImportFileError(str(exc)) from None
    report.added, report.changed = delivery.delivered, delivery.already  # see ImportRun
    _delivery_notes(report, delivery)
    if progress is not None:
        progress(1, 1)


def _manifest_rows(manifest: BinaryIO, kind: Kind, report: ImportReport
                   ) -> Iterator[tuple[int, Row]]:
    """The manifest's rows; a problem with it as a whole names it."""
    try:
        yield from csv_rows(manifest, detect_encoding(manifest), kind.columns, kind.required,
                            report)
    except ImportFileError as exc:
        raise ImportFileError(f"manifest.csv: {exc}") from None


def _delivery_notes(report: ImportReport, delivery: bulk.BulkDelivery) -> None:
    """What the delivery set going: the e-mails, the paper."""
    if not report.ok or not delivery.delivered:
        return
    if delivery.dry_run:
        report.notes.append(ngettext(
            "%(num)d document would be delivered.", "%(num)d documents would be delivered.",
            delivery.delivered))
        return
    if delivery.mails:
        report.notes.append(ngettext(
            "%(num)d e-mail is queued to the people who consented to electronic delivery (no "
            "content, a link).",
            "%(num)d e-mails are queued to the people who consented to electronic delivery (no "
            "content, a link).", delivery.mails))
    if delivery.paper:
        report.notes.append(ngettext(
            "%(num)d delivery goes on paper (no consent, or nobody holding the unit has an "
            "account): the list for printing is under Deliveries.",
            "%(num)d deliveries go on paper (no consent, or nobody holding the unit has an "
            "account): the list for printing is under Deliveries.", delivery.paper))


def start_run(kind: str, filename: str, actor: str, source: str) -> models.ImportRun:
    """An import that begins now, recorded as running (committed on its own: if its process
    is killed, the history shows it interrupted)."""
    run = models.ImportRun(kind=kind, filename=filename[:200], actor=actor[:120], source=source,
                           status=models.RUNNING, started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    return run


def record_run(report: ImportReport, *, filename: str, dry_run: bool, actor: str, source: str,
               size: int, run: models.ImportRun | None = None) -> models.ImportRun:
    """The history entry staff see: who, when, what changed, what was wrong."""
    if run is None:
        run = models.ImportRun(kind=report.kind, filename=filename[:200], actor=actor[:120],
                               source=source)
        db.session.add(run)
    run.status, run.finished_at, run.size = models.DONE, utcnow(), size
    run.dry_run, run.ok, run.rows = dry_run, report.ok, report.rows
    run.added, run.changed, run.problem_count = report.added, report.changed, report.problem_count
    run.problems = [{"place": report.place(p), "line": p.line, "column": p.column,
                     "reason": p.reason} for p in report.problems]
    run.notes = list(report.notes)
    return run
