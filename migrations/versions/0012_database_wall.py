"""The database wall: no setting opens every cooperative to the app's role.

The row-level security policies lose their ``app.all_tenants`` branch; work across
cooperatives runs as the platform role (``BYPASSRLS``). The grants (app role: rows of
tenant-owned tables, reading tenant and tenant_domain) are renewed by migrations/env.py
after every upgrade.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 11:00:00

"""
from alembic import op

from iok_saas.db import rls

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_OLD_RULE = (
    "current_setting('app.all_tenants', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer"
)


def upgrade():
    rls.rewrite_policies(op)


def downgrade():
    rls.rewrite_policies(op, rule=_OLD_RULE)

