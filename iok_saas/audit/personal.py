"""Who of the staff viewed a person's data, for the download of their data."""

from __future__ import annotations

from typing import Any

from iok_saas.audit.services import views_of


def view_rows(user_id: int) -> list[dict[str, Any]]:
    """Each visit of a member of staff, oldest first."""
    return [{"kiedy": v.at, "kto": v.viewer_label, "rola": v.viewer_role, "co": v.what}
            for v in reversed(views_of(user_id, limit=10_000))]


