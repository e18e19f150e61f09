"""What several operator commands share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from iok_saas.db import db
from iok_saas.tenancy import services, tenant_context


@contextmanager
def in_cooperative(slug: str) -> Iterator[int]:
    """Work as the cooperative with this slug (a fresh session); unknown slug: a clear error."""
    try:
        tenant = services.get_tenant(slug)
    except services.TenantError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.remove()
    with tenant_context(tenant.id):
        yield tenant.id
