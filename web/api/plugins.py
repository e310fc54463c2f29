"""Which plugins are installed and which the tenant has enabled (read-only for tenants; the platform
admin enables and disables them)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.plugins import get_plugins

PREFIX = "/plugins"
blp = Blueprint("plugins", __name__, description="Plugins installed and enabled for the tenant")


class PluginSchema(Schema):
    name = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    description = fields.String()
    industry = fields.String(allow_none=True)
    core = fields.Boolean()
    enabled = fields.Boolean()


@blp.route("")
class Plugins(MethodView):
    @blp.response(200, PluginSchema(many=True))
    def get(self):
        """Installed plugins, each with whether this tenant has it enabled."""
        enabled = get_plugins().for_tenant(g.tenant).enabled
        return [
            {**info.__dict__, "enabled": info.core or name in enabled}
            for name, info in sorted(get_plugins().infos().items())
        ]
