"""A person's units and legal titles, for the download of their data."""

from __future__ import annotations

from typing import Any

from iok_saas.estate.services import places_of


def unit_rows(user_id: int) -> list[dict[str, Any]]:
    """Each unit the person holds, with the title and since when."""
    titles = places_of(user_id).titles
    return [{"lokal": t.unit.address, "tytul_prawny": t.kind, "od": t.since} for t in titles]


