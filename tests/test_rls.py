"""PostgreSQL row-level security: the second wall, in force for the app's ordinary role."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from iok_saas.db import db, rls
from iok_saas.tenancy.services import scoped_models
from tests.factories import (
    make_activation_code,
    make_announcement,
    make_data_export,
    make_document,
    make_fault,
    make_household,
    make_import_run,
    make_second_factor,
    make_session,
    make_unit_document,
)
from tests.helpers import (
    APP_ROLE,
    DB_NAME,
    PG_ADMIN,
    PG_HOST,
    PG_PORT,
    PLATFORM_ROLE,
    POOLER,
    app_db_url,
    app_settings,
    as_platform,
    pg_url,
    wipe_tenant_rows,
)
from tests.meeting_data import make_meeting_rows

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_engine():
    """A raw connection pool as the app's role (no ORM, no listeners), through this run's
    PgBouncer like the app."""
    engine = create_engine(app_db_url(APP_ROLE), connect_args=NO_PREPARE if POOLER else {})
    yield engine
    engine.dispose()


NO_PREPARE = {"prepare_threshold": None}


def test_a_shared_server_connection_never_carries_one_cooperatives_setting_to_another(
        zw, baltyk):
    """PgBouncer in transaction mode with one server connection: two app connections take
    turns on it. What one transaction set for its cooperative is gone for the next, whoever
    runs it; without a setting, nothing is visible."""
    from tests.fixtures.pgbouncer import PgBouncer

    zw_home, baltyk_home = make_household(zw), make_household(baltyk)
    pooler = PgBouncer(PG_HOST, PG_PORT, (APP_ROLE,), pool_size=1)
    pooler.start()
    try:
        engine = create_engine(pooler.url(APP_ROLE, DB_NAME), connect_args=NO_PREPARE,
                               pool_size=2, max_overflow=0)
        first, second = engine.connect(), engine.connect()
        backends, seen = set(), []
        for _ in range(3):
            for conn, tenant in ((first, zw), (second, baltyk)):
                with conn.begin():
                    conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                                 {"t": str(tenant.id)})
                    seen.append(conn.execute(text("SELECT id FROM user_account")).scalars()
                                .all())
                    backends.add(conn.execute(text("SELECT pg_backend_pid()")).scalar())
                with conn.begin():  # the next transaction, same app connection, no setting
                    assert conn.execute(text(
                        "SELECT coalesce(current_setting('app.tenant_id', true), '')")
                    ).scalar() == ""
                    assert conn.execute(text("SELECT count(*) FROM user_account")).scalar() == 0
        first.close(), second.close()
        engine.dispose()
    finally:
        pooler.stop()
    assert len(backends) == 1  # one server connection served both cooperatives in turn
    assert seen == [[zw_home.user_id], [baltyk_home.user_id]] * 3


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
# platform job (as the platform role): the outbox relay and its status, the import recovery.
# Anything else loops over cooperatives with tenant_context (periodic jobs, iok tenants show).
ALL_TENANTS_ALLOWED = {
    "iok_saas/tenancy/context.py",  # defines it
    "iok_saas/tenancy/scoping.py",  # honours it
    "iok_saas/tenancy/__init__.py",  # exports it
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


# --- the database wall: no SQL the app's role can send opens another cooperative -----------------

ESCAPES = (  # what someone with the app's credentials might try first
    "SELECT set_config('app.all_tenants', 'on', false)",
    "SELECT set_config('app.tenant_id', '', false)",
    "SET row_security = on",
)


@pytest.fixture
def both_populated(ctx, zw, baltyk):
    """Both reference cooperatives with their whole demo data (every kind of row)."""
    from iok_saas.cli.demo import reset_demo_data

    with as_platform():
        reset_demo_data()
    for tenant in (zw, baltyk):  # what the demo leaves out: every other kind of row
        home = make_household(tenant, application=True)
        make_import_run(tenant)
        make_fault(tenant, home)
        make_announcement(tenant, home)
        make_meeting_rows(tenant, make_document(tenant, home)[0])
        make_unit_document(tenant, home)
        make_data_export(tenant, home)
        make_activation_code(tenant, home)
        make_session(tenant, home)
        make_second_factor(tenant, home)
    yield
    wipe_tenant_rows()


# Tables the fixture leaves with rows of one cooperative or none (the escapes still run on them).
SPARSE = {"announcement_estate", "audit_event", "meter_reading_correction", "meter_reading_photo",
          "outbox_message"}


def _tenant_tables() -> list[str]:
    return sorted(m.local_table.name for m in scoped_models())


def test_app_role_sees_only_the_set_cooperative_in_every_table_whatever_it_sets(
        both_populated, zw, baltyk, app_engine):
    tables = _tenant_tables()
    owner = create_engine(pg_url(PG_ADMIN, DB_NAME))  # a superuser: what is really there
    with owner.connect() as conn:
        filled = {t for t in tables if conn.execute(text(
            f'SELECT count(DISTINCT tenant_id) FROM "{t}"')).scalar() == 2}
    owner.dispose()
    # A new table joins this test by getting rows of both cooperatives in both_populated.
    assert set(tables) - filled <= SPARSE, sorted(set(tables) - filled - SPARSE)
    with app_engine.connect() as conn:
        for escape in ESCAPES:
            conn.execute(text(escape))
        for table in tables:  # nothing set: nothing at all
            assert conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == 0, table
        conn.commit()
        for tenant in (zw, baltyk):
            conn.execute(text("SELECT set_config('app.tenant_id', :t, false)"),
                         {"t": str(tenant.id)})
            conn.execute(text("SELECT set_config('app.all_tenants', 'on', false)"))
            for table in tables:
                seen = set(conn.execute(text(f'SELECT DISTINCT tenant_id FROM "{table}"'))
                           .scalars())
                assert seen <= {tenant.id}, table
                if table in filled:
                    assert seen == {tenant.id}, table


@pytest.mark.parametrize("statement", [
    "ALTER TABLE user_account DISABLE ROW LEVEL SECURITY",
    "DROP POLICY tenant_isolation ON user_account",
    "SET ROLE iok_platform_test",
    "SET SESSION AUTHORIZATION postgres",
    "UPDATE tenant_domain SET tenant_id = tenant_id",
    "INSERT INTO tenant_domain (tenant_id, host, is_custom) SELECT id, 'obca.pl', true FROM tenant",
    "UPDATE tenant SET status = 'active'",
    "DELETE FROM tenant",
    "SELECT count(*) FROM periodic_run",
    "SELECT count(*) FROM alembic_version",
])
def test_app_role_cannot_lift_the_wall_nor_move_a_cooperatives_address(ctx, app_engine,
                                                                       statement):
    with app_engine.connect() as conn, pytest.raises(Exception,
                                                     match=r"permission denied|must be owner"):
        conn.execute(text(statement))


def test_app_role_reads_the_addresses_the_host_resolver_needs(zw, app_engine):
    with app_engine.connect() as conn:
        slugs = set(conn.execute(text("SELECT slug FROM tenant")).scalars())
        assert {"zielone-wzgorza", "baltyk"} <= slugs
        conn.execute(text("SELECT count(*) FROM tenant_domain")).scalar()


def test_a_platform_role_bound_by_row_level_security_is_refused(ctx, tmp_path):
    from iok_saas import create_app
    from iok_saas.db import PlatformRoleError, platform_work
    from iok_saas.tenancy.models import Tenant

    wrong = create_app(app_settings(tmp_path, PLATFORM_DATABASE_URI=pg_url(APP_ROLE, DB_NAME)))
    with wrong.app_context(), platform_work(), pytest.raises(PlatformRoleError, match="BYPASSRLS"):
        db.session.execute(select(Tenant.id)).all()


def test_the_web_app_never_holds_the_platform_role(tmp_path):
    """gunicorn's app connects as the app's role only, whatever URLs its environment holds."""
    env = {**os.environ, "IOK_ENV": "testing", "IOK_INSTANCE_PATH": str(tmp_path),
           "IOK_DATABASE_URL": pg_url(APP_ROLE, DB_NAME),
           "IOK_PLATFORM_DATABASE_URL": pg_url(PLATFORM_ROLE, DB_NAME),
           "IOK_MIGRATION_DATABASE_URL": pg_url(PG_ADMIN, DB_NAME)}
    probe = ("import wsgi\nfrom iok_saas.db import db\n"
             "with wsgi.app.app_context():\n"
             "    print(sorted(str(k) for k in db.engines), db.engines[None].url.username)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    assert out.split() == ["['None']", APP_ROLE]


def test_behind_pgbouncer_neither_the_app_nor_the_platform_prepares_statements(ctx, tmp_path):
    """Transaction pooling: a statement prepared on one server connection is unknown on the
    next, so both engines must send none (the platform's bind too)."""
    from iok_saas import create_app

    pooled = create_app(app_settings(tmp_path, DATABASE_TRANSACTION_POOLING=True))
    with pooled.app_context():
        for engine in db.engines.values():
            with engine.connect() as conn:
                assert conn.connection.dbapi_connection.prepare_threshold is None, engine.url
            engine.dispose()
