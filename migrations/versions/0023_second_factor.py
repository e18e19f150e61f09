"""Two-step verification: an authenticator app's secret on the account (set up, being set up,
the last time step used; the secret itself, as codes are computed from it); one-time recovery
codes and remembered browsers (tenant-owned, row-level security; only hashes of them).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 03:39:59.654032

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls

TABLES = ("recovery_code", "trusted_device")


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_recovery_code_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_recovery_code_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_recovery_code_user', ['tenant_id', 'user_id'], unique=False)

    op.create_table('trusted_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=120), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_trusted_device_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_trusted_device_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_device'))
    )
    with op.batch_alter_table('trusted_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trusted_device_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_trusted_device_user', ['tenant_id', 'user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_pending', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    for table in TABLES:
        rls.enable(op, table)


def downgrade():
    for table in TABLES:
        rls.disable(op, table)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_pending')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('trusted_device', schema=None) as batch_op:
        batch_op.drop_index('ix_trusted_device_user')
        batch_op.drop_index(batch_op.f('ix_trusted_device_tenant_id'))

    op.drop_table('trusted_device')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index('ix_recovery_code_user')
        batch_op.drop_index(batch_op.f('ix_recovery_code_tenant_id'))

    op.drop_table('recovery_code')
