"""Two-step verification secrets sealed at rest.

``user_account.totp_secret`` and ``totp_pending`` hold Fernet tokens made with the data keys
(``IOK_DATA_KEYS``), no longer the secrets in clear; on PostgreSQL the columns widen to hold
the token of up to 64 bytes (184 characters). The downgrade opens them again.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 09:12:41.318204

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import sealed

COLUMNS = ("totp_secret", "totp_pending")
USERS = sealed.SealedColumns("user_account", "id", COLUMNS)


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    _widen(sa.String(length=64), sa.String(length=184))
    _each_cooperative(lambda value, where: sealed.seal(value))


def downgrade():
    _each_cooperative(sealed.unseal)
    _widen(sa.String(length=184), sa.String(length=64))


def _widen(before, after):
    """PostgreSQL only: SQLite keeps text of any length in a VARCHAR, and changing the type
    there would copy user_account under every foreign key that points at it."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in COLUMNS:
        op.alter_column('user_account', name, existing_type=before, type_=after,
                        existing_nullable=True)


def _each_cooperative(change):
    """Seal (or open) the stored values cooperative by cooperative, so that row-level security
    lets a migration role that is not a superuser rewrite them."""
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for tenant_id in bind.execute(sa.text("SELECT id FROM tenant")).scalars().all():
        if postgres:
            bind.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"),
                         {"t": str(tenant_id)})
        sealed.rewrite(bind, USERS, change, tenant_id=tenant_id)
    if postgres:
        bind.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))
