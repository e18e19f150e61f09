"""One way to take an upload: every view that takes a file goes through
``files.uploads.takes_upload`` (the cooperative's size limit, the CSRF check of the multipart
form, the 413 page saying the limit); nothing else reads a file from a request."""

from __future__ import annotations

import dis
import inspect
import io
from collections.abc import Callable, Iterator
from types import CodeType, FunctionType, ModuleType
from typing import Any

import flask
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms.fields import FileField
from wtforms.fields.core import UnboundField

from iok_saas.announcements.models import Announcement
from iok_saas.auth.models import CLERK
from iok_saas.db import db
from iok_saas.files.models import StoredFile
from iok_saas.files.uploads import takes_files
from tests.factories import make_household
from tests.helpers import in_tenant

# The accounting system's nightly file: the request body itself, not a form, sent with the
# cooperative's token and no cookies (so no CSRF to check); it answers 413 in JSON itself.
RAW_BODY = {"api.import_file"}
# Every way a file comes in today: the walk below must see each of them.
KNOWN = {
    "meters.meter", "meters.edit", "faults.new", "faults.report", "correspondence.new",
    "correspondence.case", "staff_correspondence.case", "settlements.ask",
    "settlements.question", "staff_settlement_questions.case", "staff_announcements.new",
    "staff_announcements.edit", "staff_documents.new", "staff_documents.new_version",
    "imports.upload", "api.import_file",
}


def _file_fields() -> dict[type, set[str]]:
    """Every form class with a file field, and the names of its file fields."""
    found: dict[type, set[str]] = {}
    todo: list[type] = [FlaskForm]
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        names = {name for name in dir(form)
                 if isinstance(field := getattr(form, name, None), UnboundField)
                 and issubclass(field.field_class, FileField)}
        if names:
            found[form] = names
    return found


LOCAL = {"LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE"}
A_LOCAL = object()  # what a local name (``form``) stands for while its attribute is read


def _named(function: FunctionType) -> Iterator[Any]:
    """What the function's code (its lambdas and inner functions too) names: globals, their
    attributes (``forms.LetterForm``), ``("request", attribute)`` and ``("local",
    attribute)`` (``form.photo``)."""
    codes = [function.__code__]
    while codes:
        code = codes.pop()
        codes.extend(c for c in code.co_consts if isinstance(c, CodeType))
        current: Any = None
        for instruction in dis.get_instructions(code):
            attribute = instruction.opname in ("LOAD_ATTR", "LOAD_METHOD")
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                current = function.__globals__.get(instruction.argval)
            elif instruction.opname in LOCAL:
                current = A_LOCAL
                continue
            elif attribute and (current is A_LOCAL or current is flask.request):
                yield ("local" if current is A_LOCAL else "request"), instruction.argval
                current = None
                continue
            elif attribute and isinstance(current, ModuleType | type):
                current = getattr(current, instruction.argval, None)
            else:
                current = None
            if current is not None:
                yield current


SHARED_ROOM = ["iok_saas", "cases"]  # a kind of case's pages hand their forms to the room


def _takes_a_file(view: Callable[..., Any]) -> bool:
    """Whether the code a view runs — with the functions of its own capability and of the
    shared cases room it calls —
    reads a file field of a form it builds, or ``request.files`` or ``request.stream``."""
    view = inspect.unwrap(view)
    package = view.__module__.split(".")[:2]
    file_fields = _file_fields()
    fields: set[str] = set()
    read: set[str] = set()
    seen: set[FunctionType] = set()
    todo = [view]
    while todo:
        function = todo.pop()
        if function in seen:
            continue
        seen.add(function)
        for named in _named(function):
            if isinstance(named, tuple):
                if named in (("request", "files"), ("request", "stream")):
                    return True
                read.add(named[1])
            elif isinstance(named, type) and named in file_fields:
                fields |= file_fields[named]
            elif (isinstance(named, FunctionType)
                    and named.__module__.split(".")[:2] in (package, SHARED_ROOM)):
                todo.append(inspect.unwrap(named))
    return bool(fields & read)


def test_every_view_that_takes_a_file_goes_through_the_one_upload_helper(app):
    taking = {rule.endpoint for rule in app.url_map.iter_rules()
              if rule.methods & {"POST", "PUT", "PATCH"}
              and _takes_a_file(app.view_functions[rule.endpoint])}
    helped = {endpoint for endpoint, view in app.view_functions.items() if takes_files(view)}
    assert taking >= KNOWN, "the walk no longer sees these: " + ", ".join(KNOWN - taking)
    assert sorted(taking - RAW_BODY - helped) == []  # a file taken around the helper


def _clerk_on_announcements(baltyk, baltyk_client) -> str:
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    return baltyk_client.csrf_token("/panel/ogloszenia/nowe")


def _counts(tenant) -> tuple[int, int]:
    with in_tenant(tenant):
        return (db.session.scalar(select(func.count()).select_from(Announcement)),
                db.session.scalar(select(func.count()).select_from(StoredFile)))


def test_a_body_over_the_limit_gets_the_413_page_with_the_limit_and_nothing_is_read(
        baltyk, baltyk_client):
    token = _clerk_on_announcements(baltyk, baltyk_client)
    answer = baltyk_client.post(
        "/panel/ogloszenia/nowe", data=b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(2 * 1024 ** 3)}, headers={"X-CSRFToken": token})
    assert answer.status_code == 413
    page = answer.get_data(as_text=True)
    assert "Plik jest za duży" in page and "łącznie najwyżej 50 MB" in page
    assert _counts(baltyk) == (0, 0)


def test_a_multipart_form_without_its_csrf_token_is_refused(baltyk, baltyk_client):
    _clerk_on_announcements(baltyk, baltyk_client)
    answer = baltyk_client.post(
        "/panel/ogloszenia/nowe", content_type="multipart/form-data",
        data={"title": "Przegląd", "kind": "general", "body": "Tekst", "audience": "all",
              "action": "save", "attachments": (io.BytesIO(b"%PDF-1.4"), "plan.pdf")})
    assert answer.status_code == 400
    assert _counts(baltyk) == (0, 0)
