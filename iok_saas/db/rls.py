"""PostgreSQL row-level security: the second wall behind the ORM tenant filter.

This module and its siblings in ``iok_saas/db/`` are the only places with raw SQL.
Every tenant-owned table gets a policy that shows a row only when its ``tenant_id``
equals the transaction's ``app.tenant_id`` setting; the ORM layer sets it per transaction.
Tables are FORCEd, so even their owner is bound (superusers never are: the app must
connect as an ordinary role).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import ORMExecuteState, Session

from iok_saas.db.session import RLS_TENANT

POLICY = "tenant_isolation"
_RULE = (
    "current_setting('app.all_tenants', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer"
)


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


def run_for_all_tenants(state: ORMExecuteState) -> Any:
    """Run one statement across all cooperatives (the ALL_TENANTS opt-out) and close the gap."""
    if not _is_postgres(state.session):
        return None
    conn = state.session.connection()
    conn.execute(text("SELECT set_config('app.all_tenants', 'on', true)"))
    # On failure the transaction is aborted and its rollback resets the setting; trying to
    # reset it here would only hide the original error.
    result = state.invoke_statement()
    if state.is_select:  # fetch every row while the setting is on
        result = result.freeze()()
    conn.execute(text("SELECT set_config('app.all_tenants', 'off', true)"))
    return result


def enable(op: Any, table: str) -> None:
    """Migration helper: turn on row-level security for a tenant-owned table."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY {POLICY} ON "{table}" USING ({_RULE}) WITH CHECK ({_RULE})')


def disable(op: Any, table: str) -> None:
    """Migration helper: the reverse of ``enable``."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


def grant_app_role(connection: Any, role: str) -> None:
    """Give the application's (non-owner) role the data rights it needs, nothing more."""
    if connection.dialect.name != "postgresql":
        return
    quoted = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
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
