"""Performance credit (STF-30..33, CMP-72) and monthly statements (STF-34).

- ``GET /staff/credits?user_id=&month=YYYY-MM&state=&subject_type=&subject_id=`` — an employee sees the
  credits they own or hold a share of; a manager (:data:`LEDGER_MANAGERS`) every one.
- ``POST /staff/credits`` ``{subject_type, subject_id, amount, owner_id, mentor_id, deal_at, facts,
  reference}`` → 201 the deal's credit, attributed and recognised by the tenant's plugins.
- ``GET /staff/credits/<credit_id>`` and ``GET /staff/credits/<credit_id>/shares`` — the shares in
  force. Shares are never edited (PUT/PATCH → 405): a new decision changes them.
- ``POST /staff/credits/<credit_id>/attribution`` ``{performance, bonus, rule_id, reason}`` → 201 a new
  attribution decision superseding the one in force (without shares: the plugin decides again).
- ``POST /staff/credits/<credit_id>/facts`` ``{facts}`` — later events of the deal; a pending deal
  counts once its plugin says so (STF-31).
- ``POST /staff/credits/<credit_id>/reverse`` ``{rule_id, reason, at}`` → 201 (STF-33).
- ``POST /staff/credits/<credit_id>/clawback`` ``{complaint_id, reason, at}`` → 201 (CMP-72).
- ``GET /staff/statements?user_id=&month=&state=``, ``GET /staff/statements/<statement_id>``,
  ``POST /staff/statements/<statement_id>/confirm`` (the employee, STF-34).
"""
from __future__ import annotations

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from core.db import db
from core.decisions import service as decisions
from core.plugins.records import ShareLine
from core.staff import credit, statements
from core.staff.credit_models import CREDIT_STATES
from core.staff.statements_models import STATEMENT_STATES
from web.api.auth import require_roles
from web.api.decisions import DecisionSchema
from web.api.pagination import page_of
from web.api.staff_ledger import LEDGER_MANAGERS, LedgerMonthField, may_see, own_unless_manager

PREFIX = "/staff"
blp = Blueprint("staff_credit", __name__, description="Performance credit and monthly statements (STF-30..34, CMP-72)")

#: who records deals and their later facts
RECORDERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "assistant", "finance")
#: who decides shares again and reverses credit
CREDIT_MANAGERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager")
#: who cancels a deal's credit because of a complaint (CMP-72)
CLAWBACK_MANAGERS = ("gm", "vp", "dept_manager", "sales_manager")


class CreditShareSchema(Schema):
    kind = fields.String(metadata={"description": "performance (业绩) or bonus (奖金/提成)"})
    position = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True, metadata={"description": "forfeited to the department"})
    percent = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)


class PerformanceCreditSchema(Schema):
    id = fields.Integer()
    subject_type = fields.String()
    subject_id = fields.Integer()
    kind = fields.String()
    reference = fields.String(allow_none=True)
    amount = fields.Decimal(as_string=True)
    owner_id = fields.Integer()
    mentor_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    deal_at = fields.DateTime()
    state = fields.String(metadata={"description": "pending, recognised, cancelled or reversal"})
    recognised_at = fields.DateTime(allow_none=True)
    recognised_month = LedgerMonthField(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    reversed_by_id = fields.Method("_reversed_by", metadata={"description": "the reversal of this deal (STF-33)"})
    facts = fields.Dict()
    decision_id = fields.Integer(allow_none=True)
    recognition_decision_id = fields.Integer(allow_none=True)
    shares = fields.Function(lambda c: CreditShareSchema(many=True).dump(credit.shares_of(c)))
    created_at = fields.DateTime()

    def _reversed_by(self, item) -> int | None:
        reversal = credit.reversal_of(item)
        return reversal.id if reversal else None


class PerformanceCreditDetailSchema(PerformanceCreditSchema):
    decisions = fields.Function(lambda c: DecisionSchema(many=True).dump(
        db.session.scalars(decisions.query(credit.SUBJECT, c.id))))


class PerformanceCreditQuerySchema(Schema):
    user_id = fields.Integer()
    month = LedgerMonthField()
    state = fields.String(validate=validate.OneOf(CREDIT_STATES))
    subject_type = fields.String()
    subject_id = fields.Integer()


class CreditDealInSchema(Schema):
    subject_type = fields.String(required=True, validate=validate.Length(min=1, max=40),
                                 metadata={"description": "what was sold: car_order, subscription, transaction..."})
    subject_id = fields.Integer(required=True)
    amount = fields.Decimal(places=2, as_string=True, required=True)
    owner_id = fields.Integer(required=True)
    mentor_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "STF-32"})
    deal_at = fields.AwareDateTime(load_default=None)
    facts = fields.Dict(keys=fields.String(), load_default=dict)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class ShareLineInSchema(Schema):
    user_id = fields.Integer(load_default=None, allow_none=True)
    department_id = fields.Integer(load_default=None, allow_none=True)
    percent = fields.Decimal(required=True, as_string=True)

    @validates_schema
    def _one_holder(self, data, **kwargs):
        if (data.get("user_id") is None) == (data.get("department_id") is None):
            raise ValidationError("name an employee (user_id) or the department (department_id)")


class CreditAttributionInSchema(Schema):
    performance = fields.List(fields.Nested(ShareLineInSchema), load_default=None, allow_none=True)
    bonus = fields.List(fields.Nested(ShareLineInSchema), load_default=None, allow_none=True)
    rule_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CreditFactsInSchema(Schema):
    facts = fields.Dict(keys=fields.String(), required=True)


class ReverseCreditInSchema(Schema):
    rule_id = fields.String(load_default="STF-33", validate=validate.OneOf(credit.REVERSAL_RULES))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    at = fields.AwareDateTime(load_default=None)


class CreditClawbackInSchema(Schema):
    complaint_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    at = fields.AwareDateTime(load_default=None)


class StaffStatementSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    month = LedgerMonthField()
    performance = fields.Decimal(as_string=True)
    commission = fields.Decimal(as_string=True)
    penalty_yuan = fields.Decimal(as_string=True)
    penalty_points = fields.Decimal(as_string=True)
    reward_yuan = fields.Decimal(as_string=True)
    reward_points = fields.Decimal(as_string=True)
    lines = fields.List(fields.Dict())
    state = fields.String()
    issued_at = fields.DateTime()
    confirmed_at = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class StaffStatementQuerySchema(Schema):
    user_id = fields.Integer()
    month = LedgerMonthField()
    state = fields.String(validate=validate.OneOf(STATEMENT_STATES))


def _lines(rows):
    return None if rows is None else [ShareLine(r["percent"], r.get("user_id"), r.get("department_id")) for r in rows]


@blp.route("/credits")
class Credits(MethodView):
    @blp.arguments(PerformanceCreditQuerySchema, location="query")
    @blp.response(200, PerformanceCreditSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Deal credits, newest first; yours unless you manage."""
        return page_of(credit.credits(**own_unless_manager(args, "figures")), pagination_parameters)

    @require_roles(*RECORDERS, admin_scope=False)
    @blp.arguments(CreditDealInSchema)
    @blp.response(201, PerformanceCreditDetailSchema)
    def post(self, data):
        """Record a deal's credit: shares and recognition decided by the tenant's plugins (STF-30/31/32)."""
        result = credit.record_deal(**data, by=g.user.id)
        db.session.commit()
        return result


def _visible_credit(credit_id: int):
    item = credit.get_credit(credit_id)
    if not g.user.has_role(*LEDGER_MANAGERS) and item.owner_id != g.user.id and \
            g.user.id not in {s.user_id for s in credit.shares_of(item)}:
        abort(403, description="only the owner, a holder or a manager sees this credit")
    return item


@blp.route("/credits/<int:credit_id>")
class CreditItem(MethodView):
    @blp.response(200, PerformanceCreditDetailSchema)
    def get(self, credit_id):
        """A credit with its shares in force and its decisions (why?)."""
        return _visible_credit(credit_id)


@blp.route("/credits/<int:credit_id>/shares")
class CreditShares(MethodView):
    @blp.response(200, CreditShareSchema(many=True))
    def get(self, credit_id):
        """The shares in force (read only: a new attribution decision changes them)."""
        return credit.shares_of(_visible_credit(credit_id))


@blp.route("/credits/<int:credit_id>/attribution")
class CreditAttribution(MethodView):
    @require_roles(*CREDIT_MANAGERS, admin_scope=False)
    @blp.arguments(CreditAttributionInSchema)
    @blp.response(201, PerformanceCreditDetailSchema)
    def post(self, data, credit_id):
        """A new attribution decision superseding the one in force (STF-30)."""
        item = credit.get_credit(credit_id)
        credit.reattribute(item, by=g.user.id, performance=_lines(data["performance"]), bonus=_lines(data["bonus"]),
                           rule_id=data["rule_id"], reason=data["reason"])
        db.session.commit()
        return item


@blp.route("/credits/<int:credit_id>/facts")
class CreditFacts(MethodView):
    @require_roles(*RECORDERS, admin_scope=False)
    @blp.arguments(CreditFactsInSchema)
    @blp.response(200, PerformanceCreditDetailSchema)
    def post(self, data, credit_id):
        """Add later facts of the deal; a pending deal is judged again (STF-31)."""
        item = credit.add_facts(credit.get_credit(credit_id), data["facts"], by=g.user.id)
        db.session.commit()
        return item


@blp.route("/credits/<int:credit_id>/reverse")
class CreditReverse(MethodView):
    @require_roles(*CREDIT_MANAGERS, admin_scope=False)
    @blp.arguments(ReverseCreditInSchema)
    @blp.response(201, PerformanceCreditDetailSchema)
    def post(self, data, credit_id):
        """Reverse a deal's credit by decision (STF-33): a negative credit in the reversal month."""
        item = credit.get_credit(credit_id)
        text = data["reason"].strip()
        result = credit.reverse(item, rule_id=data["rule_id"], by=g.user.id, at=data["at"], facts={"reason": text},
                                reason_zh=f"冲回本单业绩与提成：{text}",
                                reason_en=f"The deal's performance and commission are reversed: {text}")
        db.session.commit()
        return result


@blp.route("/credits/<int:credit_id>/clawback")
class CreditClawback(MethodView):
    @blp.arguments(CreditClawbackInSchema)
    @blp.response(201, PerformanceCreditDetailSchema)
    def post(self, data, credit_id):
        """A manager cancels the deal's performance and commission because of a complaint (CMP-72)."""
        item = credit.get_credit(credit_id)
        if not g.user.has_role(*CLAWBACK_MANAGERS):
            abort(403, description=f"needs role: {' or '.join(CLAWBACK_MANAGERS)}")
        result = credit.clawback(item, complaint_id=data["complaint_id"], reason=data["reason"], by=g.user.id,
                                 at=data["at"])
        db.session.commit()
        return result


@blp.route("/statements")
class Statements(MethodView):
    @blp.arguments(StaffStatementQuerySchema, location="query")
    @blp.response(200, StaffStatementSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Monthly statements (STF-34), newest month first; yours unless you manage."""
        return page_of(statements.statements(**own_unless_manager(args, "figures")), pagination_parameters)


@blp.route("/statements/<int:statement_id>")
class StatementItem(MethodView):
    @blp.response(200, StaffStatementSchema)
    def get(self, statement_id):
        item = statements.get_statement(statement_id)
        may_see(item.user_id, "figures")
        return item


@blp.route("/statements/<int:statement_id>/confirm")
class StatementConfirm(MethodView):
    @blp.response(200, StaffStatementSchema)
    def post(self, statement_id):
        """The employee confirms (signs) their statement (STF-34)."""
        item = statements.confirm(statements.get_statement(statement_id), by=g.user.id)
        db.session.commit()
        return item
