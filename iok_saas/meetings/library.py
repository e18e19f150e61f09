"""The meeting's documents in the members' library (``iok_saas.documents``): a PDF published
there with the library's own checks and linked to the meeting (a report or a draft resolution
laid out before it; the minutes and the adopted resolutions after it), and a members' draft
resolution made a PDF, so accepting it can lay its text out for members."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from flask import g
from sqlalchemy import select

from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.documents.models import Document, DocumentVisit
from iok_saas.documents.services import DocumentError as DocumentError  # for the pages
from iok_saas.documents.services import Draft, Upload, publish
from iok_saas.meetings import services
from iok_saas.meetings.models import (
    DRAFT,
    MINUTES,
    OTHER,
    REPORT,
    RESOLUTION,
    Meeting,
    MeetingDocument,
    MeetingDraft,
)
from iok_saas.tenancy.info import TenantInfo
from iok_saas.web.formatting import local_today
from iok_saas.web.pdf import letterhead_pdf

RESOLUTIONS = "Uchwały walnego zgromadzenia"
MINUTES_CATEGORY = "Protokoły"
# The library's categories a document of each role goes to, the first the cooperative has
# (else its first category).
CATEGORIES = {
    DRAFT: (RESOLUTIONS,),
    RESOLUTION: (RESOLUTIONS,),
    MINUTES: (MINUTES_CATEGORY,),
    REPORT: ("Sprawozdania", "Sprawozdania finansowe", RESOLUTIONS),
    OTHER: (RESOLUTIONS,),
}
DRAFT_TEMPLATE = "meetings/draft_pdf.html"


def category_for(role: str, tenant_info: TenantInfo) -> str:
    """The library's category for a document of ``role`` in this cooperative."""
    have = tenant_info.settings.documents.categories
    return next((c for c in CATEGORIES.get(role, ()) if c in have), have[0])


def publish_pdf(meeting: Meeting, *, title: str, data: bytes, filename: str, role: str,
                actor: User, tenant_info: TenantInfo, number: str = "",
                dated: date | None = None, category: str | None = None
                ) -> tuple[Document, MeetingDocument]:
    """Publish a PDF in the members' library (its checks: a readable PDF without scripts,
    the size limit, a category of the cooperative) and link it to the meeting with ``role``
    (no commit). A refused file raises ``documents.services.DocumentError``; a role the
    meeting no longer takes (a report after the results) ``MeetingError`` — nothing is kept
    either way once the caller rolls back."""
    if not filename.lower().endswith(".pdf"):
        filename = f"{filename}.pdf"
    document = publish(Draft(category=category or category_for(role, tenant_info),
                             title=title.strip()[:300], number=number.strip()[:60],
                             dated=dated or local_today()),
                       Upload(filename, io.BytesIO(data)), actor, tenant_info)
    link = services.lay_out(meeting, document.id, role, actor)
    return document, link


def draft_text(draft: MeetingDraft) -> str:
    """The draft's text as the member filed it (the case's first message)."""
    return services.draft_texts([draft]).get(draft.id, "")


def draft_pdf(draft: MeetingDraft, tenant_info: TenantInfo | None = None) -> bytes:
    """A members' draft resolution as a Polish PDF on the letterhead: its number in the
    ``KO`` register, the meeting, the title, the text and the day it was filed."""
    meeting = services.meeting(draft.meeting_id) if draft.meeting_id else None
    return letterhead_pdf(DRAFT_TEMPLATE, tenant_info or g.tenant, draft=draft, meeting=meeting,
                          text=draft_text(draft), filed_on=draft.filed_on())


def draft_file_name(draft: MeetingDraft) -> str:
    """``projekt-uchwaly-KO-2027-00012.pdf``."""
    return f"projekt-uchwaly-{draft.registry_number.replace('/', '-')}.pdf"


def lay_out_draft(meeting: Meeting, draft: MeetingDraft, actor: User, tenant_info: TenantInfo
                  ) -> Document:
    """Publish an accepted members' draft in the library as a draft resolution and lay it out
    for the meeting (no commit); its document id goes on the agenda item."""
    document, _ = publish_pdf(
        meeting, title=draft.subject, data=draft_pdf(draft, tenant_info),
        filename=draft_file_name(draft), role=DRAFT, actor=actor, tenant_info=tenant_info,
        number=draft.registry_number)
    return document


def new_to(user_id: int, ids: Iterable[int]) -> set[int]:
    """Which of these documents are new to the person: published or replaced since they last
    opened the members' library (all, if they never did) — as the library marks them."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    seen = db.session.scalar(select(DocumentVisit.seen_at).where(
        DocumentVisit.user_id == user_id))
    stmt = select(Document.id).where(Document.id.in_(wanted))
    if seen is not None:
        stmt = stmt.where(Document.changed_at > seen)
    return set(db.session.scalars(stmt))


def titles(ids: Iterable[int]) -> dict[int, str]:
    """The library's titles of these documents (withdrawn ones too), by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict(db.session.execute(select(Document.id, Document.title).where(
        Document.id.in_(wanted))).tuples().all())
