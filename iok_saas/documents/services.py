"""The members' library: publish, replace, change and withdraw documents (staff), find and read
them (members: residents holding a unit, and staff). Every staff action is in the audit log.

Only PDFs are published, checked by their content: the file must be a readable PDF without a
password and without JavaScript or launch actions (``pypdf`` reads compressed object streams,
where a byte search cannot look). Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, bindparam, func, or_, select, update

from iok_saas import files
from iok_saas.audit import services as audit
from iok_saas.audit.models import DOCUMENT_CHANGED, DOCUMENT_PUBLISHED, DOCUMENT_WITHDRAWN
from iok_saas.auth.models import User
from iok_saas.db import db, utcnow
from iok_saas.db.rowsets import ordered, together
from iok_saas.documents.models import CURRENT, STATUSES, Document, DocumentVersion, DocumentVisit
from iok_saas.estate.services import unit_ids_of
from iok_saas.files.models import StoredFile
from iok_saas.files.pdf import pdf_problem
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.formatting import local_today
from iok_saas.web.problems import DomainError

PURPOSE = "member_document"


class DocumentError(DomainError):
    """A document or its file cannot be published as given."""


@dataclass(frozen=True)
class Draft:
    """What staff fill in about a document."""

    category: str
    title: str
    number: str
    dated: date
    status: str = CURRENT


@dataclass(frozen=True)
class Upload:
    """A PDF as uploaded: its name and stream."""

    filename: str
    stream: BinaryIO


def _store_pdf(upload: Upload, tenant: TenantInfo) -> StoredFile:
    """Keep the upload once the file store's checks found it a PDF fit for members; else
    refuse, with nothing stored."""
    if not upload.filename.lower().endswith(".pdf"):
        raise DocumentError(_l("%(name)s is not a PDF file (its name must end with .pdf).",
                               name=upload.filename), "file")
    try:
        data = files.read_upload(upload.stream, tenant.settings.documents.max_mb << 20)
    except files.FileProblem as problem:
        raise DocumentError(str(problem), "file") from problem
    problem = pdf_problem(data)
    if problem is not None:
        raise DocumentError(problem, "file")
    return files.store(data, filename=upload.filename, content_type="application/pdf",
                       purpose=PURPOSE)


# --- staff --------------------------------------------------------------------------------------


def _check(draft: Draft, tenant: TenantInfo) -> None:
    if draft.category not in tenant.settings.documents.categories:
        raise DocumentError(_l("Choose one of the cooperative's categories."), "category")
    if draft.status not in STATUSES:
        raise DocumentError(_l("Choose the status."), "status")
    if draft.dated > local_today():
        raise DocumentError(_l("The document's date cannot be in the future."), "dated")


def publish(draft: Draft, upload: Upload, actor: User, tenant: TenantInfo,
            note: str = "") -> Document:
    """A new document with its first version."""
    _check(draft, tenant)
    document = Document(category=draft.category, title=draft.title.strip(),
                        number=draft.number.strip(), dated=draft.dated, status=draft.status)
    db.session.add(document)
    db.session.flush()
    _add_version(document, upload, actor, tenant, note)
    audit.record(DOCUMENT_PUBLISHED, actor=actor, identifier=_label(document),
                 document=document.id, title=document.title)
    return document


def add_version(document: Document, upload: Upload, actor: User, tenant: TenantInfo,
                note: str = "") -> DocumentVersion:
    """A new version in force; the earlier ones stay readable, marked replaced."""
    version = _add_version(document, upload, actor, tenant, note)
    audit.record(DOCUMENT_CHANGED, actor=actor, identifier=_label(document),
                 document=document.id, version=version.number)
    return version


def _add_version(document: Document, upload: Upload, actor: User, tenant: TenantInfo,
                 note: str) -> DocumentVersion:
    stored = _store_pdf(upload, tenant)
    number = (db.session.scalar(select(func.max(DocumentVersion.number)).where(
        DocumentVersion.document_id == document.id)) or 0) + 1
    version = DocumentVersion(document_id=document.id, number=number, file_id=stored.id,
                              filename=stored.filename, size=stored.size, note=note.strip(),
                              added_at=utcnow(), added_by=actor.full_name)
    db.session.add(version)
    document.changed_at = version.added_at
    db.session.flush()
    return version


def change(document: Document, draft: Draft, actor: User, tenant: TenantInfo) -> None:
    """New data about the document (its versions stay as they are)."""
    _check(draft, tenant)
    document.category, document.title = draft.category, draft.title.strip()
    document.number, document.dated, document.status = (draft.number.strip(), draft.dated,
                                                         draft.status)
    audit.record(DOCUMENT_CHANGED, actor=actor, identifier=_label(document),
                 document=document.id, status=draft.status)


def withdraw(document: Document, actor: User) -> None:
    """Members no longer see the document (staff still do; nothing is deleted)."""
    if document.withdrawn_at is None:
        document.withdrawn_at = utcnow()
        audit.record(DOCUMENT_WITHDRAWN, actor=actor, identifier=_label(document),
                     document=document.id)


def _label(document: Document) -> str:
    return f"{document.number} {document.title}".strip()[:120]


def staff_list() -> list[Document]:
    """Every document, withdrawn ones too, by category and date."""
    return list(db.session.scalars(select(Document).order_by(
        Document.category, Document.dated.desc(), Document.id.desc())))


def staff_get(document_id: int) -> Document | None:
    """A document of this cooperative (withdrawn too)."""
    return db.session.scalar(select(Document).where(Document.id == document_id))


# --- members ------------------------------------------------------------------------------------


def is_member(user: User) -> bool:
    """Who may read the library: staff, and residents holding a unit."""
    if user.is_staff:
        return True
    return bool(db.session.scalar(select(unit_ids_of(user.id).exists())))


def for_members(query: str = "", category: str = "") -> list[Document]:
    """The documents members see (not withdrawn), by category and newest first; ``query``
    looks in the title and the number."""
    return list(db.session.scalars(_members_see(select(Document), query, category)
                                   .order_by(Document.dated.desc(), Document.id.desc())))


def _members_see(stmt: Select, query: str, category: Any) -> Select:
    stmt = stmt.where(Document.withdrawn_at.is_(None))
    if query:
        stmt = stmt.where(or_(Document.title.icontains(query, autoescape=True),
                              Document.number.icontains(query, autoescape=True)))
    return stmt.where(Document.category == category) if category else stmt


def library(user: User, query: str, category: str) -> tuple[bool, datetime | None, list[Any]]:
    """What the library page shows the person: whether they may read it (staff, and residents
    holding a unit), when they last came (None: never) and the documents ``for_members``
    finds, as rows — one statement. ``visited`` records this visit afterwards."""
    def parts() -> dict[str, Select]:
        person = bindparam("user_id")
        held = unit_ids_of(person)
        documents = _members_see(select(
            Document.id, Document.title, Document.number, Document.dated, Document.status,
            Document.category, Document.changed_at, Document.created_at),
            query, bindparam("category") if category else "")
        return {
            "held": held.limit(1),
            "seen": select(DocumentVisit.seen_at).where(DocumentVisit.user_id == person),
            "documents": ordered(documents if user.is_staff else documents.where(held.exists()),
                                 Document.dated.desc(), Document.id.desc()),
        }

    # A search (its words escaped for LIKE in Python) is built each time; the library as it
    # opens, by category or not, once.
    rows = together(parts, key=None if query else ("documents.library", user.is_staff,
                                                    bool(category)),
                    user_id=user.id, category=category)
    member = user.is_staff or bool(rows["held"])
    previous = rows["seen"][0].seen_at if rows["seen"] else None
    return member, previous, rows["documents"] if member else []


def visited(user_id: int, before: datetime | None) -> None:
    """Record a visit of the library now (``before``: the last one ``library`` found)."""
    if before is None:
        db.session.add(DocumentVisit(user_id=user_id, seen_at=utcnow()))
    else:
        db.session.execute(update(DocumentVisit).where(DocumentVisit.user_id == user_id)
                           .values(seen_at=utcnow()))


def member_get(document_id: int) -> Document | None:
    """A document members may see; a withdrawn or another cooperative's one is not found."""
    return db.session.scalar(select(Document).where(Document.id == document_id,
                                                    Document.withdrawn_at.is_(None)))


def versions(document_id: int) -> list[DocumentVersion]:
    """The versions of a document, newest (in force) first."""
    return list(db.session.scalars(select(DocumentVersion).where(
        DocumentVersion.document_id == document_id).order_by(DocumentVersion.number.desc())))


def version_of(document: Document, version_id: int) -> DocumentVersion | None:
    """One version of this document."""
    return db.session.scalar(select(DocumentVersion).where(
        DocumentVersion.id == version_id, DocumentVersion.document_id == document.id))


def _new_since_visit(user_id: int) -> Any:
    seen = select(DocumentVisit.seen_at).where(DocumentVisit.user_id == user_id).scalar_subquery()
    return and_(Document.withdrawn_at.is_(None), or_(seen.is_(None), Document.changed_at > seen))


def new_rows(user_id: int, held: Select, limit: int) -> Select:
    """The documents published or replaced since the person last opened the library (all, if
    never), newest first, at most ``limit``, as a list shows them — id, title, number — for a
    person holding a unit (``held``: their units' ids), for ``rowsets.together``."""
    return ordered(select(Document.id, Document.title, Document.number)
                   .where(_new_since_visit(user_id), held.exists()),
                   Document.dated.desc(), Document.id.desc(), limit=limit)


