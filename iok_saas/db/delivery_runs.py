"""The bulk deliveries as the office's delivery pages list them (``delivery.office``).

A bulk delivery is an import run of kind ``documents`` (``imports.models.ImportRun``); its
documents carry the run's id (``unit_document.run_id``). Delivery and imports are sibling
capabilities that do not import each other (pyproject's layers), so the run's row is read here,
by hand, under the rule of this package: every statement names the cooperative (``:tenant``),
and row-level security checks it again on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Integer, text
from sqlalchemy.orm import Session

from iok_saas.db import UtcDateTime

_SELECT = (
    "SELECT r.id, r.filename, r.actor, r.source, r.status, r.ok, r.dry_run, r.created_at, "
    "r.finished_at, r.rows, r.added, r.changed, r.problem_count, "
    "(SELECT count(*) FROM unit_document d WHERE d.tenant_id = r.tenant_id "
    "AND d.run_id = r.id) AS delivered "
    "FROM import_run r WHERE r.tenant_id = :tenant AND r.kind = :kind")
# What the columns are (SQLite hands back times and truth values as text and numbers).
_TYPES = {"ok": Boolean, "dry_run": Boolean, "created_at": UtcDateTime,
          "finished_at": UtcDateTime, "delivered": Integer}


def document_runs(session: Session, tenant_id: int, kind: str, limit: int) -> list[Any]:
    """The cooperative's runs of ``kind``, newest first (at most ``limit``), each with how
    many documents it delivered."""
    return list(session.execute(text(
        f"{_SELECT} ORDER BY r.created_at DESC NULLS LAST, r.id DESC LIMIT :limit")
        .columns(**_TYPES), {"tenant": tenant_id, "kind": kind, "limit": limit}))


def document_run(session: Session, tenant_id: int, kind: str, run_id: int) -> Any:
    """One run of ``kind`` of the cooperative (as ``document_runs`` gives them), or None."""
    if not 0 < run_id < 2 ** 31:
        return None
    return session.execute(text(f"{_SELECT} AND r.id = :run").columns(**_TYPES),
                           {"tenant": tenant_id, "kind": kind, "run": run_id}).first()
