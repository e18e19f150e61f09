"""Announcements (tenant-owned, row-level security): the announcement, its buildings or estates,
who has read it, its attachments; residents' consent to announcements by e-mail.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 11:00:00

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls

TABLES = ("announcement", "announcement_building", "announcement_estate", "announcement_read",
          "announcement_attachment")

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), server_default='general', nullable=False),
    sa.Column('service', sa.String(length=12), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('audience', sa.String(length=10), server_default='all', nullable=False),
    sa.Column('publish_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('publish_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pinned', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('send_email', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=160), server_default='', nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emails_queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emails_progress_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emails_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_announcement_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_announcement_tenant_id_id'))
    )
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_announcement_tenant_publish', ['tenant_id', 'publish_from'], unique=False)

    op.create_table('announcement_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=60), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'announcement_id'], ['announcement.tenant_id', 'announcement.id'], name=op.f('fk_announcement_attachment_tenant_id_announcement')),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_announcement_attachment_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_announcement_attachment_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_attachment'))
    )
    with op.batch_alter_table('announcement_attachment', schema=None) as batch_op:
        batch_op.create_index('ix_announcement_attachment_announcement', ['tenant_id', 'announcement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcement_attachment_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('announcement_building',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'announcement_id'], ['announcement.tenant_id', 'announcement.id'], name=op.f('fk_announcement_building_tenant_id_announcement')),
    sa.ForeignKeyConstraint(['tenant_id', 'building_id'], ['building.tenant_id', 'building.id'], name=op.f('fk_announcement_building_tenant_id_building')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_announcement_building_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_building')),
    sa.UniqueConstraint('tenant_id', 'announcement_id', 'building_id', name=op.f('uq_announcement_building_tenant_id_announcement_id_building_id'))
    )
    with op.batch_alter_table('announcement_building', schema=None) as batch_op:
        batch_op.create_index('ix_announcement_building_building', ['tenant_id', 'building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcement_building_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('announcement_estate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('estate', sa.String(length=120), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'announcement_id'], ['announcement.tenant_id', 'announcement.id'], name=op.f('fk_announcement_estate_tenant_id_announcement')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_announcement_estate_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_estate')),
    sa.UniqueConstraint('tenant_id', 'announcement_id', 'estate', name=op.f('uq_announcement_estate_tenant_id_announcement_id_estate'))
    )
    with op.batch_alter_table('announcement_estate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_estate_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('announcement_read',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'announcement_id'], ['announcement.tenant_id', 'announcement.id'], name=op.f('fk_announcement_read_tenant_id_announcement')),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_announcement_read_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_announcement_read_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_read')),
    sa.UniqueConstraint('tenant_id', 'announcement_id', 'user_id', name=op.f('uq_announcement_read_tenant_id_announcement_id_user_id'))
    )
    with op.batch_alter_table('announcement_read', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_read_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_announcement_read_user', ['tenant_id', 'user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_emails', sa.Boolean(), server_default=sa.text('false'), nullable=False))

    for table in TABLES:
        rls.enable(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable(op, table)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('announcement_emails')

    with op.batch_alter_table('announcement_read', schema=None) as batch_op:
        batch_op.drop_index('ix_announcement_read_user')
        batch_op.drop_index(batch_op.f('ix_announcement_read_tenant_id'))

    op.drop_table('announcement_read')
    with op.batch_alter_table('announcement_estate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_estate_tenant_id'))

    op.drop_table('announcement_estate')
    with op.batch_alter_table('announcement_building', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_building_tenant_id'))
        batch_op.drop_index('ix_announcement_building_building')

    op.drop_table('announcement_building')
    with op.batch_alter_table('announcement_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_attachment_tenant_id'))
        batch_op.drop_index('ix_announcement_attachment_announcement')

    op.drop_table('announcement_attachment')
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index('ix_announcement_tenant_publish')
        batch_op.drop_index(batch_op.f('ix_announcement_tenant_id'))

    op.drop_table('announcement')
