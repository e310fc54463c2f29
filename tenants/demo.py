"""Demo tenants for the one-command run: one per industry preset that names a demo company."""
from __future__ import annotations

from core.audit.recorder import acting_as
from core.db import db
from core.plugins import get_plugins
from core.tenancy import tenant_scope
from tenants.registry import find_tenant_by_slug
from tenants.service import create_tenant, presets


def provision_demo_tenants(only: str | None = None) -> list[tuple[str, str, list]]:
    """Create missing demo tenants with their sample data; returns (slug, name, logins) for each.
    ``only``: just the demo tenant of that slug."""
    result = []
    for preset in presets().values():
        if not preset.demo_slug or (only is not None and preset.demo_slug != only):
            continue
        tenant = find_tenant_by_slug(preset.demo_slug)
        if tenant is None:
            tenant = create_tenant(preset.demo_slug, preset.demo_name or preset.title_zh, preset.name)
        with tenant_scope(tenant.id), acting_as("demo"):
            logins = []
            for batch in get_plugins().for_tenant(tenant).kehu_provision_demo(tenant_id=tenant.id):
                logins.extend(batch or ())
        db.session.commit()
        result.append((tenant.slug, tenant.name, logins))
    return result
