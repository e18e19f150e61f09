"""Documents for members (tenant-owned, row-level security): the document, its versions (each a
PDF in the file store), and when each person last opened the library.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 13:50:59.450565

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls

TABLES = ("member_document", "member_document_version", "member_document_visit")


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('number', sa.String(length=60), server_default='', nullable=False),
    sa.Column('dated', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='current', nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_member_document_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_document')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_member_document_tenant_id_id'))
    )
    with op.batch_alter_table('member_document', schema=None) as batch_op:
        batch_op.create_index('ix_member_document_tenant_category', ['tenant_id', 'category'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_document_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('member_document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by', sa.String(length=160), server_default='', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'document_id'], ['member_document.tenant_id', 'member_document.id'], name=op.f('fk_member_document_version_tenant_id_member_document')),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_member_document_version_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_member_document_version_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_document_version')),
    sa.UniqueConstraint('tenant_id', 'document_id', 'number', name=op.f('uq_member_document_version_tenant_id_document_id_number'))
    )
    with op.batch_alter_table('member_document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_document_version_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('member_document_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_member_document_visit_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_member_document_visit_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_document_visit')),
    sa.UniqueConstraint('tenant_id', 'user_id', name=op.f('uq_member_document_visit_tenant_id_user_id'))
    )
    with op.batch_alter_table('member_document_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_document_visit_tenant_id'), ['tenant_id'], unique=False)
    for table in TABLES:
        rls.enable(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable(op, table)
    with op.batch_alter_table('member_document_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_document_visit_tenant_id'))

    op.drop_table('member_document_visit')
    with op.batch_alter_table('member_document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_document_version_tenant_id'))

    op.drop_table('member_document_version')
    with op.batch_alter_table('member_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_document_tenant_id'))
        batch_op.drop_index('ix_member_document_tenant_category')

    op.drop_table('member_document')
