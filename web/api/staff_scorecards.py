"""Scorecards, appeals on scores, the month's commission scheme and scored pay (STF-40..44).

- ``GET /staff/scorecard-schemes?month=YYYY-MM`` — the schemes in force (``stf.scorecards.schemes``).
- ``GET /staff/scorecards?user_id=&month=&scheme=&state=``; ``POST /staff/scorecards`` ``{user_id, month,
  scheme, scores: {dimension: points}, note}`` → 201 (a dimension over its weight → 422).
- ``GET /staff/scorecards/<scorecard_id>``; ``POST .../appeal`` ``{reason}`` (the employee);
  ``POST .../answer`` ``{answer, scores}`` (the reviewer).
- ``GET /staff/pay-schemes?month=&department_id=&state=``; ``POST /staff/pay-schemes`` ``{department_id,
  month, bases: [{user_id, base}], target, challenge_target, department_result, note}`` → 201 a draft.
- ``GET/PATCH /staff/pay-schemes/<pay_scheme_id>`` (a draft only); ``POST .../approve`` (the GM: starts
  the job ``stf.pay_run``); ``POST .../pay-run`` (now; 409 while the scheme is a draft).
- ``GET /staff/pay-results?user_id=&month=&pay_scheme_id=&state=``.
"""
from __future__ import annotations

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db
from core.staff import pay, scorecards
from core.staff.pay_models import DEPARTMENT_RESULTS, RESULT_STATES, SCHEME_STATES
from core.staff.scorecards_models import SCORECARD_STATES
from web.api.auth import require_roles
from web.api.pagination import page_of
from web.api.staff_ledger import LEDGER_MANAGERS, LedgerMonthField, may_see, own_unless_manager

PREFIX = "/staff"
blp = Blueprint("staff_scorecards", __name__,
                description="Scorecards, pay bands, department modifier, scheme approval (STF-40..44)")

#: who scores employees and answers appeals
REVIEWERS = ("gm", "vp", "dept_manager", "sales_manager", "cs_manager", "supervisor", "cs_supervisor")
#: who drafts the month's commission scheme
DRAFTERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "finance")


class ScorecardDimensionSchema(Schema):
    code = fields.String()
    label_zh = fields.String()
    label_en = fields.String()
    weight = fields.String()


class ScorecardSchemeSchema(Schema):
    role = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    dimensions = fields.List(fields.Nested(ScorecardDimensionSchema))


class ScorecardSchemeQuerySchema(Schema):
    month = LedgerMonthField()


class ScorecardSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    month = LedgerMonthField()
    scheme = fields.String()
    dimensions = fields.List(fields.Dict())
    scores = fields.Dict()
    total = fields.Decimal(as_string=True)
    policy_version = fields.Integer()
    note = fields.String(allow_none=True)
    state = fields.String()
    scored_by = fields.Integer(allow_none=True)
    scored_at = fields.DateTime()
    appeal_reason = fields.String(allow_none=True)
    appealed_at = fields.DateTime(allow_none=True)
    answer = fields.String(allow_none=True)
    answered_by = fields.Integer(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class ScorecardQuerySchema(Schema):
    user_id = fields.Integer()
    month = LedgerMonthField()
    scheme = fields.String()
    state = fields.String(validate=validate.OneOf(SCORECARD_STATES))


class ScorecardInSchema(Schema):
    user_id = fields.Integer(required=True)
    month = LedgerMonthField(required=True)
    scheme = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    scores = fields.Dict(keys=fields.String(), values=fields.Decimal(allow_nan=False), required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class ScoreAppealInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class ScoreAnswerInSchema(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    scores = fields.Dict(keys=fields.String(), values=fields.Decimal(allow_nan=False), load_default=None,
                         allow_none=True, metadata={"description": "revised scores; none: the score is upheld"})


class PayBaseLineSchema(Schema):
    user_id = fields.Integer(required=True)
    base = fields.Decimal(places=2, as_string=True, required=True)


class PaySchemeSchema(Schema):
    id = fields.Integer()
    department_id = fields.Integer()
    month = LedgerMonthField()
    bases = fields.Function(lambda s: [{"user_id": int(k), "base": v} for k, v in sorted(s.bases.items(), key=lambda i: int(i[0]))])
    target = fields.Decimal(as_string=True, allow_none=True)
    challenge_target = fields.Decimal(as_string=True, allow_none=True)
    department_result = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    state = fields.String()
    drafted_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    approved_by = fields.Integer(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    job_id = fields.Integer(allow_none=True)


class PaySchemeQuerySchema(Schema):
    month = LedgerMonthField()
    department_id = fields.Integer()
    state = fields.String(validate=validate.OneOf(SCHEME_STATES))


class PaySchemeInSchema(Schema):
    department_id = fields.Integer(required=True)
    month = LedgerMonthField(required=True)
    bases = fields.List(fields.Nested(PayBaseLineSchema), required=True, validate=validate.Length(min=1, max=2000))
    target = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True)
    challenge_target = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True)
    department_result = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DEPARTMENT_RESULTS))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=8000))


class PaySchemePatchSchema(Schema):
    bases = fields.List(fields.Nested(PayBaseLineSchema), validate=validate.Length(min=1, max=2000))
    target = fields.Decimal(places=2, as_string=True, allow_none=True)
    challenge_target = fields.Decimal(places=2, as_string=True, allow_none=True)
    department_result = fields.String(allow_none=True, validate=validate.OneOf(DEPARTMENT_RESULTS))
    note = fields.String(allow_none=True, validate=validate.Length(max=8000))


class PayResultSchema(Schema):
    id = fields.Integer()
    scheme_id = fields.Integer()
    user_id = fields.Integer()
    month = LedgerMonthField()
    base = fields.Decimal(as_string=True)
    state = fields.String()
    held_reason = fields.String(allow_none=True)
    score = fields.Decimal(as_string=True, allow_none=True)
    band = fields.String(allow_none=True)
    factor = fields.Decimal(as_string=True, allow_none=True)
    banded = fields.Decimal(as_string=True, allow_none=True)
    department_result = fields.String(allow_none=True)
    modifier_percent = fields.Decimal(as_string=True, allow_none=True)
    modifier = fields.Decimal(as_string=True, allow_none=True)
    pay = fields.Decimal(as_string=True, allow_none=True)
    computed_at = fields.DateTime()
    decision_id = fields.Integer(allow_none=True)


class PayResultQuerySchema(Schema):
    user_id = fields.Integer()
    month = LedgerMonthField()
    pay_scheme_id = fields.Integer()
    state = fields.String(validate=validate.OneOf(RESULT_STATES))


def _require(roles) -> None:
    """The role check of a write on one object, after the object was found (404 first)."""
    if not g.user.has_role(*roles):
        abort(403, description=f"needs role: {' or '.join(roles)}")


@blp.route("/scorecard-schemes")
class ScorecardSchemes(MethodView):
    @blp.arguments(ScorecardSchemeQuerySchema, location="query")
    @blp.response(200, ScorecardSchemeSchema(many=True))
    def get(self, args):
        """The scorecard schemes in force for a month (default this month), one per role (STF-40)."""
        from core.policy.service import tenant_today

        found, _ = scorecards.schemes(args.get("month") or tenant_today())
        return [{"role": role, "title_zh": s.get("title_zh", ""), "title_en": s.get("title_en", ""),
                 "dimensions": scorecards.dimensions_of(s)} for role, s in sorted(found.items())]


@blp.route("/scorecards")
class Scorecards(MethodView):
    @blp.arguments(ScorecardQuerySchema, location="query")
    @blp.response(200, ScorecardSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Scorecards, newest month first, best first; yours unless you manage."""
        return page_of(scorecards.scorecards(**own_unless_manager(args, "scores and pay")), pagination_parameters)

    @require_roles(*REVIEWERS, admin_scope=False)
    @blp.arguments(ScorecardInSchema)
    @blp.response(201, ScorecardSchema)
    def post(self, data):
        """Score an employee's month under their role's scheme (STF-40)."""
        card = scorecards.score(**data, by=g.user.id)
        db.session.commit()
        return card


@blp.route("/scorecards/<int:scorecard_id>")
class ScorecardItem(MethodView):
    @blp.response(200, ScorecardSchema)
    def get(self, scorecard_id):
        card = scorecards.get_scorecard(scorecard_id)
        may_see(card.user_id, "scores and pay")
        return card


@blp.route("/scorecards/<int:scorecard_id>/appeal")
class ScorecardAppeal(MethodView):
    @blp.arguments(ScoreAppealInSchema)
    @blp.response(200, ScorecardSchema)
    def post(self, data, scorecard_id):
        """The employee objects to their score (STF-44); it stays appealed until answered."""
        card = scorecards.appeal(scorecards.get_scorecard(scorecard_id), reason=data["reason"], by=g.user.id)
        db.session.commit()
        return card


@blp.route("/scorecards/<int:scorecard_id>/answer")
class ScorecardAnswer(MethodView):
    @blp.arguments(ScoreAnswerInSchema)
    @blp.response(200, ScorecardSchema)
    def post(self, data, scorecard_id):
        """The reviewer answers an appeal: upheld, or revised with new scores (STF-44)."""
        card = scorecards.get_scorecard(scorecard_id)
        _require(REVIEWERS)
        card = scorecards.answer(card, answer=data["answer"], scores=data["scores"], by=g.user.id)
        db.session.commit()
        return card


@blp.route("/pay-schemes")
class PaySchemes(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(PaySchemeQuerySchema, location="query")
    @blp.response(200, PaySchemeSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The months' commission schemes."""
        return page_of(pay.schemes(**args), pagination_parameters)

    @require_roles(*DRAFTERS, admin_scope=False)
    @blp.arguments(PaySchemeInSchema)
    @blp.response(201, PaySchemeSchema)
    def post(self, data):
        """The department drafts its month's scheme (applies only after the GM approves it: STF-44)."""
        scheme = pay.draft(**data, by=g.user.id)
        db.session.commit()
        return scheme


@blp.route("/pay-schemes/<int:pay_scheme_id>")
class PaySchemeItem(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.response(200, PaySchemeSchema)
    def get(self, pay_scheme_id):
        return pay.get_scheme(pay_scheme_id)

    @require_roles(*DRAFTERS, admin_scope=False)
    @blp.arguments(PaySchemePatchSchema)
    @blp.response(200, PaySchemeSchema)
    def patch(self, data, pay_scheme_id):
        """Change a draft (an approved scheme: 409)."""
        scheme = pay.update(pay.get_scheme(pay_scheme_id), data)
        db.session.commit()
        return scheme


@blp.route("/pay-schemes/<int:pay_scheme_id>/approve")
class PaySchemeApprove(MethodView):
    @blp.response(200, PaySchemeSchema)
    def post(self, pay_scheme_id):
        """The GM approves the month's scheme; the pay run (job ``stf.pay_run``) follows (STF-44)."""
        scheme = pay.get_scheme(pay_scheme_id)
        _require(("gm",))
        scheme = pay.approve(scheme, by=g.user.id)
        db.session.commit()
        return scheme


@blp.route("/pay-schemes/<int:pay_scheme_id>/pay-run")
class PaySchemeRun(MethodView):
    @require_roles(*DRAFTERS, admin_scope=False)
    @blp.response(200, PayResultSchema(many=True))
    def post(self, pay_scheme_id):
        """Compute the scheme's pay now (held results again); 409 while the scheme is unapproved."""
        scheme = pay.get_scheme(pay_scheme_id)
        pay.run(scheme)
        db.session.commit()
        return list(db.session.scalars(pay.results(scheme_id=scheme.id)))


@blp.route("/pay-results")
class PayResults(MethodView):
    @blp.arguments(PayResultQuerySchema, location="query")
    @blp.response(200, PayResultSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Scored pay per employee and month; yours unless you manage."""
        args = own_unless_manager(args, "scores and pay")
        if "pay_scheme_id" in args:
            args["scheme_id"] = args.pop("pay_scheme_id")
        return page_of(pay.results(**args), pagination_parameters)
