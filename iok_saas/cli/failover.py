"""``iok db failover``: the standby takes over from a failed primary (docs/operations.md,
"A standby database")."""

from __future__ import annotations

from pathlib import Path

import click

from iok_saas.db.failover import FailoverError, take_over


@click.command("failover")
@click.option("--standby", "standby_url", envvar="IOK_STANDBY_URL", required=True,
              help="The standby's address, as a role that may promote it (IOK_STANDBY_URL).")
@click.option("--pgbouncer-ini", envvar="IOK_PGBOUNCER_INI", type=click.Path(path_type=Path),
              help="PgBouncer's configuration file: its [databases] are pointed at the standby "
                   "(IOK_PGBOUNCER_INI). Without it, point the app at the standby yourself.")
@click.option("--pgbouncer-admin", envvar="IOK_PGBOUNCER_ADMIN_URL",
              help="PgBouncer's admin console (database 'pgbouncer') for RELOAD and RECONNECT "
                   "(IOK_PGBOUNCER_ADMIN_URL); without it PgBouncer gets a SIGHUP.")
def failover(standby_url: str, pgbouncer_ini: Path | None, pgbouncer_admin: str | None) -> None:
    """Promote the standby to primary and point PgBouncer at it. Only once the primary is
    surely down (stopped, or cut off from everyone): two primaries would split the data."""
    try:
        outcome = take_over(standby_url, pgbouncer_ini, pgbouncer_admin)
    except FailoverError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Standby promoted in {outcome.promoted:.1f} s; "
               + (f"PgBouncer points at {outcome.host}:{outcome.port} "
                  f"({outcome.repointed:.1f} s)." if pgbouncer_ini else
                  "point the app at it (IOK_DATABASE_URL) and restart it."))
    click.echo("Until a new standby is built, commits are not replicated: build one now "
               "(docs/operations.md, \"A new standby\").")
