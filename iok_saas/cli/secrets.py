"""``iok secrets …``: the data keys that seal secrets at rest (``IOK_DATA_KEYS``)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from iok_saas.db import db, sealed


@click.group("secrets")
def secrets_group() -> None:
    """The data keys that seal secrets at rest (IOK_DATA_KEYS)."""


@secrets_group.command("rotate")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def rotate_cmd(as_json: bool) -> None:
    """Seal every sealed value of every cooperative again with the newest key of
    IOK_DATA_KEYS; afterwards the older keys can be dropped from the list."""
    try:
        counts = sealed.rotate(db.session.connection(), db.metadata)
    except sealed.DataKeyError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc} Nothing was changed.") from None
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"resealed": counts, "total": sum(counts.values())}, indent=2))
        return
    for name, count in counts.items():
        click.echo(f"{name}: {count} value(s) sealed with the newest key")
    click.echo(f"{sum(counts.values())} in all; the older keys can now leave IOK_DATA_KEYS.")
