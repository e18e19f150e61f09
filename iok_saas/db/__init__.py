"""The database handle, the declarative base with a stable naming convention, common mixins."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, TypeDecorator, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from iok_saas.db.session import (
    PLATFORM_BIND,
    TenantSession,
    platform_mode,
    reset_platform_mode,
    set_platform_mode,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraint names Alembic can rely on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"class_": TenantSession})


def utcnow() -> datetime:
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL keeps the zone; SQLite (the embedded default) hands back naive values, which
    cannot be compared with ``utcnow()``: they are read back as UTC here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Timestamped:
    """Creation and update times, kept by the database session."""

    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


class PlatformRoleError(RuntimeError):
    """The platform role is bound by row-level security: it would see no cooperative's rows."""


_checked_engines: set[int] = set()


def _check_platform_engine(engine: Engine) -> None:
    """Once per engine: on PostgreSQL the platform role must bypass row-level security
    (``BYPASSRLS`` or a superuser), or platform work would silently find nothing."""
    if id(engine) in _checked_engines or engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        role, bypasses = connection.execute(text(
            "SELECT rolname, rolbypassrls OR rolsuper FROM pg_roles "
            "WHERE rolname = current_user")).one()
    if not bypasses:
        raise PlatformRoleError(
            f"The platform database role {role!r} is bound by row-level security. Set "
            "IOK_PLATFORM_DATABASE_URL (or IOK_MIGRATION_DATABASE_URL) to a role created "
            "with BYPASSRLS (docs/operations.md, \"Database roles\").")
    _checked_engines.add(id(engine))


TenantSession.platform_check = staticmethod(_check_platform_engine)


@contextmanager
def platform_work() -> Iterator[None]:
    """Run a block as the platform role (work across cooperatives: relay, recovery, the
    scheduler, operator commands) in transactions of its own: the session must have none
    open when the block starts, and what the block leaves uncommitted is rolled back."""
    if platform_mode():
        yield
        return
    if db.session().in_transaction():
        raise RuntimeError("Commit or roll back before platform work begins.")
    token = set_platform_mode(True)
    try:
        yield
    finally:
        db.session.remove()
        reset_platform_mode(token)


def platform_url(config: dict) -> str | None:
    """The platform role's URL: ``IOK_PLATFORM_DATABASE_URL``, else the migration owner's."""
    return config.get("PLATFORM_DATABASE_URI") or config.get("MIGRATION_DATABASE_URI")


def init_app(app: Flask) -> None:
    """Bind the database and migrations (``create_app`` has imported every model first)."""
    from iok_saas.db import sealed
    from iok_saas.extensions import migrate

    sealed.init_app(app)

    if app.config.get("DATABASE_TRANSACTION_POOLING"):  # PgBouncer, transaction mode
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    platform = platform_url(app.config)
    if platform and platform != app.config.get("SQLALCHEMY_DATABASE_URI"):
        # The same engine options as the app's (Flask-SQLAlchemy gives a bind named by URL
        # alone none of them: the prepared statements would be back behind PgBouncer).
        app.config["SQLALCHEMY_BINDS"] = {
            **app.config.get("SQLALCHEMY_BINDS", {}),
            PLATFORM_BIND: {"url": platform, **(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})}}
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite enforces foreign keys only when asked, per connection; and the driver's own
    transaction handling is switched off (see ``_sqlite_begin``)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """SQLite: begin the transaction ourselves. Python's driver otherwise starts it lazily at
    the first write, so a SAVEPOINT before any write became the outermost transaction and its
    release committed everything (SQLAlchemy's documented recipe for pysqlite)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
