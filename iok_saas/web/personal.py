"""What the platform holds about a person, for the download of everything held about them
(RODO art. 15 and 20): every room that keeps something about a person registers a section
from ``init_app`` — the accounts, contacts, account security, the outbox, the audit trail and
each capability. What is deliberately left out, and why, is in docs/personal-data.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from iok_saas.web import registry

REGISTRY = "personal_data"


@dataclass(frozen=True)
class PersonalSection:
    """One part of the download: rows about the person (values JSON can hold), and files."""

    name: str  # the file's name in the ZIP: ``<name>.csv``
    title: Any  # what it is, for the person (a lazy translated string)
    rows: Callable[[int], list[dict[str, Any]]]  # by the person's account id
    feature: str | None = None
    files: Callable[[int], list[tuple[str, int]]] | None = None  # (name in the ZIP, file id)
    order: int = 100  # where it stands in the download (the person's account first)


def register_section(app: Flask, section: PersonalSection) -> None:
    """Add a section (called from a capability's ``init_app``)."""
    registry.add(app, REGISTRY, section)


def sections(app: Flask, has_feature: Callable[[str], bool]) -> list[PersonalSection]:
    """The sections of a cooperative with these features, by ``order`` (then registration)."""
    return sorted((s for s in app.extensions.get(f"iok_{REGISTRY}", [])
                   if s.feature is None or has_feature(s.feature)), key=lambda s: s.order)
