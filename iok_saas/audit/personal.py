"""Who of the staff viewed a person's data: for the download of their data, and (admins) on
the staff page of their account."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from iok_saas.audit.services import views_of


def view_rows(user_id: int) -> list[dict[str, Any]]:
    """Each visit of a member of staff, oldest first."""
    return [{"kiedy": v.at, "kto": v.viewer_label, "rola": v.viewer_role, "co": v.what}
            for v in reversed(views_of(user_id, limit=10_000))]




def staff_views(person: Any, given: dict[str, Any]) -> dict[str, Any] | None:
    """The account page, for admins: the latest 50 views of the person's data by staff."""
    views = views_of(person.id, limit=50) if current_user.is_admin else []
    return {"views": views} if views else None
