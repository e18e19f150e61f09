"""Errors a person sees: one convention for every service, one way to show them.

A service that refuses raises a ``DomainError`` whose message is an English msgid marked with
``_l`` (``_l("… %(date)s …", date=day(x))``); the Polish text lives in the catalogue and is chosen
when the message is shown, in the language of whoever sees it (a CLI or a worker: the default,
Polish). ``field`` names the form field the message belongs to, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash
from flask_wtf import FlaskForm

from iok_saas.db import db


class DomainError(ValueError):
    """A rule refused what was asked: a translatable message and, optionally, its form field."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def show(error: DomainError, form: FlaskForm | None = None, default_field: str | None = None
         ) -> None:
    """Put the message on its field of ``form`` (or ``default_field``); without a field to
    put it on, flash it."""
    name = error.field or default_field
    field = getattr(form, name, None) if form is not None and name else None
    if field is not None:
        field.errors = [str(error)]
    else:
        flash(str(error), "error")


def commit_or_show(action: Callable[[], Any], success: str | Callable[[], str] | None,
                   form: FlaskForm | None = None, default_field: str | None = None, *,
                   fields: Mapping[str, str] | None = None) -> bool:
    """Run a service call for a view: refused (``DomainError``), roll back and show why (on the
    form's field when it names one — ``fields`` renames the service's field where the form
    calls it otherwise); done, commit and flash ``success`` (if any; a callable says it from
    what was done). True when done."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        if fields and error.field in fields:
            error.field = fields[error.field]
        show(error, form, default_field)
        return False
    db.session.commit()
    if success:
        flash(success() if callable(success) else success, "success")
    return True
