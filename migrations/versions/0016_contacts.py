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
    _choices_made_earlier()


def _choices_made_earlier():
    """Consents given before their history was kept: one event each, way "earlier", dated now
    (the pages say "turned on before <date>"). Cooperative by cooperative, so that row-level
    security lets a migration role that is not a superuser write them."""
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for tenant_id in bind.execute(sa.text("SELECT id FROM tenant")).scalars().all():
        if postgres:
            bind.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"),
                         {"t": str(tenant_id)})
        for choice, flag in (("announcements", "announcement_emails"),
                             ("reading_reminders", "reading_reminders")):
            bind.execute(sa.text(
                "INSERT INTO consent_event (tenant_id, user_id, choice, given, way, at) "
                f"SELECT tenant_id, id, :choice, :given, 'earlier', CURRENT_TIMESTAMP "
                f"FROM user_account WHERE tenant_id = :tenant AND {flag} = :given"),
                {"choice": choice, "given": True, "tenant": tenant_id})
    if postgres:
        bind.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))



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
