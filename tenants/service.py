"""Tenant lifecycle: create with an industry preset, enable/disable plugins, export, erase.

These run for the platform (no tenant of the caller's own); each step that touches a tenant's own
tables enters that tenant's scope explicitly.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select

from core.attachments import service as attachments
from core.attachments import storage as attachment_storage
from core.audit.recorder import acting_as, json_safe
from core.db import db, is_tenant_owned, utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.plugins import get_plugins
from core.tenancy import tenant_scope
from tenants.models import Tenant, TenantPlugin

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def presets() -> dict:
    found = {}
    for batch in get_plugins().hook.kehu_industry_presets():
        for preset in batch or ():
            if preset.name in found:
                raise Conflict(f"two industry presets are named {preset.name!r}")
            found[preset.name] = preset
    return found


def _validate_new(slug, name, industry, timezone, region, known_presets) -> dict:
    errors = {}
    if not SLUG_RE.match(slug or ""):
        errors["slug"] = ["2-63 lowercase letters, digits or '-', starting with a letter or digit"]
    if not (name or "").strip():
        errors["name"] = ["required"]
    if industry not in known_presets:
        errors["industry"] = [f"unknown preset; one of: {', '.join(sorted(known_presets))}"]
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [f"unknown time zone: {timezone}"]
    if not re.match(r"^[A-Z]{2}$", region or ""):
        errors["region"] = ["two-letter region code, e.g. CN"]
    return errors


def create_tenant(slug: str, name: str, industry: str = "generic", *, timezone: str = "Asia/Shanghai",
                  region: str = "CN", locale: str = "zh_Hans", admin: dict | None = None) -> Tenant:
    """Create a tenant from an industry preset; ``admin`` = {username, password, display_name}
    creates its first tenant admin. Commits nothing: the caller commits."""
    known_presets = presets()
    errors = _validate_new(slug, name, industry, timezone, region, known_presets)
    if errors:
        raise InvalidInput("invalid tenant", fields=errors)
    if db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first():
        raise Conflict("slug taken", fields={"slug": ["already taken"]})
    preset = known_presets[industry]
    tenant = Tenant(slug=slug, name=name.strip(), industry=industry, timezone=timezone, region=region,
                    locale=locale)
    db.session.add(tenant)
    db.session.flush()
    installed = get_plugins().optional_plugins()
    for plugin in preset.plugins:
        if plugin not in installed:
            raise InvalidInput("preset needs a plugin that is not installed",
                               fields={"industry": [f"plugin {plugin!r} is not installed"]})
        config = _plugin_config(installed[plugin], None)
        db.session.add(TenantPlugin(tenant_id=tenant.id, plugin=plugin, enabled=True, config=config))
    db.session.flush()
    with tenant_scope(tenant.id), acting_as("platform"):
        from core.policy import service as policies

        for module, values in preset.policies.items():
            policies.publish(module, values, note=f"preset {preset.name}")
        get_plugins().for_tenant(tenant).kehu_tenant_created(tenant_id=tenant.id)
        if admin:
            from core.accounts.service import create_user

            create_user(admin["username"], admin.get("display_name") or admin["username"], admin["password"],
                        roles=["tenant_admin"], region=region)
    return tenant


def _bump(tenant: Tenant) -> None:
    tenant.plugin_set_version = (tenant.plugin_set_version or 1) + 1
    get_plugins().forget_tenant(tenant.id)


def _plugin_config(info, config: dict | None) -> dict:
    """The plugin's per-tenant config, validated and with its schema's defaults filled in."""
    if info.config_schema is None:
        return dict(config or {})
    from marshmallow import ValidationError

    schema = info.config_schema()
    try:
        return schema.dump(schema.load(config or {}))
    except ValidationError as err:
        raise InvalidInput(f"invalid config for {info.name}", fields={"config": err.messages}) from err


def set_plugin(tenant: Tenant, plugin: str, enabled: bool, config: dict | None = None) -> TenantPlugin:
    """Enable or disable an optional plugin for a tenant, with its per-tenant config. A plugin that
    becomes enabled is told through ``kehu_tenant_created`` (that plugin alone)."""
    info = get_plugins().optional_plugins().get(plugin)
    if info is None:
        raise NotFound(f"no optional plugin named {plugin!r} is installed")
    row = db.session.get(TenantPlugin, (tenant.id, plugin))
    newly_enabled = enabled and (row is None or not row.enabled)
    if row is None:
        row = TenantPlugin(tenant_id=tenant.id, plugin=plugin, enabled=enabled,
                           config=_plugin_config(info, config))
        db.session.add(row)
    else:
        row.enabled = enabled
        if config is not None:
            row.config = _plugin_config(info, config)
    _bump(tenant)
    db.session.flush()
    if newly_enabled:
        with tenant_scope(tenant.id), acting_as("platform"):
            get_plugins().only(plugin).kehu_tenant_created(tenant_id=tenant.id)
    return row


def tenant_tables():
    """Tenant-owned tables, parents before children."""
    return [t for t in db.metadata.sorted_tables if is_tenant_owned(t)]


def export_tenant(tenant: Tenant, progress=None) -> bytes:
    """Everything the tenant owns as a zip: ``tenant.json``, one JSON-lines file per table and the
    attachment files under ``attachments/<yyyy>/<mm>/<storage_key>`` (the rows of ``attachments.jsonl``
    name them). ``progress(done, total, step)`` is told after each table."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        meta = {c.name: json_safe(getattr(tenant, c.name)) for c in Tenant.__table__.columns}
        plugins = db.session.scalars(select(TenantPlugin).where(TenantPlugin.tenant_id == tenant.id))
        meta["plugins"] = [{"plugin": p.plugin, "enabled": p.enabled, "config": p.config} for p in plugins]
        meta["exported_at"] = utcnow().isoformat()
        archive.writestr("tenant.json", json.dumps(meta, ensure_ascii=False, indent=2))
        tables = tenant_tables()
        with tenant_scope(tenant.id):
            for number, table in enumerate(tables, start=1):
                stmt = select(table).where(table.c.tenant_id == tenant.id)
                pk = list(table.primary_key.columns)
                rows = db.session.execute(stmt.order_by(*pk)).mappings()
                lines = [json.dumps(json_safe(dict(row)), ensure_ascii=False) for row in rows]
                archive.writestr(f"{table.name}.jsonl", "\n".join(lines) + ("\n" if lines else ""))
                if progress is not None:
                    progress(number, len(tables), table.name)
            for name, path in attachments.export_files(tenant.id):  # the files beside their rows
                archive.write(path, name, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def erase_tenant(tenant: Tenant) -> dict:
    """Delete every row the tenant owns, then the tenant; its attachment files once this commits.
    Returns the row counts per table."""
    counts = {}
    with tenant_scope(tenant.id):
        for table in reversed(tenant_tables()):
            result = db.session.execute(delete(table).where(table.c.tenant_id == tenant.id))
            counts[table.name] = result.rowcount
    counts["tenant_plugins"] = db.session.execute(
        delete(TenantPlugin).where(TenantPlugin.tenant_id == tenant.id)).rowcount
    get_plugins().forget_tenant(tenant.id)
    attachment_storage.remove_tenant_after_commit(tenant.id)  # the files go once the erasure commits
    db.session.delete(tenant)
    db.session.flush()
    return counts
