"""``iok import …``: bring the accounting system's data in (see docs/import-format.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from iok_saas.db import db
from iok_saas.finance.imports import import_ledger
from iok_saas.tenancy import services, tenant_context


@click.group("import")
def import_group() -> None:
    """Import files exported by the cooperative's accounting system."""


@import_group.command("ledger")
@click.option("--tenant", "slug", required=True, help="The cooperative's slug.")
@click.option("--dry-run", is_flag=True, help="Check the file only; write nothing.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def ledger_cmd(slug: str, dry_run: bool, file: Path) -> None:
    """Ledger entries (charges and payments), idempotent by external id, all or nothing."""
    try:
        tenant = services.get_tenant(slug)
    except services.TenantError as exc:
        raise click.ClickException(str(exc)) from None
    with tenant_context(tenant.id):
        try:
            report = import_ledger(file, dry_run=dry_run, actor="iok import (operator)")
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    if not report.ok:
        for problem in report.problems:
            where = f"wiersz {problem.line}, kolumna {problem.column}" if problem.line else "plik"
            click.echo(f"{where}: {problem.reason}", err=True)
        more = report.problem_count - len(report.problems)
        if more > 0:
            click.echo(f"… i {more} kolejnych błędów", err=True)
        raise click.ClickException(
            f"{file.name}: {report.problem_count} błędów — nic nie zostało zapisane.")
    verb = "would import" if dry_run else "imported"
    click.echo(f"{file.name}: {verb} {report.rows} rows — added {report.added}, changed "
               f"{report.changed}, unchanged {report.unchanged}")
