"""What every benchmark needs: a fresh PostgreSQL database, the app on it, some data.

Like the test suite, the app connects as an ordinary role, so row-level security is in force;
the database is dropped at the end. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import base64
import hashlib
import os
import platform
import re
import secrets
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("IOK_BENCH_PG", "127.0.0.1:5432")
ADMIN, ROLE = "postgres", "iok_app_bench"
# The CSRF token of a form on a page (group 1), for benchmarks that post forms.
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SLUG = "baltyk"


def signed_in_devices(database_name: str, people: list[tuple[int, int]]) -> dict[int, str]:
    """A signed-in device for each (cooperative id, user id), as a sign-in writes it: the token
    each person's session cookie carries (``sid``), by user id; one device a person, however
    often they are listed (a resident with two meters)."""
    people = list(dict.fromkeys(people))
    tokens = {user_id: secrets.token_urlsafe(32) for _tenant, user_id in people}
    with psycopg.connect(url(ADMIN, database_name, "postgresql")) as conn:
        conn.cursor().executemany(
            "INSERT INTO user_session (tenant_id, user_id, token_hash, device, ip, created_at, "
            "last_seen_at) VALUES (%s, %s, %s, 'bench', '127.0.0.1', now(), now())",
            [(tenant, user_id, hashlib.sha256(tokens[user_id].encode()).hexdigest())
             for tenant, user_id in people])
    return tokens


def production_env(database: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment of the app served as in production (``IOK_ENV=production``, its secrets
    made up for the benchmark, the app's ordinary role on ``database``), with ``settings`` (the
    ``IOK_`` names without the prefix) on top; nothing of the caller's own ``IOK_`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOK_")}
    env.update({
        "IOK_ENV": "production", "IOK_SECRET_KEY": "bench-only-" + "x" * 40,
        "IOK_DATA_KEYS": base64.urlsafe_b64encode(hashlib.sha256(b"bench-only").digest()).decode(),
        "IOK_DATABASE_URL": url(ROLE, database), "IOK_INSTANCE_PATH": str(instance),
        "IOK_BASE_DOMAIN": "localhost", "IOK_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
    })
    env.update({f"IOK_{name}": value for name, value in settings.items()})
    return env


def url(user: str, database: str, driver: str = "postgresql+psycopg") -> str:
    """A local PostgreSQL URL (trust authentication)."""
    return f"{driver}://{user}@{PG}/{database}"


class Database:
    """A throw-away database with both reference cooperatives; ``with Database() as d``."""

    def __init__(self, keep: str | None = None, **overrides: Any) -> None:
        self.overrides = overrides  # app settings for this benchmark (Redis, SMTP…)
        self.name = keep or f"iok_bench_{uuid.uuid4().hex[:8]}"
        self.keep = keep is not None  # a named database outlives the run (and is reused)
        self.reused = False
        self.tenant_id = 0
        self._app: Flask | None = None
        self._instance = tempfile.TemporaryDirectory()

    def _admin(self, sql: str, database: str = "postgres") -> None:
        with psycopg.connect(url(ADMIN, database, "postgresql"), autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> Database:
        self._admin(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') "
                    f"THEN CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$")
        if self.keep and self._exists():
            self.reused = True
            from flask_migrate import upgrade

            from iok_saas.tenancy import services

            with self.app().app_context():
                upgrade()  # the schema of this checkout (a new index, say)
                self.tenant_id = services.get_tenant(SLUG).id
            return self
        self._admin(f"CREATE DATABASE {self.name}")
        from flask_migrate import upgrade

        from iok_saas.db import db, platform_work
        from iok_saas.tenancy import services

        with self.app().app_context():
            upgrade()
            with platform_work():  # as the operator: the owner here
                services.sync_dir(ROOT / "tenants")
                db.session.commit()
            self.tenant_id = services.get_tenant(SLUG).id
            db.session.remove()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._app is not None:
            from iok_saas.db import db

            with self._app.app_context():
                db.engine.dispose()
        if not self.keep:
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self._instance.cleanup()

    def _exists(self) -> bool:
        with psycopg.connect(url(ADMIN, "postgres", "postgresql")) as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                (self.name,)).fetchone() is not None

    @property
    def instance(self) -> Path:
        """This database's instance folder (uploads, the outbox's files)."""
        return Path(self._instance.name)

    def app(self) -> Flask:
        """The app on this database (no Redis: jobs run in-process)."""
        if self._app is None:
            from iok_saas import create_app

            self._app = create_app({
                "TESTING": True, "ENV_NAME": "testing", "SECRET_KEY": "bench-only",
                "SQLALCHEMY_DATABASE_URI": url(ROLE, self.name),
                "MIGRATION_DATABASE_URI": url(ADMIN, self.name), "DATABASE_APP_ROLE": ROLE,
                "REDIS_URL": None, "INSTANCE_PATH": Path(self._instance.name),
                "BASE_DOMAIN": "localhost", "PUBLIC_PORT": None, "PREFERRED_URL_SCHEME": "http",
                "CUSTOM_DOMAINS_CANONICAL": False, "TENANTS_DIR": ROOT / "tenants",
                "WTF_CSRF_ENABLED": True, "IMPORT_MAX_MB": 4096,
                "LOGIN_LIMIT_PER_IP": "100000 per minute",
                "LOGIN_LIMIT_PER_TENANT_IP": "100000 per minute", **self.overrides,
            })
        return self._app

    def make_accounts(self, count: int) -> list[tuple[str, int]]:
        """``count`` units in one building, each with a fees account: [(external id, id)…]."""
        from iok_saas.db import db
        from iok_saas.estate.models import Building, Unit
        from iok_saas.finance.models import Account
        from iok_saas.tenancy import tenant_context

        with self.app().app_context(), tenant_context(self.tenant_id):
            building = Building(street="ul. Benchmarkowa", number="1", postal_code="80-001",
                                city="Gdańsk", external_id="B-BENCH")
            db.session.add(building)
            db.session.flush()
            units = [Unit(building_id=building.id, number=str(n + 1), external_id=f"L{n}")
                     for n in range(count)]
            db.session.add_all(units)
            db.session.flush()
            accounts = [Account(unit_id=unit.id, external_id=f"K{n}", name="Opłaty")
                        for n, unit in enumerate(units)]
            db.session.add_all(accounts)
            db.session.commit()
            result = [(a.external_id, a.id) for a in accounts]
            db.session.remove()
        return result

    def copy_reference(self, raw: Path) -> float:
        """Seconds PostgreSQL's own ``COPY`` takes to load ``raw`` into a twin of ledger_entry."""
        with psycopg.connect(url(ADMIN, self.name, "postgresql")) as conn:
            conn.execute("CREATE TABLE bench_copy (LIKE ledger_entry INCLUDING ALL)")
            # The same constraints as the real table: both foreign keys (indexes come with LIKE).
            conn.execute("ALTER TABLE bench_copy ADD FOREIGN KEY (tenant_id, account_id) "
                         "REFERENCES finance_account (tenant_id, id)")
            conn.execute("ALTER TABLE bench_copy ADD FOREIGN KEY (tenant_id) "
                         "REFERENCES tenant (id)")
            conn.execute(f"ALTER TABLE bench_copy ALTER tenant_id SET DEFAULT {self.tenant_id}, "
                         "ALTER created_at SET DEFAULT now(), ALTER updated_at SET DEFAULT now()")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cursor, cursor.copy(
                    "COPY bench_copy (external_id, account_id, booked_on, due_on, period, "
                    "document_no, component, description, charge, payment) FROM STDIN "
                    "WITH (FORMAT csv)") as copy, raw.open("rb") as source:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            conn.commit()
            return time.perf_counter() - started


def machine() -> str:
    """``2026-11-21 · CPython 3.11.7 · 2 CPUs``: the first words of a result's heading."""
    return (f"{date.today().isoformat()} · {platform.python_implementation()} "
            f"{platform.python_version()} · {os.cpu_count()} CPUs")


def markdown_table(heads: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A Markdown table's lines: the first column left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in (heads, *rows)) for i in range(len(heads))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))
                                 ) + " |"

    rule = "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":"
                          for i, w in enumerate(widths)) + "|"
    return [line(heads), rule, *(line(r) for r in rows)]
