"""After a complaint: return visits (CMP-60..63) and consequences (CMP-70, CMP-71, CMP-06).

Return visits
- ``GET /complaints/<complaint_id>/return-visits`` → the case's selection (visited or not, and why),
  its visits and the issues found on them.
- ``PUT /complaints/<complaint_id>/return-visit-exemption`` ``{written_reply_only, reply_letter}`` →
  CMP-61 flag before resolution (409 once decided).
- ``GET /complaints/return-visits?state=&visitor_id=&due_before=`` → visits, earliest due first.
- ``PUT /complaints/return-visits/<return_visit_id>/visitor`` ``{visitor_id}`` → 409 when the visitor is
  too junior for the severity (CMP-60) or is the accused (CMP-21).
- ``POST /complaints/return-visits/<return_visit_id>/record`` ``{mode, visited_at, customer_signed,
  signature_ref, ratings: {attitude, skill, outcome}, notes, visitor_id, issues: [{description}],
  next_visit_at}`` → the case's visits: on site needs the signature, phone is labelled 电话回访 and
  allowed from the 2nd visit (never major) (CMP-62); issues go to the service manager (CMP-63); a
  follow-up visit is planned at ``next_visit_at``.
- ``GET /complaints/visit-issues?state=&manager_id=&assignee_id=``;
  ``POST /complaints/visit-issues/<visit_issue_id>/assign`` ``{assignee_id}``;
  ``POST /complaints/visit-issues/<visit_issue_id>/outcome`` ``{outcome}`` (CMP-63).

Consequences
- ``GET /complaints/<complaint_id>/consequences`` → each event occurrence with its ledger entries (a
  ledger manager sees all of them, anyone else only their own), and the customer transfer.
- ``POST /complaints/<complaint_id>/consequences`` ``{event, occurred_at, note}`` → 201 a CMP-70 event a
  manager saw (e.g. the customer went to the GM about this case).
- ``POST /complaints/<complaint_id>/customer-transfer/override`` ``{owner_id, reason}`` → CMP-71 the
  customer-resource director's override within the window (409 after it).
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.complaints import consequences, return_visits
from core.complaints.consequence_settings import EVENTS
from core.complaints.return_visit_models import ISSUE_STATES, VISIT_MODES, VISIT_STATES
from core.db import db
from core.errors import Forbidden
from core.staff import ledger
from web.api.auth import require_roles
from web.api.pagination import page_of
from web.api.complaints import case_for
from web.api.staff_ledger import LEDGER_MANAGERS, EntrySchema

PREFIX = "/complaints"
blp = Blueprint("complaint_aftercare", __name__,
                description="After a complaint: return visits and consequences (CMP-60..63, CMP-70/71, CMP-06)")

#: who arranges return visits and flags exemptions (客服部主管 and managers)
ARRANGERS = ("cs_supervisor", "cs_manager", "supervisor", "dept_manager", "sales_manager", "gm", "vp", "tenant_admin")
#: who records visits (the visitor's seniority is checked on the visitor, CMP-60)
VISIT_STAFF = (*ARRANGERS, "cs_agent", "assistant", "property_assistant", "salesperson", "technician",
               "resource_director")
#: the service manager and above (CMP-63)
ISSUE_MANAGERS = ("cs_manager", "cs_supervisor", "dept_manager", "gm", "vp", "tenant_admin")
#: who records a CMP-70 event
EVENT_RECORDERS = ("cs_manager", "dept_manager", "sales_manager", "resource_director", "gm", "vp", "tenant_admin")
#: CMP-71 override: the customer-resource director (the tenant administrator may act for them)
DIRECTORS = ("resource_director", "tenant_admin")


class CmpVisitSelectionSchema(Schema):
    outcome = fields.String(allow_none=True, metadata={"description": "selected | not_selected | exempt; null: "
                                                                      "not decided yet"})
    reason = fields.String(allow_none=True, metadata={"description": "always | rate | rate_met | anonymous | "
                                                                     "written_reply_only"})
    written_reply_only = fields.Boolean()
    reply_letter = fields.String(allow_none=True)
    month = fields.Date(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    severity = fields.String(allow_none=True)
    visited_before = fields.Integer(allow_none=True)
    resolved_count = fields.Integer(allow_none=True)
    rate = fields.Decimal(as_string=True, allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class CmpReturnVisitSchema(Schema):
    id = fields.Integer()
    complaint_id = fields.Integer()
    number = fields.Integer()
    reason = fields.String(metadata={"description": "after_resolution | follow_up"})
    due_at = fields.DateTime()
    visitor_roles = fields.List(fields.String())
    visitor_id = fields.Integer(allow_none=True)
    state = fields.String(metadata={"description": "planned | done | cancelled"})
    mode = fields.String(allow_none=True)
    label = fields.String(allow_none=True, metadata={"description": "电话回访 for a phone visit"})
    customer_signed = fields.Boolean()
    signature_ref = fields.String(allow_none=True)
    visited_at = fields.DateTime(allow_none=True)
    recorded_by = fields.Integer(allow_none=True)
    rating_attitude = fields.Integer(allow_none=True)
    rating_skill = fields.Integer(allow_none=True)
    rating_outcome = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    overdue_alerted_at = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class CmpVisitIssueSchema(Schema):
    id = fields.Integer()
    complaint_id = fields.Integer()
    visit_id = fields.Integer()
    description = fields.String()
    found_at = fields.DateTime()
    manager_id = fields.Integer(allow_none=True)
    assign_due_at = fields.DateTime()
    reply_by = fields.DateTime(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    assigned_at = fields.DateTime(allow_none=True)
    state = fields.String(metadata={"description": "open | assigned | settled"})
    outcome = fields.String(allow_none=True)
    outcome_at = fields.DateTime(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    escalated_to = fields.List(fields.Integer())
    decision_id = fields.Integer(allow_none=True)


class CmpReturnVisitPlanSchema(Schema):
    complaint_id = fields.Integer()
    selection = fields.Nested(CmpVisitSelectionSchema, allow_none=True)
    visits = fields.List(fields.Nested(CmpReturnVisitSchema))
    issues = fields.List(fields.Nested(CmpVisitIssueSchema))


def _plan(complaint_id: int) -> dict:
    return {"complaint_id": complaint_id, "selection": return_visits.selection_of(complaint_id),
            "visits": return_visits.visits_of(complaint_id), "issues": return_visits.issues_of(complaint_id)}


class CmpExemptionInSchema(Schema):
    written_reply_only = fields.Boolean(required=True, metadata={"description": "CMP-61: a superior authority "
                                                                                "asked only for a written reply"})
    reply_letter = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000),
                                 metadata={"description": "the reply letter (text or a document reference)"})


class CmpVisitorInSchema(Schema):
    visitor_id = fields.Integer(required=True)


class CmpVisitRatingsSchema(Schema):
    attitude = fields.Integer(allow_none=True, metadata={"description": "1..5"})
    skill = fields.Integer(allow_none=True, metadata={"description": "1..5"})
    outcome = fields.Integer(allow_none=True, metadata={"description": "1..5"})


class CmpNewVisitIssueSchema(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class CmpVisitRecordInSchema(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(VISIT_MODES))
    visited_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    customer_signed = fields.Boolean(load_default=False, metadata={"description": "required on site (CMP-62)"})
    signature_ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    ratings = fields.Nested(CmpVisitRatingsSchema, load_default=dict)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    visitor_id = fields.Integer(load_default=None, allow_none=True,
                                metadata={"description": "default the assigned visitor, else you"})
    issues = fields.List(fields.Nested(CmpNewVisitIssueSchema), load_default=list)
    next_visit_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                         metadata={"description": "reply time appointed with the customer: a "
                                                                  "follow-up visit is planned for it"})


class CmpVisitQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(VISIT_STATES))
    visitor_id = fields.Integer()
    due_before = fields.AwareDateTime()


class CmpIssueQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(ISSUE_STATES))
    manager_id = fields.Integer()
    assignee_id = fields.Integer()


class CmpIssueAssignInSchema(Schema):
    assignee_id = fields.Integer(required=True)
    assigned_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class CmpIssueOutcomeInSchema(Schema):
    outcome = fields.String(required=True, validate=validate.Length(max=10000))
    settled_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class CmpConsequenceSchema(Schema):
    id = fields.Integer()
    event = fields.String()
    occurred_at = fields.DateTime()
    state = fields.String(metadata={"description": "pending | applied | cancelled | none"})
    policy_version = fields.Integer(allow_none=True)
    liable = fields.Dict()
    note = fields.String(allow_none=True)
    recorded_by = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    entries = fields.Function(lambda row: EntrySchema(many=True).dump(_visible_entries(row)), metadata={
        "description": "the staff ledger entries written (STF-01): all of them for a ledger manager, else the "
                       "caller's own"})


def _visible_entries(row) -> list:
    """STF-01 privacy: a ledger manager sees everyone's entries, any other caller only their own."""
    entries = [ledger.get_entry(entry_id) for entry_id in row.entry_ids or []]
    user = getattr(g, "user", None)
    if user is not None and user.has_role(*LEDGER_MANAGERS):
        return entries
    return [e for e in entries if user is not None and e.user_id == user.id]


class CmpCustomerTransferSchema(Schema):
    customer_id = fields.Integer()
    at = fields.DateTime()
    strategy = fields.String()
    state = fields.String(metadata={"description": "transferred | overridden | manual | no_candidate"})
    from_owner_id = fields.Integer(allow_none=True)
    from_department_id = fields.Integer(allow_none=True)
    to_owner_id = fields.Integer(allow_none=True)
    to_department_id = fields.Integer(allow_none=True)
    seed = fields.Integer(allow_none=True)
    candidates = fields.List(fields.Integer())
    shuffled = fields.List(fields.Integer())
    skipped = fields.List(fields.Dict())
    decision_id = fields.Integer(allow_none=True)
    override_until = fields.DateTime(allow_none=True)
    overridden_by = fields.Integer(allow_none=True)
    overridden_at = fields.DateTime(allow_none=True)
    override_reason = fields.String(allow_none=True)
    override_decision_id = fields.Integer(allow_none=True)


class CmpConsequencesSchema(Schema):
    complaint_id = fields.Integer()
    consequences = fields.List(fields.Nested(CmpConsequenceSchema))
    transfer = fields.Nested(CmpCustomerTransferSchema, allow_none=True)


class CmpEventInSchema(Schema):
    event = fields.String(required=True, validate=validate.OneOf(EVENTS))
    occurred_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class CmpTransferOverrideInSchema(Schema):
    owner_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.Length(max=2000))


# ------------------------------------------------------------------ return visits

@blp.route("/<int:complaint_id>/return-visits")
class CaseReturnVisits(MethodView):
    @blp.response(200, CmpReturnVisitPlanSchema)
    def get(self, complaint_id):
        """The case's return-visit selection (CMP-60/61), visits (CMP-62) and issues (CMP-63)."""
        return _plan(case_for(complaint_id).id)


@blp.route("/<int:complaint_id>/return-visit-exemption")
class CaseExemption(MethodView):
    @require_roles(*ARRANGERS, admin_scope=False)
    @blp.arguments(CmpExemptionInSchema)
    @blp.response(200, CmpReturnVisitPlanSchema)
    def put(self, data, complaint_id):
        """CMP-61: a superior authority asked only for a written reply: no visit, out of the rate."""
        complaint = case_for(complaint_id)
        return_visits.set_exemption(complaint, written_reply_only=data["written_reply_only"],
                                    reply_letter=data["reply_letter"], by=g.user.id)
        db.session.commit()
        return _plan(complaint.id)


@blp.route("/return-visits")
class ReturnVisitList(MethodView):
    @blp.arguments(CmpVisitQuerySchema, location="query")
    @blp.response(200, CmpReturnVisitSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Return visits, earliest due first (a visitor's work list: ``?state=planned&visitor_id=``)."""
        return page_of(return_visits.search_visits(**args), pagination_parameters)


@blp.route("/return-visits/<int:return_visit_id>/visitor")
class ReturnVisitVisitor(MethodView):
    @require_roles(*ARRANGERS, admin_scope=False)
    @blp.arguments(CmpVisitorInSchema)
    @blp.response(200, CmpReturnVisitSchema)
    def put(self, data, return_visit_id):
        """Name the visitor (CMP-60 seniority by severity; never the accused, CMP-21)."""
        visit = return_visits.assign_visitor(return_visits.get_visit(return_visit_id), data["visitor_id"],
                                             by=g.user.id)
        db.session.commit()
        return visit


@blp.route("/return-visits/<int:return_visit_id>/record")
class ReturnVisitRecord(MethodView):
    @require_roles(*VISIT_STAFF, admin_scope=False)
    @blp.arguments(CmpVisitRecordInSchema)
    @blp.response(200, CmpReturnVisitPlanSchema)
    def post(self, data, return_visit_id):
        """Record a visit (CMP-62 mode and signature, CMP-63 ratings and issues, follow-up visit)."""
        visit = return_visits.record_visit(return_visits.get_visit(return_visit_id), data, by=g.user.id)
        db.session.commit()
        return _plan(visit.complaint_id)


@blp.route("/visit-issues")
class VisitIssueList(MethodView):
    @blp.arguments(CmpIssueQuerySchema, location="query")
    @blp.response(200, CmpVisitIssueSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Issues found on return visits, by assignment deadline."""
        return page_of(return_visits.search_issues(**args), pagination_parameters)


@blp.route("/visit-issues/<int:visit_issue_id>/assign")
class VisitIssueAssign(MethodView):
    @require_roles(*ISSUE_MANAGERS, admin_scope=False)
    @blp.arguments(CmpIssueAssignInSchema)
    @blp.response(200, CmpVisitIssueSchema)
    def post(self, data, visit_issue_id):
        """The service manager assigns someone (CMP-63; never the accused, CMP-21)."""
        issue = return_visits.assign_issue(return_visits.get_issue(visit_issue_id), data["assignee_id"],
                                           by=g.user.id, at=data["assigned_at"])
        db.session.commit()
        return issue


@blp.route("/visit-issues/<int:visit_issue_id>/outcome")
class VisitIssueOutcome(MethodView):
    @require_roles(*VISIT_STAFF, admin_scope=False)
    @blp.arguments(CmpIssueOutcomeInSchema)
    @blp.response(200, CmpVisitIssueSchema)
    def post(self, data, visit_issue_id):
        """Settle an issue with its outcome (CMP-63: every raised issue gets one): the assignee or a manager."""
        issue = return_visits.get_issue(visit_issue_id)
        if g.user.id != issue.assignee_id and not g.user.has_role(*ISSUE_MANAGERS):
            raise Forbidden("only the assignee or a manager settles the issue")
        issue = return_visits.settle_issue(issue, data["outcome"], by=g.user.id, at=data["settled_at"])
        db.session.commit()
        return issue


# ------------------------------------------------------------------ consequences

def _consequences(complaint_id: int) -> dict:
    return {"complaint_id": complaint_id, "consequences": consequences.consequences_of(complaint_id),
            "transfer": consequences.transfer_of(complaint_id)}


@blp.route("/<int:complaint_id>/consequences")
class CaseConsequences(MethodView):
    @blp.response(200, CmpConsequencesSchema)
    def get(self, complaint_id):
        """The case's CMP-70 event occurrences with their ledger entries, and the CMP-71 transfer."""
        return _consequences(case_for(complaint_id).id)

    @require_roles(*EVENT_RECORDERS, admin_scope=False)
    @blp.arguments(CmpEventInSchema)
    @blp.response(201, CmpConsequenceSchema)
    def post(self, data, complaint_id):
        """Record a CMP-70 event of the case (each occurrence once); the matrix prices it."""
        row = consequences.on_event(case_for(complaint_id), data["event"], at=data["occurred_at"], by=g.user.id,
                                    note=data["note"])
        db.session.commit()
        return row


@blp.route("/<int:complaint_id>/customer-transfer/override")
class CaseTransferOverride(MethodView):
    @require_roles(*DIRECTORS, admin_scope=False)
    @blp.arguments(CmpTransferOverrideInSchema)
    @blp.response(200, CmpCustomerTransferSchema)
    def post(self, data, complaint_id):
        """CMP-71: the customer-resource director gives the customer to someone else, within the window."""
        row = consequences.override_transfer(case_for(complaint_id), data["owner_id"], data["reason"], g.user)
        db.session.commit()
        return row
