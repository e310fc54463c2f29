"""Platform administration: tenants, their plugins, their first users, export and erasure.
Authenticated with a platform admin token (``kp_...``); never with a tenant's token."""
from __future__ import annotations

from flask import Response, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from core.db import db
from tenants import service
from tenants.models import Tenant
from tenants.registry import get_tenant
from web.api.accounts import UserSchema
from web.requests import act_for

PREFIX = "/platform"
blp = Blueprint("platform", __name__, description="Platform administration (platform admin token)")


class AdminSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8))
    display_name = fields.String(load_default=None)


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    industry = fields.String(load_default="generic")
    timezone = fields.String(load_default="Asia/Shanghai")
    region = fields.String(load_default="CN")
    locale = fields.String(load_default="zh_Hans", validate=validate.OneOf(["zh_Hans", "zh_Hant", "en"]))
    status = fields.String(dump_only=True)
    plugin_set_version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    admin = fields.Nested(AdminSchema, load_only=True, load_default=None)


def _known_zone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown time zone: {name}") from None


class TenantUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    timezone = fields.String(validate=_known_zone, metadata={"description": "e.g. Asia/Shanghai (CAL-08)"})
    status = fields.String(validate=validate.OneOf(["active", "disabled"]))
    locale = fields.String(validate=validate.OneOf(["zh_Hans", "zh_Hant", "en"]))


class PluginStateSchema(Schema):
    plugin = fields.String(dump_only=True)
    enabled = fields.Boolean(dump_only=True)
    config = fields.Dict(load_default=None)


class PresetSchema(Schema):
    name = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    plugins = fields.List(fields.String())


@blp.route("/presets")
class Presets(MethodView):
    @blp.response(200, PresetSchema(many=True))
    def get(self):
        """Industry presets a tenant can be created with."""
        return list(service.presets().values())


@blp.route("/tenants")
class Tenants(MethodView):
    @blp.response(200, TenantSchema(many=True))
    def get(self):
        """All tenants."""
        return list(db.session.scalars(select(Tenant).order_by(Tenant.id)))

    @blp.arguments(TenantSchema)
    @blp.response(201, TenantSchema)
    def post(self, data):
        """Create a tenant with an industry preset (and optionally its first tenant admin)."""
        tenant = service.create_tenant(
            data["slug"], data["name"], data["industry"], timezone=data["timezone"], region=data["region"],
            locale=data["locale"], admin=data.get("admin"),
        )
        db.session.commit()
        return tenant


@blp.route("/tenants/<int:tenant_id>")
class TenantItem(MethodView):
    @blp.response(200, TenantSchema)
    def get(self, tenant_id):
        """One tenant."""
        return get_tenant(tenant_id)

    @blp.arguments(TenantUpdateSchema)
    @blp.response(200, TenantSchema)
    def patch(self, data, tenant_id):
        """Rename, disable or re-enable a tenant."""
        tenant = get_tenant(tenant_id)
        for key, value in data.items():
            setattr(tenant, key, value)
        db.session.commit()
        return tenant

    @blp.response(204)
    def delete(self, tenant_id):
        """Erase the tenant and everything it owns (export it first)."""
        service.erase_tenant(get_tenant(tenant_id))
        db.session.commit()


@blp.route("/tenants/<int:tenant_id>/plugins/<plugin>")
class TenantPluginItem(MethodView):
    @blp.arguments(PluginStateSchema)
    @blp.response(200, PluginStateSchema)
    def put(self, data, tenant_id, plugin):
        """Enable a plugin for the tenant, with its per-tenant config."""
        row = service.set_plugin(get_tenant(tenant_id), plugin, True, data.get("config"))
        db.session.commit()
        return row

    @blp.response(200, PluginStateSchema)
    def delete(self, tenant_id, plugin):
        """Disable a plugin for the tenant (its data stays; its hooks stop running)."""
        row = service.set_plugin(get_tenant(tenant_id), plugin, False)
        db.session.commit()
        return row


@blp.route("/tenants/<int:tenant_id>/users")
class TenantUsers(MethodView):
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data, tenant_id):
        """Create a user in the tenant (e.g. its first admin)."""
        from core.accounts.service import create_user

        tenant = get_tenant(tenant_id)
        act_for(tenant, None, actor=f"platform:{g.platform_admin.id}")  # the rest of this request runs in it
        user = create_user(data["username"], data["display_name"], data.get("password"),
                           roles=data.get("roles", []), email=data.get("email"), phone=data.get("phone"),
                           region=tenant.region)
        db.session.commit()
        return user


@blp.route("/tenants/<int:tenant_id>/export")
class TenantExport(MethodView):
    @blp.response(200, content_type="application/zip")
    def get(self, tenant_id):
        """Everything the tenant owns, as JSON lines in a zip."""
        tenant = get_tenant(tenant_id)
        data = service.export_tenant(tenant)
        return Response(data, mimetype="application/zip", headers={
            "Content-Disposition": f"attachment; filename=kehu-{tenant.slug}.zip"})
