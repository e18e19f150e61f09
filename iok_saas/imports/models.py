"""The import history: every import, however it came in, and what it did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import UtcDateTime, db, utcnow
from iok_saas.tenancy import TenantScoped, tenant_fk

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"  # the job itself broke (not a bad file: that is DONE with ok=False)
INTERRUPTED = "interrupted"  # its process was killed (or cut off): nothing saved
CLI = "cli"
PANEL = "panel"
API = "api"


class ImportRun(TenantScoped, db.Model):
    """One import from the accounting system: who, when, what it changed, what was wrong."""

    __tablename__ = "import_run"
    __table_args__ = (Index("ix_import_run_tenant_time", "tenant_id", "finished_at"),
                      Index("ix_import_run_tenant_file", "tenant_id", "file_id"),
                      tenant_fk("file_id", "stored_file"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str] = mapped_column(String(10), default=CLI, server_default=CLI)
    status: Mapped[str] = mapped_column(String(16), default=DONE, server_default=DONE)
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    file_id: Mapped[int | None]  # an upload waiting for the worker, in the file store
    size: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    dry_run: Mapped[bool] = mapped_column(default=False)
    ok: Mapped[bool] = mapped_column(default=False)
    rows: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    problem_count: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[list[str] | None] = mapped_column(JSON, default=list)

    @property
    def unchanged(self) -> int:
        """Rows that were already in the system exactly as in the file."""
        return max(self.rows - self.added - self.changed, 0) if self.ok else 0

    @property
    def pending(self) -> bool:
        """Still waiting for the worker or being processed."""
        return self.status in (QUEUED, RUNNING)
