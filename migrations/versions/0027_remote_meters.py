"""Remote-read meters (art. 45a ust. 7 and 45c of the energy law): a meter is typed or remote
(``meter.reading_mode``, with the radio module's number); readings that arrive from the metering
company's system (``meter_remote_reading``, narrow and keyed by meter and moment), the ones held
for the office (``meter_held_reading``: lower than the one before, or above a later one), each
meter's consumption per month (``meter_month``) and the building's median (``meter_building_month``),
alerts on unusual consumption, the monthly statements, and two e-mail choices on the account.
Every new table is tenant-owned, under row-level security.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 13:27:54.506938

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls

TABLES = ("meter_building_month", "meter_consumption_statement", "meter_consumption_alert",
          "meter_held_reading", "meter_month", "meter_remote_reading")

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meter_building_month',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('measure', sa.String(length=12), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('median', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'building_id'], ['building.tenant_id', 'building.id'], name=op.f('fk_meter_building_month_tenant_id_building')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_building_month_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'building_id', 'kind', 'measure', 'month', name=op.f('pk_meter_building_month'))
    )
    op.create_table('meter_consumption_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_meter_consumption_statement_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['unit.tenant_id', 'unit.id'], name=op.f('fk_meter_consumption_statement_tenant_id_unit')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_consumption_statement_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_consumption_statement')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meter_consumption_statement_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'unit_id', 'month', name=op.f('uq_meter_consumption_statement_tenant_id_unit_id_month'))
    )
    with op.batch_alter_table('meter_consumption_statement', schema=None) as batch_op:
        batch_op.create_index('ix_meter_consumption_statement_month', ['tenant_id', 'month'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_consumption_statement_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meter_consumption_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('compared_with', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'meter_id'], ['meter.tenant_id', 'meter.id'], name=op.f('fk_meter_consumption_alert_tenant_id_meter')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_consumption_alert_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_consumption_alert')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meter_consumption_alert_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'meter_id', 'kind', 'month', name=op.f('uq_meter_consumption_alert_tenant_id_meter_id_kind_month'))
    )
    with op.batch_alter_table('meter_consumption_alert', schema=None) as batch_op:
        batch_op.create_index('ix_meter_consumption_alert_recent', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_consumption_alert_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meter_held_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('previous_value', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=160), server_default='', nullable=False),
    sa.Column('decision', sa.String(length=10), server_default='', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'meter_id'], ['meter.tenant_id', 'meter.id'], name=op.f('fk_meter_held_reading_tenant_id_meter')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_held_reading_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_held_reading')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meter_held_reading_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'meter_id', 'read_at', name=op.f('uq_meter_held_reading_tenant_id_meter_id_read_at'))
    )
    with op.batch_alter_table('meter_held_reading', schema=None) as batch_op:
        batch_op.create_index('ix_meter_held_reading_open', ['tenant_id', 'decided_at', 'meter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_held_reading_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meter_month',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('start_value', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('end_value', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('consumption', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('estimated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('readings', sa.Integer(), server_default='0', nullable=False),
    sa.Column('zero_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'meter_id'], ['meter.tenant_id', 'meter.id'], name=op.f('fk_meter_month_tenant_id_meter')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_month_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'meter_id', 'month', name=op.f('pk_meter_month'))
    )
    op.create_table('meter_remote_reading',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'meter_id'], ['meter.tenant_id', 'meter.id'], name=op.f('fk_meter_remote_reading_tenant_id_meter')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meter_remote_reading_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'meter_id', 'read_at', name=op.f('pk_meter_remote_reading'))
    )
    with op.batch_alter_table('meter_remote_reading', schema=None) as batch_op:
        batch_op.create_index('ix_meter_remote_reading_time', ['read_at'], unique=False,
                              postgresql_using='brin')
    # Plain ALTER TABLE … ADD COLUMN: a batch would copy the tables, which SQLite's foreign
    # keys refuse once other tables point at their rows.
    op.add_column('meter', sa.Column('reading_mode', sa.String(length=10), server_default='typed', nullable=False))
    op.add_column('meter', sa.Column('radio_id', sa.String(length=40), nullable=True))
    op.add_column('user_account', sa.Column('consumption_emails', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.add_column('user_account', sa.Column('consumption_alerts', sa.Boolean(), server_default=sa.text('false'), nullable=False))

    for table in TABLES:
        rls.enable(op, table)


def downgrade():
    for table in TABLES:
        rls.disable(op, table)
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 has it), as the upgrade adds them.
    for table, column in (("user_account", "consumption_alerts"),
                          ("user_account", "consumption_emails"),
                          ("meter", "radio_id"), ("meter", "reading_mode")):
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')

    op.drop_table('meter_remote_reading')
    op.drop_table('meter_month')
    with op.batch_alter_table('meter_held_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_held_reading_tenant_id'))
        batch_op.drop_index('ix_meter_held_reading_open')

    op.drop_table('meter_held_reading')
    with op.batch_alter_table('meter_consumption_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_consumption_alert_tenant_id'))
        batch_op.drop_index('ix_meter_consumption_alert_recent')

    op.drop_table('meter_consumption_alert')
    with op.batch_alter_table('meter_consumption_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_consumption_statement_tenant_id'))
        batch_op.drop_index('ix_meter_consumption_statement_month')

    op.drop_table('meter_consumption_statement')
    op.drop_table('meter_building_month')
