"""What the resident's "Moje dokumenty" shows, in one statement whatever the number of
documents ("The read path", ``iok_saas.db.rowsets``): every document delivered to the person
(newest first, with when they first opened it and when the office withdrew it) and their
consent's history. The units, kinds and years the filters offer come from the same rows, so a
filter costs nothing more.

What a person sees follows from the recipient rows alone: the documents delivered to them —
while they held the unit, or naming them — and nothing delivered to a unit after they left
it, nor a document naming someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select

from iok_saas.db import db
from iok_saas.db.rowsets import ordered, together
from iok_saas.delivery import rules
from iok_saas.delivery.models import (
    OPENED,
    WITHDRAWN,
    DeliveryConsent,
    DocumentRecipient,
    ProofEvent,
    UnitDocument,
)
from iok_saas.web.formatting import WARSAW


@dataclass(frozen=True)
class Filters:
    """What the person narrowed the list to (None / "": everything)."""

    unit_id: int | None = None
    kind: str = ""
    year: int | None = None

    @property
    def any(self) -> bool:
        return self.unit_id is not None or bool(self.kind) or self.year is not None


@dataclass(frozen=True)
class Page:
    """The page's data: the documents shown, what the filters may offer, the consent."""

    filters: Filters  # as applied
    documents: list[Any]
    every: int  # how many documents the person has in all (before the filters)
    units: list[tuple[int, str]]  # (unit id, its newest address), by address
    kinds: list[str]
    years: list[int]  # newest first
    consents: list[Any]  # newest first: given, on, at, way

    @property
    def consent(self) -> Any:
        """The person's choice now (None: never asked)."""
        return self.consents[0] if self.consents else None


def _first(kind: str, person: Any = None) -> Any:
    """When the first event of ``kind`` (for ``person``, if given) happened to the document."""
    stmt = select(func.min(ProofEvent.at)).where(ProofEvent.document_id == UnitDocument.id,
                                                 ProofEvent.kind == kind)
    if person is not None:
        stmt = stmt.where(ProofEvent.user_id == person)
    return stmt.correlate(UnitDocument).scalar_subquery()


def _parts() -> dict[str, Any]:
    person = bindparam("user_id")
    return {
        "documents": ordered(
            select(UnitDocument.id, UnitDocument.unit_id, UnitDocument.address,
                   UnitDocument.kind, UnitDocument.title, UnitDocument.effective_on,
                   UnitDocument.made_available_at, UnitDocument.size,
                   UnitDocument.replaces_id,
                   _first(OPENED, person).label("opened_at"),
                   _first(WITHDRAWN).label("withdrawn_at"))
            .join(DocumentRecipient, DocumentRecipient.document_id == UnitDocument.id)
            .where(DocumentRecipient.user_id == person),
            UnitDocument.made_available_at.desc(), UnitDocument.id.desc()),
        "consents": ordered(
            select(DeliveryConsent.given, DeliveryConsent.on, DeliveryConsent.at,
                   DeliveryConsent.way).where(DeliveryConsent.user_id == person),
            DeliveryConsent.id.desc()),
    }


def year_of(document: Any) -> int:
    """The year (in Poland) the document was made available."""
    return document.made_available_at.astimezone(WARSAW).year


def page(user_id: int, filters: Filters) -> Page:
    """Everything "Moje dokumenty" shows the person, narrowed by ``filters``: one statement."""
    rows = together(_parts, key=("delivery.resident",), user_id=user_id)
    every = rows["documents"]
    addresses: dict[int, str] = {}
    for document in every:  # newest first: the unit's address as it was last delivered
        addresses.setdefault(document.unit_id, document.address)
    present = {document.kind for document in every}
    kinds = [kind for kind in rules.KINDS if kind in present]  # in the rules' order
    years = sorted({year_of(document) for document in every}, reverse=True)
    # What the person has none of narrows nothing (the form shows "all"), nor does the one
    # unit of a person with one (the e-mail's link names it).
    filters = Filters(
        unit_id=filters.unit_id if filters.unit_id in addresses and len(addresses) > 1 else None,
        kind=filters.kind if filters.kind in kinds else "",
        year=filters.year if filters.year in years else None)
    shown = [document for document in every
             if (filters.unit_id is None or document.unit_id == filters.unit_id)
             and (not filters.kind or document.kind == filters.kind)
             and (filters.year is None or year_of(document) == filters.year)]
    return Page(
        filters=filters, documents=shown, every=len(every),
        units=sorted(addresses.items(), key=lambda unit: (unit[1], unit[0])),
        kinds=kinds, years=years,
        consents=rows["consents"])


def withdrawn_at(document_id: int) -> datetime | None:
    """When the office withdrew the document, or None."""
    return db.session.scalar(select(func.min(ProofEvent.at)).where(
        ProofEvent.document_id == document_id, ProofEvent.kind == WITHDRAWN))


