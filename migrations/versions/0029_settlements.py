"""Yearly settlements of water and heat: each version of a building's settlement of a medium
for a period (``settlement``), its units' lines (``settlement_line``: readings, coefficients,
parts of the cost, advances month by month, the result, the line it corrects, the document
delivered), and a question about a settlement as a case (``office_case.settlement_line_id``,
``deadline_on``). Both new tables are tenant-owned, under row-level security.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 19:30:45.172716

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls

TABLES = ("settlement", "settlement_line")


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('settlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('medium', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('company', sa.String(length=120), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('measure', sa.String(length=12), nullable=False),
    sa.Column('cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('fixed_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('variable_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('difference_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('area', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('fixed_rate', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('units', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('variable_rate', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'building_id'], ['building.tenant_id', 'building.id'], name=op.f('fk_settlement_tenant_id_building')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_settlement_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement')),
    sa.UniqueConstraint('tenant_id', 'building_id', 'medium', 'period_start', 'version', name=op.f('uq_settlement_tenant_id_building_id_medium_period_start_version')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_settlement_tenant_id_id'))
    )
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.create_index('ix_settlement_tenant_building', ['tenant_id', 'building_id', 'medium', 'period_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('settlement_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('area', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('readings', sa.JSON(), nullable=False),
    sa.Column('consumption', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('fixed_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('variable_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('difference_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('advances', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('advances_monthly', sa.JSON(), nullable=False),
    sa.Column('result', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('refund', sa.String(length=8), nullable=False),
    sa.Column('document_no', sa.String(length=60), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'corrects_id'], ['settlement_line.tenant_id', 'settlement_line.id'], name='fk_settlement_line_corrects'),
    sa.ForeignKeyConstraint(['tenant_id', 'settlement_id'], ['settlement.tenant_id', 'settlement.id'], name=op.f('fk_settlement_line_tenant_id_settlement')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['unit.tenant_id', 'unit.id'], name=op.f('fk_settlement_line_tenant_id_unit')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_settlement_line_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_line')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_settlement_line_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'settlement_id', 'unit_id', name=op.f('uq_settlement_line_tenant_id_settlement_id_unit_id'))
    )
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_line_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_settlement_line_tenant_unit', ['tenant_id', 'unit_id'], unique=False)
        batch_op.create_index('ix_settlement_line_tenant_corrects', ['tenant_id', 'corrects_id'], unique=False, postgresql_where=sa.text('corrects_id IS NOT NULL'))

    # Plain ADD COLUMN: on SQLite a batch would copy office_case, which the cases' events
    # and files point at (the copy's DROP TABLE fails on their foreign keys). SQLite cannot
    # add the composite foreign key to an existing table; PostgreSQL, the production
    # database, gets it.
    op.add_column('office_case', sa.Column('settlement_line_id', sa.Integer(), nullable=True))
    op.add_column('office_case', sa.Column('deadline_on', sa.Date(), nullable=True))
    op.create_index('ix_office_case_settlement_line', 'office_case',
                    ['tenant_id', 'settlement_line_id'], unique=False,
                    postgresql_where=sa.text('settlement_line_id IS NOT NULL'))
    if op.get_bind().dialect.name != 'sqlite':
        op.create_foreign_key('fk_office_case_settlement_line', 'office_case', 'settlement_line',
                              ['tenant_id', 'settlement_line_id'], ['tenant_id', 'id'])

    for table in TABLES:
        rls.enable(op, table)


def downgrade():
    for table in TABLES:
        rls.disable(op, table)
    op.drop_index('ix_office_case_settlement_line', table_name='office_case')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('fk_office_case_settlement_line', 'office_case', type_='foreignkey')
    op.drop_column('office_case', 'deadline_on')
    op.drop_column('office_case', 'settlement_line_id')

    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.drop_index('ix_settlement_line_tenant_corrects')
        batch_op.drop_index('ix_settlement_line_tenant_unit')
        batch_op.drop_index(batch_op.f('ix_settlement_line_tenant_id'))

    op.drop_table('settlement_line')
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_tenant_id'))
        batch_op.drop_index('ix_settlement_tenant_building')

    op.drop_table('settlement')
