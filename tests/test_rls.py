"""PostgreSQL row-level security: the second wall, in force for the app's ordinary role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from iok_saas.db import db, rls
from iok_saas.tenancy.services import scoped_models
from tests.factories import make_household
from tests.helpers import APP_ROLE, DB_NAME, pg_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_engine():
    """A raw connection pool as the app's role (no ORM, no listeners)."""
    engine = create_engine(pg_url(APP_ROLE, DB_NAME))
    yield engine
    engine.dispose()


def test_every_tenant_table_has_a_forced_policy(ctx):
    tables = [m.local_table.name for m in scoped_models()]
    with db.engine.connect() as conn:
        assert rls.tables_without_policy(conn, tables) == []


def test_app_role_sees_nothing_without_a_tenant(zw, baltyk, app_engine):
    make_household(zw), make_household(baltyk)
    with app_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM user_account")).scalar() == 0


def test_app_role_sees_only_the_tenant_it_set(zw, baltyk, app_engine):
    zw_home, _ = make_household(zw), make_household(baltyk)
    with app_engine.begin() as conn:
        conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(zw.id)})
        ids = conn.execute(text("SELECT id FROM user_account")).scalars().all()
    assert ids == [zw_home.user_id]


def test_app_role_cannot_write_a_row_of_another_tenant(zw, baltyk, app_engine):
    with app_engine.begin() as conn:
        conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(zw.id)})
        with pytest.raises(Exception, match="row-level security"):
            conn.execute(text(
                "INSERT INTO building (tenant_id, estate, street, number, postal_code, city, "
                "created_at, updated_at) "
                "VALUES (:b, '', 'ul. Obca', '1', '00-001', 'X', now(), now())"
            ), {"b": baltyk.id})


# The only modules that may read or change rows of every cooperative at once, each for a
# platform job: the outbox relay and its status, the import recovery. Anything else loops over
# cooperatives with tenant_context (periodic jobs, iok tenants show).
ALL_TENANTS_ALLOWED = {
    "iok_saas/tenancy/context.py",  # defines it
    "iok_saas/tenancy/scoping.py",  # honours it
    "iok_saas/tenancy/__init__.py",  # exports it
    "iok_saas/db/rls.py",  # opens row-level security for it
    "iok_saas/mail/outbox.py",
    "iok_saas/imports/queue.py",
}


def test_only_the_named_modules_work_across_cooperatives():
    users = {str(path.relative_to(ROOT)) for path in (ROOT / "iok_saas").rglob("*.py")
             if re.search(r"ALL_TENANTS|iok_all_tenants", path.read_text(encoding="utf-8"))}
    assert users <= ALL_TENANTS_ALLOWED, sorted(users - ALL_TENANTS_ALLOWED)


def test_raw_sql_lives_only_in_the_reviewed_module():
    offenders = []
    for path in (ROOT / "iok_saas").rglob("*.py"):
        if path.parent.name == "db" or "iok_saas/db/" in path.as_posix():
            continue
        if re.search(r"\btext\(|exec_driver_sql\(", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
