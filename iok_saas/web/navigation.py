"""The menu: capabilities register their links; a link shows only if its feature is on."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, has_request_context
from flask_login import current_user

from iok_saas.web import registry


@dataclass(frozen=True)
class NavItem:
    """One menu link: endpoint, label (translated at render), who sees it, which feature."""

    endpoint: str
    label: str
    audience: str  # public | resident | staff | admin (staff admins see staff links too)
    feature: str | None = None
    # Where it stands: what people come for first (a resident's units, meters), the account's
    # own links (the password) last, beside signing out.
    order: int = 100


def register(app: Flask, item: NavItem) -> None:
    """Add a link to the menu (called from a capability's ``init_app``)."""
    registry.add(app, "nav", item)


def _audiences() -> set[str]:
    if not current_user.is_authenticated:
        return {"public"}
    if not current_user.is_staff:
        return {"resident"}
    return {"staff", "admin"} if current_user.role == "admin" else {"staff"}


def menu(app: Flask) -> list[NavItem]:
    """The links the current person may see on the current cooperative."""
    tenant = getattr(g, "tenant", None)
    if tenant is None or not has_request_context():
        return []
    audiences = _audiences()
    held = current_user.is_authenticated and current_user.must_change_password
    return sorted((item for item in registry.switched_on("nav", app)
                   if item.audience in audiences
                   and (not held or item.endpoint == "auth.change_password")),
                  key=lambda item: item.order)


def init_app(app: Flask) -> None:
    """Make ``menu`` and ``tenant`` available in every template."""

    @app.context_processor
    def _shell():
        return {"menu": menu(app), "tenant": getattr(g, "tenant", None)}


def N_(message: str) -> str:
    """Mark a menu label for translation; it is translated when the menu is rendered."""
    return message
