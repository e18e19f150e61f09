"""Photos residents attach to fault reports: checked, turned upright, re-encoded without
metadata (HEIC from phones too), kept in the file store and shown only through the report's
pages (never a guessable public address)."""

from __future__ import annotations

from sqlalchemy import func, select

from iok_saas import files
from iok_saas.db import db
from iok_saas.faults.models import FaultEvent, FaultPhoto, FaultReport
from iok_saas.tenancy.settings import Faults as FaultRules
from iok_saas.web.problems import DomainError

PURPOSE = "fault_photo"


def clean(data: bytes, rules: FaultRules) -> bytes:
    """The upload as a JPEG without metadata; DomainError on the photos field if it is not a
    photo or too large."""
    try:
        return files.clean_image(data, rules.photo_max_mb)
    except files.FileProblem as exc:
        raise DomainError(exc.message, "photos") from None


def attach(report: FaultReport, event: FaultEvent, cleaned: list[bytes]) -> None:
    """Keep cleaned photos with a report's event (no commit)."""
    for number, data in enumerate(cleaned, start=1):
        stored = files.store(data, filename=f"{report.registry_number.replace('/', '-')}-"
                             f"{event.id}-{number}.jpg", content_type="image/jpeg",
                             purpose=PURPOSE)
        db.session.add(FaultPhoto(report_id=report.id, event_id=event.id, file_id=stored.id))


def count(report: FaultReport) -> int:
    """How many photos the report holds."""
    return db.session.scalar(select(func.count()).select_from(FaultPhoto).where(
        FaultPhoto.report_id == report.id)) or 0


def by_event(event_ids: list[int]) -> dict[int, list[int]]:
    """Photo ids per event (one query)."""
    found: dict[int, list[int]] = {}
    if event_ids:
        for photo_id, event_id in db.session.execute(
                select(FaultPhoto.id, FaultPhoto.event_id)
                .where(FaultPhoto.event_id.in_(event_ids)).order_by(FaultPhoto.id)):
            found.setdefault(event_id, []).append(photo_id)
    return found


def download(photo: FaultPhoto):
    """The photo as a private image response."""
    return files.download(files.read(photo.file_id), filename=f"zdjecie-{photo.id}.jpg",
                          content_type="image/jpeg", inline=True)
