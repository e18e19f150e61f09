"""The ``iok`` operator command: a Flask CLI group.

``iok db upgrade``, ``iok tenants …``, ``iok demo`` and Flask's own ``run``, ``routes``, ``shell``.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    from iok_saas import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """Run and operate the IOK platform."""


def init_app(app: Flask) -> None:
    """Attach the operator commands to the app's CLI."""
    from iok_saas.cli.applications import applications_group
    from iok_saas.cli.demo import demo
    from iok_saas.cli.exports import export_group, meters_group
    from iok_saas.cli.imports import import_group
    from iok_saas.cli.jobs import jobs_group
    from iok_saas.cli.outbox import outbox_group
    from iok_saas.cli.tenants import tenants

    app.cli.add_command(tenants)
    app.cli.add_command(outbox_group)
    app.cli.add_command(applications_group)
    app.cli.add_command(import_group)
    app.cli.add_command(export_group)
    app.cli.add_command(meters_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(demo)
