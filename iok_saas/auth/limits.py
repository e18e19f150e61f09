"""Rate limits on sign-in: per address, and per (cooperative, address), stored in Redis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from iok_saas.tenancy.keys import platform_key, tenant_key

# The views that carry a limit (module.qualified name; wrappers keep the name). Every other
# request skips the limiter's work (resolving the limits of an endpoint costs ~30 µs a request).
_LIMITED: set[str] = set()


def _name(view: Callable) -> str:
    return f"{view.__module__}.{view.__qualname__}"


class _Limiter(Limiter):
    """Flask-Limiter, noting each view given a limit with ``limit`` (used as a decorator)."""

    def limit(self, *args: Any, **kwargs: Any) -> Callable[[Callable], Callable]:
        decorate = super().limit(*args, **kwargs)

        def wrap(view: Callable) -> Callable:
            # A limit on a whole blueprint counts for each of its views.
            _LIMITED.add(f"blueprint:{view.name}" if isinstance(view, Blueprint)
                         else _name(view))
            return decorate(view)

        return wrap


limiter = _Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _unlimited() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return view is None or (_name(view) not in _LIMITED and not any(
        f"blueprint:{name}" in _LIMITED for name in request.blueprints))


def per_ip() -> str:
    """Key for the platform-wide limit of one address."""
    return platform_key("ip", get_remote_address())


def per_tenant_ip() -> str:
    """Key for one address on one cooperative."""
    return tenant_key(g.tenant.id, "ip", get_remote_address())


def login_limit_per_ip() -> str:
    """Attempts one address may make on the whole platform."""
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def login_limit_per_tenant_ip() -> str:
    """Attempts one address may make on one cooperative."""
    return current_app.config["LOGIN_LIMIT_PER_TENANT_IP"]


def init_app(app: Flask) -> None:
    """Limits live in Redis when configured, in memory in the embedded default."""
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "iok:rl")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Redis down must not take sign-in and applications down with it: count in memory meanwhile.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
