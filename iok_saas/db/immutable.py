"""Tables whose rows, once written, are never changed: the proof of a document's delivery.

A trigger on each such table refuses every UPDATE, and every DELETE except while the whole
cooperative is removed by the operator (``release``: a row in the platform table
``immutable_release``, which the web app's role cannot write). On PostgreSQL the app's role
is, besides, given only SELECT and INSERT on them (``rls.grant_app_role``). Both PostgreSQL
and SQLite (the embedded demo) get the triggers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

TRIGGER = "iok_immutable"
RELEASE = "immutable_release"
MESSAGE = "rows of this table are proof: they cannot be changed or deleted"


def protect(op: Any, table: str) -> None:
    """Migration helper: make ``table`` (tenant-owned, with ``tenant_id``) insert-only."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION {TRIGGER}_refuse() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND EXISTS (
                        SELECT 1 FROM {RELEASE} WHERE tenant_id = OLD.tenant_id) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION '%: %', TG_TABLE_NAME, '{MESSAGE}'
                    USING ERRCODE = 'integrity_constraint_violation';
            END $$ LANGUAGE plpgsql""")
        op.execute(f'CREATE TRIGGER {TRIGGER}_{table} BEFORE UPDATE OR DELETE ON "{table}" '
                   f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}_refuse()")
        return
    op.execute(f'CREATE TRIGGER {TRIGGER}_{table}_update BEFORE UPDATE ON "{table}" '
               f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END")
    op.execute(f'CREATE TRIGGER {TRIGGER}_{table}_delete BEFORE DELETE ON "{table}" '
               f"WHEN NOT EXISTS (SELECT 1 FROM {RELEASE} WHERE tenant_id = OLD.tenant_id) "
               f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END")


def unprotect(op: Any, table: str) -> None:
    """Migration helper: the downgrade of ``protect``."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'DROP TRIGGER IF EXISTS {TRIGGER}_{table} ON "{table}"')
        return
    op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{table}_update")
    op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{table}_delete")


def protected_tables(connection: Any) -> list[str]:
    """The tables the triggers guard (PostgreSQL)."""
    return sorted(set(connection.execute(text(
        "SELECT event_object_table FROM information_schema.triggers "
        "WHERE trigger_name LIKE :name"), {"name": f"{TRIGGER}_%"}).scalars()))


def release(session: Session, tenant_id: int) -> None:
    """Let the proof of one cooperative be deleted in this transaction: the operator removes
    the whole cooperative (``forget_release`` afterwards, in the same transaction)."""
    session.execute(text(f"INSERT INTO {RELEASE} (tenant_id) VALUES (:tenant)"),
                    {"tenant": tenant_id})


def forget_release(session: Session, tenant_id: int) -> None:
    """The end of ``release``."""
    session.execute(text(f"DELETE FROM {RELEASE} WHERE tenant_id = :tenant"),
                    {"tenant": tenant_id})
