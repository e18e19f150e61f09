"""``iok jobs …``: the periodic jobs every capability declares, when they ran and run next."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from iok_saas.jobs import periodic
from iok_saas.web.formatting import daytime


@click.group("jobs")
def jobs_group() -> None:
    """Periodic jobs (the worker's scheduler runs them)."""


@jobs_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def list_cmd(as_json: bool) -> None:
    """Every periodic job: schedule, scope, last run and its outcome, next run."""
    rows = periodic.table()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"{'job':<22}{'schedule':<18}{'scope':<17}{'last run':<18}{'status':<8}"
               "next run")
    for row in rows:
        click.echo(f"{row['name']:<22}{row['schedule']:<18}{row['scope']:<17}"
                   f"{daytime(row['last_run']) or '-':<18}{row['last_status'] or '-':<8}"
                   f"{daytime(row['next_run']) or 'when a worker starts'}")
        if row["last_error"]:
            click.echo(f"    last error: {row['last_error']}")


def run_job(name: str) -> int:
    """Run one job now in this process; the sum of what it returned; errors as warnings."""
    try:
        results = periodic.run_here(name)
    except KeyError:
        raise click.ClickException(
            f"no periodic job named {name!r} (see 'iok jobs list')") from None
    total = 0
    for tenant_id, result in results:
        if isinstance(result, Exception):
            click.echo(f"cooperative {tenant_id}: failed: {result}", err=True)
        elif isinstance(result, int):
            total += result
    return total


@jobs_group.command("run")
@click.argument("name")
@with_appcontext
def run_cmd(name: str) -> None:
    """Run one periodic job now (for every cooperative, when it is per cooperative)."""
    click.echo(f"{name}: {run_job(name)}")


@jobs_group.command("tick")
@with_appcontext
def tick_cmd() -> None:
    """Hand over the jobs that are due, once (what the worker's scheduler does every few
    seconds; for an installation without a worker, from cron)."""
    handed = periodic.tick()
    click.echo(f"handed over: {', '.join(handed) or 'nothing was due'}")
