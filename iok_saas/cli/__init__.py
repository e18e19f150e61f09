"""The ``iok`` operator command: a Flask CLI group.

``iok db upgrade``, ``iok tenants …``, ``iok demo`` and Flask's own ``run``, ``routes``, ``shell``.
The operator's own commands work as the platform role (``iok_saas.db.platform_work``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from iok_saas.db.session import reset_platform_mode, set_platform_mode

_PLATFORM = "__iok_platform__"


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
    from iok_saas.cli.demo import demo
    from iok_saas.cli.exports import export_group, meters_group
    from iok_saas.cli.imports import import_group
    from iok_saas.cli.jobs import jobs_group
    from iok_saas.cli.outbox import outbox_group
    from iok_saas.cli.tenants import tenants

    for command in (tenants, accounts_group, outbox_group, applications_group, import_group,
                    export_group, meters_group, jobs_group, demo):
        _as_platform(command)
    app.cli.add_command(tenants)
    app.cli.add_command(accounts_group)
    app.cli.add_command(outbox_group)
    app.cli.add_command(applications_group)
    app.cli.add_command(import_group)
    app.cli.add_command(export_group)
    app.cli.add_command(meters_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(demo)


def _as_platform(command: click.Command) -> None:
    """Make a command (every command of a group) work as the platform role: an operator's
    command spans cooperatives (sync, relay, status) or picks one by its slug."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _as_platform(sub)
        return
    if command.callback is None or getattr(command.callback, _PLATFORM, False):
        return
    command.callback = _platform_callback(command.callback)


def _platform_callback(callback: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(callback)
    def as_platform(*args: Any, **kwargs: Any) -> Any:
        token = set_platform_mode(True)
        try:
            return callback(*args, **kwargs)
        finally:
            reset_platform_mode(token)

    setattr(as_platform, _PLATFORM, True)
    return as_platform
