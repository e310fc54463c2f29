"""The decision log: why the system decided what it did."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.decisions import service
from web.api.pagination import page_of

PREFIX = "/decisions"
blp = Blueprint("decisions", __name__, description="Automatic decisions with their rule and reason")


class DecisionSchema(Schema):
    id = fields.Integer()
    rule_id = fields.String()
    policy_module = fields.String(allow_none=True)
    policy_version = fields.Integer(allow_none=True)
    subject_type = fields.String()
    subject_id = fields.Integer()
    facts = fields.Dict()
    outcome = fields.Dict()
    reason_zh = fields.String()
    reason_en = fields.String()
    decided_by = fields.Integer(allow_none=True)
    supersedes_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class DecisionQuerySchema(Schema):
    subject_type = fields.String()
    subject_id = fields.Integer()
    rule_id = fields.String()


@blp.route("")
class Decisions(MethodView):
    @blp.arguments(DecisionQuerySchema, location="query")
    @blp.response(200, DecisionSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Decisions, newest first; filter by subject (``subject_type`` + ``subject_id``) or rule."""
        return page_of(service.query(**args), pagination_parameters)


@blp.route("/<int:decision_id>")
class DecisionItem(MethodView):
    @blp.response(200, DecisionSchema)
    def get(self, decision_id):
        """One decision."""
        return service.get(decision_id)
