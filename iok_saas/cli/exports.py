"""``iok export …``: data the cooperative's other systems take from the IOK."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from iok_saas.cli.common import in_cooperative
from iok_saas.cli.jobs import run_job
from iok_saas.db import db


@click.group("export")
def export_group() -> None:
    """Export data for the cooperative's billing system."""


@export_group.command("readings")
@click.option("--tenant", "slug", required=True, help="The cooperative's slug.")
@click.option("--all", "again", is_flag=True, help="Every accepted reading, also those exported.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (default: standard output).")
@with_appcontext
def readings_cmd(slug: str, again: bool, fmt: str, output: str | None) -> None:
    """Accepted meter readings not exported yet (each goes out once unless --all)."""
    from iok_saas.meters import export

    with in_cooperative(slug):
        rows = export.take(again=again)
        text = (export.csv_text(rows) if fmt == "csv"
                else json.dumps({"readings": rows, "count": len(rows)}, ensure_ascii=False,
                                indent=1) + "\n")
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        else:
            click.echo(text, nl=False)
            sys.stdout.flush()  # written out before they count as exported
        db.session.commit()  # marked as exported only once written
    click.echo(f"{len(rows)} readings exported.", err=True)


@click.group("meters")
def meters_group() -> None:
    """Meter readings."""


@meters_group.command("remind")
@with_appcontext
def remind_cmd() -> None:
    """E-mail residents who asked for it that their cooperative's reading window is open
    (once per window; the worker does this every hour: ``iok jobs run meters.reminders``)."""
    click.echo(f"{run_job('meters.reminders')} reminders queued.")
