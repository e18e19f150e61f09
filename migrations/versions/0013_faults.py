"""Fault reports (tenant-owned, row-level security): reports, their history, photos and the
per-year counter that numbers them without gaps.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 10:28:42.083878

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls

TABLES = ("fault_counter", "fault_report", "fault_event", "fault_photo")

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fault_counter',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_fault_counter_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'year', name=op.f('pk_fault_counter'))
    )
    op.create_table('fault_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('submission', sa.String(length=36), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=120), server_default='', nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('entry_allowed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), server_default='', nullable=False),
    sa.Column('contact_note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('status', sa.String(length=12), server_default='received', nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'assigned_to_id'], ['user_account.tenant_id', 'user_account.id'], name='fk_fault_report_assigned_to'),
    sa.ForeignKeyConstraint(['tenant_id', 'building_id'], ['building.tenant_id', 'building.id'], name=op.f('fk_fault_report_tenant_id_building')),
    sa.ForeignKeyConstraint(['tenant_id', 'merged_into_id'], ['fault_report.tenant_id', 'fault_report.id'], name=op.f('fk_fault_report_tenant_id_fault_report')),
    sa.ForeignKeyConstraint(['tenant_id', 'reporter_id'], ['user_account.tenant_id', 'user_account.id'], name='fk_fault_report_reporter'),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['unit.tenant_id', 'unit.id'], name=op.f('fk_fault_report_tenant_id_unit')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_fault_report_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fault_report')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_fault_report_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'reporter_id', 'submission', name=op.f('uq_fault_report_tenant_id_reporter_id_submission')),
    sa.UniqueConstraint('tenant_id', 'year', 'number', name=op.f('uq_fault_report_tenant_id_year_number'))
    )
    with op.batch_alter_table('fault_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_report_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_fault_report_tenant_merged', ['tenant_id', 'merged_into_id'], unique=False)
        batch_op.create_index('ix_fault_report_tenant_reporter', ['tenant_id', 'reporter_id'], unique=False)
        batch_op.create_index('ix_fault_report_tenant_status', ['tenant_id', 'status', 'created_at'], unique=False)

    op.create_table('fault_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=True),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=160), server_default='', nullable=False),
    sa.Column('by_staff', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'report_id'], ['fault_report.tenant_id', 'fault_report.id'], name=op.f('fk_fault_event_tenant_id_fault_report')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_fault_event_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fault_event')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_fault_event_tenant_id_id'))
    )
    with op.batch_alter_table('fault_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_event_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_fault_event_tenant_report', ['tenant_id', 'report_id', 'id'], unique=False)

    op.create_table('fault_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'event_id'], ['fault_event.tenant_id', 'fault_event.id'], name=op.f('fk_fault_photo_tenant_id_fault_event')),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_fault_photo_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id', 'report_id'], ['fault_report.tenant_id', 'fault_report.id'], name=op.f('fk_fault_photo_tenant_id_fault_report')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_fault_photo_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fault_photo'))
    )
    with op.batch_alter_table('fault_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_photo_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_fault_photo_tenant_report', ['tenant_id', 'report_id'], unique=False)

    for table in TABLES:
        rls.enable(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable(op, table)
    with op.batch_alter_table('fault_photo', schema=None) as batch_op:
        batch_op.drop_index('ix_fault_photo_tenant_report')
        batch_op.drop_index(batch_op.f('ix_fault_photo_tenant_id'))

    op.drop_table('fault_photo')
    with op.batch_alter_table('fault_event', schema=None) as batch_op:
        batch_op.drop_index('ix_fault_event_tenant_report')
        batch_op.drop_index(batch_op.f('ix_fault_event_tenant_id'))

    op.drop_table('fault_event')
    with op.batch_alter_table('fault_report', schema=None) as batch_op:
        batch_op.drop_index('ix_fault_report_tenant_status')
        batch_op.drop_index('ix_fault_report_tenant_reporter')
        batch_op.drop_index('ix_fault_report_tenant_merged')
        batch_op.drop_index(batch_op.f('ix_fault_report_tenant_id'))

    op.drop_table('fault_report')
    op.drop_table('fault_counter')
