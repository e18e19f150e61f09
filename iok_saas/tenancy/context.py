"""Which cooperative the current request or job works for.

The tenant travels explicitly: a request sets it after resolving the Host header,
a job sets it from its ``tenant_id`` argument. Nothing else may set it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The one named way around the tenant filter. Grep for it: every use is a place
# where a statement deliberately reads or changes rows of all cooperatives.
ALL_TENANTS = "iok_all_tenants"

_current_tenant: ContextVar[int | None] = ContextVar("iok_current_tenant", default=None)


class TenantContextMissing(RuntimeError):
    """A tenant-owned table was queried with no cooperative in context."""


class TenantMismatch(RuntimeError):
    """An object or session of one cooperative was used for another."""


class UnscopedStatement(RuntimeError):
    """A statement shape the tenant filter cannot cover; rewrite it with ORM entities."""


def current_tenant_id() -> int | None:
    """The id of the cooperative in context, or None."""
    return _current_tenant.get()


def require_tenant_id() -> int:
    """The id of the cooperative in context; raise when there is none (fail closed)."""
    tenant_id = _current_tenant.get()
    if tenant_id is None:
        raise TenantContextMissing(
            "No cooperative in context: tenant-owned rows cannot be read or written."
        )
    return tenant_id


def set_tenant(tenant_id: int | None):
    """Set the cooperative for the current context; returns a token for ``reset_tenant``."""
    return _current_tenant.set(tenant_id)


def reset_tenant(token) -> None:
    """Restore the cooperative that was in context before ``set_tenant``."""
    _current_tenant.reset(token)


@contextmanager
def tenant_context(tenant_id: int) -> Iterator[int]:
    """Run a block for one cooperative (CLI commands, jobs, tests)."""
    token = _current_tenant.set(tenant_id)
    try:
        yield tenant_id
    finally:
        _current_tenant.reset(token)
