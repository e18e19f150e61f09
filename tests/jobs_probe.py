"""A job used by the tests: records what it can see for the cooperative it runs for."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from iok_saas.db import db
from iok_saas.estate.models import Unit
from iok_saas.tenancy import current_tenant_id


def record_units(path: str) -> int:
    """Write the cooperative in context and the ids of the units it sees to ``path``."""
    ids = sorted(db.session.scalars(select(Unit.id)))
    Path(path).write_text(json.dumps({"tenant": current_tenant_id(), "units": ids}))
    return len(ids)


def fail_for_baltyk() -> str:
    """A periodic job that fails for Bałtyk only (one cooperative's trouble)."""
    from iok_saas.tenancy.info import get_tenant_info

    if get_tenant_info(current_tenant_id()).slug == "baltyk":
        raise RuntimeError("Bałtyk's share failed")
    return "ok"
