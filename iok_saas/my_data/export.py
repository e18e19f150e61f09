"""Everything the platform holds about a person, as one ZIP: ``dane.json`` for programs, one
CSV per part for people (semicolons, UTF-8 with BOM: Excel opens it as it is), and the photos
of their meters' readings. Small histories are built in the request; larger ones by a job,
downloadable once within ``LINK_HOURS`` by the same person."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import or_, select

from iok_saas import files
from iok_saas.db import db, utcnow
from iok_saas.my_data.models import FAILED, PREPARING, READY, DataExport
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import TenantInfo, get_tenant_info
from iok_saas.web.formatting import csv_cell, excel_csv
from iok_saas.web.personal import PersonalSection, sections

LINK_HOURS = 24
PURPOSE = "data_export"
PREPARE = "iok_saas.my_data.export.prepare"
PHOTO_WEIGHT = 50  # a photo costs as much as this many rows when deciding "at once or later"


class TooLargeForNow(Exception):
    """More than the request may build: a job does it."""




def parts(info: TenantInfo) -> list[PersonalSection]:
    """What the download holds at this cooperative (every room registers its part)."""
    return sections(current_app, info.has_feature)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, Decimal):  # as many places as kept: 123,456 m³ stays so
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return csv_cell(str(value))


def build(user_id: int, info: TenantInfo, budget: int | None = None) -> bytes:
    """The ZIP; ``TooLargeForNow`` once more than ``budget`` rows (photos weigh more)."""
    collected, weight = [], 0
    for part in parts(info):
        rows = part.rows(user_id)
        photos = part.files(user_id) if part.files else []
        weight += len(rows) + PHOTO_WEIGHT * len(photos)
        if budget is not None and weight > budget:
            raise TooLargeForNow
        collected.append((part, rows, photos))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        whole = {part.name: [{k: _json_value(v) for k, v in row.items()} for row in rows]
                 for part, rows, _ in collected}
        archive.writestr("dane.json", json.dumps(whole, ensure_ascii=False, indent=2))
        contents = []
        for part, rows, photos in collected:
            with force_locale("pl"):
                contents.append(f"{part.name}.csv — {part.title}")
            archive.writestr(f"{part.name}.csv", _csv(rows))
            for name, file_id in photos:
                archive.writestr(name, files.read(file_id))
        archive.writestr("CZYTAJ.txt", _readme(info, contents))
    return out.getvalue()


def _csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "\ufeff"
    return excel_csv(rows[0].keys(), ([_csv_value(v) for v in row.values()] for row in rows))


def _readme(info: TenantInfo, contents: list[str]) -> str:
    lines = [f"Dane osobowe przechowywane w Internetowej Obsłudze Kontrahenta — {info.name}",
             f"Przygotowano: {utcnow():%Y-%m-%d %H:%M} UTC", "",
             "dane.json — wszystko w jednym pliku (dla programów)", *contents, "",
             "Okresy przechowywania:", *(f"- {line}" for line in info.settings.my_data.retention)]
    return "\r\n".join(lines) + "\r\n"


# --- the job ------------------------------------------------------------------------------------


def prepare(export_id: int) -> str:
    """The job: build the ZIP of a request and keep it for ``LINK_HOURS``."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.status != PREPARING:
        return "skipped"
    info = get_tenant_info(require_tenant_id())
    try:
        data = build(export.user_id, info)
    except Exception:
        db.session.rollback()
        export = db.session.get(DataExport, export_id)
        export.status = FAILED
        db.session.commit()
        raise
    stored = files.store(data, filename="moje-dane.zip", content_type="application/zip",
                         purpose=PURPOSE)
    export.file_id, export.status = stored.id, READY
    export.ready_at = utcnow()
    export.expires_at = export.ready_at + timedelta(hours=LINK_HOURS)
    db.session.commit()
    return READY


def purge() -> int:
    """Periodic, per cooperative: delete the files of downloads that expired or were taken."""
    now = utcnow()
    done = list(db.session.scalars(select(DataExport).where(
        DataExport.file_id.is_not(None),
        or_(DataExport.expires_at < now, DataExport.downloaded_at.is_not(None)))))
    for export in done:
        file_id, export.file_id = export.file_id, None
        db.session.flush()
        files.delete(file_id)
    db.session.commit()
    return len(done)
