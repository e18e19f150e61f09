"""Test harness: a fresh PostgreSQL database and a clean Redis database per run, for real.

The app connects as an ordinary (non-owner, non-superuser) role, so PostgreSQL row-level
security is in force exactly as in production. If PostgreSQL or Redis cannot be reached
the run stops with a message saying which: nothing is silently skipped.
"""

from __future__ import annotations

import contextvars
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from iok_saas import create_app
from iok_saas.db import db
from iok_saas.tenancy import services as tenant_services
from iok_saas.tenancy.context import tenant_context

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("IOK_TEST_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("IOK_TEST_PG_PORT", "5432")
PG_ADMIN = os.environ.get("IOK_TEST_PG_ADMIN", "postgres")
REDIS_URL = os.environ.get("IOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
APP_ROLE = "iok_app_test"
RUN_ID = uuid.uuid4().hex[:8]
DB_NAME = f"iok_test_{RUN_ID}"
ARTIFACTS = ROOT / "test-artifacts"


def pg_url(user: str, database: str, driver: str = "postgresql+psycopg") -> str:
    """A connection URL for the local PostgreSQL (trust authentication)."""
    return f"{driver}://{user}@{PG_HOST}:{PG_PORT}/{database}"


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


def app_settings(instance: Path, **overrides) -> dict:
    """Settings for an app on this run's database and Redis."""
    return {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SECRET_KEY": "testing-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": pg_url(APP_ROLE, DB_NAME),
        "MIGRATION_DATABASE_URI": pg_url(PG_ADMIN, DB_NAME),
        "DATABASE_APP_ROLE": APP_ROLE,
        "REDIS_URL": REDIS_URL,
        "RQ_QUEUE": f"iok-test-{RUN_ID}",
        "INSTANCE_PATH": instance,
        "BASE_DOMAIN": "localhost",
        "PUBLIC_PORT": None,
        "PREFERRED_URL_SCHEME": "http",
        "CUSTOM_DOMAINS_CANONICAL": False,
        "TENANTS_DIR": ROOT / "tenants",
        # Limits stay on (in Redis) but high; the rate-limit tests lower them.
        "LOGIN_LIMIT_PER_IP": "10000 per minute",
        "LOGIN_LIMIT_PER_TENANT_IP": "10000 per minute",
        "APPLICATION_LIMIT_PER_TENANT_IP": "10000 per minute",
        **overrides,
    }


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    """Create this run's database and the app's ordinary role; drop the database at the end."""
    _require_services()
    _admin_sql(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') "
        f"THEN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$",
        f"CREATE DATABASE {DB_NAME}",
    )
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield DB_NAME
    _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


@pytest.fixture(scope="session")
def app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on PostgreSQL and Redis, migrated from empty, with both reference cooperatives."""
    from flask_migrate import upgrade

    application = create_app(app_settings(tmp_path_factory.mktemp("instance")))
    with application.app_context():
        upgrade()
        tenant_services.sync_dir(ROOT / "tenants")
        db.session.commit()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for a test; tenant-owned rows and this run's Redis are wiped afterwards."""
    with app.app_context():
        yield app
        db.session.remove()
    wipe_tenant_rows()
    redis.Redis.from_url(REDIS_URL).flushdb()  # queues, rate limits, cache generations


def wipe_tenant_rows() -> None:
    """Empty every tenant-owned table (as the owner: row-level security does not apply)."""
    from iok_saas.tenancy.services import scoped_models

    tables = ", ".join(f'"{m.local_table.name}"' for m in scoped_models())
    engine = create_engine(pg_url(PG_ADMIN, DB_NAME))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@dataclass(frozen=True)
class TenantRef:
    """A cooperative's id and slug: usable after any session has closed."""

    id: int
    slug: str


def tenant_ref(slug: str) -> TenantRef:
    """Look a cooperative up by slug."""
    tenant = tenant_services.get_tenant(slug)
    return TenantRef(tenant.id, tenant.slug)


@pytest.fixture
def zw(ctx: Flask) -> TenantRef:
    """Zielone Wzgórza, as loaded from tenants/zielone-wzgorza.toml."""
    return tenant_ref("zielone-wzgorza")


@pytest.fixture
def baltyk(ctx: Flask) -> TenantRef:
    """Bałtyk, as loaded from tenants/baltyk.toml."""
    return tenant_ref("baltyk")


@contextmanager
def in_tenant(tenant: TenantRef) -> Iterator[None]:
    """Work as one cooperative in a fresh session, committed at the end."""
    tenant_id = tenant.id
    db.session.remove()
    with tenant_context(tenant_id):
        yield
        db.session.commit()
    db.session.remove()


class TenantClient(FlaskClient):
    """A test client whose requests go to one host (the cooperative's address)."""

    def __init__(self, *args, host: str = "localhost", **kwargs):
        super().__init__(*args, **kwargs)
        self.host = host

    def open(self, *args, **kwargs):
        """Send the request as a server would: in a fresh context, with no app context,
        tenant or ``g`` inherited from the test that sends it."""
        kwargs.setdefault("base_url", f"http://{self.host}")
        return contextvars.Context().run(super().open, *args, **kwargs)

    def session_transaction(self, *args, **kwargs):
        """Edit this host's session cookie (e.g. to make a session look idle)."""
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().session_transaction(*args, **kwargs)

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the form on ``path``."""
        page = self.get(path, follow_redirects=True).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf_token" value="([^"]+)"', page
        )
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, identifier: str, password: str):
        """Sign in through the real form (CSRF included)."""
        token = self.csrf_token("/logowanie")
        return self.post("/logowanie", data={
            "csrf_token": token, "identifier": identifier, "password": password,
        })


def run_cli(app: Flask, *args: str, input: str | None = None):
    """Run an ``iok`` command against ``app`` as a fresh process would (no inherited context)."""
    runner = app.test_cli_runner()
    return contextvars.Context().run(runner.invoke, args=list(args), input=input)


def client_for(app: Flask, host: str) -> TenantClient:
    """A client bound to ``host``."""
    return TenantClient(app, app.response_class, use_cookies=True, host=host)


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


def queries_for(client, path: str) -> int:
    """How many SQL statements one GET of ``path`` runs (it must answer 200)."""
    from sqlalchemy import event

    engine = db.engine
    count = []
    listener = lambda *args: count.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(count)
