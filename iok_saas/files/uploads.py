"""The one way into the file store from a request: a view that takes files is decorated with
``takes_upload``. The request is bounded by the cooperative's limit for that kind of file
before its body is read, the form's CSRF token is checked within that bound, and a body over
it gets the 413 page saying the limit — nothing read, nothing saved. What the files are is
then checked by the store's validators (``check_attachment``, ``clean_image``,
``pdf_problem``) before anything is kept."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from iok_saas.extensions import csrf
from iok_saas.web.errors import render_error

View = TypeVar("View", bound=Callable[..., Any])
FORM_ROOM = 1 << 20  # the form's other fields, next to its files
MARK = "upload_limit"  # the attribute a test looks for on every view that takes a file


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
