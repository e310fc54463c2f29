"""Follow-ups, visits and return visits (CUS-61..CUS-64).

Due visits (CUS-61), generated daily by ``cus.visit_generation`` from ``cus.visits.matrix``:

- ``GET /visits/due?user_id=&status=open|overdue|done&customer_id=`` → the caller's due visits (no
  status: open and overdue), earliest due first; a manager (:data:`OVERSEERS`) may ask for anyone's,
  and ``user_id=0`` lists visits nobody holds the role for. Another user's list is 403 otherwise.

Monthly visit plans and visit reports (CUS-62):

- ``POST /visit-plans`` ``{month: "2026-12", visits: [{customer_id, planned_on, purpose, expenses,
  gifts, note}], note}`` → 201, the caller's plan submitted (late when after ``cus.visits.plan_due``);
  422 naming ``visits`` under the role quota (``cus.visits.quota``); 409 when already submitted or
  approved. A flagged (missing) or returned plan is submitted again the same way.
- ``GET /visit-plans?user_id=&month=&status=``, ``GET /visit-plans/<plan_id>`` (own, or a manager).
- ``POST /visit-plans/<plan_id>/review`` ``{approved, note}`` (a manager; returning needs a note).
- ``POST /customers/<id>/visit-reports`` ``{contact_entry_id, content, planned_visit_id, promises:
  [{kind, text, due_at, owner_id}]}`` → 201 with ``due_at``, ``late`` and the commitments made from
  the promises (CUS-63); ``GET`` lists them; ``GET /visit-reports/<report_id>``;
  ``POST /visit-reports/<report_id>/review``.

Commitments (CUS-63): ``POST /customers/<id>/commitments`` ``{kind, text, due_at, owner_id, made_at}``
→ 201; ``GET /customers/<id>/commitments?status=``; ``POST /customers/<id>/commitments/<commitment_id>/fulfil``.

Satisfaction surveys (CUS-64): ``POST /surveys`` ``{name, method, items: [{code, label}]}``;
``GET /surveys``, ``GET /surveys/<survey_id>``; ``POST /surveys/<survey_id>/responses``
``{customer_id, scores: {code: 0..100}}``; ``POST /surveys/<survey_id>/close`` → the round with its
mean and, below ``cus.survey.threshold``, its ``corrective_action`` (CAPA); ``GET /corrective-actions``,
``POST /corrective-actions/<action_id>/close`` ``{note}``.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from core.customers import service as customers
from core.customers.visits import commitment_rules, commitments, due_visits, plans, plan_rules, surveys
from core.customers.visits.models import COMMITMENT_STATUSES, PLAN_STATUSES, VISIT_STATUSES
from core.customers.visits.survey_rules import METHODS
from core.db import db
from web.api.auth import require_roles
from web.api.customers import WRITERS
from web.api.pagination import page_of

PREFIX = ""
blp = Blueprint("customer_visits", __name__, description="Visits, visit plans and reports, commitments, "
                                                           "satisfaction surveys (CUS-61..64)")

OVERSEERS = ("supervisor", "cs_supervisor", "dept_manager", "sales_manager", "cs_manager", "resource_director",
             "gm", "vp", "tenant_admin")
SURVEYORS = ("cs_agent", "cs_supervisor", "cs_manager", "supervisor", "dept_manager", "sales_manager", "gm", "vp",
             "tenant_admin")


def _oversees() -> bool:
    return g.user.has_role(*OVERSEERS)


def _own_or_overseer(user_id: int) -> None:
    if user_id != g.user.id and not _oversees():
        abort(403, description=f"needs role: {' or '.join(OVERSEERS)} to see another user's")


class MonthField(fields.String):
    """``YYYY-MM`` ↔ the month's first day."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return plan_rules.parse_month(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else plan_rules.month_key(value)


# ------------------------------------------------------------------------------------ due visits

class DueQuerySchema(Schema):
    user_id = fields.Integer(metadata={"description": "default: the caller; 0: unassigned (managers)"})
    status = fields.String(validate=validate.OneOf(VISIT_STATUSES),
                           metadata={"description": "default: open and overdue"})
    customer_id = fields.Integer()


class DueVisitSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String(metadata={"description": "cadence | holiday"})
    role = fields.String(metadata={"description": "agent (the owner) or a role code"})
    per = fields.String()
    period_key = fields.String(metadata={"description": "2026-10 | 2026-Q4 | 2026 | holiday:2026-10-01"})
    slot = fields.Integer()
    times = fields.Integer()
    period_first = fields.Date()
    period_last = fields.Date()
    available_from = fields.Date()
    due_on = fields.Date(metadata={"description": "due through this day"})
    due_at = fields.DateTime()
    mode = fields.String(metadata={"description": "phone_ok | on_site"})
    tier = fields.String()
    holiday = fields.String(allow_none=True)
    performer_id = fields.Integer(allow_none=True)
    status = fields.Function(lambda row: due_visits.effective_status(row),
                             metadata={"description": "open | overdue | done"})
    contact_entry_id = fields.Integer(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


@blp.route("/visits/due")
class DueVisits(MethodView):
    @blp.arguments(DueQuerySchema, location="query")
    @blp.response(200, DueVisitSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Due and overdue visits of a user (CUS-61)."""
        user_id = args.get("user_id", g.user.id)
        _own_or_overseer(user_id)
        stmt = due_visits.due_list(user_id=user_id, status=args.get("status"), customer_id=args.get("customer_id"))
        return page_of(stmt, pagination_parameters)


# ------------------------------------------------------------------------------------ visit plans

class PlannedVisitInSchema(Schema):
    customer_id = fields.Integer(required=True)
    planned_on = fields.Date(required=True)
    purpose = fields.String(required=True, validate=validate.OneOf(plan_rules.PURPOSES),
                            metadata={"description": ", ".join(plan_rules.PURPOSES)})
    expenses = fields.Decimal(places=2, rounding=ROUND_HALF_UP, as_string=True, load_default=0, validate=validate.Range(min=0, max=10**9),
                              metadata={"description": "yuan requested in advance"})
    gifts = fields.String(allow_none=True, validate=validate.Length(max=500),
                          metadata={"description": "gifts requested in advance"})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class PlannedVisitSchema(PlannedVisitInSchema):
    id = fields.Integer()


class PlanInSchema(Schema):
    month = MonthField(required=True, metadata={"description": "YYYY-MM, the planned month"})
    visits = fields.List(fields.Nested(PlannedVisitInSchema), load_default=list, validate=validate.Length(max=500))
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))


class PlanSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    month = MonthField()
    due_on = fields.Date(metadata={"description": "submit through this day (cus.visits.plan_due)"})
    status = fields.String(metadata={"description": "missing (flagged) | submitted | approved | returned"})
    note = fields.String(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    late = fields.Boolean()
    flagged_at = fields.DateTime(allow_none=True)
    flag_decision_id = fields.Integer(allow_none=True)
    reviewed_by = fields.Integer(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    review_note = fields.String(allow_none=True)
    visits = fields.List(fields.Nested(PlannedVisitSchema))


class PlanQuerySchema(Schema):
    user_id = fields.Integer(metadata={"description": "default: the caller"})
    month = MonthField()
    status = fields.String(validate=validate.OneOf(PLAN_STATUSES))


class ReviewSchema(Schema):
    approved = fields.Boolean(required=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=5000),
                         metadata={"description": "required when returning"})


@blp.route("/visit-plans")
class VisitPlans(MethodView):
    @blp.arguments(PlanQuerySchema, location="query")
    @blp.response(200, PlanSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Visit plans of a user (default: the caller), newest month first."""
        user_id = args.get("user_id", g.user.id)
        _own_or_overseer(user_id)
        stmt = plans.plans(user_id=user_id, month=args.get("month"), status=args.get("status"))
        return page_of(stmt, pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(PlanInSchema)
    @blp.response(201, PlanSchema)
    def post(self, data):
        """Submit the caller's visit plan for a month (CUS-62)."""
        plan = plans.submit_plan(g.user, data["month"], data["visits"], note=data.get("note"))
        db.session.commit()
        return plan


@blp.route("/visit-plans/<int:plan_id>")
class VisitPlanItem(MethodView):
    @blp.response(200, PlanSchema)
    def get(self, plan_id):
        """One visit plan."""
        plan = plans.get_plan(plan_id)
        _own_or_overseer(plan.user_id)
        return plan


@blp.route("/visit-plans/<int:plan_id>/review")
class VisitPlanReview(MethodView):
    @require_roles(*OVERSEERS, admin_scope=False)
    @blp.arguments(ReviewSchema)
    @blp.response(200, PlanSchema)
    def post(self, data, plan_id):
        """Approve or return a submitted plan (CUS-62)."""
        plan = plans.review_plan(plans.get_plan(plan_id), g.user.id, approved=data["approved"], note=data.get("note"))
        db.session.commit()
        return plan


# ---------------------------------------------------------------------------------- commitments

class CommitmentInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(commitment_rules.KINDS),
                         metadata={"description": ", ".join(commitment_rules.KINDS)})
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    due_at = fields.AwareDateTime(required=True)
    owner_id = fields.Integer(metadata={"description": "default: the caller"})
    made_at = fields.AwareDateTime(metadata={"description": "when it was promised; default now"})


class CommitmentSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    owner_id = fields.Integer()
    kind = fields.String()
    text = fields.String()
    made_at = fields.DateTime()
    due_at = fields.DateTime()
    status = fields.String(metadata={"description": "open | fulfilled | cancelled"})
    source_type = fields.String(allow_none=True)
    source_id = fields.Integer(allow_none=True)
    contact_entry_id = fields.Integer(allow_none=True)
    fulfilled_at = fields.DateTime(allow_none=True)
    fulfilled_by = fields.Integer(allow_none=True)
    fulfil_note = fields.String(allow_none=True)
    alerted_at = fields.DateTime(allow_none=True)
    alert_decision_id = fields.Integer(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class CommitmentQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(COMMITMENT_STATUSES))


class FulfilSchema(Schema):
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


@blp.route("/customers/<int:customer_id>/commitments")
class Commitments(MethodView):
    @blp.arguments(CommitmentQuerySchema, location="query")
    @blp.response(200, CommitmentSchema(many=True))
    @blp.paginate()
    def get(self, args, customer_id, pagination_parameters):
        """The customer's commitments, earliest due first."""
        customers.get_customer(customer_id)
        return page_of(commitments.commitments_of(customer_id, args.get("status")), pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(CommitmentInSchema)
    @blp.response(201, CommitmentSchema)
    def post(self, data, customer_id):
        """Record a promise to the customer (CUS-63)."""
        customers.get_customer(customer_id)
        row = commitments.create_commitment(customer_id, owner_id=data.get("owner_id", g.user.id),
                                            due_at=data["due_at"], kind=data["kind"], text=data["text"],
                                            made_at=data.get("made_at"), created_by=g.user.id)
        db.session.commit()
        return row


@blp.route("/customers/<int:customer_id>/commitments/<int:commitment_id>/fulfil")
class CommitmentFulfil(MethodView):
    @blp.arguments(FulfilSchema)
    @blp.response(200, CommitmentSchema)
    def post(self, data, customer_id, commitment_id):
        """Mark a commitment kept (its owner or a manager)."""
        customers.get_customer(customer_id)
        row = commitments.get_commitment(customer_id, commitment_id)
        _own_or_overseer(row.owner_id)
        commitments.fulfil(row, by=g.user.id, note=data.get("note"))
        db.session.commit()
        return row


# -------------------------------------------------------------------------------- visit reports

class PromiseSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(commitment_rules.KINDS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    due_at = fields.AwareDateTime(required=True)
    owner_id = fields.Integer(metadata={"description": "default: the report's author"})


class ReportInSchema(Schema):
    contact_entry_id = fields.Integer(required=True, metadata={"description": "the visit in the contact log"})
    content = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    planned_visit_id = fields.Integer(allow_none=True)
    promises = fields.List(fields.Nested(PromiseSchema), load_default=list, validate=validate.Length(max=50),
                           metadata={"description": "promises made during the visit: become commitments (CUS-63)"})


class ReportSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    contact_entry_id = fields.Integer()
    planned_visit_id = fields.Integer(allow_none=True)
    user_id = fields.Integer()
    content = fields.String()
    status = fields.String(metadata={"description": "submitted | approved | returned"})
    due_at = fields.DateTime(metadata={"description": "cus.visits.report_within after the visit"})
    submitted_at = fields.DateTime()
    late = fields.Boolean()
    reviewed_by = fields.Integer(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    review_note = fields.String(allow_none=True)


class ReportCreatedSchema(ReportSchema):
    commitments = fields.List(fields.Nested(CommitmentSchema))


@blp.route("/customers/<int:customer_id>/visit-reports")
class VisitReports(MethodView):
    @blp.response(200, ReportSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, pagination_parameters):
        """The customer's visit reports, newest first."""
        customers.get_customer(customer_id)
        return page_of(plans.reports_of(customer_id), pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(ReportInSchema)
    @blp.response(201, ReportCreatedSchema)
    def post(self, data, customer_id):
        """Report a visit (CUS-62); its promises become commitments (CUS-63)."""
        customers.get_customer(customer_id)
        report = plans.submit_report(customer_id, contact_entry_id=data["contact_entry_id"], author_id=g.user.id,
                                     content=data["content"], planned_visit_id=data.get("planned_visit_id"),
                                     promises=data["promises"])
        db.session.commit()
        return report


@blp.route("/visit-reports/<int:report_id>")
class VisitReportItem(MethodView):
    @blp.response(200, ReportSchema)
    def get(self, report_id):
        """One visit report."""
        report = plans.get_report(report_id)
        customers.get_customer(report.customer_id)
        return report


@blp.route("/visit-reports/<int:report_id>/review")
class VisitReportReview(MethodView):
    @require_roles(*OVERSEERS, admin_scope=False)
    @blp.arguments(ReviewSchema)
    @blp.response(200, ReportSchema)
    def post(self, data, report_id):
        """Approve or return a visit report (CUS-62)."""
        report = plans.review_report(plans.get_report(report_id), g.user.id, approved=data["approved"],
                                     note=data.get("note"))
        db.session.commit()
        return report


# -------------------------------------------------------------------------------------- surveys

class ItemSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$",
                                                                 error="lower-case letters, digits, underscores"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))


class SurveyInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    method = fields.String(load_default="online", validate=validate.OneOf(METHODS))
    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1, max=50))
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))


class ItemMeanSchema(Schema):
    code = fields.String()
    label = fields.String()
    mean = fields.String()
    answers = fields.Integer()


class CorrectiveActionSchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    title = fields.String()
    items = fields.List(fields.Dict(), metadata={"description": "weak items, lowest first: code, label, mean"})
    owner_id = fields.Integer(allow_none=True)
    status = fields.String()
    decision_id = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.Integer(allow_none=True)
    close_note = fields.String(allow_none=True)
    created_at = fields.DateTime()


class SurveySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    method = fields.String()
    items = fields.List(fields.Nested(ItemSchema))
    status = fields.String(metadata={"description": "open | closed"})
    note = fields.String(allow_none=True)
    mean = fields.Decimal(as_string=True, allow_none=True)
    threshold = fields.Decimal(as_string=True, allow_none=True)
    item_means = fields.List(fields.Nested(ItemMeanSchema), allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    corrective_action = fields.Function(
        lambda survey: _action_json(surveys.action_of(survey)), metadata={"description": "the CAPA, if opened"})


def _action_json(action):
    return None if action is None else CorrectiveActionSchema().dump(action)


class ResponseInSchema(Schema):
    customer_id = fields.Integer(allow_none=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "{item code: 0..100}"})
    responded_at = fields.AwareDateTime()


class ResponseSchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    customer_id = fields.Integer(allow_none=True)
    scores = fields.Dict()
    responded_at = fields.DateTime()
    created_by = fields.Integer(allow_none=True)


class CloseSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ActionQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(("open", "closed")))


@blp.route("/surveys")
class Surveys(MethodView):
    @blp.response(200, SurveySchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Survey rounds, newest first."""
        return page_of(surveys.rounds(), pagination_parameters)

    @require_roles(*SURVEYORS, admin_scope=False)
    @blp.arguments(SurveyInSchema)
    @blp.response(201, SurveySchema)
    def post(self, data):
        """Open a satisfaction survey round (CUS-64)."""
        survey = surveys.create_round(name=data["name"], method=data["method"], items=data["items"],
                                      note=data.get("note"), created_by=g.user.id)
        db.session.commit()
        return survey


@blp.route("/surveys/<int:survey_id>")
class SurveyItem(MethodView):
    @blp.response(200, SurveySchema)
    def get(self, survey_id):
        """One survey round with its mean and corrective action."""
        return surveys.get_round(survey_id)


@blp.route("/surveys/<int:survey_id>/responses")
class SurveyResponses(MethodView):
    @blp.response(200, ResponseSchema(many=True))
    @blp.paginate()
    def get(self, survey_id, pagination_parameters):
        """The round's responses."""
        return page_of(surveys.responses_query(surveys.get_round(survey_id)), pagination_parameters)

    @require_roles(*(SURVEYORS + WRITERS), admin_scope=False)
    @blp.arguments(ResponseInSchema)
    @blp.response(201, ResponseSchema)
    def post(self, data, survey_id):
        """Record a response: scores 0–100 per item."""
        survey = surveys.get_round(survey_id)
        if data.get("customer_id") is not None:
            customers.get_customer(data["customer_id"])
        response = surveys.add_response(survey, scores=data["scores"], customer_id=data.get("customer_id"),
                                        responded_at=data.get("responded_at"), created_by=g.user.id)
        db.session.commit()
        return response


@blp.route("/surveys/<int:survey_id>/close")
class SurveyClose(MethodView):
    @require_roles(*SURVEYORS, admin_scope=False)
    @blp.response(200, SurveySchema)
    def post(self, survey_id):
        """Close the round: its mean, and a corrective action when below ``cus.survey.threshold`` (CUS-64)."""
        survey = surveys.close_round(surveys.get_round(survey_id), by=g.user.id)
        db.session.commit()
        return survey


@blp.route("/corrective-actions")
class CorrectiveActions(MethodView):
    @blp.arguments(ActionQuerySchema, location="query")
    @blp.response(200, CorrectiveActionSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Corrective actions (CAPA), newest first."""
        return page_of(surveys.actions(args.get("status")), pagination_parameters)


@blp.route("/corrective-actions/<int:action_id>/close")
class CorrectiveActionClose(MethodView):
    @require_roles(*SURVEYORS, admin_scope=False)
    @blp.arguments(CloseSchema)
    @blp.response(200, CorrectiveActionSchema)
    def post(self, data, action_id):
        """Close a corrective action with what was done."""
        action = surveys.close_action(surveys.get_action(action_id), by=g.user.id, note=data["note"])
        db.session.commit()
        return action
