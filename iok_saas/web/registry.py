"""What capabilities register from ``init_app`` (menu links, staff figures, home tiles): kept on
the app, in registration order, each shown only where its feature is on."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g


def add(app: Flask, registry: str, item: Any) -> None:
    """Register ``item`` in the app's ``registry``."""
    app.extensions.setdefault(f"iok_{registry}", []).append(item)


def switched_on(registry: str, app: Flask | None = None) -> list[Any]:
    """The items of ``registry`` whose feature (if any) the current cooperative has on."""
    tenant = getattr(g, "tenant", None)
    return [item for item in (app or current_app).extensions.get(f"iok_{registry}", [])
            if item.feature is None or (tenant is not None and tenant.has_feature(item.feature))]
