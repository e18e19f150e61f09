"""The one way into the file store from a request: a view that takes files is decorated with
``takes_upload``. The request is bounded by the cooperative's limit for that kind of file
before its body is read, the form's CSRF token is checked within that bound, and a body over
it gets the 413 page saying the limit — nothing read, nothing saved. What the files are is
then checked by the store's validators (``check_attachment``, ``clean_image``,
``pdf_problem``) before anything is kept."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import wraps
from types import SimpleNamespace
from typing import Any, TypeVar

from flask import Flask, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from iok_saas.extensions import csrf
from iok_saas.web.errors import UPLOAD_LIMIT, render_error

View = TypeVar("View", bound=Callable[..., Any])
FORM_ROOM = 1 << 20  # the form's other fields, next to its files
MARK = UPLOAD_LIMIT  # the attribute a test (and the 413 page) look for on a view that takes files


def takes_upload(limit: Callable[[], int]) -> Callable[[View], View]:
    """Decorate a view that takes files; ``limit()`` gives the bytes its files may hold
    together (the cooperative's size times count for that kind). Put it under the sign-in
    decorator: whoever may not see the page is turned away before anything is read."""

    def decorate(view: View) -> View:
        @wraps(view)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            allowed = limit()
            request.max_content_length = allowed + FORM_ROOM
            try:
                csrf.protect()  # reads a POST's form: within the bound now
            except RequestEntityTooLarge as error:
                return render_error(error, limit_mb=-(-allowed // (1 << 20)))
            return view(*args, **kwargs)

        setattr(bounded, MARK, limit)  # ``wraps`` carries it to the decorators above
        # The app-wide check would read the body before the bound is set: it skips this view.
        return csrf.exempt(bounded)

    return decorate


def takes_files(view: Callable[..., Any]) -> bool:
    """Whether a view (as registered, with its other decorators) goes through ``takes_upload``."""
    return callable(getattr(view, MARK, None))


def upload_routes(app: Flask) -> list[tuple[str, str, Callable[[], int]]]:
    """Every route that takes files: (its rule, its endpoint, its limit)."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if view is not None and takes_files(view):
            found.append((rule.rule, rule.endpoint, getattr(view, MARK)))
    return sorted(found)


def body_limit(app: Flask, limit: Callable[[], int], settings: Iterable[Any]) -> int:
    """The largest request body a route lets through for cooperatives with these settings
    (the limit of the largest, plus the form's other fields): what the front server must let
    through to the app."""
    largest = 0
    for one in settings:
        with app.test_request_context():
            g.tenant = SimpleNamespace(settings=one)
            largest = max(largest, limit())
    return largest + FORM_ROOM


_CONVERTER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def rule_regex(rule: str) -> str:
    """A Flask rule as an anchored regular expression (for the front server's locations):
    ``/awarie/<int:report_id>`` → ``^/awarie/[0-9]+$``."""
    parts, last = [], 0
    for match in _CONVERTER.finditer(rule):
        parts.append(re.escape(rule[last:match.start()]).replace("\\/", "/"))
        converter, arguments = match.group(1) or "default", match.group(2)
        if converter == "int":
            parts.append("[0-9]+")
        elif converter == "path":
            parts.append(".+")
        elif converter == "any":
            names = [a.strip().strip("'\"") for a in (arguments or "").split(",")]
            parts.append("(" + "|".join(re.escape(n) for n in names) + ")")
        else:
            parts.append("[^/]+")
        last = match.end()
    parts.append(re.escape(rule[last:]).replace("\\/", "/"))
    return "^" + "".join(parts) + "$"
