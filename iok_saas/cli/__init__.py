"""The ``iok`` operator command: a Flask CLI group.

``iok db upgrade``, ``iok tenants …``, ``iok demo`` and Flask's own ``run``, ``routes``, ``shell``.
The operator's own commands work as the platform role (``iok_saas.db.platform_work``) and,
but for ``iok demo`` (it migrates), start only on a database that ``iok db upgrade`` has brought
to this code's schema.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from iok_saas.db.session import reset_platform_mode, set_platform_mode

_WRAPPED = "__iok_wrapped__"  # the wrappers a callback has, by name


def _create_app() -> Flask:
    from iok_saas import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """Run and operate the IOK platform."""


def init_app(app: Flask) -> None:
    """Attach the operator commands to the app's CLI."""
    from iok_saas.cli.accounts import accounts_group
    from iok_saas.cli.applications import applications_group
    from iok_saas.cli.delivery import documents_group
    from iok_saas.cli.demo import demo
    from iok_saas.cli.exports import export_group, meters_group
    from iok_saas.cli.imports import import_group
    from iok_saas.cli.jobs import jobs_group
    from iok_saas.cli.outbox import outbox_group
    from iok_saas.cli.secrets import secrets_group
    from iok_saas.cli.tenants import tenants

    operator = (tenants, accounts_group, outbox_group, applications_group, import_group,
                export_group, meters_group, jobs_group, secrets_group, documents_group)
    for command in operator:
        _wrap_callbacks(command, _on_migrated_database)
    for command in (*operator, demo):  # demo migrates the database itself
        _wrap_callbacks(command, _as_platform)
        app.cli.add_command(command)
    _add_failover(app)


def _add_failover(app: Flask) -> None:
    """``iok db failover`` beside Flask-Migrate's ``iok db upgrade`` (it needs neither the
    app's database, which is down, nor a cooperative)."""
    from iok_saas.cli.failover import failover

    group = app.cli.commands.get("db")
    if isinstance(group, click.Group):
        group.add_command(failover)
    else:
        app.cli.add_command(click.Group("db", commands=[failover]))


def _wrap_callbacks(command: click.Command, wrap: Callable[[Callable], Callable]) -> None:
    """Wrap a command's callback (every command's of a group) once in ``wrap``."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _wrap_callbacks(sub, wrap)
        return
    if command.callback is None or wrap.__name__ in getattr(command.callback, _WRAPPED, ()):
        return
    wrapped = wrap(command.callback)
    setattr(wrapped, _WRAPPED, (*getattr(command.callback, _WRAPPED, ()), wrap.__name__))
    command.callback = wrapped


def _as_platform(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Work as the platform role: an operator's command spans cooperatives (sync, relay,
    status) or picks one by its slug."""

    @wraps(callback)
    def as_platform(*args: Any, **kwargs: Any) -> Any:
        token = set_platform_mode(True)
        try:
            return callback(*args, **kwargs)
        finally:
            reset_platform_mode(token)

    return as_platform


def _on_migrated_database(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse to start on a database without this code's schema (empty, or an older revision):
    one sentence saying to run ``iok db upgrade``, before anything is read or written."""

    @with_appcontext
    @wraps(callback)
    def on_migrated_database(*args: Any, **kwargs: Any) -> Any:
        from iok_saas.db.schema import schema_behind

        problem = schema_behind()
        if problem:
            raise click.ClickException(problem)
        return callback(*args, **kwargs)

    return on_migrated_database
