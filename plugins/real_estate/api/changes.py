"""Changes after the deal (RE-40..43) over the API, under ``/api/v1/re``:

- ``GET /re/changes?kind=&status=&subscription_id=`` — the changes, newest first; ``GET /re/changes/<change_id>``
  one with its latest decision (the check's outcome and reason).
- ``POST /re/changes/swaps`` ``{subscription_id, to_unit_id, reason?}`` → 201 (RE-40: ``approved`` outright or
  ``requested``, waiting for the manager); ``POST /re/changes/renames`` ``{subscription_id, new_name, reason?}``
  → 201 with the fee (RE-41); ``POST /re/changes/refunds`` ``{subscription_id, reason?, retention_note?}`` → 201
  (RE-43; 409 after the contract).
- ``POST /re/changes/<change_id>/retention`` ``{note}``, ``/approve`` ``{reason?}`` (manager), ``/refuse``
  ``{reason}`` (manager), ``/complete`` (swap, rename → the deal's next version; 409 without the approval or
  the fee), ``/fee`` ``{receipt_no}`` (finance), ``/deposit-refunds`` ``{deposit_id, refund_receipt_no}`` (finance).
- ``GET /re/instalments?subscription_id=&stage=`` — instalments of current deals with their RE-42 stage;
  ``GET /re/instalments/<instalment_id>``; ``POST /re/instalments/<instalment_id>/pay`` ``{receipt_no,
  paid_at?}`` (finance only); ``GET /re/instalments/<instalment_id>/notice`` — the payment-demand notice (404
  before it is issued).
"""
from __future__ import annotations

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db
from core.decisions import service as decisions
from plugins.real_estate import changes, instalments
from plugins.real_estate.office_models import CHANGE_KINDS, CHANGE_STATUSES
from web.api.auth import require_roles
from web.api.pagination import page_of

#: who reads changes and instalments: the sales office, its managers and finance
VIEWERS = (*changes.REQUESTERS, "finance", "master_sales_control", "dept_manager", "tenant_admin")

changes_blp = Blueprint("re_changes", __name__, description="Real estate: swaps, renames, refunds (RE-40, RE-41, RE-43)")
instalments_blp = Blueprint("re_instalments", __name__, description="Real estate: instalments and default (RE-42)")


class ReDecisionOutSchema(Schema):
    id = fields.Integer()
    rule_id = fields.String()
    outcome = fields.Dict()
    reason_zh = fields.String()
    reason_en = fields.String()


class ReChangeSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    subscription_id = fields.Integer()
    from_unit_id = fields.Integer(allow_none=True)
    to_unit_id = fields.Integer(allow_none=True)
    old_name = fields.String(allow_none=True)
    new_name = fields.String(allow_none=True)
    fee = fields.Decimal(as_string=True, allow_none=True)
    fee_paid_at = fields.DateTime(allow_none=True)
    fee_receipt_no = fields.String(allow_none=True)
    retention_note = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    status = fields.String()
    requested_by = fields.Integer()
    requested_at = fields.DateTime()
    approved_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    decision = fields.Method("_decision")

    def _decision(self, change):
        return ReDecisionOutSchema().dump(decisions.get(change.decision_id)) if change.decision_id else None


class ReSubscriptionOutSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    version = fields.Integer()
    previous_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    buyer_name = fields.String()
    price = fields.Decimal(as_string=True)
    balance = fields.Decimal(as_string=True)
    status = fields.String()


class ReCompletedSchema(Schema):
    change = fields.Nested(ReChangeSchema)
    subscription = fields.Nested(ReSubscriptionOutSchema)


class ReChangeQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(CHANGE_KINDS))
    status = fields.String(validate=validate.OneOf(CHANGE_STATUSES))
    subscription_id = fields.Integer()


class ReSwapInSchema(Schema):
    subscription_id = fields.Integer(required=True)
    to_unit_id = fields.Integer(required=True)
    reason = fields.String(load_default=None, allow_none=True)


class ReRenameInSchema(Schema):
    subscription_id = fields.Integer(required=True)
    new_name = fields.String(required=True)
    reason = fields.String(load_default=None, allow_none=True)


class ReRefundInSchema(Schema):
    subscription_id = fields.Integer(required=True)
    reason = fields.String(load_default=None, allow_none=True)
    retention_note = fields.String(load_default=None, allow_none=True)


class ReNoteInSchema(Schema):
    note = fields.String(required=True)


class ReReasonInSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True)


class ReReceiptInSchema(Schema):
    receipt_no = fields.String(required=True)


class ReDepositRefundInSchema(Schema):
    deposit_id = fields.Integer(required=True)
    refund_receipt_no = fields.String(required=True)


@changes_blp.route("")
class Changes(MethodView):
    @require_roles(*VIEWERS)
    @changes_blp.arguments(ReChangeQuerySchema, location="query")
    @changes_blp.response(200, ReChangeSchema(many=True))
    @changes_blp.paginate()
    def get(self, args, pagination_parameters):
        """Swaps, renames and refunds, newest first."""
        return page_of(changes.search(**args), pagination_parameters)


def _created(change):
    db.session.commit()
    return change


@changes_blp.route("/swaps")
class Swaps(MethodView):
    @changes_blp.arguments(ReSwapInSchema)
    @changes_blp.response(201, ReChangeSchema)
    def post(self, data):
        """RE-40: ask to move the deal to another unit; the check's outcome is in ``decision``."""
        return _created(changes.request_swap(data["subscription_id"], data["to_unit_id"], by=g.user,
                                             reason=data["reason"]))


@changes_blp.route("/renames")
class Renames(MethodView):
    @changes_blp.arguments(ReRenameInSchema)
    @changes_blp.response(201, ReChangeSchema)
    def post(self, data):
        """RE-41: a new buyer name; after the contract a transfer fee is due first."""
        return _created(changes.request_rename(data["subscription_id"], data["new_name"], by=g.user,
                                               reason=data["reason"]))


@changes_blp.route("/refunds")
class Refunds(MethodView):
    @changes_blp.arguments(ReRefundInSchema)
    @changes_blp.response(201, ReChangeSchema)
    def post(self, data):
        """RE-43: a refund request (409 after the contract)."""
        return _created(changes.request_refund(data["subscription_id"], by=g.user, reason=data["reason"],
                                               retention_note=data["retention_note"]))


@changes_blp.route("/<int:change_id>")
class ChangeItem(MethodView):
    @require_roles(*VIEWERS)
    @changes_blp.response(200, ReChangeSchema)
    def get(self, change_id):
        return changes.get_change(change_id)


@changes_blp.route("/<int:change_id>/retention")
class Retention(MethodView):
    @changes_blp.arguments(ReNoteInSchema)
    @changes_blp.response(200, ReChangeSchema)
    def post(self, data, change_id):
        """RE-43: record how the buyer was asked to stay."""
        return _created(changes.record_retention(change_id, data["note"], by=g.user))


@changes_blp.route("/<int:change_id>/approve")
class Approve(MethodView):
    @changes_blp.arguments(ReReasonInSchema)
    @changes_blp.response(200, ReChangeSchema)
    def post(self, data, change_id):
        """The manager approves a swap (RE-40) or a refund (RE-43)."""
        return _created(changes.approve(change_id, by=g.user, reason=data["reason"]))


@changes_blp.route("/<int:change_id>/refuse")
class Refuse(MethodView):
    @changes_blp.arguments(ReReasonInSchema)
    @changes_blp.response(200, ReChangeSchema)
    def post(self, data, change_id):
        """The manager refuses a change, with a reason."""
        return _created(changes.refuse(change_id, by=g.user, reason=data["reason"]))


@changes_blp.route("/<int:change_id>/complete")
class Complete(MethodView):
    @changes_blp.response(200, ReCompletedSchema)
    def post(self, change_id):
        """A swap or a rename is done: the deal's next version (409 without approval or fee)."""
        version = changes.complete(change_id, by=g.user)
        db.session.commit()
        return {"change": changes.get_change(change_id), "subscription": version}


@changes_blp.route("/<int:change_id>/fee")
class Fee(MethodView):
    @changes_blp.arguments(ReReceiptInSchema)
    @changes_blp.response(200, ReChangeSchema)
    def post(self, data, change_id):
        """RE-41: finance records the rename fee paid."""
        return _created(changes.pay_fee(change_id, data["receipt_no"], by=g.user))


@changes_blp.route("/<int:change_id>/deposit-refunds")
class DepositRefunds(MethodView):
    @changes_blp.arguments(ReDepositRefundInSchema)
    @changes_blp.response(200, ReChangeSchema)
    def post(self, data, change_id):
        """RE-43: finance pays a deposit back, with the refund receipt number."""
        return _created(changes.refund_deposit(change_id, data["deposit_id"], data["refund_receipt_no"], by=g.user))


# ------------------------------------------------------------------ RE-42


class ReInstalmentSchema(Schema):
    id = fields.Integer()
    subscription_id = fields.Integer()
    seq = fields.Integer()
    due_on = fields.Date()
    amount = fields.Decimal(as_string=True)
    paid_at = fields.DateTime(allow_none=True)
    receipt_no = fields.String(allow_none=True)
    notice_at = fields.DateTime(allow_none=True)
    notice_decision_id = fields.Integer(allow_none=True)
    breach_at = fields.DateTime(allow_none=True)
    breach_decision_id = fields.Integer(allow_none=True)
    stage = fields.Method("_stage")

    def _stage(self, instalment):
        return instalments.stage_of(instalment, instalments.local_today())


class ReInstalmentQuerySchema(Schema):
    subscription_id = fields.Integer()
    stage = fields.String(validate=validate.OneOf(instalments.STAGES))


class RePayInSchema(Schema):
    receipt_no = fields.String(required=True)
    paid_at = fields.AwareDateTime(load_default=None)


class ReNoticeSchema(Schema):
    instalment = fields.Nested(ReInstalmentSchema)
    number = fields.String()
    buyer_name = fields.String()
    phone = fields.String()
    mailing_address = fields.String()
    issued_at = fields.DateTime()
    breach_from = fields.Date()
    decision = fields.Nested(ReDecisionOutSchema)


@instalments_blp.route("")
class Instalments(MethodView):
    @require_roles(*VIEWERS)
    @instalments_blp.arguments(ReInstalmentQuerySchema, location="query")
    @instalments_blp.response(200, ReInstalmentSchema(many=True))
    def get(self, args):
        """Instalments of current deals by due day, with their RE-42 stage today."""
        rows = db.session.scalars(instalments.listing(subscription_id=args.get("subscription_id")))
        today = instalments.local_today()
        return [i for i in rows if args.get("stage") in (None, instalments.stage_of(i, today))]


@instalments_blp.route("/<int:instalment_id>")
class InstalmentItem(MethodView):
    @require_roles(*VIEWERS)
    @instalments_blp.response(200, ReInstalmentSchema)
    def get(self, instalment_id):
        return instalments.get_instalment(instalment_id)


@instalments_blp.route("/<int:instalment_id>/pay")
class Pay(MethodView):
    @instalments_blp.arguments(RePayInSchema)
    @instalments_blp.response(200, ReInstalmentSchema)
    def post(self, data, instalment_id):
        """Finance records the instalment paid (403 for anybody else)."""
        return _created(instalments.pay(instalment_id, data["receipt_no"], by=g.user, paid_at=data["paid_at"]))


@instalments_blp.route("/<int:instalment_id>/notice")
class Notice(MethodView):
    @require_roles(*VIEWERS)
    @instalments_blp.response(200, ReNoticeSchema)
    def get(self, instalment_id):
        """The payment-demand notice (催款通知单) of an instalment, once issued."""
        instalment = instalments.get_instalment(instalment_id)
        if instalment.notice_at is None:
            abort(404, description="no payment-demand notice issued for this instalment")
        return instalments.notice_of(instalment)


ENDPOINTS = (("/re/changes", changes_blp), ("/re/instalments", instalments_blp))
