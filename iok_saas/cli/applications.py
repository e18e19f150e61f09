"""``iok applications …``: housekeeping of online access applications."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from iok_saas.cli.jobs import run_job


@click.group("applications")
def applications_group() -> None:
    """Online access applications."""


@applications_group.command("purge")
@with_appcontext
def purge_cmd() -> None:
    """Delete unconfirmed applications older than each cooperative allows (the worker does
    this daily: ``iok jobs run applications.purge`` is the same)."""
    click.echo(f"deleted {run_job('applications.purge')} unconfirmed application(s)")
