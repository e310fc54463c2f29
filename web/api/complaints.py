"""Complaint cases (CMP): intake from every channel, the case with its deadlines and history.

- ``POST /complaints`` → 201 the case with its number (CMP-05), route (CMP-04), owner (CMP-20/21) and
  deadlines (CMP-31); 422 naming each bad field, nothing written.
- ``GET /complaints?status=&category=&owner_id=&customer_id=&case_type=&severity=&number=`` newest first.
- ``GET /complaints/<complaint_id>`` → the case, each deadline with ``due_at``, ``computed_from``,
  ``policy_version`` and ``paused`` (CMP-30), and its history.
- ``GET /complaints/categories`` → the tenant's categories (policy and plugins) with their department.
- ``GET /complaints/vocabulary`` → causes, tags, demands, findings and major criteria of the tenant.

Handling (CMP-06, CMP-10..14, CMP-20..22, CMP-43, CMP-01), each answering the case (404 for a case of
another tenant or one the caller is excluded from, CMP-21):

- ``POST /complaints/<complaint_id>/accept`` · ``/reject`` (reply to the customer) · ``/finding``
- ``POST /complaints/<complaint_id>/severity`` (lowering needs a reason) · ``/external`` (also reported to
  the manufacturer, an authority, the media: CMP-11 evaluated again)
- ``POST /complaints/<complaint_id>/transfer`` (handler department; owner kept) · ``/handler`` ·
  ``GET /complaints/<complaint_id>/handler-pool`` · ``POST /complaints/<complaint_id>/supplier``
- ``POST /complaints/<complaint_id>/link`` (cases of the same issue under this master) · ``/tags`` ·
  ``/adoption`` (suggestions)
"""
from __future__ import annotations

from flask import abort, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.complaints import handling, intake_rules, linking, service, severity, severity_rules, taxonomy
from core.complaints.case_settings import MANUAL_CRITERIA
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
#: who checks grounds, records findings, lowers severity, assigns handlers, links cases (CMP-06, CMP-10)
SUPERVISORS = ("supervisor", "cs_supervisor", "cs_manager", "dept_manager", "sales_manager", "vp", "gm", "tenant_admin")


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
    excluded_user_ids = fields.List(fields.Integer(), load_default=list,
                                    metadata={"description": "CMP-21: listed with the accused (e.g. co-receptionist)"})
    major_criteria = fields.List(fields.String(validate=validate.OneOf(MANUAL_CRITERIA)), load_default=list,
                                 metadata={"description": "CMP-11 criteria flagged by the taker (wide_impact: reason)"})
    reported_to = fields.List(fields.String(validate=validate.OneOf(severity_rules.EXTERNAL_CHANNELS)),
                              load_default=list, metadata={"description": "CMP-11: also taken to them"})
    complainant_count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000),
                                       metadata={"description": "households / tenants complaining together (CMP-11)"})
    promised_reply_on = fields.Date(load_default=None, allow_none=True,
                                    metadata={"description": "CMP-01: a suggestion's promised reply date"})
    answered_on_the_spot = fields.Boolean(load_default=False, metadata={"description": "CMP-01 inquiries"})


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
    # intake and handling (CMP-01, -03, -04, -06, -10..13, -21, -22, -43)
    timing = fields.String(allow_none=True)
    cause_class = fields.String(allow_none=True)
    severity_reason = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    reported_to = fields.List(fields.String())
    excluded_user_ids = fields.List(fields.Integer())
    witnesses = fields.List(fields.String())
    evidence = fields.List(fields.String())
    complainant_signed = fields.Boolean()
    repeat_of_id = fields.Integer(allow_none=True)
    intake_complainant_count = fields.Integer()
    accepted_at = fields.DateTime(allow_none=True)
    accepted_by = fields.Integer(allow_none=True)
    rejection_reply = fields.String(allow_none=True)
    finding = fields.String(allow_none=True)
    grounds_sufficient = fields.Boolean(allow_none=True)
    demand_reasonable = fields.Boolean(allow_none=True)
    supplier = fields.String(allow_none=True)
    promised_reply_at = fields.DateTime(allow_none=True)
    adopted = fields.Boolean(allow_none=True)


class ComplaintDetailSchema(ComplaintSchema):
    milestones = fields.Function(lambda c: MilestoneSchema(many=True).dump(sla.milestones_of(service.SUBJECT, c.id)))
    events = fields.Function(lambda c: EventSchema(many=True).dump(service.events_of(c)))
    letter_ids = fields.Function(lambda c: linking.letters_of(c), metadata={"description": "open letters (CMP-13)"})


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


# --- vocabulary and handling (CMP-01, -04, -06, -10..14, -20..22, -43) --------------------------------


class ComplaintVocabularySchema(Schema):
    causes = fields.List(fields.String(), metadata={"description": "cmp.causes (empty: free text)"})
    tags = fields.List(fields.String(), metadata={"description": "cmp.tags (CMP-14)"})
    demands = fields.List(fields.String())
    findings = fields.List(fields.String())
    major_criteria = fields.List(fields.String(), metadata={"description": "cmp.major.criteria (CMP-11)"})
    manual_criteria = fields.List(fields.String())


class ComplaintAtInSchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when it happened; default now"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ComplaintAcceptInSchema(ComplaintAtInSchema):
    grounds_sufficient = fields.Boolean(load_default=None, allow_none=True)


class ComplaintRejectInSchema(Schema):
    reply = fields.String(required=True, validate=validate.Length(min=1, max=5000),
                          metadata={"description": "what the customer is told (CMP-06)"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    at = fields.AwareDateTime(load_default=None)


class ComplaintFindingInSchema(ComplaintAtInSchema):
    finding = fields.String(required=True, validate=validate.OneOf(handling.FINDINGS))
    grounds_sufficient = fields.Boolean(required=True)
    demand_reasonable = fields.Boolean(required=True)


class ComplaintSeverityInSchema(Schema):
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    criteria = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list,
                           metadata={"description": "raising to major: the criteria a person flags (CMP-11)"})
    at = fields.AwareDateTime(load_default=None)


class ComplaintExternalReportInSchema(ComplaintAtInSchema):
    channel = fields.String(required=True, validate=validate.OneOf(severity_rules.EXTERNAL_CHANNELS))


class ComplaintTransferInSchema(ComplaintAtInSchema):
    department_id = fields.Integer(load_default=None, allow_none=True,
                                   metadata={"description": "territory: default the customer's unit"})
    kind = fields.String(load_default="handling", validate=validate.OneOf(handling.TRANSFER_KINDS))


class ComplaintHandlerInSchema(Schema):
    user_id = fields.Integer(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                           metadata={"description": "needed to assign outside the level's pool (CMP-43)"})
    at = fields.AwareDateTime(load_default=None)


class ComplaintHandlerPoolSchema(Schema):
    level = fields.String()
    department_id = fields.Integer(allow_none=True)
    user_ids = fields.List(fields.Integer())


class ComplaintLinkInSchema(Schema):
    complaint_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(max=500))
    at = fields.AwareDateTime(load_default=None)


class ComplaintTagsInSchema(Schema):
    tags = fields.List(fields.String(validate=validate.Length(max=40)), required=True)
    at = fields.AwareDateTime(load_default=None)


class ComplaintSupplierInSchema(ComplaintAtInSchema):
    supplier = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ComplaintAdoptionInSchema(ComplaintAtInSchema):
    adopted = fields.Boolean(required=True)


def case_for(complaint_id: int):
    """The case for an endpoint of any complaint module; a step that changes it locks it first, so two
    steps on one case (two approvers, two closes, a pause and a resolve) run one after the other."""
    return service.get_complaint(complaint_id, for_update=request.method != "GET")


def _done(complaint):
    db.session.commit()
    return complaint


@blp.route("/vocabulary")
class Vocabulary(MethodView):
    @blp.response(200, ComplaintVocabularySchema)
    def get(self):
        """Causes, tags, demands, findings and major criteria of the tenant (CMP-03/04/06/11/14)."""
        values = cmp_policy().values
        return {"causes": values["causes"], "tags": values["tags"], "demands": list(intake_rules.DEMANDS),
                "findings": list(handling.FINDINGS), "major_criteria": values["major"]["criteria"],
                "manual_criteria": list(MANUAL_CRITERIA)}


@blp.route("/<int:complaint_id>/accept")
class Accept(MethodView):
    @require_roles(*SUPERVISORS, admin_scope=False)
    @blp.arguments(ComplaintAcceptInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-06: the grounds hold — the complaint is accepted."""
        return _done(handling.accept(case_for(complaint_id), by=g.user.id, **data))


@blp.route("/<int:complaint_id>/reject")
class Reject(MethodView):
    @require_roles(*SUPERVISORS, admin_scope=False)
    @blp.arguments(ComplaintRejectInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-06: not accepted, with the reply the customer gets; its deadlines end."""
        return _done(handling.reject(case_for(complaint_id), by=g.user.id, **data))


@blp.route("/<int:complaint_id>/finding")
class Finding(MethodView):
    @require_roles(*SUPERVISORS, admin_scope=False)
    @blp.arguments(ComplaintFindingInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-06: the finding at conclusion (once), with grounds and demand judged."""
        return _done(handling.record_finding(case_for(complaint_id), by=g.user.id, **data))


@blp.route("/<int:complaint_id>/severity")
class Severity(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(ComplaintSeverityInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-10/11: change the severity with a reason (lowering: supervisors, reason required)."""
        complaint = case_for(complaint_id)
        lowering = severity_rules.SEVERITY_RANK[data["severity"]] < severity_rules.SEVERITY_RANK[complaint.severity]
        if lowering and not g.user.has_role(*SUPERVISORS):
            abort(403, description=f"lowering a severity needs role: {' or '.join(SUPERVISORS)}")
        at = handling.case_time(data.pop("at"), complaint)
        severity.change_severity(complaint, data["severity"], by=g.user.id, at=at, reason=data["reason"],
                                 criteria=data["criteria"])
        return _done(complaint)


@blp.route("/<int:complaint_id>/external")
class ExternalReport(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(ComplaintExternalReportInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-11: the customer also went to the manufacturer, an authority or the media."""
        complaint = case_for(complaint_id)
        at = handling.case_time(data["at"], complaint)
        severity.report_external(complaint, data["channel"], by=g.user.id, at=at, note=data["note"])
        return _done(complaint)


@blp.route("/<int:complaint_id>/transfer")
class Transfer(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(ComplaintTransferInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-20/22: another department handles it; the owner stays, the received time too."""
        return _done(handling.transfer(case_for(complaint_id), by=g.user.id, **data))


@blp.route("/<int:complaint_id>/handler")
class Handler(MethodView):
    @require_roles(*SUPERVISORS, admin_scope=False)
    @blp.arguments(ComplaintHandlerInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-43/21: the handler, from the level's pool (outside it with a reason); never the accused (409)."""
        return _done(handling.assign_handler(case_for(complaint_id), by=g.user.id, **data))


@blp.route("/<int:complaint_id>/handler-pool")
class HandlerPool(MethodView):
    @blp.response(200, ComplaintHandlerPoolSchema)
    def get(self, complaint_id):
        """CMP-43: who may handle the case at its level."""
        complaint = case_for(complaint_id)
        level, user_ids = handling.handler_pool(complaint)
        return {"level": level, "department_id": complaint.handler_department_id, "user_ids": user_ids}


@blp.route("/<int:complaint_id>/link")
class Link(MethodView):
    @require_roles(*SUPERVISORS, admin_scope=False)
    @blp.arguments(ComplaintLinkInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-13: cases of the same issue recorded once under this master; the master's clock governs."""
        master = case_for(complaint_id)
        at = handling.case_time(data["at"], master)
        linking.link(master, data["complaint_ids"], by=g.user.id, at=at)
        return _done(master)


@blp.route("/<int:complaint_id>/tags")
class Tags(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(ComplaintTagsInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-14: the complainant tags (they never change deadlines or consequences)."""
        return _done(handling.set_tags(case_for(complaint_id), data["tags"], by=g.user.id, at=data["at"]))


@blp.route("/<int:complaint_id>/supplier")
class Supplier(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(ComplaintSupplierInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-22: a supplier or another company is responsible — the case goes to the VP (or GM)."""
        return _done(handling.flag_supplier(case_for(complaint_id), by=g.user.id, **data))


@blp.route("/<int:complaint_id>/adoption")
class Adoption(MethodView):
    @require_roles(*SUPERVISORS, admin_scope=False)
    @blp.arguments(ComplaintAdoptionInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """CMP-01: a suggestion adopted or not (once)."""
        return _done(handling.record_adoption(case_for(complaint_id), by=g.user.id, **data))
