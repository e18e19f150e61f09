"""Imports: external ids of buildings, units and people; queued imports; API tokens.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 07:02:16.194544

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_building_tenant_id_external_id'), ['tenant_id', 'external_id'])

    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), server_default='cli', nullable=False))
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='done', nullable=False))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stored_file', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('size', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('notes', sa.JSON(), nullable=True))
        batch_op.alter_column('finished_at',
               existing_type=sa.DateTime(timezone=True),
               nullable=True)

    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('api_token_created_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_unit_tenant_id_external_id'), ['tenant_id', 'external_id'])

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_tenant_id_external_id'), ['tenant_id', 'external_id'])



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_tenant_id_external_id'), type_='unique')
        batch_op.drop_column('external_id')

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_unit_tenant_id_external_id'), type_='unique')
        batch_op.drop_column('external_id')

    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('api_token_created_at')
        batch_op.drop_column('api_token_hash')

    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.alter_column('finished_at',
               existing_type=sa.DateTime(timezone=True),
               nullable=False)
        batch_op.drop_column('notes')
        batch_op.drop_column('size')
        batch_op.drop_column('stored_file')
        batch_op.drop_column('started_at')
        batch_op.drop_column('created_at')
        batch_op.drop_column('status')
        batch_op.drop_column('source')

    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_building_tenant_id_external_id'), type_='unique')
        batch_op.drop_column('external_id')

