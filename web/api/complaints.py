"""Complaint cases (CMP): intake from every channel, the case with its deadlines and history.

- ``POST /complaints`` → 201 the case with its number (CMP-05), route (CMP-04), owner (CMP-20/21) and
  deadlines (CMP-31); 422 naming each bad field, nothing written.
- ``GET /complaints?status=&category=&owner_id=&customer_id=&case_type=&severity=&number=`` newest first.
- ``GET /complaints/<complaint_id>`` → the case, each deadline with ``due_at``, ``computed_from``,
  ``policy_version`` and ``paused`` (CMP-30), and its history.
- ``GET /complaints/categories`` → the tenant's categories (policy and plugins) with their department.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.complaints import service, taxonomy
from core.complaints.models import CASE_TYPES, SEVERITIES, STATUSES
from core.complaints.policy import cmp_policy
from core.db import db
from core.sla import engine as sla
from web.api.auth import require_roles
from web.api.pagination import page_of

PREFIX = "/complaints"
blp = Blueprint("complaints", __name__, description="Complaint cases: intake, deadlines, history (CMP)")

#: who may take cases in: every member of staff who meets customers (CMP-02: any channel, any receiver)
TAKERS = ("cs_agent", "cs_supervisor", "cs_manager", "salesperson", "assistant", "supervisor", "sales_manager",
          "dept_manager", "technician", "resource_director", "gm", "vp", "tenant_admin")


class ComplaintInSchema(Schema):
    case_type = fields.String(load_default="complaint", validate=validate.OneOf(CASE_TYPES))
    channel = fields.String(required=True, metadata={"description": "CMP-02, e.g. phone, walk_in, to_gm, grumble"})
    received_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    content = fields.String(required=True, validate=validate.Length(max=10000))
    category = fields.String(load_default=None, validate=validate.Length(max=60),
                             metadata={"description": "CMP-04; default other"})
    cause = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    timing = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("during", "after")))
    cause_class = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("quality", "non_quality")))
    severity = fields.String(load_default="general", validate=validate.OneOf(SEVERITIES))
    severity_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    complainant_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    complainant_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    anonymous = fields.Boolean(load_default=False)
    customer_id = fields.Integer(load_default=None, allow_none=True)
    subject_ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                                metadata={"description": "what it is about (a unit, a vehicle, a lift)"})
    demands = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    demand_amount = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True,
                                   validate=validate.Range(min=0, max=10**9))
    accused_user_id = fields.Integer(load_default=None, allow_none=True)
    witnesses = fields.List(fields.String(validate=validate.Length(max=100)), load_default=list)
    evidence = fields.List(fields.String(validate=validate.Length(max=500)), load_default=list)
    complainant_signed = fields.Boolean(load_default=False)
    special = fields.Boolean(load_default=False, metadata={"description": "CMP-31: 7 working days, needs a reason"})
    special_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    extra = fields.Dict(load_default=dict, metadata={"description": "plugin intake fields (CMP-03)"})
    tags = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)


class MilestoneSchema(Schema):
    code = fields.String()
    rule_id = fields.String()
    state = fields.String(metadata={"description": "open | met | breached | cancelled"})
    duration = fields.String()
    start_at = fields.DateTime()
    due_at = fields.DateTime()
    hard_due_at = fields.DateTime(allow_none=True)
    warn_at = fields.DateTime(allow_none=True)
    provisional = fields.Boolean()
    computed_from = fields.Dict()
    policy_version = fields.Integer(allow_none=True)
    paused = fields.Function(lambda row: bool((row.computed_from or {}).get("paused_since")))
    met_at = fields.DateTime(allow_none=True)
    breached_at = fields.DateTime(allow_none=True)
    escalation_level = fields.Integer()
    decision_id = fields.Integer(allow_none=True)


class EventSchema(Schema):
    kind = fields.String()
    at = fields.DateTime()
    by = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    data = fields.Dict()
    decision_id = fields.Integer(allow_none=True)


class ComplaintSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    case_type = fields.String()
    channel = fields.String()
    received_at = fields.DateTime()
    received_by = fields.Integer(allow_none=True)
    status = fields.String()
    category = fields.String()
    cause = fields.String(allow_none=True)
    severity = fields.String()
    major_criteria = fields.List(fields.String())
    complainant_name = fields.String(allow_none=True)
    complainant_phone = fields.String(allow_none=True)
    anonymous = fields.Boolean()
    customer_id = fields.Integer(allow_none=True)
    subject_ref = fields.String(allow_none=True)
    content = fields.String()
    demands = fields.List(fields.String())
    demand_amount = fields.Decimal(as_string=True, allow_none=True)
    accused_user_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    owner_department_id = fields.Integer(allow_none=True)
    handler_id = fields.Integer(allow_none=True)
    handler_department_id = fields.Integer(allow_none=True)
    is_repeat = fields.Boolean()
    master_id = fields.Integer(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    complainant_count = fields.Integer()
    special = fields.Boolean()
    warnings = fields.List(fields.String())
    tags = fields.List(fields.String())
    extra = fields.Dict()
    policy_version = fields.Integer()
    created_at = fields.DateTime()


class ComplaintDetailSchema(ComplaintSchema):
    milestones = fields.Function(lambda c: MilestoneSchema(many=True).dump(sla.milestones_of(service.SUBJECT, c.id)))
    events = fields.Function(lambda c: EventSchema(many=True).dump(service.events_of(c)))


class ComplaintQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    category = fields.String()
    owner_id = fields.Integer()
    customer_id = fields.Integer()
    case_type = fields.String(validate=validate.OneOf(CASE_TYPES))
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    number = fields.String()


class CategorySchema(Schema):
    code = fields.String()
    label_zh = fields.String()
    label_en = fields.String()
    department = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "policy | plugin"})


@blp.route("")
class Complaints(MethodView):
    @blp.arguments(ComplaintQuerySchema, location="query")
    @blp.response(200, ComplaintSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Cases, newest first."""
        return page_of(service.search(**args), pagination_parameters)

    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(ComplaintInSchema)
    @blp.response(201, ComplaintDetailSchema)
    def post(self, data):
        """Take in a case (CMP-01..05): numbered, routed, owned by the taker, deadlines started."""
        complaint = service.create_complaint(data, by=g.user.id, region=g.tenant.region)
        db.session.commit()
        return complaint


@blp.route("/categories")
class Categories(MethodView):
    @blp.response(200, CategorySchema(many=True))
    def get(self):
        """The tenant's complaint categories (CMP-04), with the department each routes to."""
        return list(taxonomy.categories(cmp_policy().values).values())


@blp.route("/<int:complaint_id>")
class ComplaintItem(MethodView):
    @blp.response(200, ComplaintDetailSchema)
    def get(self, complaint_id):
        """One case with its deadlines (how each was computed) and history."""
        return service.get_complaint(complaint_id)
