"""Photos residents attach to readings: checked and re-encoded, kept in the file store."""

from __future__ import annotations

from sqlalchemy import delete, select

from iok_saas import files
from iok_saas.db import db
from iok_saas.meters.checks import ReadingError
from iok_saas.meters.models import Meter, Reading, ReadingPhoto
from iok_saas.tenancy.settings import Readings as ReadingRules

PURPOSE = "reading_photo"


def clean(data: bytes, rules: ReadingRules) -> bytes:
    """The upload as a small JPEG without metadata; ReadingError on the photo field if it is
    not a photo or too large."""
    try:
        return files.clean_image(data, rules.photo_max_mb)
    except files.FileProblem as exc:
        raise ReadingError(exc.message, "photo") from None


def attach(reading: Reading, photo: bytes) -> None:
    """Keep the (cleaned) photo with a new reading (no commit)."""
    stored = files.store(photo, filename=f"odczyt-{reading.id}.jpg", content_type="image/jpeg",
                         purpose=PURPOSE)
    db.session.add(ReadingPhoto(reading_id=reading.id, file_id=stored.id))


def replace(reading: Reading, photo: bytes) -> None:
    """A changed reading's new photo instead of the one it had (no commit)."""
    remove(reading.id)
    attach(reading, photo)


def remove(reading_id: int) -> None:
    """Delete the reading's photo, if any, with its file (no commit)."""
    file_ids = list(db.session.scalars(
        select(ReadingPhoto.file_id).where(ReadingPhoto.reading_id == reading_id)))
    db.session.execute(delete(ReadingPhoto).where(ReadingPhoto.reading_id == reading_id))
    for file_id in file_ids:
        files.delete(file_id)


def with_photo(reading_ids: list[int]) -> set[int]:
    """Which of these readings have a photo (one query)."""
    if not reading_ids:
        return set()
    return set(db.session.scalars(select(ReadingPhoto.reading_id).where(
        ReadingPhoto.reading_id.in_(reading_ids))))


def photo_of_meter(meter: Meter, reading_id: int) -> bytes | None:
    """The stored photo of one of the meter's readings."""
    file_id = db.session.scalar(
        select(ReadingPhoto.file_id).join(Reading, Reading.id == ReadingPhoto.reading_id)
        .where(ReadingPhoto.reading_id == reading_id, Reading.meter_id == meter.id))
    return files.read(file_id) if file_id is not None else None


def download(data: bytes, reading_id: int):
    """The photo as a private image response."""
    return files.download(data, filename=f"odczyt-{reading_id}.jpg", content_type="image/jpeg",
                          inline=True)
