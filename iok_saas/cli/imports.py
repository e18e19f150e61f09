"""``iok import …``: bring the accounting system's data in (see docs/import-format.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import ngettext

from iok_saas.cli.common import in_cooperative
from iok_saas.imports import KINDS, ImportReport, run_import

ORDER = ("buildings", "units", "accounts", "titles", "ledger", "meters", "readings", "remote",
         "settlements", "documents")
ROW_BY_ROW = {"remote": "row by row, by the mapping in the tenant file; a re-sent file adds "
                        "nothing",
              "settlements": "building, unit and meter rows by the mapping in the tenant file, "
                             "checked to add up to the grosz, all or nothing; a re-sent file "
                             "changes nothing, other figures make a correction",
              "documents": "a ZIP of PDFs with manifest.csv, row by row; a re-sent ZIP "
                           "delivers nothing twice (also: iok documents deliver)"}


@click.group("import")
def import_group() -> None:
    """Import files exported by the cooperative's accounting system (CSV or JSON).

    Import in this order: buildings, units, accounts, titles, ledger.
    """


def _make_command(kind: str) -> click.Command:
    @click.option("--tenant", "slug", required=True, help="The cooperative's slug.")
    @click.option("--dry-run", is_flag=True, help="Check the file only; write nothing.")
    @click.option("--quiet", is_flag=True, help="No progress bar.")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @with_appcontext
    def command(slug: str, dry_run: bool, quiet: bool, file: Path) -> None:
        with in_cooperative(slug):
            report = _run(kind, file, dry_run, quiet or not sys.stderr.isatty())
        show(report, file.name, dry_run)

    command.__doc__ = (f"Import {kind} ({KINDS[kind].label}): {ROW_BY_ROW[kind]}."
                       if kind in ROW_BY_ROW
                       else f"Import {kind} ({KINDS[kind].label}): idempotent by external id, "
                       "all or nothing.")
    return import_group.command(kind)(command)


def _run(kind: str, file: Path, dry_run: bool, quiet: bool) -> ImportReport:
    actor = "iok import (operator)"
    if quiet:
        return run_import(kind, file, dry_run=dry_run, actor=actor)
    size = file.stat().st_size
    with click.progressbar(length=size, label=file.name, file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.update(max(done * size // max(total, 1) - bar.pos, 0))  # bytes, or rows

        return run_import(kind, file, dry_run=dry_run, actor=actor, progress=progress)


def show(report: ImportReport, name: str, dry_run: bool) -> None:
    """Print the report; a bad file ends the command with exit status 1."""
    if not report.ok:
        for line in report.lines():
            click.echo(line, err=True)
        raise click.ClickException(f"{name}: " + ngettext(
            "%(num)d error; nothing saved", "%(num)d errors; nothing saved",
            report.problem_count))
    if report.kind == "documents":
        verb = "would deliver" if dry_run else "delivered"
        click.echo(f"{name}: {report.rows} rows in the manifest — {verb} {report.added}, "
                   f"already delivered before {report.changed}, rows left out "
                   f"{report.rows - report.added - report.changed}, problems "
                   f"{report.problem_count}")
        for line in report.lines():  # the rows and files left out, each with its reason
            click.echo(line, err=True)
        for note in report.notes:
            click.echo(note)
        return
    verb = "would import" if dry_run else "imported"
    click.echo(f"{name}: {verb} {report.rows} rows — added {report.added}, changed "
               f"{report.changed}, unchanged {report.unchanged}"
               + (f", held for the office {report.held}, rows left out {report.problem_count}"
                  if report.partial else ""))
    if report.partial:  # the rows left out, each with its reason
        for line in report.lines():
            click.echo(line, err=True)
    for note in report.notes:
        click.echo(note)


for _kind in ORDER:
    _make_command(_kind)
