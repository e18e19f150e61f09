"""What rooms above the accounts add to sign-in and sessions, registered from their
``init_app`` (two-step verification adds a step, a gate and what a session's end forgets): the
accounts never import them.

- a **sign-in step** is asked after the right password; its page finishes the sign-in itself;
- a **gate** runs before every request of a signed-in person, after the accounts' own (idle
  timeout, the forced password change), and may send them to a page first;
- an **end of sessions** listener hears that every session of a person has ended (a new
  password, a lock, deactivation), to forget what belonged to them (remembered browsers);
- a **sign-in page block** is a template shown beside the sign-in form (the way to use an
  activation letter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app

from iok_saas.web import registry

STEPS, GATES, SESSIONS_ENDED, BLOCKS = (
    "sign_in_steps", "account_gates", "sessions_ended", "sign_in_blocks")


@dataclass(frozen=True)
class SignInStep:
    """A step after the password: whether this person is asked it, and the page that asks."""

    name: str
    asked: Callable[[Any, Any], bool]  # (user, tenant info) → asked now?
    begin: Callable[[Any, str | None], Response]  # (user, where to go after) → the page


def register_step(app: Flask, step: SignInStep) -> None:
    """Ask ``step`` after the right password (in registration order)."""
    registry.add(app, STEPS, step)


def register_gate(app: Flask, gate: Callable[[], Response | None]) -> None:
    """Run ``gate`` before every signed-in request; a response it returns is the answer."""
    registry.add(app, GATES, gate)


def on_sessions_ended(app: Flask, listener: Callable[[int], Any]) -> None:
    """Call ``listener(user_id)`` when every session of a person ends (no commit)."""
    registry.add(app, SESSIONS_ENDED, listener)


def register_sign_in_block(app: Flask, template: str) -> None:
    """Show ``template`` beside the sign-in form (it decides itself whether to say anything)."""
    registry.add(app, BLOCKS, template)


def sign_in_blocks() -> list[str]:
    """The templates registered for the sign-in page, in order."""
    return _registered(BLOCKS)


def _registered(name: str) -> list[Any]:
    return current_app.extensions.get(f"iok_{name}", [])


def next_step(user: Any, tenant: Any) -> SignInStep | None:
    """The first step this person is asked after the password, or None."""
    return next((step for step in _registered(STEPS) if step.asked(user, tenant)), None)


def gates() -> list[Callable[[], Response | None]]:
    """The registered gates, in order."""
    return _registered(GATES)


def sessions_ended(user_id: int) -> None:
    """Tell every listener that the person's sessions have ended."""
    for listener in _registered(SESSIONS_ENDED):
        listener(user_id)
