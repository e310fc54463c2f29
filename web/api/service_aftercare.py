"""After a work order is completed: return visits (SVC-14, CMP-63), custody documents and missing
records (SVC-16), post-completion documents (SVC-23).

Return visits
- ``GET /service-return-visits?state=&due_before=&visitor_id=&order_id=`` → visits, earliest due first
  (``state``: due, overdue, done, not_selected).
- ``GET /service-return-visits/<service_visit_id>`` → one visit with the issues found on it.
- ``POST /service-return-visits/<service_visit_id>/record`` ``{mode, visited_at, visitor_id, who_came,
  who_came_id, attitude, skill, outcome, notes, issues: [{description}]}`` (customer-service staff) →
  done, on the customer's timeline; issues (and a result not resolved) go to the service manager
  (CMP-63); the order closes once no issue of the visit is open.
- ``GET /work-orders/<order_id>/return-visits`` → the order's visit decisions and issues.
- ``GET /service-visit-issues?state=&manager_id=&assignee_id=``;
  ``POST /service-visit-issues/<service_issue_id>/assign`` ``{assignee_id}``;
  ``POST /service-visit-issues/<service_issue_id>/outcome`` ``{outcome}`` (CMP-63).

Documents and records
- ``GET|POST /work-orders/<order_id>/documents`` ``{kind, description, custodian_id, attachment_id,
  sheets}`` → customer originals archived with a custodian (SVC-16).
- ``POST /service-documents/<service_document_id>/lost`` ``{reason, sheets}`` → a penalty event on the
  custodian (SVC-16, priced per sheet by the staff catalog).
- ``GET|POST /work-orders/<order_id>/post-docs`` ``{doc, attachment_id}`` → the type's post-completion
  documents: required, due, recorded, missing (SVC-23).
- ``GET /work-orders/<order_id>/aftercare-checks`` → the checks at their limits (SVC-16 missing record,
  SVC-23 post-completion documents) with their decisions and ledger entries.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.service import orders, records_watch, return_visits
from core.service.records_watch_models import CHECK_KINDS, CHECK_RESULTS, DOCUMENT_STATES
from core.service.return_visit_models import ISSUE_STATES, VISIT_MODES, VISIT_OUTCOMES, VISIT_STATES
from web.api.auth import require_roles
from web.api.pagination import page_of
from web.api.work_orders import DESK, order_for, step

PREFIX = ""
blp = Blueprint("service_aftercare", __name__,
                description="After a work order: return visits, custody documents, missing records and "
                            "post-completion documents (SVC-14, SVC-16, SVC-23, CMP-63)")

#: customer-service staff who make return visits (the technician never visits his own work)
CS_ROLES = ("cs_agent", "cs_supervisor", "cs_manager", "assistant", "property_assistant", "supervisor",
            "dept_manager", "gm", "vp", "tenant_admin")
#: the service manager and above (CMP-63)
ISSUE_MANAGERS = ("cs_manager", "cs_supervisor", "dept_manager", "gm", "vp", "tenant_admin")
#: who archives customer originals and records post-completion documents
DOC_STAFF = (*DESK, "technician")

_CODE = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="a code: lower-case letters, digits, underscores")


class SvcVisitIssueSchema(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    order_id = fields.Integer()
    description = fields.String()
    found_at = fields.DateTime()
    manager_id = fields.Integer(allow_none=True)
    assign_due_at = fields.DateTime()
    assignee_id = fields.Integer(allow_none=True)
    assigned_at = fields.DateTime(allow_none=True)
    state = fields.String(metadata={"description": "open | assigned | settled"})
    outcome = fields.String(allow_none=True)
    outcome_at = fields.DateTime(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    escalated_to = fields.List(fields.Integer())
    decision_id = fields.Integer(allow_none=True)


class SvcReturnVisitSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    round = fields.Integer(metadata={"description": "the order's rework count when decided"})
    customer_id = fields.Integer(allow_none=True)
    reason = fields.String(metadata={"description": "feedback | remote_completion"})
    trigger_at = fields.DateTime(metadata={"description": "the feedback form received, or the remote completion"})
    month = fields.Date()
    selected = fields.Boolean()
    selection_reason = fields.String(metadata={"description": "all | rate | rate_met"})
    rate = fields.Decimal(as_string=True)
    visited_before = fields.Integer()
    decided_count = fields.Integer()
    due_on = fields.Date(metadata={"description": "the last local day in time"})
    due_at = fields.DateTime(metadata={"description": "late from this instant"})
    state = fields.String(metadata={"description": "due | overdue | done | not_selected"})
    visitor_id = fields.Integer(allow_none=True)
    visited_at = fields.DateTime(allow_none=True)
    recorded_by = fields.Integer(allow_none=True)
    mode = fields.String(allow_none=True)
    label = fields.String(allow_none=True, metadata={"description": "电话回访 for a phone visit"})
    who_came = fields.String(allow_none=True)
    who_came_id = fields.Integer(allow_none=True)
    attitude = fields.Integer(allow_none=True)
    skill = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    overdue_at = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class SvcReturnVisitDetailSchema(SvcReturnVisitSchema):
    issues = fields.Function(lambda v: SvcVisitIssueSchema(many=True).dump(return_visits.issues_of_visit(v.id)))
    order_status = fields.Function(lambda v: orders.get_order(v.order_id).status)


class SvcOrderVisitsSchema(Schema):
    order_id = fields.Integer()
    visits = fields.List(fields.Nested(SvcReturnVisitSchema))
    issues = fields.List(fields.Nested(SvcVisitIssueSchema))


class SvcVisitQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(VISIT_STATES))
    due_before = fields.AwareDateTime()
    visitor_id = fields.Integer()
    order_id = fields.Integer()


class SvcNewIssueSchema(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class SvcVisitRecordInSchema(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(VISIT_MODES))
    visited_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    visitor_id = fields.Integer(load_default=None, allow_none=True,
                                metadata={"description": "default the planned visitor, else you"})
    who_came = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                             metadata={"description": "the technician who came, as the customer names them"})
    who_came_id = fields.Integer(load_default=None, allow_none=True,
                                 metadata={"description": "that technician, when known"})
    attitude = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    skill = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5),
                           metadata={"description": "technical level, 1..5"})
    outcome = fields.String(required=True, validate=validate.OneOf(VISIT_OUTCOMES))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    issues = fields.List(fields.Nested(SvcNewIssueSchema), load_default=list, validate=validate.Length(max=50))


class SvcIssueQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(ISSUE_STATES))
    manager_id = fields.Integer()
    assignee_id = fields.Integer()


class SvcIssueAssignInSchema(Schema):
    assignee_id = fields.Integer(required=True)
    assigned_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class SvcIssueOutcomeInSchema(Schema):
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    settled_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class SvcDocumentSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    kind = fields.String()
    description = fields.String(allow_none=True)
    sheets = fields.Integer()
    attachment_id = fields.Integer(allow_none=True)
    custodian_id = fields.Integer()
    archived_at = fields.DateTime()
    archived_by = fields.Integer(allow_none=True)
    state = fields.String(metadata={"description": " | ".join(DOCUMENT_STATES)})
    lost_at = fields.DateTime(allow_none=True)
    lost_by = fields.Integer(allow_none=True)
    lost_reason = fields.String(allow_none=True)
    entry_ids = fields.List(fields.Integer(), metadata={"description": "staff ledger entries proposed (STF)"})
    decision_id = fields.Integer(allow_none=True)


class SvcDocumentInSchema(Schema):
    kind = fields.String(required=True, validate=[validate.Length(min=1, max=40), _CODE], metadata={
        "description": "request_fax, sealed_form, application, feedback_form, ..."})
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    custodian_id = fields.Integer(required=True, metadata={"description": "who keeps the original"})
    attachment_id = fields.Integer(load_default=None, allow_none=True,
                                   metadata={"description": "the scan, uploaded first as an attachment of the order"})
    sheets = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=1000))
    archived_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class SvcDocumentLostInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    sheets = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=1000),
                            metadata={"description": "sheets lost (default all of the document's)"})
    lost_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class SvcPostDocSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    doc = fields.String()
    attachment_id = fields.Integer(allow_none=True)
    recorded_at = fields.DateTime()
    recorded_by = fields.Integer(allow_none=True)


class SvcCheckSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    kind = fields.String(metadata={"description": " | ".join(CHECK_KINDS)})
    round = fields.Integer()
    rule_id = fields.String()
    result = fields.String(metadata={"description": " | ".join(CHECK_RESULTS)})
    completed_at = fields.DateTime(allow_none=True)
    due_on = fields.Date(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    missing = fields.List(fields.String())
    liable_user_id = fields.Integer(allow_none=True)
    liable_department_id = fields.Integer(allow_none=True)
    entry_ids = fields.List(fields.Integer())
    decision_id = fields.Integer(allow_none=True)
    checked_at = fields.DateTime()


class SvcPostDocsStatusSchema(Schema):
    order_id = fields.Integer()
    type = fields.String()
    required = fields.List(fields.String(), metadata={"description": "svc.post_docs.<type>.docs"})
    within = fields.String(allow_none=True)
    penalty = fields.Decimal(as_string=True, allow_none=True)
    due_on = fields.Date(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    recorded = fields.List(fields.Nested(SvcPostDocSchema))
    missing = fields.List(fields.String())
    check = fields.Nested(SvcCheckSchema, allow_none=True)


class SvcPostDocInSchema(Schema):
    doc = fields.String(required=True, validate=validate.Length(min=1, max=60),
                        metadata={"description": "one of svc.post_docs.<type>.docs"})
    attachment_id = fields.Integer(load_default=None, allow_none=True,
                                   metadata={"description": "the scan, uploaded first as an attachment of the order"})
    recorded_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


def _order_visits(order_id: int) -> dict:
    return {"order_id": order_id, "visits": return_visits.visits_of(order_id),
            "issues": return_visits.issues_of_order(order_id)}


# ------------------------------------------------------------------ return visits

@blp.route("/service-return-visits")
class ServiceReturnVisits(MethodView):
    @blp.arguments(SvcVisitQuerySchema, location="query")
    @blp.response(200, SvcReturnVisitSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Return visits after service (SVC-14), earliest due first."""
        return page_of(return_visits.search_visits(**args), pagination_parameters)


@blp.route("/service-return-visits/<int:service_visit_id>")
class ServiceReturnVisitItem(MethodView):
    @blp.response(200, SvcReturnVisitDetailSchema)
    def get(self, service_visit_id):
        """One return visit with the issues found on it."""
        return return_visits.get_visit(service_visit_id)


@blp.route("/service-return-visits/<int:service_visit_id>/record")
class RecordServiceVisit(MethodView):
    @require_roles(*CS_ROLES, admin_scope=False)
    @blp.arguments(SvcVisitRecordInSchema)
    @blp.response(200, SvcReturnVisitDetailSchema)
    @step
    def post(self, data, service_visit_id):
        """Record the visit (SVC-14): attitude, skill, result, who came; on the customer's timeline; issues
        to the service manager (CMP-63); the order closes once no issue is open."""
        visit = return_visits.get_visit(service_visit_id, for_update=True)
        return return_visits.record_visit(visit, data, by=g.user.id)


@blp.route("/work-orders/<int:order_id>/return-visits")
class OrderReturnVisits(MethodView):
    @blp.response(200, SvcOrderVisitsSchema)
    def get(self, order_id):
        """The order's return-visit decisions (one per round) and the issues found (SVC-14, CMP-63)."""
        return _order_visits(order_for(order_id).id)


@blp.route("/service-visit-issues")
class ServiceVisitIssues(MethodView):
    @blp.arguments(SvcIssueQuerySchema, location="query")
    @blp.response(200, SvcVisitIssueSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Issues found on return visits after service (CMP-63), earliest assignment limit first."""
        return page_of(return_visits.search_issues(**args), pagination_parameters)


@blp.route("/service-visit-issues/<int:service_issue_id>/assign")
class AssignServiceIssue(MethodView):
    @require_roles(*ISSUE_MANAGERS, admin_scope=False)
    @blp.arguments(SvcIssueAssignInSchema)
    @blp.response(200, SvcVisitIssueSchema)
    @step
    def post(self, data, service_issue_id):
        """The service manager assigns someone to the issue (CMP-63)."""
        issue = return_visits.get_issue(service_issue_id, for_update=True)
        return return_visits.assign_issue(issue, data["assignee_id"], by=g.user.id, at=data["assigned_at"])


@blp.route("/service-visit-issues/<int:service_issue_id>/outcome")
class SettleServiceIssue(MethodView):
    @require_roles(*ISSUE_MANAGERS, "technician", "cs_agent", admin_scope=False)
    @blp.arguments(SvcIssueOutcomeInSchema)
    @blp.response(200, SvcVisitIssueSchema)
    @step
    def post(self, data, service_issue_id):
        """The issue's outcome (CMP-63: every issue gets one); the last one closes the waiting order."""
        issue = return_visits.get_issue(service_issue_id, for_update=True)
        return return_visits.settle_issue(issue, data["outcome"], by=g.user.id, at=data["settled_at"],
                                          may_settle_unassigned=g.user.has_role(*ISSUE_MANAGERS))


# ------------------------------------------------------------------ documents and records

@blp.route("/work-orders/<int:order_id>/documents")
class OrderDocuments(MethodView):
    @blp.response(200, SvcDocumentSchema(many=True))
    def get(self, order_id):
        """The order's customer originals and their custodians (SVC-16)."""
        return records_watch.documents_of(order_for(order_id).id)

    @require_roles(*DOC_STAFF, admin_scope=False)
    @blp.arguments(SvcDocumentInSchema)
    @blp.response(201, SvcDocumentSchema)
    @step
    def post(self, data, order_id):
        """Archive a customer original with its custodian (SVC-16)."""
        return records_watch.add_document(order_for(order_id), data, by=g.user.id)


@blp.route("/service-documents/<int:service_document_id>/lost")
class LostDocument(MethodView):
    @require_roles(*DESK, admin_scope=False)
    @blp.arguments(SvcDocumentLostInSchema)
    @blp.response(200, SvcDocumentSchema)
    @step
    def post(self, data, service_document_id):
        """A custody document was lost: a penalty event on its custodian, per sheet (SVC-16)."""
        document = records_watch.get_document(service_document_id, for_update=True)
        return records_watch.report_lost(document, data["reason"], by=g.user.id, at=data["lost_at"],
                                         sheets=data["sheets"])


@blp.route("/work-orders/<int:order_id>/post-docs")
class OrderPostDocs(MethodView):
    @blp.response(200, SvcPostDocsStatusSchema)
    def get(self, order_id):
        """The type's post-completion documents: required, due, recorded, missing (SVC-23)."""
        return records_watch.post_docs_status(order_for(order_id))

    @require_roles(*DOC_STAFF, admin_scope=False)
    @blp.arguments(SvcPostDocInSchema)
    @blp.response(201, SvcPostDocsStatusSchema)
    @step
    def post(self, data, order_id):
        """Record one post-completion document (SVC-23)."""
        order = order_for(order_id)
        records_watch.record_post_doc(order, data, by=g.user.id)
        return records_watch.post_docs_status(order)


@blp.route("/work-orders/<int:order_id>/aftercare-checks")
class OrderChecks(MethodView):
    @blp.response(200, SvcCheckSchema(many=True))
    def get(self, order_id):
        """The checks at their limits: missing service record (SVC-16), post-completion documents (SVC-23)."""
        return records_watch.checks_of(order_for(order_id).id)
