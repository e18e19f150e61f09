"""The account an e-mail is about (``outbox_message.user_id``): "Moje dane" lists a person's
e-mails by account, not by address, since two accounts may share one mailbox. Messages queued
before this are given the account whose address they went to where exactly one account of the
cooperative has that address; the rest (a shared or since-changed address) stay without one.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 05:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

OWNER = ("(SELECT {what} FROM user_account u WHERE u.tenant_id = outbox_message.tenant_id "
         "AND lower(u.email) = lower(outbox_message.recipient))")
BACKFILL = sa.text(
    f"UPDATE outbox_message SET user_id = {OWNER.format(what='min(u.id)')} "
    f"WHERE tenant_id = :t AND user_id IS NULL AND {OWNER.format(what='count(*)')} = 1")


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_message_tenant_user', ['tenant_id', 'user_id'],
                              unique=False)
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    # Cooperative by cooperative, so row-level security lets a migration role that is not a
    # superuser update the rows.
    for tenant_id in bind.execute(sa.text("SELECT id FROM tenant")).scalars().all():
        if postgres:
            bind.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"),
                         {"t": str(tenant_id)})
        bind.execute(BACKFILL, {"t": tenant_id})
    if postgres:
        bind.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_tenant_user')
        batch_op.drop_column('user_id')
