"""Contact details: a landline beside the mobile, an e-mail change waiting for its confirmation,
when the address was confirmed and the details last changed in IOK, the choice of e-mails about
new charges; the history of each person's choices of what to receive (tenant-owned, row-level
security).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 13:12:34.961388

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consent_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=30), nullable=False),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('way', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_consent_event_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_consent_event_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_event'))
    )
    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_event_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_consent_event_user', ['tenant_id', 'user_id', 'choice'], unique=False)
    rls.enable(op, 'consent_event')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pending_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('pending_email_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('landline', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('contacts_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('finance_emails', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('finance_emails')
        batch_op.drop_column('contacts_changed_at')
        batch_op.drop_column('landline')
        batch_op.drop_column('pending_email_at')
        batch_op.drop_column('pending_email')
        batch_op.drop_column('email_confirmed_at')

    rls.disable(op, 'consent_event')
    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_event_user')
        batch_op.drop_index(batch_op.f('ix_consent_event_tenant_id'))

    op.drop_table('consent_event')
