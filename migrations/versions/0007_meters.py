"""Meters and readings (tenant-owned, row-level security); reading reminders on accounts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 07:50:28.763685

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('serial_number', sa.String(length=40), nullable=False),
    sa.Column('place', sa.String(length=80), server_default='', nullable=False),
    sa.Column('measure', sa.String(length=12), server_default='m³', nullable=False),
    sa.Column('installed_on', sa.Date(), nullable=True),
    sa.Column('legalised_until', sa.Date(), nullable=True),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.Column('initial_value', sa.Numeric(precision=14, scale=3), server_default='0', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['unit.tenant_id', 'unit.id'], name=op.f('fk_meter_tenant_id_unit')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_meter_tenant_id_external_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meter_tenant_id_id'))
    )
    with op.batch_alter_table('meter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_meter_tenant_unit', ['tenant_id', 'unit_id'], unique=False)

    op.create_table('meter_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('read_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('source', sa.String(length=10), server_default='import', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='accepted', nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reject_reason', sa.String(length=300), server_default='', nullable=False),
    sa.Column('high_confirmed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'meter_id'], ['meter.tenant_id', 'meter.id'], name=op.f('fk_meter_reading_tenant_id_meter')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_reading_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_reading')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_meter_reading_tenant_id_external_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meter_reading_tenant_id_id'))
    )
    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_reading_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_meter_reading_tenant_meter_date', ['tenant_id', 'meter_id', 'read_on'], unique=False)
        batch_op.create_index('ix_meter_reading_tenant_status', ['tenant_id', 'status'], unique=False)
        batch_op.create_index('uq_meter_reading_one_pending', ['tenant_id', 'meter_id'], unique=True, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    op.create_table('meter_reading_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reading_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=160), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('old_value', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('new_value', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('old_read_on', sa.Date(), nullable=False),
    sa.Column('new_read_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'reading_id'], ['meter_reading.tenant_id', 'meter_reading.id'], name=op.f('fk_meter_reading_correction_tenant_id_meter_reading')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_reading_correction_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_reading_correction'))
    )
    with op.batch_alter_table('meter_reading_correction', schema=None) as batch_op:
        batch_op.create_index('ix_meter_reading_correction_reading', ['tenant_id', 'reading_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_reading_correction_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meter_reading_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reading_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'reading_id'], ['meter_reading.tenant_id', 'meter_reading.id'], name=op.f('fk_meter_reading_photo_tenant_id_meter_reading')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_reading_photo_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_reading_photo')),
    sa.UniqueConstraint('tenant_id', 'reading_id', name=op.f('uq_meter_reading_photo_tenant_id_reading_id'))
    )
    with op.batch_alter_table('meter_reading_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_reading_photo_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reading_reminders', sa.Boolean(), server_default=sa.false(), nullable=False))
    rls.enable(op, "meter")
    rls.enable(op, "meter_reading")
    rls.enable(op, "meter_reading_correction")
    rls.enable(op, "meter_reading_photo")


def downgrade():
    rls.disable(op, "meter_reading_photo")
    rls.disable(op, "meter_reading_correction")
    rls.disable(op, "meter_reading")
    rls.disable(op, "meter")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('reading_reminders')

    with op.batch_alter_table('meter_reading_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_reading_photo_tenant_id'))

    op.drop_table('meter_reading_photo')
    with op.batch_alter_table('meter_reading_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_reading_correction_tenant_id'))
        batch_op.drop_index('ix_meter_reading_correction_reading')

    op.drop_table('meter_reading_correction')
    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.drop_index('uq_meter_reading_one_pending', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_meter_reading_tenant_status')
        batch_op.drop_index('ix_meter_reading_tenant_meter_date')
        batch_op.drop_index(batch_op.f('ix_meter_reading_tenant_id'))

    op.drop_table('meter_reading')
    with op.batch_alter_table('meter', schema=None) as batch_op:
        batch_op.drop_index('ix_meter_tenant_unit')
        batch_op.drop_index(batch_op.f('ix_meter_tenant_id'))

    op.drop_table('meter')
