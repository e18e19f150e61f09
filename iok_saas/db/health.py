"""Database liveness for /healthz (raw SQL lives in iok_saas/db/ only)."""

from __future__ import annotations

from sqlalchemy import text

from iok_saas.db import db


def database_ok() -> tuple[bool, str]:
    """(True, dialect) when the database answers ``SELECT 1``; (False, reason) otherwise."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True, db.engine.dialect.name
    except Exception as exc:
        return False, type(exc).__name__
