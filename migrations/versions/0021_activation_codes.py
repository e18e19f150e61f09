"""Activation by letter (tenant-owned, row-level security): one-time codes printed on the fee
notice or in a letter, kept only as a keyed hash, with when they were issued, used, revoked,
and how many wrong codes were typed against them.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 03:22:08.295172

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activation_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.String(length=12), server_default='', nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_activation_code_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_activation_code_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_code'))
    )
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activation_code_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_activation_code_user', ['tenant_id', 'user_id'], unique=False)
    rls.enable(op, "activation_code")


def downgrade():
    rls.disable(op, "activation_code")
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_index('ix_activation_code_user')
        batch_op.drop_index(batch_op.f('ix_activation_code_tenant_id'))

    op.drop_table('activation_code')
