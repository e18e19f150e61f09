"""What delivery keeps about a person, for the download of their data: the documents delivered
to them (with the PDFs) and their proof, and the history of their consent to electronic
delivery."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.db import db
from iok_saas.delivery import services
from iok_saas.delivery.models import DeliveryConsent, DocumentRecipient, UnitDocument


def document_rows(user_id: int) -> list[dict[str, Any]]:
    """Each document delivered to the person: what, for which unit, when made available,
    whether they consented then, when they first opened it, whether it was withdrawn."""
    consented = dict(db.session.execute(select(
        DocumentRecipient.document_id, DocumentRecipient.consented).where(
        DocumentRecipient.user_id == user_id)).all())
    return [{"lokal": row.address, "rodzaj": row.kind, "tytul": row.title,
             "obowiazuje_od": row.effective_on, "udostepniono": row.made_available_at,
             "zgoda_na_doreczenie_elektroniczne": consented.get(row.id),
             "pierwsze_otwarcie": row.opened_at, "wycofano": row.withdrawn_at,
             "plik": "" if row.withdrawn_at else f"doreczone/{row.id}-{row.filename}"}
            for row in reversed(services.documents_of(user_id))]


def document_files(user_id: int) -> list[tuple[str, int]]:
    """The PDFs delivered to the person, as the download names them — not those the office
    withdrew (a wrong document may hold someone else's data; its row still says so)."""
    return [(f"doreczone/{row.id}-{row.filename}", row.file_id)
            for row in db.session.execute(
                select(UnitDocument.id, UnitDocument.filename, UnitDocument.file_id)
                .join(DocumentRecipient, DocumentRecipient.document_id == UnitDocument.id)
                .where(DocumentRecipient.user_id == user_id, ~services.withdrawn())
                .order_by(UnitDocument.id))]


def consent_rows(user_id: int) -> list[dict[str, Any]]:
    """Each consent to electronic delivery given or withdrawn: from when, recorded when, how."""
    return [{"zgoda": row.given, "od_dnia": row.on, "zapisano": row.at, "jak": row.way}
            for row in db.session.scalars(select(DeliveryConsent).where(
                DeliveryConsent.user_id == user_id).order_by(DeliveryConsent.id))]
