"""Import runs can be "interrupted" (their process was killed): room for the longer status.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=10),
                              type_=sa.String(length=16), existing_nullable=False,
                              existing_server_default='done')


def downgrade():
    op.execute("UPDATE import_run SET status = 'failed' WHERE status = 'interrupted'")
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=16),
                              type_=sa.String(length=10), existing_nullable=False,
                              existing_server_default='done')
