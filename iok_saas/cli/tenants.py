"""``iok tenants …``: onboard and run cooperatives."""

from __future__ import annotations

import json
from functools import wraps
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from iok_saas.auth.models import STAFF_ROLES
from iok_saas.auth.services import AccountError, create_account
from iok_saas.db import db
from iok_saas.tenancy import services
from iok_saas.tenancy.context import tenant_context
from iok_saas.tenancy.models import ACTIVE, DISABLED
from iok_saas.tenancy.settings import TenantFileError, TenantSettings


def operator_errors(func):
    """Turn expected failures into a clear message and exit code 1; nothing half-written."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (services.TenantError, TenantFileError, AccountError) as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None

    return wrapper


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _warn(messages: list[str], slug: str) -> None:
    for message in messages:
        click.secho(f"warning: {slug}: {message}", fg="yellow", err=True)


@click.group()
def tenants() -> None:
    """Cooperatives hosted on the platform."""


@tenants.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def list_cmd(as_json: bool) -> None:
    """List cooperatives."""
    rows = [services.describe(t) for t in services.list_tenants()]
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo("No cooperatives yet: `iok tenants sync` loads tenants/*.toml.")
    for row in rows:
        click.echo(f"{row['slug']:<24} {row['status']:<9} {', '.join(row['domains'])}")


@tenants.command("show")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
@operator_errors
def show_cmd(slug: str, as_json: bool) -> None:
    """Show one cooperative: settings, domains, row counts."""
    tenant = services.get_tenant(slug)
    data = services.describe(tenant) | {"rows": services.count_rows(tenant)}
    _warn(data["warnings"], slug)
    if as_json:
        _echo_json(data)
        return
    for key, value in data.items():
        click.echo(f"{key}: {value}")


@tenants.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Full name of the cooperative.")
@click.option("--short-name", help="Short name for headers (default: the full name).")
@with_appcontext
@operator_errors
def create_cmd(slug: str, name: str, short_name: str | None) -> None:
    """Create a cooperative with default settings (then `update` or a TOML file and `sync`)."""
    tenant = services.create_tenant(slug, name, short_name)
    db.session.commit()
    click.echo(f"Created {tenant.slug}: {', '.join(d.host for d in tenant.domains)}")


@tenants.command("update")
@click.argument("slug")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@with_appcontext
@operator_errors
def update_cmd(slug: str, assignments: tuple[str, ...]) -> None:
    """Change settings, e.g. `features.meters=false` or `lockout.max_failures=5`; an empty
    value (`readings.window_start_day=`) puts an optional setting back to its default."""
    changes = services.update_tenant(slug, list(assignments))
    db.session.commit()
    click.echo(f"{slug}: " + (", ".join(changes) if changes else "nothing changed"))
    tenant = services.get_tenant(slug)
    _warn(TenantSettings.model_validate(tenant.settings).warnings(), slug)


@tenants.command("sync")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@with_appcontext
@operator_errors
def sync_cmd(directory: Path | None) -> None:
    """Load tenants/*.toml (all valid or nothing written); running it twice changes nothing."""
    directory = directory or Path(current_app.config["TENANTS_DIR"])
    if not directory.is_dir():
        raise click.ClickException(f"{directory} is not a directory.")
    results = services.sync_dir(directory)
    db.session.commit()
    for result in results:
        detail = f" ({', '.join(result.changes)})" if result.action == "updated" else ""
        click.echo(f"{result.slug}: {result.action}{detail}")
        _warn(result.warnings, result.slug)


@tenants.command("disable")
@click.argument("slug")
@click.option("--message", help="Maintenance message shown to residents (default: the file's).")
@with_appcontext
@operator_errors
def disable_cmd(slug: str, message: str | None) -> None:
    """Close a cooperative's portal: every page answers 503 with the maintenance message."""
    services.set_status(slug, DISABLED, message)
    db.session.commit()
    click.echo(f"{slug}: disabled")


@tenants.command("enable")
@click.argument("slug")
@with_appcontext
@operator_errors
def enable_cmd(slug: str) -> None:
    """Open a cooperative's portal again."""
    services.set_status(slug, ACTIVE)
    db.session.commit()
    click.echo(f"{slug}: active")


@tenants.command("add-domain")
@click.argument("slug")
@click.argument("host")
@with_appcontext
@operator_errors
def add_domain_cmd(slug: str, host: str) -> None:
    """Let a cooperative answer on its own domain (e.g. iok.smbaltyk.pl)."""
    domain = services.add_domain(slug, host)
    db.session.commit()
    click.echo(f"{slug}: +{domain.host}")


@tenants.command("remove-domain")
@click.argument("slug")
@click.argument("host")
@with_appcontext
@operator_errors
def remove_domain_cmd(slug: str, host: str) -> None:
    """Stop answering on a custom domain."""
    services.remove_domain(slug, host)
    db.session.commit()
    click.echo(f"{slug}: -{host}")


@tenants.command("create-staff")
@click.argument("slug")
@click.argument("identifier")
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True)
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--email")
@click.option("--department", default="",
              help="The office's department, shown to residents beside the first name of who "
                   "answered their letter (e.g. \"Dział Czynszów\").")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
@operator_errors
def create_staff_cmd(slug: str, identifier: str, role: str, first_name: str, last_name: str,
                     email: str | None, department: str, as_json: bool) -> None:
    """Create a staff account; prints its one-time initial password (shown only now)."""
    tenant = services.get_tenant(slug)
    settings = TenantSettings.model_validate(tenant.settings)
    with tenant_context(tenant.id):
        account = create_account(settings, role, identifier, first_name, last_name, email,
                                 department=department)
        created = {"identifier": account.user.identifier,
                   "initial_password": account.initial_password}
        db.session.commit()
    if as_json:
        _echo_json(created)
        return
    click.echo(f"Identifier:       {created['identifier']}")
    click.echo(f"Initial password: {created['initial_password']}")
    click.echo("Shown once. The password must be changed at the first sign-in.")


@tenants.command("delete")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
@operator_errors
def delete_cmd(slug: str, yes: bool) -> None:
    """Delete a cooperative and every row it owns (other cooperatives are untouched)."""
    tenant = services.get_tenant(slug)
    if not yes:
        click.confirm(
            f"Delete {tenant.name} ({slug}) and ALL its data? This cannot be undone", abort=True
        )
    counts = services.delete_tenant(slug)
    db.session.commit()
    db.session.close()  # it served the deleted cooperative
    total = sum(counts.values())
    detail = ", ".join(f"{table}={rows}" for table, rows in counts.items())
    click.echo(f"Deleted {slug} and {total} rows: {detail}")


@tenants.command("api-token")
@click.argument("slug")
@click.option("--revoke", is_flag=True, help="Remove the token: the API refuses every request.")
@with_appcontext
@operator_errors
def api_token_cmd(slug: str, revoke: bool) -> None:
    """Create or rotate the cooperative's import API token (printed once, stored hashed)."""
    from iok_saas.imports.api import new_token

    tenant = services.get_tenant(slug)
    if revoke:
        tenant.api_token_hash = tenant.api_token_created_at = None
        db.session.commit()
        click.echo(f"{slug}: API token revoked.")
        return
    token = new_token(tenant)
    db.session.commit()
    click.echo(f"{slug}: new API token (the previous one no longer works). It is shown only "
               "now; keep it in the accounting system's settings:")
    click.echo(token)
