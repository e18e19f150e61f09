"""Pages for visitors, kept rendered for a short while in each web process.

A visitor's first request carries no cookie, and the pages registered here (the cooperative's
public home, its terms, its accessibility statement, the offline page) depend on nothing else
than the cooperative, the address and the default language. Such a page is rendered once and
its body kept for ``PAGE_CACHE_SECONDS`` (30; 0 switches the cache off), up to ``MAX_PAGES``
pages a process. A change of the cooperative's settings makes its pages stale at once: a page
is kept with the cooperative's settings object it was made from, which the resolver replaces
when the settings change. A request with any cookie (a signed-in resident, a chosen language)
and an answer that started a session are never served from or kept in the cache. Only the body
is kept: the headers (security, request id, the request log) are made for every answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Response, current_app, g, request, session

MAX_PAGES = 512
VISITOR_PAGES = "iok_visitor_pages"  # app.extensions: the endpoints whose pages may be kept


class PageCache:
    """Rendered pages of one process: key → (cooperative's settings, expiry, body, type)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple, tuple[Any, float, bytes, str]] = OrderedDict()

    def get(self, key: tuple, tenant: Any) -> tuple[bytes, str] | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            made_for, expires, body, mimetype = found
            if made_for is not tenant or time.monotonic() >= expires:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return body, mimetype

    def put(self, key: tuple, tenant: Any, seconds: float, body: bytes, mimetype: str) -> None:
        with self._lock:
            self._pages[key] = (tenant, time.monotonic() + seconds, body, mimetype)
            self._pages.move_to_end(key)
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def for_visitors(app: Flask, *endpoints: str) -> None:
    """Let these endpoints' pages be kept for visitors (from a capability's ``init_app``)."""
    app.extensions.setdefault(VISITOR_PAGES, set()).update(endpoints)


def _key() -> tuple | None:
    """The page's key when this request may use the cache, else None."""
    tenant = getattr(g, "tenant", None)
    if (tenant is None or request.method != "GET" or "Cookie" in request.headers
            or not current_app.config["PAGE_CACHE_SECONDS"]
            or request.endpoint not in current_app.extensions.get(VISITOR_PAGES, ())):
        return None
    return tenant.id, request.scheme, request.host, request.full_path


def serve() -> Response | None:
    """``before_request`` (after the cooperative is found): the kept page, if there is one."""
    key = _key()
    if key is None:
        return None
    found = current_app.extensions["iok_page_cache"].get(key, g.tenant)
    if found is None:
        return None
    g.page_from_cache = True
    return current_app.response_class(found[0], mimetype=found[1])


def keep(response: Response) -> Response:
    """``after_request``: keep a visitor's page that started no session."""
    if g.get("page_from_cache") or response.status_code != 200 or response.is_streamed:
        return response
    key = _key()
    if key is None or session or session.modified:
        return response
    current_app.extensions["iok_page_cache"].put(
        key, g.tenant, current_app.config["PAGE_CACHE_SECONDS"], response.get_data(),
        response.mimetype)
    return response


def init_app(app: Flask) -> None:
    """After the resolver: serve kept pages; keep new ones."""
    app.extensions["iok_page_cache"] = PageCache()
    app.before_request(serve)
    app.after_request(keep)
