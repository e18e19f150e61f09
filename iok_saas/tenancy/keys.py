"""The one helper for tenant-prefixed keys (cache, rate limits, file storage)."""

from __future__ import annotations

PREFIX = "iok"


def tenant_key(tenant_id: int, *parts: object) -> str:
    """A key that belongs to one cooperative: ``iok:t:<id>:<parts…>``."""
    return ":".join([PREFIX, "t", str(int(tenant_id)), *(str(p) for p in parts)])


def platform_key(*parts: object) -> str:
    """A key that belongs to the platform, not to any cooperative: ``iok:p:<parts…>``."""
    return ":".join([PREFIX, "p", *(str(p) for p in parts)])
