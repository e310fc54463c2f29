"""Transactions, referrals, points and referral rewards of a customer (CUS-40..CUS-44).

Every user of the tenant may read. Writes:

- ``POST /customers/<id>/transactions`` (customer writers and finance): a purchase, refund (naming
  ``refund_of``), shipment, collection or prepayment; the answer lists the ``effects`` (points and
  rewards it earned or reversed for the referrer, each with its decision).
- ``POST /customers/<id>/referral`` (customer writers): CUS-40, once per referee; the answer has the
  ``result`` (owner_set | unchanged | needs_arbitration | locked) and the decision.
- ``POST /customers/<id>/attendances`` (customer writers): CUS-42, a referee attended a meeting.
- ``POST /customers/<id>/points/spend`` (customer writers): CUS-41, 422 when the balance is too low.
- ``POST /customers/<id>/points/entries/<points_entry_id>/reverse`` (supervisors and managers):
  CUS-41, a manual reversal with a mandatory reason. There is no call that edits or deletes an entry.
- ``POST /customers/<id>/rewards/<reward_id>/paid`` (finance): CUS-44;
  ``GET /customers/referral-rewards?status=owed`` lists what finance has to pay.
"""
from __future__ import annotations

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers import service as customers
from core.customers.models import TRANSACTION_KINDS
from core.customers.points import awards, ledger, referrals, transactions
from core.customers.points.models import SOURCE_TYPES
from core.db import db
from web.api.auth import require_roles
from web.api.decisions import DecisionSchema
from web.api.customers import WRITERS
from web.api.pagination import page_of

PREFIX = "/customers"
blp = Blueprint("customer_points", __name__,
                description="Transactions, referrals, points ledger and referral rewards (CUS-40..44)")

TRANSACTION_WRITERS = (*WRITERS, "finance")
REVERSERS = ("supervisor", "dept_manager", "sales_manager", "cs_manager", "resource_director", "gm", "vp",
             "tenant_admin")
PAYERS = ("finance",)
SOURCE_LABELS = {"attendance": "event", "purchase": "sale", "refund": "sale", "redemption": "redemption",
                 "reversal": "reversal"}


# ------------------------------------------------------------------------------------------------
# Transactions
# ------------------------------------------------------------------------------------------------


class TransactionInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(TRANSACTION_KINDS))
    amount = fields.Decimal(required=True, as_string=True,
                            metadata={"description": "yuan, > 0, at most 2 decimal places (\"2500.00\")"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when; default now"})
    refund_of = fields.Integer(load_default=None, allow_none=True,
                               metadata={"description": "a refund: the purchase it refunds (required)"})
    event_id = fields.Integer(load_default=None, allow_none=True,
                              metadata={"description": "the event of a sale (CUS-43 event_sales)"})
    gross_profit = fields.Decimal(load_default=None, allow_none=True, as_string=True,
                                  metadata={"description": "yuan, 2 places (CUS-51 profit share)"})
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100),
                              metadata={"description": "order or receipt number"})
    user_id = fields.Integer(load_default=None, allow_none=True,
                             metadata={"description": "the salesperson of the transaction; default the caller"})
    credit_approval_id = fields.Integer(load_default=None, allow_none=True, metadata={
        "description": "a recorded approval letting a shipment or prepayment exceed the credit limit (CUS-94)"})


class TransactionEffectSchema(Schema):
    rule_id = fields.String()
    points = fields.Integer(allow_none=True, metadata={"description": "CUS-42/43: points on the referrer's ledger"})
    amount = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "CUS-44: reward yuan"})
    customer_id = fields.Integer(metadata={"description": "the referrer"})
    entry_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()


class TransactionSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String()
    amount = fields.Decimal(as_string=True)
    at = fields.DateTime()
    refund_of = fields.Integer(allow_none=True)
    event_id = fields.Integer(allow_none=True)
    gross_profit = fields.Decimal(as_string=True, allow_none=True)
    reference = fields.String(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class TransactionSavedSchema(TransactionSchema):
    effects = fields.List(fields.Nested(TransactionEffectSchema))


class TransactionQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(TRANSACTION_KINDS))


def _effects(found: list[awards.Award]) -> list[dict]:
    out = []
    for award in found:
        if award.decision is None:
            continue
        outcome = award.outcome
        reward = getattr(outcome, "reward", None)
        out.append({
            "rule_id": award.decision.rule_id, "customer_id": award.decision.subject_id,
            "points": getattr(outcome, "points", None),
            "amount": reward.amount if reward is not None else None,
            "entry_id": award.entry.id if award.entry else None, "decision_id": award.decision.id,
            "reason_zh": award.decision.reason_zh, "reason_en": award.decision.reason_en,
        })
    return out


@blp.route("/<int:customer_id>/transactions")
class Transactions(MethodView):
    @blp.arguments(TransactionQuerySchema, location="query")
    @blp.response(200, TransactionSchema(many=True))
    @blp.paginate()
    def get(self, args, customer_id, pagination_parameters):
        """The customer's transactions, newest first (``kind`` filters)."""
        customers.get_customer(customer_id)
        return page_of(transactions.transactions_of(customer_id, args.get("kind")), pagination_parameters)

    @require_roles(*TRANSACTION_WRITERS, admin_scope=False)
    @blp.arguments(TransactionInSchema)
    @blp.response(201, TransactionSavedSchema)
    def post(self, data, customer_id):
        """Record a purchase, refund, shipment, collection or prepayment; points (CUS-43) and referral
        rewards (CUS-44) follow."""
        customers.get_customer(customer_id)
        user_id = data.pop("user_id") or g.user.id
        tx = transactions.record_transaction(customer_id, user_id=user_id, recorded_by=g.user.id, **data)
        tx.effects = _effects(tx.awards)
        db.session.commit()
        return tx


# ------------------------------------------------------------------------------------------------
# Referrals (CUS-40)
# ------------------------------------------------------------------------------------------------


class ReferralInSchema(Schema):
    referrer_id = fields.Integer(required=True, metadata={"description": "the referring customer"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when the referee came; default now"})
    claimed_staff_id = fields.Integer(load_default=None, allow_none=True, metadata={
        "description": "a staff member the referee says it knows directly (direct_relationship, CUS-27)"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ReferralSchema(Schema):
    id = fields.Integer()
    referee_id = fields.Integer()
    referrer_id = fields.Integer()
    referrer_owner_id = fields.Integer(allow_none=True, metadata={"description": "the referrer's owner then"})
    at = fields.DateTime()
    claimed_staff_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    recorded_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ReferralSavedSchema(ReferralSchema):
    result = fields.String(metadata={"description": "owner_set | unchanged | needs_arbitration | locked"})
    owner_id = fields.Integer(allow_none=True, metadata={"description": "the referee's owner after the decision"})
    decision = fields.Nested(DecisionSchema)


@blp.route("/<int:customer_id>/referral")
class Referral(MethodView):
    @blp.response(200, ReferralSchema)
    def get(self, customer_id):
        """Who referred this customer (404 when nobody did)."""
        customers.get_customer(customer_id)
        return referrals.get_referral(customer_id)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(ReferralInSchema)
    @blp.response(201, ReferralSavedSchema)
    @blp.alt_response(409, description="the customer already has a referral")
    def post(self, data, customer_id):
        """Record the referrer of this customer (CUS-40); the referee's owner follows
        ``cus.referral.owner_rule``."""
        referee = customers.get_customer(customer_id)
        found = referrals.record_referral(referee, recorded_by=g.user.id, **data)
        row = found.referral
        owner = referrals.ownership_store.current(customer_id)
        answer = {**{c: getattr(row, c) for c in ReferralSchema().fields}, "result": found.result,
                  "owner_id": owner.owner_id if owner else None, "decision": found.decision}
        db.session.commit()
        return answer


@blp.route("/<int:customer_id>/referees")
class Referees(MethodView):
    @blp.response(200, ReferralSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, pagination_parameters):
        """The customers this customer referred, newest first."""
        customers.get_customer(customer_id)
        return page_of(referrals.referees_of(customer_id), pagination_parameters)


# ------------------------------------------------------------------------------------------------
# Points ledger (CUS-41) and attendances (CUS-42)
# ------------------------------------------------------------------------------------------------


class PointsEntrySchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    points = fields.Integer()
    rule_id = fields.String()
    source_type = fields.String(metadata={"description": ", ".join(SOURCE_TYPES)})
    source = fields.Method("_source", metadata={"description": "event | sale | redemption | reversal"})
    source_id = fields.Integer(allow_none=True)
    referee_id = fields.Integer(allow_none=True)
    reverses = fields.Integer(allow_none=True, metadata={"description": "the entry this one reverses"})
    reversed_points = fields.Method("_reversed", metadata={"description": "points of this entry reversed so far"})
    at = fields.DateTime()
    reason_zh = fields.String()
    reason_en = fields.String()
    note = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()

    def _source(self, entry):
        return SOURCE_LABELS.get(entry.source_type, entry.source_type)

    def _reversed(self, entry):
        return getattr(entry, "reversed_points", 0)


class PointsBalanceSchema(Schema):
    customer_id = fields.Integer()
    balance = fields.Integer(metadata={"description": "sum of the entries; negative = a debt (CUS-41)"})
    entries = fields.List(fields.Nested(PointsEntrySchema), metadata={"description": "oldest first"})


class PointsSpendSchema(Schema):
    points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    at = fields.AwareDateTime(load_default=None)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                         metadata={"description": "what the points were spent on"})


class PointsReverseSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    points = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1),
                            metadata={"description": "part of the entry; default all that is not yet reversed"})
    at = fields.AwareDateTime(load_default=None)


@blp.route("/<int:customer_id>/points")
class Points(MethodView):
    @blp.response(200, PointsBalanceSchema)
    def get(self, customer_id):
        """The customer's points balance and ledger entries (CUS-41)."""
        customers.get_customer(customer_id)
        entries = ledger.entries_of(customer_id)
        reversed_ = ledger.reversed_by(entries)
        for entry in entries:
            entry.reversed_points = reversed_.get(entry.id, 0)
        return {"customer_id": customer_id, "balance": sum(e.points for e in entries), "entries": entries}


@blp.route("/<int:customer_id>/points/spend")
class PointsSpend(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(PointsSpendSchema)
    @blp.response(201, PointsEntrySchema)
    def post(self, data, customer_id):
        """Spend (redeem) points; 422 on ``points`` when the balance does not cover them (CUS-41)."""
        customers.get_customer(customer_id)
        row = ledger.spend(customer_id, data["points"], by=g.user.id, at=data["at"], note=data["note"])
        db.session.commit()
        return row


@blp.route("/<int:customer_id>/points/entries/<int:points_entry_id>/reverse")
class PointsReverse(MethodView):
    @require_roles(*REVERSERS, admin_scope=False)
    @blp.arguments(PointsReverseSchema)
    @blp.response(201, PointsEntrySchema)
    def post(self, data, customer_id, points_entry_id):
        """Reverse an entry (all of it or ``points`` of it) with a reason; the entry itself is never
        changed (CUS-41)."""
        customers.get_customer(customer_id)
        row = ledger.reverse(customer_id, points_entry_id, by=g.user.id, **data)
        db.session.commit()
        return row


class AttendanceInSchema(Schema):
    attended_at = fields.AwareDateTime(required=True)
    event_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "the meeting"})


class AttendanceSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    event_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    entry_id = fields.Integer(allow_none=True, metadata={"description": "the referrer's points entry"})
    decision_id = fields.Integer(allow_none=True)
    recorded_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class AttendanceSavedSchema(AttendanceSchema):
    points = fields.Integer(metadata={"description": "points the referrer earned (0: see the reason)"})
    referrer_id = fields.Integer()
    decision = fields.Nested(DecisionSchema, allow_none=True)


@blp.route("/<int:customer_id>/attendances")
class Attendances(MethodView):
    @blp.response(200, AttendanceSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, pagination_parameters):
        """The referee's recorded meeting attendances, newest first."""
        customers.get_customer(customer_id)
        return page_of(awards.attendances_of(customer_id), pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(AttendanceInSchema)
    @blp.response(201, AttendanceSavedSchema)
    def post(self, data, customer_id):
        """A referee attended a meeting: its referrer earns points (CUS-42). 422 when the customer
        has no referral; the same referee and event again answers 200 with the first result."""
        from core.errors import InvalidInput

        customers.get_customer(customer_id)
        found = awards.award_attendance(customer_id, data["event_id"], data["attended_at"], recorded_by=g.user.id)
        if found is None:
            raise InvalidInput("not a referred customer", fields={
                "customer_id": ["this customer has no referral: attendance points go to a referrer (CUS-42)"]})
        row = found.attendance
        referral = referrals.referral_of(customer_id)
        answer = {**{c: getattr(row, c) for c in AttendanceSchema().fields},
                  "points": found.award.entry.points if found.award.entry else 0,
                  "referrer_id": referral.referrer_id, "decision": found.award.decision}
        db.session.commit()
        return answer, 200 if found.replayed else 201


# ------------------------------------------------------------------------------------------------
# Cash referral rewards (CUS-44)
# ------------------------------------------------------------------------------------------------


class ReferralRewardSchema(Schema):
    id = fields.Integer()
    referrer_id = fields.Integer()
    referee_id = fields.Integer()
    deal_type = fields.String()
    deal_id = fields.Integer()
    direction = fields.String(metadata={"description": "reward | reversal"})
    amount = fields.Decimal(as_string=True, metadata={"description": "yuan; negative for a reversal"})
    kind = fields.String(metadata={"description": "cash | fuel"})
    at = fields.DateTime()
    reverses = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "owed | paid | reversal"})
    paid_at = fields.DateTime(allow_none=True)
    paid_by = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class RewardPaidSchema(Schema):
    paid_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class RewardQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(("owed", "paid", "reversal")))


@blp.route("/referral-rewards")
class AllRewards(MethodView):
    @blp.arguments(RewardQuerySchema, location="query")
    @blp.response(200, ReferralRewardSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Every referral reward of the company (finance's list: ``status=owed`` is what is to pay;
        an owed reward whose deal was reversed is left out of ``owed``), newest first."""
        return page_of(awards.all_rewards(args.get("status")), pagination_parameters)


@blp.route("/<int:customer_id>/rewards")
class Rewards(MethodView):
    @blp.response(200, ReferralRewardSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, pagination_parameters):
        """The referral rewards owed to this customer (and their reversals), newest first."""
        customers.get_customer(customer_id)
        return page_of(awards.rewards_of_referrer(customer_id), pagination_parameters)


@blp.route("/<int:customer_id>/rewards/<int:reward_id>/paid")
class RewardPaid(MethodView):
    @blp.arguments(RewardPaidSchema)
    @blp.response(200, ReferralRewardSchema)
    @blp.alt_response(403, description="needs role: finance")
    @blp.alt_response(409, description="already paid, a reversal, or the deal was reversed")
    def post(self, data, customer_id, reward_id):
        """Finance marks a referral reward paid (CUS-44). Only the finance role pays (not even a tenant
        admin); the reward is looked up first, so another tenant's reward is a plain 404."""
        customers.get_customer(customer_id)
        reward = awards.get_reward(customer_id, reward_id)
        if not g.user.has_role(*PAYERS):
            abort(403, description=f"needs role: {' or '.join(PAYERS)}")
        reward = awards.pay_reward(reward, by=g.user.id, paid_at=data["paid_at"])
        db.session.commit()
        return reward

