"""Outbox: when the message itself (SMTP DATA) started to go, so that only a send cut off after
that counts as "delivery unknown"; earlier interruptions go back to pending.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 09:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_started_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('data_started_at')
