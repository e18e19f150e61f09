"""Helpers the tests share: this run's database and Redis, clients on a cooperative's host,
working as one cooperative, counting queries, waiting for other processes. Fixtures stay in
conftest.py; data factories in factories.py."""

from __future__ import annotations

import contextvars
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from iok_saas.db import db, platform_work
from iok_saas.mail import outbox
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy import ALL_TENANTS, tenant_context
from iok_saas.tenancy import services as tenant_services

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("IOK_TEST_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("IOK_TEST_PG_PORT", "5432")
PG_ADMIN = os.environ.get("IOK_TEST_PG_ADMIN", "postgres")
REDIS_URL = os.environ.get("IOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
APP_ROLE = "iok_app_test"
PLATFORM_ROLE = "iok_platform_test"
RUN_ID = uuid.uuid4().hex[:8]
DB_NAME = f"iok_test_{RUN_ID}"
ARTIFACTS = ROOT / "test-artifacts"


def pg_url(user: str, database: str, driver: str = "postgresql+psycopg") -> str:
    """A connection URL for the local PostgreSQL (trust authentication)."""
    return f"{driver}://{user}@{PG_HOST}:{PG_PORT}/{database}"


# The port of this run's PgBouncer once it runs (conftest's ``database``): the app's and the
# platform role's connections go through it, migrations and the harness's own SQL do not.
POOLER: dict[str, int] = {}


def app_db_url(role: str) -> str:
    """How the app (or a worker) reaches this run's database as ``role``."""
    port = POOLER.get("port")
    return (f"postgresql+psycopg://{role}@127.0.0.1:{port}/{DB_NAME}" if port
            else pg_url(role, DB_NAME))


def app_settings(instance: Path, **overrides) -> dict:
    """Settings for an app on this run's database and Redis."""
    return {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SECRET_KEY": "testing-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": app_db_url(APP_ROLE),
        "MIGRATION_DATABASE_URI": pg_url(PG_ADMIN, DB_NAME),
        "PLATFORM_DATABASE_URI": app_db_url(PLATFORM_ROLE),
        "DATABASE_TRANSACTION_POOLING": bool(POOLER),
        "DATABASE_APP_ROLE": APP_ROLE,
        "REDIS_URL": REDIS_URL,
        "RQ_QUEUE": f"iok-test-{RUN_ID}",
        "INSTANCE_PATH": instance,
        "BASE_DOMAIN": "localhost",
        "PUBLIC_PORT": None,
        "PREFERRED_URL_SCHEME": "http",
        "CUSTOM_DOMAINS_CANONICAL": False,
        "TENANTS_DIR": ROOT / "tenants",
        # Tests change cooperatives from other processes (the CLI, workers) and look at once;
        # the one-second window is tested on its own (tests/test_request_cost.py).
        "TENANT_GENERATION_CHECK_SECONDS": 0.0,
        # Limits stay on (in Redis) but high; the rate-limit tests lower them.
        "LOGIN_LIMIT_PER_IP": "10000 per minute",
        "LOGIN_LIMIT_PER_TENANT_IP": "10000 per minute",
        "APPLICATION_LIMIT_PER_TENANT_IP": "10000 per minute",
        **overrides,
    }


@contextmanager
def as_platform() -> Iterator[None]:
    """A block of platform work (an operator's command, the relay), committed at the end;
    the test's own work is committed first."""
    db.session.commit()
    with platform_work():
        yield
        db.session.commit()


def across_cooperatives(stmt) -> list:
    """Rows of every cooperative, read as the platform role (the test's work is committed
    first: a transaction keeps the role it began with)."""
    with as_platform():
        return db.session.execute(stmt.execution_options(**{ALL_TENANTS: True})).all()


@dataclass(frozen=True)
class TenantRef:
    """A cooperative's id and slug: usable after any session has closed."""

    id: int
    slug: str


def tenant_ref(slug: str) -> TenantRef:
    """Look a cooperative up by slug."""
    tenant = tenant_services.get_tenant(slug)
    return TenantRef(tenant.id, tenant.slug)


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


def wipe_tenant_rows() -> None:
    """Empty every tenant-owned table (as the owner: row-level security does not apply)."""
    from iok_saas.tenancy.services import scoped_models

    tables = ", ".join(f'"{m.local_table.name}"' for m in scoped_models())
    engine = create_engine(pg_url(PG_ADMIN, DB_NAME))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


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


def poll(condition: Callable[[], bool], seconds: float = 20, every: float = 0.1) -> bool:
    """Whether ``condition()`` became true within ``seconds`` (checked every ``every``): for
    what another process does (a worker, a browser), never a fixed sleep."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


def queue_test_message(app, tenant, address="jan.kowalski@example.org", **kwargs) -> str:
    """Queue one message as a request would: change + outbox row, commit, hand over."""
    with app.app_context(), tenant_context(tenant.id):
        message_id = outbox.queue_message("test_message", address, {"note": "Próba"},
                                          **{"user_id": None, **kwargs}).id
        db.session.commit()
    return message_id


def outbox_row(app, tenant, message_id) -> OutboxMessage:
    """The outbox row as the database has it now."""
    with app.app_context(), tenant_context(tenant.id):
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def detached(tenant: TenantRef, stmt) -> list:
    """The rows a SELECT finds in the cooperative, detached from the session (to assert on
    outside its context)."""
    with tenant_context(tenant.id):
        rows = list(db.session.scalars(stmt))
        for row in rows:
            db.session.expunge(row)
    db.session.remove()
    return rows


def metric_samples(text: str) -> dict[tuple[str, tuple], float]:
    """A Prometheus page as {(sample name, sorted labels): value}."""
    from prometheus_client.parser import text_string_to_metric_families

    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}
