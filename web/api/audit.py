"""The audit trail of the tenant (managers and admins)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.audit.models import AuditEntry
from web.api.auth import require_roles
from web.api.pagination import newest_first, page_of

PREFIX = "/audit"
blp = Blueprint("audit", __name__, description="Who changed what, when, before and after")


class AuditSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    actor_user_id = fields.Integer(allow_none=True)
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditQuerySchema(Schema):
    entity_type = fields.String()
    entity_id = fields.String()
    actor_user_id = fields.Integer()


@blp.route("")
class Audit(MethodView):
    @require_roles("tenant_admin", "gm")
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Audit entries, newest first."""
        return page_of(newest_first(AuditEntry, args), pagination_parameters)
