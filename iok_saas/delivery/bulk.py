"""Documents delivered in bulk: a ZIP of PDFs with a manifest saying which goes where.

The office (its accounting system, a print house) packs the PDFs into one ZIP with
``manifest.csv`` in its main folder: one row a document — the unit (the accounting system's
id), the kind, the title, the PDF's name in the ZIP, the effective date, optionally the one
person it is for and an invoice's KSeF number (docs/import-format.md). The import reads the
manifest (``iok_saas.imports``); this module opens the ZIP and delivers row by row:

* ``Archive`` — the ZIP, checked before anything is unpacked: a ZIP at all, at most
  ``MAX_MEMBERS`` files and a central directory of a sane size (read from its end record,
  before ``zipfile`` parses it), what its files would unpack to (in all, and each against
  its packed size: a ZIP bomb is refused whole), ``manifest.csv`` there. Nothing is ever
  written to disk under a name from the ZIP: a PDF is read into memory, one at a time, at
  most the cooperative's PDF limit, whatever its header says.
* ``BulkDelivery`` — one manifest row at a time: a bad row (an unknown unit or person, a
  missing or refused PDF, a notice too late…) is refused with its reason, the others are
  delivered (``services.deliver``); the same PDF to the same unit, kind and person again is
  *already delivered*, not an error and not a second delivery. Units, their title holders
  and their consent are read once for the whole ZIP; e-mails are queued a few hundred at a
  time; nothing delivered stays in the session: memory stays flat in the PDFs.

Nothing here commits (the import owns its transaction) or knows the import's report: a row's
problem is returned as (column, message).
"""

from __future__ import annotations

import hashlib
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import IO, Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from iok_saas.audit import services as audit
from iok_saas.audit.models import UNIT_DOCUMENTS_DELIVERED
from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.delivery import rules, services
from iok_saas.delivery.models import UnitDocument
from iok_saas.estate.models import Building, Unit
from iok_saas.estate.services import holdings
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.formatting import local_today
from iok_saas.web.problems import DomainError

MANIFEST = "manifest.csv"
# The manifest's columns (the import reads them: ``iok_saas.imports.kinds``, kind documents).
COLUMNS = ("lokal", "rodzaj", "tytul", "plik", "data_obowiazywania", "osoba", "ksef")
MAX_MEMBERS = 50_000  # files in one ZIP
MAX_DIRECTORY = 20 << 20  # bytes of the ZIP's central directory (50 000 names fit in it)
MAX_MANIFEST = 64 << 20
UNPACKED_FACTOR = 4  # what a ZIP may unpack to, in all: this many times the import's limit
MAX_RATIO = 100  # a file's unpacked size to its packed size (PDFs pack 1–10 times)
RATIO_FROM = 1 << 20  # the ratio is looked at for files unpacking to more than this
MAIL_EVERY = 500  # e-mails queued together
FORMULA = ("=", "+", "-", "@")  # a spreadsheet runs a cell starting so
JUNK = (".ds_store", "thumbs.db", "desktop.ini")  # left by file managers, never named
DRIVE = re.compile(r"[A-Za-z]:")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ENCRYPTED, UTF8_NAME = 0x1, 0x800  # a ZIP entry's flag bits
# What unpacking a damaged (or unsupported: Deflate64, AES) entry raises.
UNPACKING = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
             OSError, ValueError)

NOT_ZIP = _l("The file is not a ZIP archive. Please send the PDF files and manifest.csv packed "
             "into one ZIP file.")
NO_MANIFEST = _l("The ZIP file has no manifest.csv in its main folder: the list saying which "
                 "PDF goes to which unit. Please add it (its columns: %(columns)s).")
TOO_MANY = _l("The ZIP file holds more than %(limit)s files. Please split the delivery into "
              "smaller ZIP files.")
BOMB = _l("The ZIP file would unpack to %(size)s MB, far more than it weighs (a ZIP bomb?). "
          "Nothing was unpacked; please pack the PDF files again in the usual way.")
BOMB_MEMBER = _l("The file %(name)s in the ZIP would unpack to %(size)s MB from %(packed)s KB; "
                 "no PDF packs so (a ZIP bomb?). Nothing was unpacked; please pack the PDF "
                 "files again in the usual way.")
MANIFEST_PROBLEM = _l("manifest.csv cannot be unpacked from the ZIP: %(reason)s")
MANIFEST_TOO_LARGE = _l("manifest.csv is larger than %(mb)d MB: it is not a list of documents.")
NO_UNIT = _l("there is no unit with the identifier “%(id)s” in this cooperative")
NO_PERSON = _l("there is no person with the identifier “%(id)s” in this cooperative")
NOT_HOLDER = _l("the person “%(id)s” holds no title to the unit “%(unit)s”")
UNKNOWN_KIND = _l("unknown kind of document; allowed: %(words)s")
FORMULA_TITLE = _l("the title starts like a spreadsheet formula (=, +, - or @); a cell that "
                   "starts like a spreadsheet formula is refused: please begin the title with "
                   "a letter or a digit")
UNSAFE_NAME = _l("the file name is not a plain path inside the ZIP (.., a leading /, \\ or a "
                 "drive letter); refused")
NAMED_TWICE = _l("this PDF file is already named above in the manifest (row %(line)d)")
MISSING = _l("there is no file “%(name)s” in the ZIP")
TWICE_IN_ZIP = _l("the ZIP holds %(num)d files named “%(name)s”; it cannot be told which one "
                  "is meant")
SAME_CONTENT = _l("the same PDF (identical content) is already given for this unit and kind "
                  "above in the manifest (row %(line)d)")
PASSWORD = _l("the file is protected by a password in the ZIP")
DAMAGED = _l("the file cannot be unpacked from the ZIP: the ZIP is damaged")
TOO_LARGE = _l("the PDF is larger than %(mb)d MB")
NOT_NAMED = _l("the file is in the ZIP but the manifest does not name it: it was not delivered")
UNSAFE_MEMBER = _l("the file's name is not a plain path inside the ZIP (.., a leading /, \\ or "
                   "a drive letter): it was neither unpacked nor delivered")


class ArchiveError(DomainError):
    """The ZIP as a whole cannot be used: nothing from it is delivered."""


def unsafe(name: str) -> bool:
    """A name that could lead outside the ZIP's folder, or is no plain path: ``..``, an
    absolute path, a backslash, a drive letter, a control character. Such names are refused,
    in the manifest and in the ZIP (nothing is ever unpacked to disk under them anyway)."""
    return (not name or name.startswith("/") or "\\" in name or bool(DRIVE.match(name))
            or bool(CONTROL.search(name)) or ".." in name.split("/"))


def key(name: str) -> str:
    """A name as compared: ``./Rozliczenia//A.pdf`` = ``rozliczenia/a.pdf`` (case does not
    matter, Polish letters however they were composed)."""
    parts = [part for part in name.strip().split("/") if part not in ("", ".")]
    return unicodedata.normalize("NFC", "/".join(parts)).casefold()


def _decoded(info: zipfile.ZipInfo) -> str:
    """The entry's name as its maker meant it: without the UTF-8 flag ``zipfile`` reads it as
    CP437, but many tools write UTF-8 without saying so and Windows' own compressed folders
    write the OEM code page (CP852 in Poland)."""
    name = info.filename
    if not info.flag_bits & UTF8_NAME:
        raw = name.encode("cp437")
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = raw.decode("cp852")
    return unicodedata.normalize("NFC", name)


def _junk(name: str) -> bool:
    """What file managers add on their own (a Mac's ``__MACOSX/``, ``._x``, ``.DS_Store``)."""
    base = name.rsplit("/", 1)[-1].casefold()
    return name.casefold().startswith("__macosx/") or base in JUNK or base.startswith("._")


def _end_record(stream: BinaryIO) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the ZIP's end record (ZIP64 too), read before
    ``zipfile`` parses the directory into memory; None: no end record (not a ZIP)."""
    stream.seek(0, 2)
    size = stream.tell()
    start = max(0, size - (22 + 0xFFFF))
    stream.seek(start)
    tail = stream.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, directory = struct.unpack("<HI", tail[at + 10:at + 16])
    locator = at - 20
    if locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":  # ZIP64: its own record
        stream.seek(struct.unpack("<Q", tail[locator + 8:locator + 16])[0])
        record = stream.read(56)
        if len(record) < 56 or record[:4] != b"PK\x06\x06":
            return None
        entries, directory = struct.unpack("<QQ", record[32:48])
    return entries, directory


def _megabytes(size: int) -> str:
    return f"{size / 1024 ** 2:,.0f}".replace(",", " ")


class Archive:
    """The uploaded ZIP, checked; its files by name (relative to the manifest's folder)."""

    def __init__(self, stream: BinaryIO, *, max_unpacked: int) -> None:
        found = _end_record(stream)
        if found is None:
            raise ArchiveError(NOT_ZIP)
        entries, directory = found
        if entries > MAX_MEMBERS or directory > MAX_DIRECTORY:
            raise ArchiveError(TOO_MANY % {"limit": f"{MAX_MEMBERS:,}".replace(",", " ")})
        stream.seek(0)
        try:
            self.zip = zipfile.ZipFile(stream)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise ArchiveError(NOT_ZIP) from None
        if len(infos) > MAX_MEMBERS:
            raise ArchiveError(TOO_MANY % {"limit": f"{MAX_MEMBERS:,}".replace(",", " ")})
        if sum(info.file_size for info in infos) > max_unpacked:
            raise ArchiveError(BOMB % {"size": _megabytes(sum(i.file_size for i in infos))})
        for info in infos:
            if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
                raise ArchiveError(BOMB_MEMBER % {
                    "name": _decoded(info), "size": _megabytes(info.file_size),
                    "packed": f"{info.compress_size / 1024:,.0f}".replace(",", " ")})
        files = [(_decoded(info), info) for info in infos if not info.is_dir()]
        self.refused = [name for name, _ in files if unsafe(name)]
        usable = [(name, info) for name, info in files if not unsafe(name) and not _junk(name)]
        self.base, self.manifest_info = self._find_manifest(usable)
        self.members: dict[str, list[tuple[str, zipfile.ZipInfo]]] = {}
        for name, info in usable:
            if info is not self.manifest_info:
                relative = key(name)[len(self.base):]
                self.members.setdefault(relative, []).append((name, info))
        self.count = len(usable) - 1  # the files beside the manifest (for the progress)

    @staticmethod
    def _find_manifest(usable: list[tuple[str, zipfile.ZipInfo]]
                       ) -> tuple[str, zipfile.ZipInfo]:
        """``manifest.csv`` in the main folder — or, when the whole folder was packed (as
        Windows and macOS pack a folder), in the one folder holding everything."""
        keys = [(key(name), info) for name, info in usable]
        for found, info in keys:
            if found == MANIFEST:
                return "", info
        tops = {found.split("/", 1)[0] for found, _ in keys}
        if len(tops) == 1 and all("/" in found for found, _ in keys):
            base = next(iter(tops)) + "/"
            for found, info in keys:
                if found == base + MANIFEST:
                    return base, info
        raise ArchiveError(NO_MANIFEST % {"columns": ";".join(COLUMNS)})

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.zip.close()

    @contextmanager
    def manifest(self) -> Iterator[IO[bytes]]:
        """The manifest, unpacked into a temporary file chunk by chunk (``zipfile`` stops at
        the size the ZIP declares, and that is checked first)."""
        info = self.manifest_info
        if info.file_size > MAX_MANIFEST:
            raise ArchiveError(MANIFEST_TOO_LARGE % {"mb": MAX_MANIFEST >> 20})
        if info.flag_bits & ENCRYPTED:
            raise ArchiveError(MANIFEST_PROBLEM % {"reason": PASSWORD})
        with tempfile.TemporaryFile() as out:
            try:
                with self.zip.open(info) as member:
                    while chunk := member.read(1 << 20):
                        out.write(chunk)
            except UNPACKING:
                raise ArchiveError(MANIFEST_PROBLEM % {"reason": DAMAGED}) from None
            out.seek(0)
            yield out

    def find(self, name: str) -> tuple[str, zipfile.ZipInfo] | Any:
        """The file the manifest names (its name in the ZIP, its entry), or why not."""
        found = self.members.get(key(name))
        if not found:
            return MISSING % {"name": name}
        if len(found) > 1:
            return TWICE_IN_ZIP % {"num": len(found), "name": name}
        return found[0]

    def read(self, info: zipfile.ZipInfo, limit: int) -> tuple[bytes | None, Any]:
        """(the file's bytes, None) or (None, why not): at most ``limit`` bytes are unpacked,
        whatever the ZIP says of the file's size."""
        if info.file_size > limit:
            return None, TOO_LARGE % {"mb": limit >> 20}
        return self._read(info, limit)

    def _read(self, info: zipfile.ZipInfo, limit: int) -> tuple[bytes | None, Any]:
        if info.flag_bits & ENCRYPTED:
            return None, PASSWORD
        try:
            with self.zip.open(info) as member:
                data = member.read(limit + 1)
        except UNPACKING:
            return None, DAMAGED
        if len(data) > limit:
            return None, TOO_LARGE % {"mb": limit >> 20}
        return data, None

    def names(self) -> Iterator[tuple[str, str]]:
        """(key, name in the ZIP) of every file but the manifest."""
        for relative, found in self.members.items():
            for name, _ in found:
                yield relative, name


@dataclass(frozen=True)
class Entry:
    """One row of the manifest, its cells already read (``iok_saas.imports`` checks their
    form: required, lengths, the date)."""

    unit: str
    kind: str
    title: str
    file: str
    effective_on: date | None = None
    person: str = ""
    ksef: str = ""


@dataclass(frozen=True)
class Place:
    """A unit as ``services.deliver`` needs it: its id and its address on that day."""

    id: int
    address: str


@dataclass(frozen=True)
class Holder:
    """A person holding a title to a unit, as ``services.deliver`` needs them."""

    id: int
    email: str | None


Problem = tuple[str, Any]  # (the manifest's column, the message)


class BulkDelivery:
    """The rows of one manifest delivered from one ``Archive`` (no commit)."""

    def __init__(self, archive: Archive, tenant: TenantInfo, *, actor: str,
                 run_id: int | None, dry_run: bool = False, filename: str = "") -> None:
        self.archive, self.tenant, self.actor = archive, tenant, actor
        self.run_id, self.dry_run, self.filename = run_id, dry_run, filename
        self.today = local_today()  # once for the ZIP: every row is delivered the same day
        self.limit = tenant.settings.delivery.pdf_max_mb << 20
        self.units = _places()
        self.people = dict(db.session.execute(
            select(User.external_id, User.id).where(User.external_id.is_not(None))).all())
        self.holders = _holders()
        self.consenting = services.consented_among(
            sorted({h.id for found in self.holders.values() for h in found}))
        self.named: dict[str, int] = {}  # a file's key → the manifest's row naming it
        self.contents: dict[tuple[int, str, bytes, int], int] = {}  # → the row giving it
        self.outgoing = services.Outgoing([])
        self.delivered = self.already = self.mails = self.paper = 0

    def skip(self, line: int, name: str) -> None:
        """A row refused for its cells' form: the file it names counts as named (it is not
        listed again as a file nobody named)."""
        if name and not unsafe(name):
            self.named.setdefault(key(name), line)

    def row(self, line: int, entry: Entry) -> Problem | None:
        """Deliver one row's PDF; its problem (column, message) if it is refused."""
        if unsafe(entry.file):
            return "plik", UNSAFE_NAME
        first = self.named.setdefault(key(entry.file), line)
        if first != line:
            return "plik", NAMED_TWICE % {"line": first}
        place = self.units.get(entry.unit)
        if place is None:
            return "lokal", NO_UNIT % {"id": entry.unit}
        kind = rules.kind_of(entry.kind)
        if kind is None:
            return "rodzaj", UNKNOWN_KIND % {"words": self._words()}
        person_id = None
        if entry.person:
            person_id = self.people.get(entry.person)
            if person_id is None:
                return "osoba", NO_PERSON % {"id": entry.person}
            if all(h.id != person_id for h in self.holders.get(place.id, ())):
                return "osoba", NOT_HOLDER % {"id": entry.person, "unit": entry.unit}
        if entry.title.startswith(FORMULA):
            return "tytul", FORMULA_TITLE
        parcel = services.Parcel(unit_id=place.id, kind=kind, title=entry.title,
                                 effective_on=entry.effective_on,
                                 ksef_number=entry.ksef.strip().upper(), person_id=person_id)
        problem = services.parcel_problem(parcel, self.tenant, self.today)
        if problem is not None:
            return self._column(parcel), problem
        found = self.archive.find(entry.file)
        if not isinstance(found, tuple):
            return "plik", found
        name, info = found
        data, problem = self.archive.read(info, self.limit)
        if data is None:
            return "plik", problem
        problem = services.pdf_checked(data, self.tenant)
        if problem is not None:
            return "plik", problem
        same = (place.id, kind, hashlib.sha256(data).digest(), person_id or 0)
        first = self.contents.setdefault(same, line)
        if first != line:
            return "plik", SAME_CONTENT % {"line": first}
        self._deliver(parcel, data, name, place)
        return None

    def _deliver(self, parcel: services.Parcel, data: bytes, name: str, place: Place) -> None:
        if self.dry_run:
            created = db.session.scalar(select(UnitDocument.id).where(
                UnitDocument.unit_id == place.id, UnitDocument.kind == parcel.kind,
                UnitDocument.sha256 == hashlib.sha256(data).hexdigest(),
                UnitDocument.person_key == (parcel.person_id or 0)).limit(1)) is None
        else:
            document, created = services.deliver(
                parcel, data, name.rsplit("/", 1)[-1], unit=place,  # type: ignore[arg-type]
                tenant=self.tenant, actor=self.actor, run_id=self.run_id,
                holders=self.holders.get(place.id, []),  # type: ignore[arg-type]
                consenting=self.consenting, outgoing=self.outgoing)
            db.session.expunge(document)  # a ZIP of 10 000 PDFs keeps memory flat
            if len(self.outgoing.messages) >= MAIL_EVERY:
                self.outgoing.flush()
        if not created:
            self.already += 1
            return
        self.delivered += 1
        people = [h for h in self.holders.get(place.id, ())
                  if parcel.person_id is None or h.id == parcel.person_id]
        mails = sum(1 for h in people if h.id in self.consenting and h.email)
        self.mails += mails
        self.paper += (len(people) - mails) or (not people)  # nobody in the portal: on paper

    def _column(self, parcel: services.Parcel) -> str:
        """The column ``services.parcel_problem``'s message is about (its checks' order)."""
        kind = rules.KINDS[parcel.kind]
        if parcel.kind not in self.tenant.settings.delivery.kinds:
            return "rodzaj"
        if not parcel.title.strip() or len(parcel.title) > 300:
            return "tytul"
        if kind.needs_date and parcel.effective_on is None:
            return "data_obowiazywania"
        if kind.needs_ksef and not services.KSEF.fullmatch(parcel.ksef_number):
            return "ksef"
        return "data_obowiazywania"  # too late for the date

    def _words(self) -> str:
        return ", ".join(rules.KINDS[name].words[0] for name in self.tenant.settings.delivery.kinds)

    def unnamed(self) -> Iterator[tuple[str, Any]]:
        """(name in the ZIP, why) of every file no row named, and of every name refused."""
        for relative, name in self.archive.names():
            if relative not in self.named:
                yield name, NOT_NAMED
        for name in self.archive.refused:
            yield name, UNSAFE_MEMBER

    def finish(self, left_out: int) -> None:
        """Queue the e-mails still waiting; the audit log's entry for the delivery."""
        if self.dry_run:
            return
        self.outgoing.flush()
        if self.delivered:
            event = audit.record(UNIT_DOCUMENTS_DELIVERED, identifier=self.filename[:120],
                                 run=self.run_id, delivered=self.delivered,
                                 already=self.already, left_out=left_out, mails=self.mails,
                                 paper=self.paper)
            event.actor_label = self.actor[:120]


def _places() -> dict[str, Place]:
    """Every unit with an accounting system's id, with its address (one statement; the
    address written by ``Unit.address`` itself)."""
    rows = db.session.execute(
        select(Unit.external_id, Unit.id, Unit.number, Building.street, Building.number,
               Building.postal_code, Building.city)
        .join(Building, Building.id == Unit.building_id).where(Unit.external_id.is_not(None)))
    address = Unit.address.fget  # type: ignore[attr-defined]
    return {ext: Place(ident, address(SimpleNamespace(number=number, building=SimpleNamespace(
        street=street, number=house, postal_code=postal, city=city))))
        for ext, ident, number, street, house, postal, city in rows}


def _holders() -> dict[int, list[Holder]]:
    """Each unit's title holders with an active account, in the order
    ``services.holders_of`` reads them (one statement)."""
    held = holdings()
    holders: dict[int, list[Holder]] = {}
    for unit_id, user_id, email in db.session.execute(
            select(held.c.unit_id, User.id, User.email)
            .join(User, User.id == held.c.user_id).where(User.active.is_(True))
            .order_by(held.c.unit_id, User.id)):
        holders.setdefault(unit_id, []).append(Holder(user_id, email))
    return holders
