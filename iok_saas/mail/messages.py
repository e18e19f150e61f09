"""Message kinds and their rendering: Polish, text + HTML, in the cooperative's branding.

A capability registers each message it sends (name, subject, sample context for the preview);
templates live in ``templates/mail/<name>.txt`` and ``.html`` and extend the shared layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from iok_saas.tenancy.info import TenantInfo

MAIL_LOCALE = "pl"


@dataclass(frozen=True)
class MessageKind:
    """One kind of e-mail the platform sends."""

    name: str
    subject: Any  # a lazy translated string; may use %(…)s placeholders from the context
    description: Any
    sample: dict[str, Any] = field(default_factory=dict)
    # Context keys that carry a secret (a reset link): wiped from the outbox once sent.
    secret_keys: tuple[str, ...] = ()
    # Called with the outbox row when the mail server has taken the message, in the same
    # transaction (a delivered document's proof records when).
    on_sent: Callable[[Any], None] | None = None


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for the transport."""

    subject: str
    text: str
    html: str


KINDS: dict[str, MessageKind] = {}


def register(kind: MessageKind) -> MessageKind:
    """Add a message kind (called when its capability is imported)."""
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> MessageKind:
    """The registered kind, or ``KeyError`` naming the unknown template."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown message template {name!r}") from None


def render(tenant: TenantInfo, name: str, context: dict[str, Any]) -> RenderedMessage:
    """Render subject, text and HTML in Polish with the cooperative's name, logo and footer."""
    kind = get_kind(name)
    values = {"tenant": tenant, "ctx": context, "home_url": tenant.url("/")}
    with force_locale(MAIL_LOCALE):
        subject = str(kind.subject) % context if "%(" in str(kind.subject) else str(kind.subject)
        text = render_template(f"mail/{name}.txt", **values)
        html = render_template(f"mail/{name}.html", **values)
    return RenderedMessage(f"{subject} – {tenant.short_name}", text, html)


TEST_MESSAGE = register(MessageKind(
    name="test_message",
    subject=_l("Test message from the online customer service"),
    description=_l("Sent by the platform operator to check that e-mail reaches residents."),
    sample={"note": "Wysłano na próbę przez operatora platformy."},
))
