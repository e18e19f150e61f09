"""Whether the database carries the schema this code's migrations make (Alembic's head).

Asked once by each operator command (``iok_saas.cli``), never by a web request: a database that
is empty or behind gets one clear sentence instead of a traceback half-way through a command.
"""

from __future__ import annotations

from functools import lru_cache

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text

from iok_saas.db import MIGRATIONS_DIR, db
from iok_saas.db.session import PLATFORM_BIND

VERSION_TABLE = "alembic_version"  # Alembic's default (migrations/env.py keeps it)


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS_DIR))


def _database_revisions() -> set[str]:
    """The revisions recorded in the database, read as the platform role (it may read every
    table; the web app's role may not read ``alembic_version``)."""
    engine = db.engines.get(PLATFORM_BIND, db.engine)
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return set()
        return set(connection.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))


def schema_behind() -> str | None:
    """Why the database needs ``iok db upgrade``, or None when it is at this code's head (or
    at a revision this code does not know: a newer release migrated it, upgrading will not
    help)."""
    current, heads = _database_revisions(), set(_scripts().get_heads())
    if current == heads:
        return None
    if not current:
        return "The database has no IOK schema yet: run `iok db upgrade` first."
    try:
        for revision in current:
            _scripts().get_revision(revision)
    except CommandError:
        return None
    return (f"The database is at revision {', '.join(sorted(current))}, this version of IOK "
            f"needs {', '.join(sorted(heads))}: run `iok db upgrade` first.")
