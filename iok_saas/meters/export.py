"""Accepted readings for the billing system: CSV (the import format's style) and JSON.

Each reading goes out once: taking readings marks them exported; ``again`` takes every
accepted reading (a correction marks its reading for export again). Readings that came
from the accounting system's own import are not sent back to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from iok_saas.db import db, utcnow
from iok_saas.estate.models import Unit
from iok_saas.meters.models import ACCEPTED, IMPORT_SOURCE, Meter, Reading
from iok_saas.web.formatting import excel_csv

COLUMNS = ("id_zewnetrzne", "licznik", "numer_seryjny", "lokal", "data", "wartosc", "zrodlo",
           "id_iok")


def take(*, again: bool = False) -> list[dict[str, Any]]:
    """Accepted readings (not exported yet, or all), oldest first, marked as exported now.

    Marked first, in one conditional UPDATE, then read: two exports at once cannot both take
    a reading, and a correction committed in between is not lost (it clears the mark).
    """
    mark = update(Reading).where(Reading.status == ACCEPTED, Reading.source != IMPORT_SOURCE)
    if not again:
        mark = mark.where(Reading.exported_at.is_(None))
    ids = list(db.session.scalars(mark.values(exported_at=utcnow()).returning(Reading.id)
                                  .execution_options(synchronize_session=False)))
    readings = []
    for start in range(0, len(ids), 5000):
        readings += db.session.scalars(
            select(Reading).where(Reading.id.in_(ids[start:start + 5000]))
            .options(joinedload(Reading.meter).joinedload(Meter.unit)))
    readings.sort(key=lambda r: (r.read_on, r.id))
    return [_row(r, r.meter, r.meter.unit) for r in readings]


def _row(reading: Reading, meter: Meter, unit: Unit) -> dict[str, Any]:
    return {"id_zewnetrzne": reading.external_id or "", "licznik": meter.external_id or "",
            "numer_seryjny": meter.serial_number, "lokal": unit.external_id or "",
            "data": reading.read_on.isoformat(), "wartosc": f"{reading.value:.3f}",
            "zrodlo": reading.source, "id_iok": reading.id}


def csv_text(rows: list[dict[str, Any]]) -> str:
    """``;``-separated, decimal comma, UTF-8 with BOM (Excel and the import read it)."""
    return excel_csv(COLUMNS, ([row[c] if c != "wartosc" else row[c].replace(".", ",")
                                for c in COLUMNS] for row in rows))
