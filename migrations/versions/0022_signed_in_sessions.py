"""Signed-in devices (tenant-owned, row-level security): a row per sign-in, named by a random
token in the session cookie and kept here only as its SHA-256, with the device's browser and
system, its network address, the sign-in time and the last activity. Sessions signed in before
this revision carry no token: their people sign in once more.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 03:33:10.151942

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=120), server_default='', nullable=False),
    sa.Column('ip', sa.String(length=45), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_user_session_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_user_session_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('tenant_id', 'token_hash', name=op.f('uq_user_session_tenant_id_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_user_session_user', ['tenant_id', 'user_id'], unique=False)
    rls.enable(op, "user_session")


def downgrade():
    rls.disable(op, "user_session")
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index('ix_user_session_user')
        batch_op.drop_index(batch_op.f('ix_user_session_tenant_id'))

    op.drop_table('user_session')
