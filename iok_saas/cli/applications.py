"""``iok applications …``: housekeeping of online access applications."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from iok_saas.applications.services import purge_unconfirmed


@click.group("applications")
def applications_group() -> None:
    """Online access applications."""


@applications_group.command("purge")
@with_appcontext
def purge_cmd() -> None:
    """Delete unconfirmed applications older than each cooperative allows (run daily)."""
    click.echo(f"deleted {purge_unconfirmed()} unconfirmed application(s)")
