"""What the staff page of a person's account shows beside the account itself: each room that
holds something about a person registers a section from ``init_app`` (signed-in devices,
activation by letter, contact details and consents, the deletion request, staff views), so the
page grows with the rooms and the staff capability never gathers them by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from iok_saas.web import registry

REGISTRY = "account_sections"


@dataclass(frozen=True)
class AccountSection:
    """A section of the account page: its template (included with ``person``, ``action`` and
    ``data``) and what it needs, loaded for one person — None where it has nothing to show.
    ``given`` carries forms the page is shown again with (their errors), by name."""

    name: str
    template: str
    load: Callable[[Any, dict[str, Any]], dict[str, Any] | None]
    order: int = 100
    feature: str | None = None


def register_account_section(app: Flask, section: AccountSection) -> None:
    """Add a section (called from a room's ``init_app``)."""
    registry.add(app, REGISTRY, section)


def account_sections(person: Any, **given: Any) -> list[tuple[AccountSection, dict[str, Any]]]:
    """The sections the current cooperative has on, loaded for ``person``, in order."""
    found = []
    for section in sorted(registry.switched_on(REGISTRY), key=lambda s: s.order):
        data = section.load(person, given)
        if data is not None:
            found.append((section, data))
    return found
