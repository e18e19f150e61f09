"""Operator actions on cooperatives: create, update, sync from files, switch off, domains, delete.

Every action validates first and changes the session; the ``iok tenants`` command commits, and
that commit drops the web caches (``resolver``'s after-commit hook).
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from iok_saas.db import db, immutable
from iok_saas.tenancy.context import tenant_context
from iok_saas.tenancy.info import platform_host
from iok_saas.tenancy.models import ACTIVE, DISABLED, Tenant, TenantDomain
from iok_saas.tenancy.scoping import TenantScoped
from iok_saas.tenancy.settings import (
    TenantFileError,
    TenantSettings,
    check_host,
    check_slug,
    load_tenant_file,
    parse_settings,
    setting_field,
)


class TenantError(ValueError):
    """An operator action that cannot be done, with the reason."""


@dataclass
class SyncResult:
    """What ``sync`` did to one cooperative."""

    slug: str
    action: str  # created | updated | unchanged
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def get_tenant(slug: str) -> Tenant:
    """The cooperative with this slug, or ``TenantError``."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise TenantError(f"No cooperative with slug {slug!r} (see `iok tenants list`).")
    return tenant


def list_tenants() -> list[Tenant]:
    """All cooperatives, by slug."""
    return list(db.session.scalars(select(Tenant).order_by(Tenant.slug)))


def describe(tenant: Tenant) -> dict[str, Any]:
    """A JSON-ready description of one cooperative for ``list``/``show``."""
    settings = TenantSettings.model_validate(tenant.settings)
    return {
        "slug": tenant.slug,
        "name": tenant.name,
        "short_name": tenant.short_name,
        "status": tenant.status,
        "domains": [d.host for d in tenant.domains],
        "features": [k for k, on in settings.features.model_dump().items() if on],
        "password_policy": settings.password.model_dump(),
        "lockout_policy": settings.lockout.model_dump(),
        "accounts_path": settings.accounts.path,
        "warnings": settings.warnings(),
    }


def count_rows(tenant: Tenant) -> dict[str, int]:
    """How many rows of each tenant-owned table belong to the cooperative: counted in its
    context, in a session of their own (the caller's session stays as it was), the tenant
    filter choosing the rows."""
    with tenant_context(tenant.id), Session(db.engine) as session:
        return {mapper.local_table.name: session.scalar(
            select(func.count()).select_from(mapper.class_)) for mapper in scoped_models()}


def scoped_models() -> list[Any]:
    """Mappers of every tenant-owned table, children before parents (safe deletion order); a
    table several models share (kinds of case) once, by its base model."""
    order = {t.name: i for i, t in enumerate(db.metadata.sorted_tables)}
    mappers = [m for m in db.Model.registry.mappers
               if issubclass(m.class_, TenantScoped) and not m.single]
    return sorted(mappers, key=lambda m: order[m.local_table.name], reverse=True)


def _store(tenant: Tenant, settings: TenantSettings) -> list[str]:
    """Copy validated settings onto the row; return the names of what changed."""
    data = settings.model_dump(mode="json")
    changes = []
    for attr, value in (("name", settings.name), ("short_name", settings.short_name),
                        ("settings", data)):
        if getattr(tenant, attr) != value:
            setattr(tenant, attr, value)
            changes.append(attr)
    return changes


def _sync_domains(tenant: Tenant, settings: TenantSettings) -> list[str]:
    """Make the tenant's hosts exactly its platform host plus the file's custom domains."""
    wanted = {platform_host(settings.slug): False} | dict.fromkeys(settings.domains, True)
    current = {d.host: d for d in tenant.domains}
    changes = []
    for host, domain in current.items():
        if host not in wanted:
            tenant.domains.remove(domain)
            changes.append(f"-domain {host}")
    for host, is_custom in wanted.items():
        if host not in current:
            if is_custom:
                _ensure_not_platform_host(host)
            _ensure_host_free(host, tenant)
            tenant.domains.append(TenantDomain(host=host, is_custom=is_custom))
            changes.append(f"+domain {host}")
    return changes


def _ensure_not_platform_host(host: str) -> None:
    """Custom domains cannot take ``<anything>.<base domain>``: those belong to slugs."""
    base = current_app.config["BASE_DOMAIN"]
    if host == base or host.endswith(f".{base}"):
        raise TenantError(f"{host!r} is under the platform domain {base!r}; every cooperative "
                          "gets <slug>." + base + " automatically.")


def _ensure_host_free(host: str, tenant: Tenant) -> None:
    owner = db.session.scalar(select(Tenant).join(TenantDomain).where(TenantDomain.host == host))
    if owner is not None and owner is not tenant:
        raise TenantError(f"Domain {host!r} already belongs to cooperative {owner.slug!r}.")


def apply_settings(settings: TenantSettings) -> SyncResult:
    """Create or update one cooperative from validated settings (no commit)."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == settings.slug))
    created = tenant is None
    if created:
        tenant = Tenant(slug=settings.slug, status=ACTIVE, domains=[])
        db.session.add(tenant)
    changes = _store(tenant, settings) + _sync_domains(tenant, settings)
    action = "created" if created else ("updated" if changes else "unchanged")
    return SyncResult(settings.slug, action, changes, settings.warnings())


def read_tenant_dir(directory: Path) -> list[TenantSettings]:
    """Validate every ``*.toml`` in the directory; any error stops before anything is written."""
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise TenantError(f"No *.toml files in {directory}.")
    loaded = [load_tenant_file(path) for path in files]
    seen: dict[str, str] = {}
    for path, settings in zip(files, loaded, strict=True):
        for host in settings.domains:
            if host in seen:
                raise TenantFileError(str(path), "domains", f"{host!r} is also in {seen[host]}")
            seen[host] = str(path)
    return loaded


def sync_dir(directory: Path) -> list[SyncResult]:
    """Load ``tenants/*.toml`` idempotently: all files or nothing (the caller commits, and
    rolls back on an error); run twice → no change."""
    loaded = read_tenant_dir(directory)
    results = [apply_settings(settings) for settings in loaded]
    db.session.flush()
    return results


def create_tenant(slug: str, name: str, short_name: str | None = None) -> Tenant:
    """A new cooperative with default settings (all features but finance and announcements off)."""
    check_slug_or_raise(slug)
    if db.session.scalar(select(Tenant).where(Tenant.slug == slug)):
        raise TenantError(f"A cooperative with slug {slug!r} already exists.")
    settings = _validated({"slug": slug, "name": name, "short_name": short_name or name}, slug)
    apply_settings(settings)
    db.session.flush()
    return get_tenant(slug)


def check_slug_or_raise(slug: str) -> None:
    """``TenantError`` with the reason when ``slug`` is not a valid DNS label."""
    try:
        check_slug(slug)
    except ValueError as exc:
        raise TenantError(f"Slug {slug!r} {exc}.") from None


def _validated(data: dict, source: str) -> TenantSettings:
    try:
        return parse_settings(data, source)
    except TenantFileError as exc:
        raise TenantError(f"{exc.key}: {exc.reason}") from None


def parse_assignment(text: str) -> tuple[list[str], Any]:
    """``features.meters=false`` → (["features", "meters"], False); values are TOML values,
    an empty value is ``None`` (TOML has no null): clear the key."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise TenantError(f"{text!r} is not KEY=VALUE (e.g. features.meters=false).")
    path, raw = key.strip().split("."), raw.strip()
    if not raw:
        return path, None
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value


def update_tenant(slug: str, assignments: list[str]) -> list[str]:
    """Change settings keys (validated as a whole); an empty value puts an optional key back
    to its default. Returns what changed."""
    tenant = get_tenant(slug)
    data = copy.deepcopy(tenant.settings)
    for text in assignments:
        path, value = parse_assignment(text)
        if path == ["slug"]:
            raise TenantError("The slug cannot be changed (it is part of the domain).")
        if value is None:
            _clear(data, path)
        else:
            _assign(data, path, value)
    settings = _validated(data, slug)
    return _store(tenant, settings) + _sync_domains(tenant, settings)


def _assign(data: dict, path: list[str], value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise TenantError(f"{'.'.join(path)}: {part!r} is not a section.")
    node[path[-1]] = value


def _clear(data: dict, path: list[str]) -> None:
    """Drop a key, so validation gives it its default; a required key cannot be cleared."""
    key = ".".join(path)
    try:
        required = setting_field(path).is_required()
    except KeyError:
        raise TenantError(f"{key}: unknown key (is it misspelt?)") from None
    if required:
        raise TenantError(f"{key}: is required and cannot be cleared (give it a value).")
    node = data
    for part in path[:-1]:
        node = node.get(part)
        if not isinstance(node, dict):
            return  # the section is not stored: the key has its default already
    node.pop(path[-1], None)


def set_status(slug: str, status: str, message: str | None = None) -> Tenant:
    """Disable (maintenance page, 503) or enable a cooperative."""
    tenant = get_tenant(slug)
    tenant.status = status
    if status == DISABLED and message is not None:
        tenant.maintenance_message = message
    if status == ACTIVE:
        tenant.maintenance_message = None
    return tenant


def add_domain(slug: str, host: str) -> TenantDomain:
    """Let the cooperative answer on one more host (a custom domain)."""
    tenant = get_tenant(slug)
    host = _valid_host(host)
    _ensure_not_platform_host(host)
    _ensure_host_free(host, tenant)
    if any(d.host == host for d in tenant.domains):
        raise TenantError(f"{host!r} already leads to {slug!r}.")
    domain = TenantDomain(host=host, is_custom=True)
    tenant.domains.append(domain)
    _keep_settings_domains(tenant)
    return domain


def remove_domain(slug: str, host: str) -> None:
    """Stop answering on a host; the platform host ``<slug>.<base>`` cannot be removed."""
    tenant = get_tenant(slug)
    host = _valid_host(host)
    domain = next((d for d in tenant.domains if d.host == host), None)
    if domain is None:
        raise TenantError(f"{host!r} does not lead to {slug!r}.")
    if not domain.is_custom:
        raise TenantError(f"{host!r} is the platform address of {slug!r} and stays.")
    tenant.domains.remove(domain)
    _keep_settings_domains(tenant)


def _valid_host(host: str) -> str:
    try:
        return check_host(host)
    except ValueError as exc:
        raise TenantError(str(exc)) from None


def _keep_settings_domains(tenant: Tenant) -> None:
    """Settings list the custom domains too, so ``show`` and a later ``update`` agree."""
    data = dict(tenant.settings)
    data["domains"] = [d.host for d in tenant.domains if d.is_custom]
    tenant.settings = data


def delete_tenant(slug: str) -> dict[str, int]:
    """Remove every row of one cooperative, and the cooperative; other tenants untouched
    (no commit; the session then serves that cooperative: the caller commits and closes it)."""
    tenant = get_tenant(slug)
    counts = {}
    with tenant_context(tenant.id):
        immutable.release(db.session, tenant.id)  # the proof of deliveries goes with it
        for mapper in scoped_models():
            result = db.session.execute(delete(mapper.class_))
            counts[mapper.local_table.name] = result.rowcount
        immutable.forget_release(db.session, tenant.id)
        db.session.delete(tenant)
        db.session.flush()
    return counts
