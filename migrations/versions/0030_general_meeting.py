"""The general meeting: the meeting and its parts (``meeting``, ``meeting_part``, the buildings
of each part, the office's choice of part for a member holding units in several), its agenda
(``meeting_item``), the votes each part cast (``meeting_vote``), its documents in the members'
library (``meeting_document``), the register of proxies (``meeting_proxy``), and a members'
draft resolution as a case (``office_case.meeting_id``, ``received_on``). The new tables are
tenant-owned, under row-level security.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 23:13:24.677867

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls

TABLES = ("meeting", "meeting_part", "meeting_part_building", "meeting_member", "meeting_item",
          "meeting_vote", "meeting_document", "meeting_proxy")


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('notice_on', sa.Date(), nullable=True),
    sa.Column('convened_by', sa.String(length=160), server_default='', nullable=False),
    sa.Column('results_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('members', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meeting_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meeting_tenant_id_id'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meeting_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'document_id'], ['member_document.tenant_id', 'member_document.id'], name=op.f('fk_meeting_document_tenant_id_member_document')),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meeting.tenant_id', 'meeting.id'], name=op.f('fk_meeting_document_tenant_id_meeting')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meeting_document_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_document')),
    sa.UniqueConstraint('tenant_id', 'meeting_id', 'document_id', name=op.f('uq_meeting_document_tenant_id_meeting_id_document_id'))
    )
    with op.batch_alter_table('meeting_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_document_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meeting_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('present', sa.Integer(), nullable=True),
    sa.Column('by_proxy', sa.Integer(), nullable=True),
    sa.Column('attendance_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meeting.tenant_id', 'meeting.id'], name=op.f('fk_meeting_part_tenant_id_meeting')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meeting_part_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_part')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meeting_part_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'meeting_id', 'number', name=op.f('uq_meeting_part_tenant_id_meeting_id_number'))
    )
    with op.batch_alter_table('meeting_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_part_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meeting_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meeting.tenant_id', 'meeting.id'], name=op.f('fk_meeting_member_tenant_id_meeting')),
    sa.ForeignKeyConstraint(['tenant_id', 'part_id'], ['meeting_part.tenant_id', 'meeting_part.id'], name=op.f('fk_meeting_member_tenant_id_meeting_part')),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_meeting_member_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meeting_member_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_member')),
    sa.UniqueConstraint('tenant_id', 'meeting_id', 'user_id', name=op.f('uq_meeting_member_tenant_id_meeting_id_user_id'))
    )
    with op.batch_alter_table('meeting_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_member_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meeting_part_building',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'building_id'], ['building.tenant_id', 'building.id'], name=op.f('fk_meeting_part_building_tenant_id_building')),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meeting.tenant_id', 'meeting.id'], name=op.f('fk_meeting_part_building_tenant_id_meeting')),
    sa.ForeignKeyConstraint(['tenant_id', 'part_id'], ['meeting_part.tenant_id', 'meeting_part.id'], name=op.f('fk_meeting_part_building_tenant_id_meeting_part')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meeting_part_building_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_part_building')),
    sa.UniqueConstraint('tenant_id', 'meeting_id', 'building_id', name=op.f('uq_meeting_part_building_tenant_id_meeting_id_building_id'))
    )
    with op.batch_alter_table('meeting_part_building', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_part_building_part', ['tenant_id', 'part_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_part_building_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meeting_proxy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=True),
    sa.Column('holder_kind', sa.String(length=20), nullable=False),
    sa.Column('holder_name', sa.String(length=160), nullable=False),
    sa.Column('holder_member_id', sa.Integer(), nullable=True),
    sa.Column('statement', sa.Boolean(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=160), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.String(length=160), server_default='', nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_meeting_proxy_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id', 'holder_member_id'], ['user_account.tenant_id', 'user_account.id'], name='fk_meeting_proxy_holder'),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meeting.tenant_id', 'meeting.id'], name=op.f('fk_meeting_proxy_tenant_id_meeting')),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['user_account.tenant_id', 'user_account.id'], name='fk_meeting_proxy_member'),
    sa.ForeignKeyConstraint(['tenant_id', 'part_id'], ['meeting_part.tenant_id', 'meeting_part.id'], name=op.f('fk_meeting_proxy_tenant_id_meeting_part')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meeting_proxy_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_proxy')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meeting_proxy_tenant_id_id'))
    )
    with op.batch_alter_table('meeting_proxy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_proxy_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_meeting_proxy_tenant_meeting', ['tenant_id', 'meeting_id', 'member_id'], unique=False)
        batch_op.create_index('uq_meeting_proxy_member_standing', ['tenant_id', 'meeting_id', 'member_id'], unique=True, postgresql_where=sa.text("status = 'accepted' AND withdrawn_at IS NULL"), sqlite_where=sa.text("status = 'accepted' AND withdrawn_at IS NULL"))
        batch_op.create_index('uq_meeting_proxy_holder_standing', ['tenant_id', 'meeting_id', 'holder_member_id'], unique=True, postgresql_where=sa.text("status = 'accepted' AND withdrawn_at IS NULL AND holder_member_id IS NOT NULL"), sqlite_where=sa.text("status = 'accepted' AND withdrawn_at IS NULL AND holder_member_id IS NOT NULL"))

    op.create_table('meeting_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('resolution', sa.Boolean(), nullable=False),
    sa.Column('number', sa.String(length=20), server_default='', nullable=False),
    sa.Column('elects', sa.Boolean(), nullable=False),
    sa.Column('majority', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('draft_case_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'document_id'], ['member_document.tenant_id', 'member_document.id'], name=op.f('fk_meeting_item_tenant_id_member_document')),
    sa.ForeignKeyConstraint(['tenant_id', 'draft_case_id'], ['office_case.tenant_id', 'office_case.id'], name=op.f('fk_meeting_item_tenant_id_office_case')),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meeting.tenant_id', 'meeting.id'], name=op.f('fk_meeting_item_tenant_id_meeting')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meeting_item_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_item')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meeting_item_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'meeting_id', 'position', name=op.f('uq_meeting_item_tenant_id_meeting_id_position'))
    )
    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_item_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meeting_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('abstained', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_by', sa.String(length=160), server_default='', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['meeting_item.tenant_id', 'meeting_item.id'], name=op.f('fk_meeting_vote_tenant_id_meeting_item')),
    sa.ForeignKeyConstraint(['tenant_id', 'part_id'], ['meeting_part.tenant_id', 'meeting_part.id'], name=op.f('fk_meeting_vote_tenant_id_meeting_part')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meeting_vote_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_vote')),
    sa.UniqueConstraint('tenant_id', 'item_id', 'part_id', name=op.f('uq_meeting_vote_tenant_id_item_id_part_id'))
    )
    with op.batch_alter_table('meeting_vote', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_vote_part', ['tenant_id', 'part_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_vote_tenant_id'), ['tenant_id'], unique=False)

    # Plain ADD COLUMN, as in 0029 (a batch on SQLite would copy office_case, which others
    # point at); the composite foreign key on PostgreSQL only.
    op.add_column('office_case', sa.Column('meeting_id', sa.Integer(), nullable=True))
    op.add_column('office_case', sa.Column('received_on', sa.Date(), nullable=True))
    op.create_index('ix_office_case_meeting', 'office_case', ['tenant_id', 'meeting_id'],
                    unique=False, postgresql_where=sa.text('meeting_id IS NOT NULL'))
    if op.get_bind().dialect.name != 'sqlite':
        op.create_foreign_key('fk_office_case_meeting', 'office_case', 'meeting',
                              ['tenant_id', 'meeting_id'], ['tenant_id', 'id'])

    for table in TABLES:
        rls.enable(op, table)


def downgrade():
    for table in TABLES:
        rls.disable(op, table)
    op.drop_index('ix_office_case_meeting', table_name='office_case')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('fk_office_case_meeting', 'office_case', type_='foreignkey')
    op.drop_column('office_case', 'received_on')
    op.drop_column('office_case', 'meeting_id')

    with op.batch_alter_table('meeting_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_vote_tenant_id'))
        batch_op.drop_index('ix_meeting_vote_part')

    op.drop_table('meeting_vote')
    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_item_tenant_id'))

    op.drop_table('meeting_item')
    with op.batch_alter_table('meeting_proxy', schema=None) as batch_op:
        batch_op.drop_index('uq_meeting_proxy_holder_standing')
        batch_op.drop_index('uq_meeting_proxy_member_standing')
        batch_op.drop_index('ix_meeting_proxy_tenant_meeting')
        batch_op.drop_index(batch_op.f('ix_meeting_proxy_tenant_id'))

    op.drop_table('meeting_proxy')
    with op.batch_alter_table('meeting_part_building', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_part_building_tenant_id'))
        batch_op.drop_index('ix_meeting_part_building_part')

    op.drop_table('meeting_part_building')
    with op.batch_alter_table('meeting_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_member_tenant_id'))

    op.drop_table('meeting_member')
    with op.batch_alter_table('meeting_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_part_tenant_id'))

    op.drop_table('meeting_part')
    with op.batch_alter_table('meeting_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_document_tenant_id'))

    op.drop_table('meeting_document')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_tenant_id'))

    op.drop_table('meeting')
