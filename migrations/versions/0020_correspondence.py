"""Letters to the office (sprawy, tenant-owned, row-level security): the case, its thread, its
attachments, the office's answer templates; one counter table for every numbered register
(``registry_counter``: the fault reports' ``AW`` counters move there from ``fault_counter``,
letters count in ``KO``); a staff member's department (shown beside the first name of who
answered).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 00:01:29.563852

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls

TABLES = ("correspondence_template", "registry_counter", "correspondence_case",
          "correspondence_entry", "correspondence_attachment")


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('correspondence_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=60), server_default='', nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_correspondence_template_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correspondence_template')),
    sa.UniqueConstraint('tenant_id', 'title', name=op.f('uq_correspondence_template_tenant_id_title'))
    )
    with op.batch_alter_table('correspondence_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correspondence_template_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_correspondence_template_tenant_topic', ['tenant_id', 'topic'], unique=False)

    op.create_table('registry_counter',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('register', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_registry_counter_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'register', 'year', name=op.f('pk_registry_counter'))
    )
    op.create_table('correspondence_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('submission', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=60), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), server_default='received', nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('first_answer_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.String(length=300), server_default='', nullable=False),
    sa.Column('fault_report_id', sa.Integer(), nullable=True),
    sa.Column('fault_number', sa.String(length=20), server_default='', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'assigned_to_id'], ['user_account.tenant_id', 'user_account.id'], name='fk_correspondence_case_assigned_to'),
    sa.ForeignKeyConstraint(['tenant_id', 'author_id'], ['user_account.tenant_id', 'user_account.id'], name='fk_correspondence_case_author'),
    sa.ForeignKeyConstraint(['tenant_id', 'fault_report_id'], ['fault_report.tenant_id', 'fault_report.id'], name=op.f('fk_correspondence_case_tenant_id_fault_report')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['unit.tenant_id', 'unit.id'], name=op.f('fk_correspondence_case_tenant_id_unit')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_correspondence_case_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correspondence_case')),
    sa.UniqueConstraint('tenant_id', 'author_id', 'submission', name=op.f('uq_correspondence_case_tenant_id_author_id_submission')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_correspondence_case_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'year', 'number', name=op.f('uq_correspondence_case_tenant_id_year_number'))
    )
    with op.batch_alter_table('correspondence_case', schema=None) as batch_op:
        batch_op.create_index('ix_correspondence_case_tenant_author', ['tenant_id', 'author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correspondence_case_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_correspondence_case_tenant_status', ['tenant_id', 'status', 'created_at'], unique=False)

    op.create_table('correspondence_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=True),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=160), server_default='', nullable=False),
    sa.Column('by_staff', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'case_id'], ['correspondence_case.tenant_id', 'correspondence_case.id'], name=op.f('fk_correspondence_entry_tenant_id_correspondence_case')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_correspondence_entry_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correspondence_entry')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_correspondence_entry_tenant_id_id'))
    )
    with op.batch_alter_table('correspondence_entry', schema=None) as batch_op:
        batch_op.create_index('ix_correspondence_entry_tenant_case', ['tenant_id', 'case_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correspondence_entry_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('correspondence_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=160), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'case_id'], ['correspondence_case.tenant_id', 'correspondence_case.id'], name=op.f('fk_correspondence_attachment_tenant_id_correspondence_case')),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['correspondence_entry.tenant_id', 'correspondence_entry.id'], name=op.f('fk_correspondence_attachment_tenant_id_correspondence_entry')),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_correspondence_attachment_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_correspondence_attachment_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correspondence_attachment'))
    )
    with op.batch_alter_table('correspondence_attachment', schema=None) as batch_op:
        batch_op.create_index('ix_correspondence_attachment_tenant_case', ['tenant_id', 'case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correspondence_attachment_tenant_id'), ['tenant_id'], unique=False)

    op.execute("INSERT INTO registry_counter (tenant_id, register, year, last) "
               "SELECT tenant_id, 'AW', year, last FROM fault_counter")
    rls.disable(op, "fault_counter")
    op.drop_table('fault_counter')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department', sa.String(length=80), server_default='', nullable=False))
    for table in TABLES:
        rls.enable(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable(op, table)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('department')

    op.create_table('fault_counter',
    sa.Column('tenant_id', sa.INTEGER(), autoincrement=False, nullable=False),
    sa.Column('year', sa.INTEGER(), autoincrement=False, nullable=False),
    sa.Column('last', sa.INTEGER(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_fault_counter_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'year', name=op.f('pk_fault_counter'))
    )
    op.execute("INSERT INTO fault_counter (tenant_id, year, last) "
               "SELECT tenant_id, year, last FROM registry_counter WHERE register = 'AW'")
    rls.enable(op, "fault_counter")
    with op.batch_alter_table('correspondence_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correspondence_attachment_tenant_id'))
        batch_op.drop_index('ix_correspondence_attachment_tenant_case')

    op.drop_table('correspondence_attachment')
    with op.batch_alter_table('correspondence_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correspondence_entry_tenant_id'))
        batch_op.drop_index('ix_correspondence_entry_tenant_case')

    op.drop_table('correspondence_entry')
    with op.batch_alter_table('correspondence_case', schema=None) as batch_op:
        batch_op.drop_index('ix_correspondence_case_tenant_status')
        batch_op.drop_index(batch_op.f('ix_correspondence_case_tenant_id'))
        batch_op.drop_index('ix_correspondence_case_tenant_author')

    op.drop_table('correspondence_case')
    op.drop_table('registry_counter')
    with op.batch_alter_table('correspondence_template', schema=None) as batch_op:
        batch_op.drop_index('ix_correspondence_template_tenant_topic')
        batch_op.drop_index(batch_op.f('ix_correspondence_template_tenant_id'))

    op.drop_table('correspondence_template')
