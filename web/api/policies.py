"""The tenant's regulation: policy documents per module, versioned and effective-dated."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.db import db
from core.policy import service
from web.api.auth import require_roles

PREFIX = "/policies"
blp = Blueprint("policies", __name__, description="Policy documents (the tenant's regulation settings)")

ADMINS = ("tenant_admin",)


class ModuleSchema(Schema):
    module = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    version = fields.Integer(metadata={"description": "version in force today (0 = defaults)"})
    effective_from = fields.Date(allow_none=True)


class PolicySchema(Schema):
    module = fields.String()
    version = fields.Integer()
    effective_from = fields.Date(allow_none=True)
    body = fields.Dict()


class PolicyQuerySchema(Schema):
    at = fields.Date(metadata={"description": "the version in force on this date (default today)"})
    version = fields.Integer(metadata={"description": "a specific version (0 = defaults)"})


class VersionSchema(Schema):
    version = fields.Integer()
    effective_from = fields.Date()
    note = fields.String(allow_none=True)
    published_by = fields.Integer(allow_none=True)
    published_at = fields.DateTime()
    body = fields.Dict()


class ProposalSchema(Schema):
    body = fields.Dict(required=True)


class ProposalResultSchema(Schema):
    valid = fields.Boolean()
    body = fields.Dict(metadata={"description": "the body with defaults filled in, as it would be stored"})


class PublishSchema(Schema):
    body = fields.Dict(required=True)
    effective_from = fields.Date(load_default=None, metadata={"description": "default: today (tenant time zone)"})
    note = fields.String(load_default=None)


@blp.route("")
class Modules(MethodView):
    @blp.response(200, ModuleSchema(many=True))
    def get(self):
        """Policy modules of the tenant (core and enabled plugins) with the version in force."""
        result = []
        for module, spec in sorted(service.schemas().items()):
            view = service.in_force(module)
            result.append({"module": module, "title_zh": spec.title_zh, "title_en": spec.title_en,
                           "version": view.version, "effective_from": view.effective_from})
        return result


@blp.route("/<module>")
class Policy(MethodView):
    @blp.arguments(PolicyQuerySchema, location="query")
    @blp.response(200, PolicySchema)
    def get(self, args, module):
        """The policy in force (today, on ``at``, or a given ``version``)."""
        if "version" in args:
            return service.version(module, args["version"])
        return service.in_force(module, args.get("at"))


@blp.route("/<module>/versions")
class Versions(MethodView):
    @blp.response(200, VersionSchema(many=True))
    def get(self, module):
        """Every published version, oldest first."""
        return service.history(module)

    @require_roles(*ADMINS)
    @blp.arguments(PublishSchema)
    @blp.response(201, VersionSchema)
    def post(self, data, module):
        """Publish a new version from ``effective_from`` (today or later, not before the latest)."""
        doc = service.publish(module, data["body"], data["effective_from"], data["note"], user_id=g.user.id)
        db.session.commit()
        return doc


@blp.route("/<module>/proposals")
class Proposals(MethodView):
    @require_roles(*ADMINS)
    @blp.arguments(ProposalSchema)
    @blp.response(200, ProposalResultSchema)
    def post(self, data, module):
        """Validate a draft without saving it: 200 with the normalised body, or 422 with field errors."""
        return {"valid": True, "body": service.validate(module, data["body"])}
