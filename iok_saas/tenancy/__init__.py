"""Tenancy: cooperatives, their hosts, and the rules that keep their data apart."""

from iok_saas.tenancy.context import (
    ALL_TENANTS,
    TenantContextMissing,
    TenantMismatch,
    UnscopedStatement,
    current_tenant_id,
    tenant_context,
)
from iok_saas.tenancy.scoping import TenantScoped, tenant_fk, tenant_fk_target

__all__ = [
    "ALL_TENANTS",
    "TenantContextMissing",
    "TenantMismatch",
    "TenantScoped",
    "UnscopedStatement",
    "current_tenant_id",
    "tenant_context",
    "tenant_fk",
    "tenant_fk_target",
]
