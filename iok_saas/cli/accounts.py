"""``iok accounts …``: residents' accounts of one cooperative."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app, g
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import or_, select

from iok_saas.cli.common import in_cooperative
from iok_saas.db import db
from iok_saas.tenancy.info import get_tenant_info


@click.group("accounts")
def accounts_group() -> None:
    """Residents' accounts."""


def _building(spec: str) -> int:
    """The building named by its id in the accounting system, or by the IOK's number."""
    from iok_saas.estate.models import Building

    found = db.session.scalars(select(Building.id).where(or_(
        Building.external_id == spec,
        Building.id == (int(spec) if spec.isdigit() else -1)))).all()
    if len(found) != 1:
        raise click.ClickException(f"No building {spec!r} in this cooperative (give its id in "
                                   "the accounting system, or its number in the IOK).")
    return found[0]


def _write(folder: Path, name: str, data: bytes) -> Path:
    """A file only its owner can read: it holds activation codes."""
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(descriptor, 0o600)  # a file already there keeps its mode otherwise
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return path


@accounts_group.command("letter-codes")
@click.option("--tenant", "slug", required=True, help="The cooperative's slug.")
@click.option("--building", help="Only this building (its id in the accounting system, or "
                                 "its number in the IOK).")
@click.option("--all", "everyone", is_flag=True,
              help="Also people who hold a code that still works (that code stops working).")
@click.option("--days", type=click.IntRange(1, 365),
              help="How long the codes work (default: the cooperative's letter_code_days).")
@click.option("--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the CSV (for the fee notice) and the letters (PDF).")
@with_appcontext
def letter_codes_cmd(slug: str, building: str | None, everyone: bool, days: int | None,
                     output: Path) -> None:
    """One-time activation codes for the residents who have never signed in: a CSV the
    accounting system prints on the fee notice, and letters (one PDF page a person). The codes
    are shown only in these files; the IOK keeps only their fingerprints."""
    from iok_saas.account_security import activation, letters

    with in_cooperative(slug) as tenant_id:
        info = get_tenant_info(tenant_id)
        if not info.settings.onboarding.letter_code:
            raise click.ClickException(
                f"{slug} does not activate accounts by letter: set [onboarding] letter_code = "
                "true in its file (then iok tenants sync).")
        building_id = _building(building) if building else None
        people = activation.recipients(building_id, everyone=everyone)
        if not people:
            click.echo("Nobody to issue codes for: everyone chosen has signed in already or "
                       "holds a code that still works (--all issues new ones).")
            return
        output.mkdir(parents=True, exist_ok=True)
        with current_app.test_request_context(base_url=info.url("/")), force_locale("pl"):
            g.tenant = info
            issued = activation.issue(people, days or info.settings.onboarding.letter_code_days,
                                      None)
            paths = [_write(output, f"kody-aktywacyjne-{slug}.csv",
                            letters.codes_csv(issued).encode("utf-8")),
                     _write(output, f"listy-aktywacyjne-{slug}.pdf",
                            letters.letters_pdf(issued))]
        db.session.commit()  # the codes work once their paper exists
    click.echo(f"{len(issued)} codes issued, valid until "
               f"{issued[0].expires_at.date().isoformat()}.")
    for path in paths:
        click.echo(f"  {path}")
