"""Look-ups in the tenant registry (platform tables, readable without a tenant scope)."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.errors import NotFound
from tenants.models import Tenant, TenantPlugin


def get_tenant(tenant_id: int) -> Tenant:
    tenant = db.session.get(Tenant, int(tenant_id))
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} not found")
    return tenant


def find_tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()


def enabled_plugin_names(tenant_id: int) -> list[str]:
    rows = db.session.scalars(
        select(TenantPlugin.plugin).where(TenantPlugin.tenant_id == tenant_id, TenantPlugin.enabled)
    )
    return list(rows)


def plugin_config(tenant_id: int, plugin: str) -> dict:
    row = db.session.get(TenantPlugin, (tenant_id, plugin))
    return dict(row.config or {}) if row and row.enabled else {}
