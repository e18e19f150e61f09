"""The one check for "go back to" addresses: only a path on this host, never another site."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    """``target`` if it is a plain path on this host, else None.

    Browsers drop tabs and newlines and read ``\\`` as ``/``, so ``/\\t/evil.example`` would
    become ``//evil.example``: such characters make the address unsafe.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
