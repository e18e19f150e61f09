"""PostgreSQL row-level security: the second wall behind the ORM tenant filter.

This module and its siblings in ``iok_saas/db/`` are the only places with raw SQL.
Every tenant-owned table gets a policy that shows a row only when its ``tenant_id``
equals the transaction's ``app.tenant_id`` setting; the ORM layer sets it per transaction.
There is no other branch: no setting opens every cooperative to the app's role. Tables are
FORCEd, so even their owner is bound; only a role with ``BYPASSRLS`` (the platform role) or a
superuser reads across cooperatives. The app's role reads ``tenant`` and ``tenant_domain``
(the host resolver needs them) and cannot change them, nor any other platform table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from iok_saas.db.immutable import protected_tables
from iok_saas.db.session import RLS_TENANT

POLICY = "tenant_isolation"
_RULE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer"
# Platform tables the app's role may read (resolving a host); it writes none of them.
APP_READS = ("tenant", "tenant_domain")


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def sync_tenant(session: Session, tenant_id: int) -> None:
    """Tell PostgreSQL which cooperative this transaction serves (once per transaction)."""
    if session.info.get(RLS_TENANT) == tenant_id and session.in_transaction():
        return
    connection = session.connection()  # begins the transaction first, if none is open
    if _is_postgres(session):
        connection.execute(
            text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)}
        )
    session.info[RLS_TENANT] = tenant_id


def forget(session: Session) -> None:
    """A new transaction: PostgreSQL no longer knows the cooperative."""
    session.info.pop(RLS_TENANT, None)


def enable(op: Any, table: str) -> None:
    """Migration helper: turn on row-level security for a tenant-owned table."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY {POLICY} ON "{table}" USING ({_RULE}) WITH CHECK ({_RULE})')


def rewrite_policies(op: Any, rule: str | None = None) -> list[str]:
    """Migration helper: give every table with the policy the rule of this version (or
    ``rule``, for a downgrade); the tables rewritten."""
    if op.get_bind().dialect.name != "postgresql":
        return []
    rule = rule or _RULE
    tables = _policed_tables(op.get_bind())
    for table in tables:
        op.execute(f'ALTER POLICY {POLICY} ON "{table}" USING ({rule}) WITH CHECK ({rule})')
    return tables


def disable(op: Any, table: str) -> None:
    """Migration helper: the reverse of ``enable``."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


def _policed_tables(connection: Any) -> list[str]:
    return list(connection.execute(text(
        "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() "
        "AND policyname = :policy ORDER BY tablename"), {"policy": POLICY}).scalars())


def grant_app_role(connection: Any, role: str) -> None:
    """Give the web app's (non-owner) role the data rights it needs, nothing more: rows of
    the tenant-owned tables (row-level security decides which), reading ``APP_READS``."""
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer.quote
    role = quote(role)
    proof = set(protected_tables(connection))  # insert-only: never changed, never deleted
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        *(f"GRANT SELECT ON {quote(table)} TO {role}" for table in APP_READS),
        *(f"GRANT SELECT, INSERT{'' if table in proof else ', UPDATE, DELETE'} ON "
          f"{quote(table)} TO {role}" for table in _policed_tables(connection)),
    ]
    for statement in statements:
        connection.execute(text(statement))


def grant_platform_role(connection: Any, role: str) -> None:
    """Give the platform role (relay, recovery, scheduler, operator commands) the data rights
    on every table; it must have been created with ``BYPASSRLS`` to see across cooperatives."""
    if connection.dialect.name != "postgresql":
        return
    role = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ):
        connection.execute(text(statement))


def tables_without_policy(connection: Any, tables: list[str]) -> list[str]:
    """The tenant-owned tables that lack a forced row-level security policy."""
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE c.relrowsecurity AND c.relforcerowsecurity AND p.polname = :policy"
        ),
        {"policy": POLICY},
    )
    protected = {row[0] for row in rows}
    return sorted(set(tables) - protected)
