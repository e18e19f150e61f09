"""The clerk's readings queue: an index of the waiting readings in the queue's order, so that a
page of 200 out of thousands is read in order instead of sorted each time.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 19:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

PENDING = sa.column("status") == "pending"


def upgrade():
    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.create_index('ix_meter_reading_pending_queue', ['tenant_id', 'created_at', 'id'],
                              unique=False, postgresql_where=PENDING, sqlite_where=PENDING)


def downgrade():
    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_meter_reading_pending_queue', postgresql_where=PENDING,
                            sqlite_where=PENDING)
