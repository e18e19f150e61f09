"""The meters of the units a person holds and their readings (with the person's photos), for
the download of their data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from iok_saas.db import db
from iok_saas.estate.services import unit_ids_of
from iok_saas.meters.models import Meter, Reading, ReadingPhoto


def reading_rows(user_id: int) -> list[dict[str, Any]]:
    """Every reading of every meter of the person's units, oldest first."""
    held = unit_ids_of(user_id)
    rows = db.session.execute(
        select(Meter, Reading).join(Reading, Reading.meter_id == Meter.id)
        .where(Meter.unit_id.in_(held)).order_by(Meter.id, Reading.read_on, Reading.id)).all()
    return [{"licznik": meter.serial_number, "rodzaj": meter.kind, "miejsce": meter.place,
             "jednostka": meter.measure, "data_odczytu": reading.read_on,
             "stan": reading.value, "zrodlo": reading.source, "status": reading.status,
             "podany_przeze_mnie": reading.submitted_by_id == user_id,
             "powod_odrzucenia": reading.reject_reason} for meter, reading in rows]


def reading_photos(user_id: int) -> list[tuple[str, int]]:
    """The photos of the readings of the person's units — what the meters' pages show every
    holder of the unit: (name in the ZIP, file id)."""
    held = unit_ids_of(user_id)
    rows = db.session.execute(
        select(ReadingPhoto.file_id, Reading.read_on, Meter.serial_number)
        .join(Reading, Reading.id == ReadingPhoto.reading_id)
        .join(Meter, Meter.id == Reading.meter_id)
        .where(Meter.unit_id.in_(held)).order_by(ReadingPhoto.id)).all()
    return [(f"zdjecia-odczytow/{serial}-{read_on:%Y-%m-%d}-{file_id}.jpg", file_id)
            for file_id, read_on, serial in rows]
