"""``iok documents deliver SLUG ZIP``: documents for units, a ZIP of PDFs with a manifest.

The same as ``iok import documents --tenant SLUG ZIP`` (and the staff panel's or the API's
import of kind ``documents``): the manifest's good rows are delivered, the bad ones listed
with their reasons; a re-sent ZIP delivers nothing twice (docs/import-format.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from iok_saas.cli.common import in_cooperative
from iok_saas.cli.imports import show
from iok_saas.imports import run_import


@click.group("documents")
def documents_group() -> None:
    """Documents delivered to units with proof (feature delivery)."""


@documents_group.command("deliver")
@click.argument("slug")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the ZIP and its manifest only; deliver "
              "nothing.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def deliver(slug: str, archive: Path, dry_run: bool, quiet: bool) -> None:
    """Deliver the PDFs of ARCHIVE (a ZIP with manifest.csv) to the units of cooperative SLUG.

    Exit status 0: the ZIP was read (its good rows delivered; rows left out are listed on
    stderr); 1: the ZIP or its manifest as a whole is wrong, nothing delivered.
    """
    actor = "iok documents deliver (operator)"
    with in_cooperative(slug):
        if quiet or not sys.stderr.isatty():
            report = run_import("documents", archive, dry_run=dry_run, actor=actor)
        else:
            with click.progressbar(length=100, label=archive.name, file=sys.stderr) as bar:
                def progress(done: int, total: int) -> None:
                    bar.update(max(done * 100 // max(total, 1) - bar.pos, 0))

                report = run_import("documents", archive, dry_run=dry_run, actor=actor,
                                    progress=progress)
    show(report, archive.name, dry_run)
