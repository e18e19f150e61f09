"""Who may open a page, and the one way to answer 404 for what is not theirs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

T = TypeVar("T")


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed-in staff of this cooperative only; residents get 404 (the panel is not theirs)."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_staff:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Staff admins of this cooperative only; everyone else gets 404."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def one_or_404(found: T | None) -> T:
    """What a lookup found, or 404: another cooperative's or another person's id is simply
    not there (never 403, which would confirm that it exists)."""
    if found is None:
        abort(404)
    return found
