"""Outbox: mass e-mail (an announcement to thousands) is sent many messages to a job over one
connection; a bulk message records the job carrying it, so the relay asks about each job once
and hands what a lost job carried to new ones on the bulk queue.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 13:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bulk', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('job_id', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('job_id')
        batch_op.drop_column('bulk')
