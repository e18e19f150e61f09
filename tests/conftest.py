"""Test harness: a fresh PostgreSQL database and a clean Redis database per run, for real.

The app connects as an ordinary (non-owner, non-superuser) role, so PostgreSQL row-level
security is in force exactly as in production; work across cooperatives connects as the
platform role (``BYPASSRLS``, not a superuser) and migrations as the owner, as README says.
If PostgreSQL or Redis cannot be reached the run stops with a message saying which: nothing
is silently skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from flask import Flask

from iok_saas import create_app
from iok_saas.db import db, platform_work
from iok_saas.db.session import reset_platform_mode, set_platform_mode
from iok_saas.tenancy import services as tenant_services
from tests.helpers import (
    APP_ROLE,
    ARTIFACTS,
    DB_NAME,
    PG_ADMIN,
    PG_HOST,
    PG_PORT,
    PLATFORM_ROLE,
    POOLER,
    REDIS_URL,
    ROOT,
    TenantClient,
    TenantRef,
    app_settings,
    client_for,
    pg_url,
    tenant_ref,
    wipe_tenant_rows,
)


def _admin_sql(*statements: str) -> None:
    with psycopg.connect(pg_url(PG_ADMIN, "postgres", "postgresql"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _require_services() -> None:
    try:
        _admin_sql("SELECT 1")
    except psycopg.OperationalError as exc:
        pytest.exit(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}: {exc}", returncode=3)
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis is not reachable at {REDIS_URL}: {exc}", returncode=3)



@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    """Create this run's database, the app's ordinary role and the platform role; drop the
    database at the end."""
    _require_services()
    _admin_sql(
        *(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
          f"THEN CREATE ROLE {role} LOGIN NOSUPERUSER {bypass}; END IF; END $$"
          for role, bypass in ((APP_ROLE, "NOBYPASSRLS"), (PLATFORM_ROLE, "BYPASSRLS"))),
        f"CREATE DATABASE {DB_NAME}",
        # A test run's database need not survive a crash: commits do not wait for the disk.
        f"ALTER DATABASE {DB_NAME} SET synchronous_commit = off",
    )
    redis.Redis.from_url(REDIS_URL).flushdb()
    # The app and the platform role reach it through PgBouncer (transaction pooling), as a
    # large deployment does; IOK_TEST_PGBOUNCER=0 connects them directly.
    pooler = None
    if os.environ.get("IOK_TEST_PGBOUNCER", "1") != "0":
        from tests.fixtures.pgbouncer import PgBouncer

        pooler = PgBouncer(PG_HOST, PG_PORT, (APP_ROLE, PLATFORM_ROLE))
        pooler.start()
        POOLER["port"] = pooler.port
    yield DB_NAME
    from tests.fixtures.mail import kill_leftover_workers

    kill_leftover_workers()
    if pooler is not None:
        POOLER.clear()
        pooler.stop()
    _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


@pytest.fixture(scope="session")
def app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on PostgreSQL and Redis, migrated from empty, with both reference cooperatives."""
    from flask_migrate import upgrade

    application = create_app(app_settings(tmp_path_factory.mktemp("instance")))
    with application.app_context():
        upgrade()
        with platform_work():
            tenant_services.sync_dir(ROOT / "tenants")
            db.session.commit()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for a test; tenant-owned rows and this run's Redis are wiped afterwards."""
    with app.app_context():
        yield app
        db.session.remove()
    from tests.fixtures.mail import kill_leftover_workers

    kill_leftover_workers()  # a worker outliving its test would relay every later test's mail
    wipe_tenant_rows()
    redis.Redis.from_url(REDIS_URL).flushdb()  # queues, rate limits, cache generations


@pytest.fixture
def platform(ctx: Flask) -> Iterator[None]:
    """The test works as the platform role, as the scheduler and operator commands do."""
    db.session.remove()
    token = set_platform_mode(True)
    yield
    db.session.remove()
    reset_platform_mode(token)


@pytest.fixture
def zw(ctx: Flask) -> TenantRef:
    """Zielone Wzgórza, as loaded from tenants/zielone-wzgorza.toml."""
    return tenant_ref("zielone-wzgorza")


@pytest.fixture
def baltyk(ctx: Flask) -> TenantRef:
    """Bałtyk, as loaded from tenants/baltyk.toml."""
    return tenant_ref("baltyk")


@pytest.fixture
def zw_client(app: Flask, ctx: Flask) -> TenantClient:
    """A browser on zielone-wzgorza.localhost."""
    return client_for(app, "zielone-wzgorza.localhost")


@pytest.fixture
def baltyk_client(app: Flask, ctx: Flask) -> TenantClient:
    """A browser on baltyk.localhost."""
    return client_for(app, "baltyk.localhost")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests save screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free port."""
    from tests.fixtures.mail import SmtpServer

    with SmtpServer() as server:
        yield server


@pytest.fixture
def make_app(tmp_path, ctx, smtp):
    """An app on this run's database with its own queue, sending to the test SMTP server."""

    def build(**overrides):
        settings = {
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "SMTP_TIMEOUT": 10,
            "RQ_QUEUE": f"iok-test-{uuid.uuid4().hex[:8]}", "JOB_RETRY_INTERVALS": [0, 0],
            "JOB_TIMEOUT": 30, "OUTBOX_STALE_SECONDS": 600, **overrides,
        }
        return create_app(app_settings(tmp_path, **settings))

    return build


@pytest.fixture(params=["sqlite", "postgresql"])
def app_on_empty_database(request, tmp_path) -> Iterator[Flask]:
    """An app on a database of its own, empty (a SQLite file, or a new PostgreSQL database
    the owner works on), for migrations tested step by step on data the older code made."""
    from tests.helpers import DB_NAME, app_settings

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'iok.sqlite3'}"
    else:
        name = f"{DB_NAME}_empty_{uuid.uuid4().hex[:6]}"
        _admin_sql(f"CREATE DATABASE {name}")
        url = pg_url(PG_ADMIN, name)
    yield create_app(app_settings(
        tmp_path, SQLALCHEMY_DATABASE_URI=url, MIGRATION_DATABASE_URI=None,
        PLATFORM_DATABASE_URI=None, DATABASE_APP_ROLE=None, DATABASE_TRANSACTION_POOLING=False))
    if request.param == "postgresql":
        _admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Nu HTML check of the pages the browser tests loaded (tests/test_browser.py) runs
    after every browser test of every module."""
    check = "test_every_page_the_browser_tests_load_is_valid_html"
    last = [item for item in items if getattr(item, "originalname", "") == check]
    items[:] = [item for item in items if item not in last] + last
