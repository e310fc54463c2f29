"""Service work orders (SVC-01..03, SVC-07): intake, the order with its deadlines and history, holds
and cancellation. The field steps (approval, dispatch, arrival, completion...) live in their own
modules and take the order through :func:`order_for` and :func:`step`.

- ``POST /work-orders`` → 201 the order with its number, approval need (SVC-04) and deadlines
  (SVC-07); 422 naming each bad field (an unknown type: ``type``, SVC-01; missing intake data, SVC-03).
- ``GET /work-orders?status=&type=&assignee_id=&customer_id=&priority=&number=&open=`` newest first.
- ``GET /work-orders/<order_id>`` → the order, its deadlines (how each was computed) and history, and
  the states it may move to.
- ``GET /work-orders/types`` → the tenant's types (core and plugins) with their fields and required data.
- ``POST /work-orders/<order_id>/hold`` (a pause reason) · ``/resume`` · ``/cancel`` (a reason).
- ``POST /work-orders/from-complaint/<complaint_id>`` → a help or repair request taken in as a case opens a
  work order linked to it, its intake filled from the case (CMP-01).

A move the state machine does not allow is 409 naming the states allowed (SVC-02); a move a plugin
vetoes is 409 with the plugin's reasons, and the veto is kept as a decision on the order.
"""
from __future__ import annotations

import functools

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db
from core.service import order_types, orders
from core.service.models import STATES
from core.service.policy import svc_policy
from core.sla import engine as sla
from web.api.auth import require_roles
from web.api.complaints import EventSchema, MilestoneSchema
from web.api.pagination import page_of

PREFIX = "/work-orders"
blp = Blueprint("work_orders", __name__, description="Service work orders: intake, states, deadlines (SVC)")

#: who may take orders in: service desk, technicians, sales staff, managers (a request may come anywhere)
TAKERS = ("cs_agent", "cs_supervisor", "cs_manager", "technician", "salesperson", "assistant", "supervisor",
          "sales_manager", "dept_manager", "gm", "vp", "tenant_admin")
#: who runs the service desk: holds, cancels, reassigns
DESK = ("cs_agent", "cs_supervisor", "cs_manager", "supervisor", "dept_manager", "gm", "vp", "tenant_admin")


class WorkOrderInSchema(Schema):
    type = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"description": "SVC-01: installation, repair, maintenance, ... or a plugin's"})
    priority = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                             metadata={"description": "one of svc.priorities (default svc.default_priority)"})
    channel = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))
    requested_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    customer_id = fields.Integer(load_default=None, allow_none=True)
    customer_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    contact_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    contact_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000),
                                metadata={"description": "the fault or the request"})
    data = fields.Dict(load_default=dict, metadata={"description": "the type's own fields (GET /work-orders/types)"})
    area = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    skill = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    department_id = fields.Integer(load_default=None, allow_none=True)
    parent_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "a related order"})


class WorkOrderSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    type = fields.String()
    status = fields.String()
    held_from = fields.String(allow_none=True)
    hold_reason = fields.String(allow_none=True)
    priority = fields.String()
    channel = fields.String(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    customer_name = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    data = fields.Dict()
    area = fields.String(allow_none=True)
    skill = fields.String(allow_none=True)
    requested_at = fields.DateTime()
    requested_by = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    complaint_id = fields.Integer(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    source_type = fields.String(allow_none=True)
    source_id = fields.Integer(allow_none=True)
    approval_roles = fields.List(fields.String())
    approved_by = fields.Integer(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    partner_name = fields.String(allow_none=True)
    dispatched_at = fields.DateTime(allow_none=True)
    dispatched_by = fields.Integer(allow_none=True)
    eta_at = fields.DateTime(allow_none=True)
    on_site_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    rework_count = fields.Integer()
    policy_version = fields.Integer()
    created_at = fields.DateTime()


class WorkOrderEventSchema(EventSchema):
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)


class WorkOrderDetailSchema(WorkOrderSchema):
    milestones = fields.Function(lambda o: MilestoneSchema(many=True).dump(sla.milestones_of(orders.SUBJECT, o.id)))
    events = fields.Function(lambda o: WorkOrderEventSchema(many=True).dump(orders.events_of(o)))
    next_states = fields.Function(lambda o: list(orders.allowed_moves(o)),
                                  metadata={"description": "the states it may move to now (SVC-02)"})


class WorkOrderQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATES))
    type = fields.String()
    assignee_id = fields.Integer()
    customer_id = fields.Integer()
    priority = fields.String()
    number = fields.String()
    open = fields.Boolean(load_default=False, data_key="open")


class WorkOrderTypeSchema(Schema):
    code = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    field_names = fields.List(fields.String(), data_key="fields", metadata={"description": "names in data"})
    required = fields.List(fields.String(), metadata={"description": "SVC-03 for this tenant"})
    on_site = fields.Boolean()
    completion_checks = fields.List(fields.String(), metadata={"description": "SVC-11"})
    record_fields = fields.List(fields.String(), metadata={"description": "SVC-13"})
    source = fields.String(metadata={"description": "core | plugin"})


class FromComplaintInSchema(WorkOrderInSchema):
    type = fields.String(load_default="repair", validate=validate.Length(min=1, max=40))


class AtInSchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when it happened; default now"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class HoldInSchema(AtInSchema):
    reason = fields.String(required=True, metadata={"description": "one of svc.deadlines.pause_reasons"})


class CancelInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    at = fields.AwareDateTime(load_default=None)


def order_for(order_id: int):
    """The order for an endpoint of any work-order module; a step that changes it locks it first, so
    two steps on one order (two dispatchers) run one after the other."""
    return orders.get_order(order_id, for_update=request.method != "GET")


def step(view):
    """Commit a work-order step; a plugin's veto (SVC-02) rolls the step back, is recorded as a
    decision on the order in a transaction of its own, and answers 409 with the reasons."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            result = view(*args, **kwargs)
        except orders.Vetoed as vetoed:
            db.session.rollback()
            orders.record_vetoes(vetoed, by=g.user.id if g.get("user") else None)
            db.session.commit()
            raise
        db.session.commit()
        return result

    return wrapper


@blp.route("")
class WorkOrders(MethodView):
    @blp.arguments(WorkOrderQuerySchema, location="query")
    @blp.response(200, WorkOrderSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Orders, newest first."""
        open_only = args.pop("open", False)
        return page_of(orders.search(**args, open_only=open_only), pagination_parameters)

    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(WorkOrderInSchema)
    @blp.response(201, WorkOrderDetailSchema)
    def post(self, data):
        """Take an order in (SVC-01..04, SVC-07): checked, numbered, deadlines started."""
        order = orders.create_order(data, by=g.user.id, region=g.tenant.region)
        db.session.commit()
        return order


@blp.route("/types")
class WorkOrderTypes(MethodView):
    @blp.response(200, WorkOrderTypeSchema(many=True))
    def get(self):
        """The tenant's work-order types (SVC-01), each with the intake data it requires (SVC-03)."""
        from core.service.intake_rules import required_for

        required = svc_policy().values["required_fields"]
        return [{"code": code, "title_zh": t.title_zh, "title_en": t.title_en, "field_names": sorted(t.fields),
                 "required": required_for(code, t.required, required), "on_site": t.on_site,
                 "completion_checks": [c.name for c in t.completion_checks], "record_fields": list(t.record_fields),
                 "source": "core" if code in order_types.CORE_CODES else "plugin"}
                for code, t in order_types.tenant_types().items()]


@blp.route("/<int:order_id>")
class WorkOrderItem(MethodView):
    @blp.response(200, WorkOrderDetailSchema)
    def get(self, order_id):
        """One order with its deadlines (how each was computed), history and next states."""
        return orders.get_order(order_id)


@blp.route("/<int:order_id>/hold")
class Hold(MethodView):
    @require_roles(*DESK, "technician", admin_scope=False)
    @blp.arguments(HoldInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Put the order on hold with a pause reason (SVC-02; its clocks stand still, as CMP-33)."""
        order = order_for(order_id)
        orders.hold(order, data["reason"], by=g.user.id, at=data["at"], note=data["note"])
        return order


@blp.route("/<int:order_id>/resume")
class Resume(MethodView):
    @require_roles(*DESK, "technician", admin_scope=False)
    @blp.arguments(AtInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Resume a held order where it was (its clocks run again, due times moved by the pause)."""
        order = order_for(order_id)
        orders.resume(order, by=g.user.id, at=data["at"])
        return order


@blp.route("/<int:order_id>/cancel")
class Cancel(MethodView):
    @require_roles(*DESK, admin_scope=False)
    @blp.arguments(CancelInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Cancel an open order with its reason (SVC-02); its clocks stop."""
        order = order_for(order_id)
        orders.cancel(order, data["reason"], by=g.user.id, at=data["at"])
        return order


@blp.route("/from-complaint/<int:complaint_id>")
class FromComplaint(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(FromComplaintInSchema)
    @blp.response(201, WorkOrderDetailSchema)
    def post(self, data, complaint_id):
        """Open a work order for a help or repair request taken in as a case (CMP-01): customer, contact
        and description come from the case unless given; the case and the order name each other."""
        from web.api.complaints import case_for

        complaint = case_for(complaint_id)
        order = orders.open_from_complaint(complaint, data, by=g.user.id, region=g.tenant.region)
        db.session.commit()
        return order
