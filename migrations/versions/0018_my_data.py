"""The resident's own data (tenant-owned, row-level security): staff views of a resident's data
(who, when, what) and the prepared downloads of everything held about a person.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 13:54:47.560824

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls

TABLES = ("data_view", "data_export")


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('viewer_id', sa.Integer(), nullable=True),
    sa.Column('viewer_label', sa.String(length=160), nullable=False),
    sa.Column('viewer_role', sa.String(length=16), nullable=False),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_data_view_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_view'))
    )
    with op.batch_alter_table('data_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_view_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_data_view_tenant_subject', ['tenant_id', 'subject_id', 'at'], unique=False)

    op.create_table('data_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('downloaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_data_export_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_data_export_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_export'))
    )
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_export_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_data_export_tenant_user', ['tenant_id', 'user_id'], unique=False)
    for table in TABLES:
        rls.enable(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable(op, table)
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.drop_index('ix_data_export_tenant_user')
        batch_op.drop_index(batch_op.f('ix_data_export_tenant_id'))

    op.drop_table('data_export')
    with op.batch_alter_table('data_view', schema=None) as batch_op:
        batch_op.drop_index('ix_data_view_tenant_subject')
        batch_op.drop_index(batch_op.f('ix_data_view_tenant_id'))

    op.drop_table('data_view')
