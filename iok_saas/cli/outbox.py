"""``iok outbox …``: watch and steer the e-mail outbox."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from iok_saas.db import db, utcnow
from iok_saas.mail import outbox
from iok_saas.mail.models import STATUSES
from iok_saas.tenancy import services, tenant_context


@click.group("outbox")
def outbox_group() -> None:
    """E-mails waiting, sent and failed, per cooperative."""


@outbox_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def status_cmd(as_json: bool) -> None:
    """Pending, sending, sent and failed messages per cooperative; RQ's failed jobs."""
    data = outbox.status()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'cooperative':<24}" + "".join(f"{s:>9}" for s in STATUSES))
    for slug, counts in data["tenants"].items():
        click.echo(f"{slug:<24}" + "".join(f"{counts[s]:>9}" for s in STATUSES))
    queue = data["queue"]
    click.echo(f"\nqueue: {json.dumps(queue, ensure_ascii=False)}")


@outbox_group.command("relay")
@with_appcontext
def relay_cmd() -> None:
    """Enqueue messages whose job never arrived; fail sends that were cut off."""
    result = outbox.relay()
    click.echo(f"enqueued {result['enqueued']}, marked interrupted {result['interrupted']}")


@outbox_group.command("retry")
@click.option("--tenant", "slug", help="Only this cooperative's failed messages.")
@click.argument("ids", nargs=-1)
@with_appcontext
def retry_cmd(slug: str | None, ids: tuple[str, ...]) -> None:
    """Send failed messages again (all, one cooperative's, or the given ids)."""
    if slug:
        services.get_tenant(slug)
    chosen = outbox.retry_failed(slug, list(ids) or None)
    click.echo(f"{len(chosen)} message(s) back in the queue")


@outbox_group.command("test")
@click.argument("slug")
@click.argument("address")
@with_appcontext
def test_cmd(slug: str, address: str) -> None:
    """Send a test e-mail in the cooperative's branding to ADDRESS."""
    if "@" not in address or any(c.isspace() for c in address):
        raise click.ClickException(f"{address!r} is not an e-mail address.")
    try:
        tenant = services.get_tenant(slug)
    except services.TenantError as exc:
        raise click.ClickException(str(exc)) from None
    with tenant_context(tenant.id):
        note = f"Wysłano na próbę {utcnow():%d.%m.%Y %H:%M} UTC przez operatora platformy."
        message = outbox.queue_message("test_message", address, {"note": note},
                                       user_id=None)
        message_id = message.id
        db.session.commit()
    click.echo(f"queued {message_id} for {address}")
