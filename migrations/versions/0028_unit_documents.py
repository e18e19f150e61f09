"""Documents delivered to units with proof: the documents (``unit_document``), the people each
was delivered to (``unit_document_recipient``), what happened to them after
(``unit_document_event``: the mail server took the e-mail, first opened, withdrawn, printed)
and each person's consent to electronic delivery (``delivery_consent``). All four are
tenant-owned, under row-level security, and insert-only: a trigger refuses every UPDATE and
every DELETE except while the operator removes the whole cooperative (the platform table
``immutable_release`` says which).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 16:42:28.652773

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import immutable, rls

TABLES = ("delivery_consent", "unit_document", "unit_document_event",
          "unit_document_recipient")


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('immutable_release',
    sa.Column('tenant_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_immutable_release'))
    )
    op.create_table('delivery_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('way', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('rules_sha256', sa.String(length=64), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_delivery_consent_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_delivery_consent_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_consent'))
    )
    with op.batch_alter_table('delivery_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_consent_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_delivery_consent_user', ['tenant_id', 'user_id', 'id'], unique=False)

    op.create_table('unit_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('ksef_number', sa.String(length=40), server_default='', nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('person_key', sa.Integer(), server_default='0', nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('made_available_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=160), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('replaces_key', sa.Integer(), server_default='0', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_unit_document_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['unit.tenant_id', 'unit.id'], name=op.f('fk_unit_document_tenant_id_unit')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_unit_document_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_document')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_unit_document_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'unit_id', 'kind', 'sha256', 'person_key', 'replaces_key', name=op.f('uq_unit_document_tenant_id_unit_id_kind_sha256_person_key_replaces_key'))
    )
    with op.batch_alter_table('unit_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_document_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_unit_document_tenant_run', ['tenant_id', 'run_id'], unique=False)
        batch_op.create_index('ix_unit_document_tenant_unit', ['tenant_id', 'unit_id', 'made_available_at'], unique=False)

    op.create_table('unit_document_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outbox_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'document_id'], ['unit_document.tenant_id', 'unit_document.id'], name=op.f('fk_unit_document_event_tenant_id_unit_document')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_unit_document_event_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_document_event'))
    )
    with op.batch_alter_table('unit_document_event', schema=None) as batch_op:
        batch_op.create_index('ix_unit_document_event_document', ['tenant_id', 'document_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_document_event_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('unit_document_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('consented', sa.Boolean(), nullable=False),
    sa.Column('outbox_id', sa.String(length=36), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'document_id'], ['unit_document.tenant_id', 'unit_document.id'], name=op.f('fk_unit_document_recipient_tenant_id_unit_document')),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_unit_document_recipient_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_unit_document_recipient_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_document_recipient')),
    sa.UniqueConstraint('tenant_id', 'document_id', 'user_id', name=op.f('uq_unit_document_recipient_tenant_id_document_id_user_id'))
    )
    with op.batch_alter_table('unit_document_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_document_recipient_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_unit_document_recipient_user', ['tenant_id', 'user_id'], unique=False)

    for table in TABLES:
        rls.enable(op, table)
        immutable.protect(op, table)


def downgrade():
    for table in TABLES:
        immutable.unprotect(op, table)
        rls.disable(op, table)
    with op.batch_alter_table('unit_document_recipient', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_document_recipient_user')
        batch_op.drop_index(batch_op.f('ix_unit_document_recipient_tenant_id'))

    op.drop_table('unit_document_recipient')
    with op.batch_alter_table('unit_document_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_document_event_tenant_id'))
        batch_op.drop_index('ix_unit_document_event_document')

    op.drop_table('unit_document_event')
    with op.batch_alter_table('unit_document', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_document_tenant_unit')
        batch_op.drop_index('ix_unit_document_tenant_run')
        batch_op.drop_index(batch_op.f('ix_unit_document_tenant_id'))

    op.drop_table('unit_document')
    with op.batch_alter_table('delivery_consent', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_consent_user')
        batch_op.drop_index(batch_op.f('ix_delivery_consent_tenant_id'))

    op.drop_table('delivery_consent')
    op.drop_table('immutable_release')
