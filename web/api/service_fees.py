"""Fees collected in the field (SVC-15): recorded on the order, remitted to finance, listed when late.

- ``POST /work-orders/<order_id>/fees`` {amount_parts, amount_labour, amount, receipt_no, collected_at,
  collector_id, note} → 201 the fee with its remittance limit. By the order's assignee (a technician
  records their own collection) or the service desk (for the collector, default the assignee).
  409 SVC-15 where the company forbids field collection (``svc.fees.field_collection_allowed``) or
  before the technician is on site; 422 without a receipt number, a receipt number used already, labour
  on an out-of-warranty repair under ``svc.fees.out_of_warranty = parts_only``.
- ``GET /work-orders/<order_id>/fees`` → the order's fees.
- ``GET /service-fees?state=&overdue=&collector_id=&order_id=`` → fees, the longest due first;
  ``state=collected&overdue=true`` is the unremitted list. A technician sees the fees they collected.
- ``GET /service-fees/<fee_id>`` · ``POST /service-fees/<fee_id>/remit`` {remitted_at, note} (finance
  only; once: 409 after) · ``POST /service-fees/<fee_id>/void`` {reason} (finance and managers, while
  not remitted).
"""
from __future__ import annotations

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db, utcnow
from core.service import fees
from core.service.fees_rules import STATES
from web.api.auth import require_roles
from web.api.pagination import page_of
from web.api.work_orders import DESK, order_for, step

PREFIX = ""
blp = Blueprint("service_fees", __name__, description="Service fees collected in the field and their remittance (SVC-15)")

COLLECTORS = (*DESK, "technician")
READERS = (*DESK, "technician", "finance")
REMITTERS = ("finance",)
VOIDERS = ("finance", "supervisor", "cs_manager", "dept_manager", "gm", "vp", "tenant_admin")
#: readers who see every fee (a technician sees the fees they collected)
ALL_FEES = tuple(r for r in READERS if r != "technician")


class ServiceFeeInSchema(Schema):
    amount_parts = fields.Decimal(load_default=None, allow_none=True, as_string=True,
                                  metadata={"description": "parts, yuan (default 0)"})
    amount_labour = fields.Decimal(load_default=None, allow_none=True, as_string=True,
                                   metadata={"description": "labour, yuan (default 0); 0 out of warranty "
                                                            "under svc.fees.out_of_warranty = parts_only"})
    amount = fields.Decimal(load_default=None, allow_none=True, as_string=True,
                            metadata={"description": "the total, optional: must be parts + labour"})
    receipt_no = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                               metadata={"description": "the invoice or receipt number (required, SVC-15)"})
    collected_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    collector_id = fields.Integer(load_default=None, allow_none=True,
                                  metadata={"description": "who holds the money (desk only; default the "
                                                           "order's assignee; a technician is the collector)"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ServiceFeeSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    amount_parts = fields.Decimal(as_string=True)
    amount_labour = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)
    receipt_no = fields.String()
    collected_at = fields.DateTime()
    collector_id = fields.Integer()
    recorded_by = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    in_warranty = fields.Boolean()
    warranty_until = fields.Date(allow_none=True)
    remit_due_at = fields.DateTime(metadata={"description": "the money is due at finance before this instant"})
    remit_due_on = fields.Date(metadata={"description": "the last local day in time"})
    state = fields.String(metadata={"description": " | ".join(STATES)})
    overdue = fields.Method("_overdue", metadata={"description": "collected and past the limit now"})
    remitted_at = fields.DateTime(allow_none=True)
    remitted_by = fields.Integer(allow_none=True)
    remit_note = fields.String(allow_none=True)
    voided_at = fields.DateTime(allow_none=True)
    voided_by = fields.Integer(allow_none=True)
    void_reason = fields.String(allow_none=True)
    reminders = fields.Integer()
    last_reminded_on = fields.Date(allow_none=True)
    policy_version = fields.Integer()
    decision_id = fields.Integer(allow_none=True)

    def _overdue(self, fee):
        return fee.state == "collected" and fee.remit_due_at <= utcnow()


class ServiceFeeQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(STATES))
    overdue = fields.Boolean(metadata={"description": "true: collected and not remitted past the limit"})
    collector_id = fields.Integer()
    order_id = fields.Integer()


class ServiceFeeRemitInSchema(Schema):
    remitted_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ServiceFeeVoidInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


def _sees_all() -> bool:
    return g.user.has_role(*ALL_FEES)


def _visible(fee):
    if not _sees_all() and fee.collector_id != g.user.id:
        abort(403, description="a technician sees the fees they collected")
    return fee


@blp.route("/work-orders/<int:order_id>/fees")
class OrderFees(MethodView):
    @require_roles(*READERS)
    @blp.response(200, ServiceFeeSchema(many=True))
    def get(self, order_id):
        """The fees collected on an order."""
        order = order_for(order_id)
        found = fees.fees_of(order.id)
        return found if _sees_all() else [f for f in found if f.collector_id == g.user.id]

    @require_roles(*COLLECTORS, admin_scope=False)
    @blp.arguments(ServiceFeeInSchema)
    @blp.response(201, ServiceFeeSchema)
    @step
    def post(self, data, order_id):
        """Record a fee collected in the field (SVC-15): the receipt number, the warranty rule, the
        remittance limit."""
        order = order_for(order_id)
        if g.user.has_role(*DESK):
            data["collector_id"] = data["collector_id"] if data["collector_id"] is not None else order.assignee_id
        else:  # a technician records their own collection on an order assigned to them
            if order.assignee_id != g.user.id:
                abort(403, description="only the order's assignee or the service desk records its fees")
            if data["collector_id"] not in (None, g.user.id):
                abort(403, description="a technician records the fees they collected themselves")
            data["collector_id"] = g.user.id
        return fees.collect(order, data, by=g.user.id)


@blp.route("/service-fees")
class Fees(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ServiceFeeQuerySchema, location="query")
    @blp.response(200, ServiceFeeSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Fees, the longest due first; ``state=collected&overdue=true``: collected and not remitted past
        the limit (SVC-15). A technician sees the fees they collected."""
        if not _sees_all():
            args["collector_id"] = g.user.id
        return page_of(fees.search(**args), pagination_parameters)


@blp.route("/service-fees/<int:fee_id>")
class FeeItem(MethodView):
    @require_roles(*READERS)
    @blp.response(200, ServiceFeeSchema)
    def get(self, fee_id):
        """One fee."""
        return _visible(fees.get_fee(fee_id))


@blp.route("/service-fees/<int:fee_id>/remit")
class Remit(MethodView):
    @blp.arguments(ServiceFeeRemitInSchema)
    @blp.response(200, ServiceFeeSchema)
    @blp.alt_response(403, description="needs role: finance")
    def post(self, data, fee_id):
        """Finance received the money (SVC-15); 409 when it was remitted or voided already. Only the
        finance role remits (not even a tenant admin); the fee is looked up first, so another tenant's
        fee is a plain 404."""
        fee = fees.get_fee(fee_id, for_update=True)
        if not g.user.has_role(*REMITTERS):
            abort(403, description=f"needs role: {' or '.join(REMITTERS)}")
        fee = fees.remit(fee, by=g.user.id, at=data["remitted_at"], note=data["note"])
        db.session.commit()
        return fee


@blp.route("/service-fees/<int:fee_id>/void")
class Void(MethodView):
    @require_roles(*VOIDERS, admin_scope=False)
    @blp.arguments(ServiceFeeVoidInSchema)
    @blp.response(200, ServiceFeeSchema)
    def post(self, data, fee_id):
        """Void a fee entered by mistake, with the reason (not once remitted: 409)."""
        fee = fees.void(fees.get_fee(fee_id, for_update=True), by=g.user.id, reason=data["reason"])
        db.session.commit()
        return fee
