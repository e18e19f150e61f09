"""The fault reports a person made, for the download of their data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.cases.personal import own_files
from iok_saas.db import db
from iok_saas.faults.models import FaultReport


def report_rows(user_id: int) -> list[dict[str, Any]]:
    """The person's reports, oldest first (what they wrote and where the report stands)."""
    reports = db.session.scalars(select(FaultReport).where(FaultReport.filed_by_id == user_id)
                                 .order_by(FaultReport.year, FaultReport.number))
    return [{"numer": report.registry_number, "kategoria": report.category,
             "miejsce": report.place, "opis": report.description, "status": report.status,
             "zgloszono": report.created_at, "telefon": report.contact_phone,
             "wejscie_do_lokalu": report.entry_allowed} for report in reports]


def photo_files(user_id: int) -> list[tuple[str, int]]:
    """The photos the person attached to their own reports (a merged report's other photos are
    another reporter's): (name in the ZIP, file id)."""
    return [(f"{stem}-zdjecie-{attachment_id}.jpg", file_id)
            for stem, attachment_id, _name, file_id in own_files(FaultReport, user_id)]
