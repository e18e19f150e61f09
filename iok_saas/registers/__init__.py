"""Numbered registers of a cooperative (``AW/2026/00042`` fault reports, ``KO/2026/00017``
letters): one counter per register and year, taken inside the transaction that saves what it
numbers, so a rolled-back save gives its number back (no gaps) and two saves at once wait for
each other on the counter's row (never one number twice)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from iok_saas.db import db
from iok_saas.registers.models import RegistryCounter

__all__ = ["RegistryCounter", "label", "next_number"]


def next_number(register: str, year: int) -> int:
    """The next number of ``register`` in ``year``, taken in this transaction (rolled back
    with it)."""
    step = (update(RegistryCounter)
            .where(RegistryCounter.register == register, RegistryCounter.year == year)
            .values(last=RegistryCounter.last + 1).returning(RegistryCounter.last)
            .execution_options(synchronize_session=False))
    number = db.session.scalar(step)
    if number is not None:
        return number
    try:
        with db.session.begin_nested():
            db.session.add(RegistryCounter(register=register, year=year, last=1))
        return 1
    except IntegrityError:  # another save created the year's counter meanwhile
        return db.session.scalar(step)


def label(register: str, year: int, number: int) -> str:
    """What a resident quotes: ``KO/2026/00017``."""
    return f"{register}/{year}/{number:05d}"
