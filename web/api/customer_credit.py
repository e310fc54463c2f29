"""Credit rating and limits of B2B customers (CUS-90..CUS-96). Off by default
(``cus.credit.enabled = false``): every endpoint then answers 409 with a message saying how to turn
it on. The customer is looked up first (404 in another tenant).

- ``GET /customers/<id>/credit`` → record, ratings, line, exposure and averages.
- ``PUT /customers/<id>/credit/record`` → the investigation record (CUS-90), refresh due at the end
  of the next quarter.
- ``POST /customers/<id>/credit/rating`` → a grade proposal (CUS-91 checked: 422 when better than
  the criteria allow); ``POST /customers/<id>/credit/rating/steps`` → VP review, CFO review, GM
  approval (CUS-92; 403 without the step's role, 409 out of order).
- ``GET /customers/<id>/credit/limit?kind=&mortgage_value=`` → the highest limit (CUS-93);
  ``PUT /customers/<id>/credit/limit`` → grant or adjust (422 over it, or raising without exception,
  CUS-95).
- ``POST /customers/<id>/credit/approvals`` → a written approval (gm/vp) for one operation over the
  limit or a limit increase.
- ``POST /customers/<id>/credit/exposure-check`` → 200 allowed, 409 over the limit (CUS-94).
- ``GET /customers/credit/over-limit``, ``/customers/credit/evaluations``,
  ``/customers/credit/overdue-records``.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers import service as customers
from core.customers.credit import rules, service
from core.customers.credit.models import APPROVAL_KINDS, LINE_KINDS
from core.customers.credit.settings import STEPS
from core.customers.grades.service import local_today
from core.db import db
from core.errors import Forbidden
from web.api.customers import WRITERS
from web.api.pagination import page_of

PREFIX = "/customers"
blp = Blueprint("customer_credit", __name__, description="Credit rating and limits (CUS-90..CUS-96)")

RECORD_WRITERS = ("supervisor", "dept_manager", "sales_manager", "finance", "vp", "gm", "tenant_admin")
PROPOSERS = ("sales_manager", "dept_manager", "salesperson", "finance", "supervisor")
LIMIT_GRANTERS = ("gm",)
CHECKERS = (*WRITERS, "finance")
MONEY = {"places": 2, "as_string": True, "validate": validate.Range(min=0, min_inclusive=False)}


def _section_fields():
    return {name: fields.Dict(metadata={"description": f"section {name} (structured JSON)"})
            for name in rules.SECTIONS}


RecordSectionsSchema = Schema.from_dict(_section_fields(), name="CreditRecordSections")
AssessmentSchema = Schema.from_dict(
    {name: fields.Boolean(allow_none=True) for name in (*rules.A_CONDITIONS, *rules.C_TRIGGERS)},
    name="CreditAssessment")


class RecordInSchema(Schema):
    sections = fields.Nested(RecordSectionsSchema, load_default=dict)
    assessment = fields.Nested(AssessmentSchema, load_default=dict,
                               metadata={"description": "A conditions (true = holds) and C triggers (true = present); "
                                                        "null or absent = not known (key data missing)"})
    refreshed_on = fields.Date(load_default=None, metadata={"description": "local day of this full refresh"})
    reviewed_by = fields.Integer(allow_none=True, load_default=None)
    filed_by = fields.Integer(allow_none=True, load_default=None)


class RecordSchema(Schema):
    customer_id = fields.Integer()
    sections = fields.Dict()
    assessment = fields.Dict()
    filled_by = fields.Integer(allow_none=True)
    reviewed_by = fields.Integer(allow_none=True)
    filed_by = fields.Integer(allow_none=True)
    refreshed_on = fields.Date()
    refresh_due = fields.Date(metadata={"description": "through this day (quarter end)"})
    overdue = fields.Method("_overdue")

    def _overdue(self, row) -> bool:
        return row.refresh_due < local_today()


class RatingInSchema(Schema):
    grade = fields.String(required=True, validate=validate.OneOf(rules.GRADES))
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class StepInSchema(Schema):
    step = fields.String(required=True, validate=validate.OneOf(STEPS))
    approve = fields.Boolean(required=True)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class RatingSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    grade = fields.String()
    rule_grade = fields.String(metadata={"description": "what the CUS-91 criteria give"})
    status = fields.String(metadata={"description": "proposed | reviewing | approved | rejected"})
    effective = fields.Method("_effective")
    proposed_by = fields.Integer()
    note = fields.String(allow_none=True)
    steps = fields.List(fields.Dict())
    grade_decision_id = fields.Integer()
    decision_id = fields.Integer(allow_none=True)
    effective_at = fields.DateTime(allow_none=True)

    def _effective(self, row) -> bool:
        return row.status == "approved"


class LineSchema(Schema):
    customer_id = fields.Integer()
    grade = fields.String()
    kind = fields.String()
    limit = fields.Decimal(as_string=True, attribute="credit_limit")
    term = fields.String()
    mortgage_value = fields.Decimal(as_string=True, allow_none=True)
    granted_by = fields.Integer()
    granted_at = fields.DateTime()
    decision_id = fields.Integer()


class LimitQuerySchema(Schema):
    kind = fields.String(load_default="long", validate=validate.OneOf(LINE_KINDS))
    mortgage_value = fields.Decimal(places=2, load_default=None, validate=validate.Range(min=0))


class LimitInSchema(Schema):
    limit = fields.Decimal(required=True, **MONEY)
    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    mortgage_value = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True,
                                    validate=validate.Range(min=0))
    exception_approval_id = fields.Integer(load_default=None, allow_none=True,
                                           metadata={"description": "a limit_increase approval (CUS-95)"})


class MaxLimitSchema(Schema):
    grade = fields.String(allow_none=True)
    kind = fields.String()
    max_limit = fields.Decimal(as_string=True)
    term = fields.String(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()
    averages = fields.Dict()


class ApprovalInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(APPROVAL_KINDS))
    amount = fields.Decimal(required=True, **MONEY)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ApprovalSchema(ApprovalInSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    amount = fields.Decimal(as_string=True)
    approved_by = fields.Integer()
    used_at = fields.DateTime(allow_none=True)
    used_decision_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ExposureInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf((*rules.INCREASING, *rules.DECREASING)))
    amount = fields.Decimal(required=True, **MONEY)
    approval_id = fields.Integer(load_default=None, allow_none=True,
                                 metadata={"description": "a recorded written approval for going over the limit"})


class ExposureSchema(Schema):
    allowed = fields.Boolean()
    exposure = fields.Decimal(as_string=True)
    exposure_after = fields.Decimal(as_string=True, attribute="after")
    limit = fields.Decimal(as_string=True, allow_none=True)
    approval_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()


class CreditSchema(Schema):
    customer_id = fields.Integer()
    record = fields.Nested(RecordSchema, allow_none=True)
    rating = fields.Nested(RatingSchema, allow_none=True, metadata={"description": "the latest proposal"})
    effective_grade = fields.String(allow_none=True)
    line = fields.Nested(LineSchema, allow_none=True)
    exposure = fields.Dict()


class OverLimitSchema(Schema):
    customer_id = fields.Integer()
    limit = fields.Decimal(as_string=True)
    receivables = fields.Decimal(as_string=True)
    open_prepayments = fields.Decimal(as_string=True)
    exposure = fields.Decimal(as_string=True)


class CreditEvaluationQuerySchema(Schema):
    month = fields.String(validate=validate.Regexp(r"^\d{4}-(\d{2}|Q[1-4])$"), metadata={
        "description": "a month (2026-09: monthly evaluations) or a quarter (2026-Q3: quarterly reviews)"})


class CreditEvaluationSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    month = fields.String(metadata={"description": "the period: 2026-09 (monthly) or 2026-Q3 (quarterly review)"})
    status = fields.String()
    limit = fields.Decimal(as_string=True, attribute="credit_limit")
    exposure = fields.Decimal(as_string=True)
    decision_id = fields.Integer()


def _customer(customer_id: int, *roles: str):
    """The customer first (404 in another tenant), then the role (403), then credit on (409)."""
    customers.get_customer(customer_id)
    if roles and not g.user.has_role(*roles):
        raise Forbidden(f"needs role: {' or '.join(roles)}")
    return service.require_enabled()


@blp.route("/<int:customer_id>/credit")
class Credit(MethodView):
    @blp.response(200, CreditSchema)
    def get(self, customer_id):
        """The customer's credit: record, latest rating, effective grade, line and exposure."""
        _customer(customer_id)
        effective = service.effective_grade(customer_id)
        return {"customer_id": customer_id, "record": service.get_record(customer_id),
                "rating": service.latest_rating(customer_id), "effective_grade": effective.grade if effective else None,
                "line": service.current_line(customer_id),
                "exposure": {k: str(v) for k, v in service.exposure(customer_id).items()}}


@blp.route("/<int:customer_id>/credit/record")
class CreditRecord(MethodView):
    @blp.arguments(RecordInSchema)
    @blp.response(200, RecordSchema)
    def put(self, data, customer_id):
        """A full refresh of the credit investigation record (CUS-90); the caller is who filled it."""
        _customer(customer_id, *RECORD_WRITERS)
        row = service.save_record(customer_id, sections=data["sections"], assessment=data["assessment"],
                                  refreshed_on=data["refreshed_on"], filled_by=g.user.id,
                                  reviewed_by=data["reviewed_by"], filed_by=data["filed_by"])
        db.session.commit()
        return row


@blp.route("/<int:customer_id>/credit/rating")
class CreditRating(MethodView):
    @blp.arguments(RatingInSchema)
    @blp.response(201, RatingSchema)
    def post(self, data, customer_id):
        """Propose a credit grade (CUS-91 criteria checked; CUS-92 chain starts)."""
        _customer(customer_id, *PROPOSERS)
        rating = service.propose_rating(customer_id, grade=data["grade"], note=data["note"], by=g.user.id)
        db.session.commit()
        return rating


@blp.route("/<int:customer_id>/credit/rating/steps")
class CreditRatingSteps(MethodView):
    @blp.arguments(StepInSchema)
    @blp.response(200, RatingSchema)
    def post(self, data, customer_id):
        """One step of the approval chain: vp_review, cfo_review, then gm_approval (CUS-92)."""
        _customer(customer_id)
        rating = service.rating_step(customer_id, step=data["step"], approve=data["approve"], note=data["note"],
                                     user=g.user)
        db.session.commit()
        return rating


@blp.route("/<int:customer_id>/credit/limit")
class CreditLimit(MethodView):
    @blp.arguments(LimitQuerySchema, location="query")
    @blp.response(200, MaxLimitSchema)
    def get(self, args, customer_id):
        """The highest limit and term the approved grade allows (CUS-93), with the averages used."""
        _customer(customer_id)
        outcome = service.limit_for(customer_id, kind=args["kind"], mortgage_value=args["mortgage_value"])
        avg = service.averages(customer_id, local_today(), service.cus_policy().values["credit"])
        return {**outcome.outcome(), "reason_zh": outcome.reason_zh, "reason_en": outcome.reason_en,
                "averages": {k: str(v) for k, v in avg.items()}}

    @blp.arguments(LimitInSchema)
    @blp.response(200, LineSchema)
    def put(self, data, customer_id):
        """Grant or adjust the limit (CUS-93; raising needs an exception approval, CUS-95)."""
        _customer(customer_id, *LIMIT_GRANTERS)
        line = service.grant_limit(customer_id, limit=data["limit"], kind=data["kind"],
                                   mortgage_value=data["mortgage_value"], by=g.user.id,
                                   exception_approval_id=data["exception_approval_id"])
        db.session.commit()
        return line


@blp.route("/<int:customer_id>/credit/approvals")
class CreditApprovals(MethodView):
    @blp.arguments(ApprovalInSchema)
    @blp.response(201, ApprovalSchema)
    def post(self, data, customer_id):
        """A written approval of the higher authority (``cus.credit.exception_roles``, 403 otherwise)."""
        _customer(customer_id)
        row = service.create_approval(customer_id, kind=data["kind"], amount=data["amount"], reason=data["reason"],
                                      user=g.user)
        db.session.commit()
        return row


@blp.route("/<int:customer_id>/credit/exposure-check")
class ExposureCheck(MethodView):
    @blp.arguments(ExposureInSchema)
    @blp.response(200, ExposureSchema)
    def post(self, data, customer_id):
        """Would this order, shipment or prepayment take exposure over the limit? 409 (with reasons)
        unless a recorded approval is attached; allowed with an approval → decision CUS-94."""
        _customer(customer_id, *CHECKERS)
        outcome = service.check_exposure(customer_id, data["kind"], data["amount"], data["approval_id"])
        db.session.commit()
        return outcome


@blp.route("/credit/over-limit")
class OverLimit(MethodView):
    @blp.response(200, OverLimitSchema(many=True))
    def get(self):
        """Customers whose exposure exceeds their limit, for remediation (CUS-94)."""
        service.require_enabled()
        return service.over_limit()


@blp.route("/credit/evaluations")
class Evaluations(MethodView):
    @blp.arguments(CreditEvaluationQuerySchema, location="query")
    @blp.response(200, CreditEvaluationSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Monthly limit-execution evaluations and quarterly reviews (CUS-96), newest period first."""
        service.require_enabled()
        return page_of(service.evaluations(args.get("month")), pagination_parameters)


@blp.route("/credit/overdue-records")
class OverdueRecords(MethodView):
    @blp.response(200, RecordSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Credit records whose quarterly refresh is overdue (CUS-90)."""
        service.require_enabled()
        return page_of(service.overdue_records(), pagination_parameters)
