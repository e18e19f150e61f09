"""When each periodic job last ran and is next due: a platform table (no cooperative owns it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from iok_saas.db import UtcDateTime, db

OK = "ok"
FAILED = "failed"


class PeriodicRun(db.Model):
    """One row per registered periodic job; the schedule itself is declared in code."""

    __tablename__ = "periodic_run"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_status: Mapped[str | None] = mapped_column(String(10))
    last_error: Mapped[str | None] = mapped_column(Text)
