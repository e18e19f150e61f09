"""Who may enter the staff panel."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from iok_saas.auth.models import ADMIN


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
        if current_user.role != ADMIN:
            abort(404)
        return view(*args, **kwargs)

    return wrapper
