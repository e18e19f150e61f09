"""A read-only snapshot of a cooperative, safe to cache and share between requests."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from iok_saas.db import db
from iok_saas.tenancy.models import ACTIVE, Tenant
from iok_saas.tenancy.settings import TenantSettings


@dataclass(frozen=True)
class TenantInfo:
    """What a request needs to know about its cooperative (no ORM object, no session)."""

    id: int
    slug: str
    name: str
    short_name: str
    status: str
    maintenance_message: str
    settings: TenantSettings
    hosts: tuple[str, ...]
    custom_hosts: tuple[str, ...]

    @classmethod
    def from_model(cls, tenant: Tenant) -> TenantInfo:
        """Snapshot a ``Tenant`` row with its domains."""
        settings = TenantSettings.model_validate(tenant.settings)
        return cls(
            id=tenant.id,
            slug=tenant.slug,
            name=tenant.name,
            short_name=tenant.short_name,
            status=tenant.status,
            maintenance_message=tenant.maintenance_message or settings.maintenance_message,
            settings=settings,
            hosts=tuple(d.host for d in tenant.domains),
            custom_hosts=tuple(d.host for d in tenant.domains if d.is_custom),
        )

    @property
    def is_active(self) -> bool:
        """Whether the portal is open (not disabled by the operator)."""
        return self.status == ACTIVE

    @property
    def features(self):
        """The cooperative's feature switches."""
        return self.settings.features

    def has_feature(self, name: str) -> bool:
        """Whether the named feature (``meters``, ``faults``…) is switched on."""
        return bool(getattr(self.settings.features, name))

    @property
    def canonical_host(self) -> str:
        """Host for e-mail links: the custom domain in production, else the platform one."""
        if self.custom_hosts and current_app.config["CUSTOM_DOMAINS_CANONICAL"]:
            return self.custom_hosts[0]
        return platform_host(self.slug)

    def url(self, path: str = "/") -> str:
        """An absolute address on the canonical host; never built from the request's Host."""
        scheme = current_app.config["PREFERRED_URL_SCHEME"]
        port = current_app.config.get("PUBLIC_PORT")
        netloc = f"{self.canonical_host}:{port}" if port else self.canonical_host
        return f"{scheme}://{netloc}{path}"


def get_tenant_info(tenant_id: int) -> TenantInfo:
    """The snapshot of one cooperative by id (jobs, which have no Host header)."""

    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(f"no cooperative with id {tenant_id}")
    return TenantInfo.from_model(tenant)


def platform_host(slug: str) -> str:
    """``<slug>.<base domain>``: the host every cooperative gets on the platform."""
    return f"{slug}.{current_app.config['BASE_DOMAIN']}"
