"""Approval, dispatch, before and on site, delay notices (SVC-04..06, SVC-08). Every step locks the
order first (:func:`web.api.work_orders.order_for`), so two dispatchers never assign one order twice.

Approval (SVC-04)
- ``POST /work-orders/<order_id>/submit-approval`` ``{at, note}`` → ``approval_pending``, the approvers told.
- ``POST /work-orders/<order_id>/approve`` ``{at, note}`` → ``approved`` (from requested or approval_pending)
  by a holder of one of the order's ``approval_roles`` (403 otherwise; 409 when it needs none);
  decision SVC-04 naming the approver.
- ``POST /work-orders/<order_id>/reject-approval`` ``{reason, at}`` → ``cancelled``.

Dispatch (SVC-05)
- ``GET /work-orders/<order_id>/candidates?all=`` → eligible technicians (skill, area, on duty), least busy
  first; ``all=true`` adds the others with their reasons.
- ``POST /work-orders/<order_id>/dispatch`` ``{assignee_id | partner_name, reason, override_reason,
  approval: {by, at, verbal}, emergency, eta_at, customer_told_at, at}`` → 200; 409 before approval
  (SVC-04), when already dispatched, or for a partner / staff of another department without the
  approval of ``svc.dispatch.partner_approval`` (unless ``emergency``); 422 for an ineligible technician
  (a supervisor may override with ``override_reason``).
- ``POST /work-orders/<order_id>/reassign`` (same body, ``reason`` required) by a supervisor or manager.
- ``POST /work-orders/<order_id>/dispatch-approval`` ``{by, at, verbal, note}`` → the approval of the current
  dispatch recorded afterwards (a verbal approval in an emergency, with its time).
- ``GET /work-orders/<order_id>/dispatches`` → the order's dispatch history.

Before and on site (SVC-06)
- ``GET|POST /work-orders/<order_id>/checklist`` ``{items: {job_details: true, ...}, at, note}``.
- ``POST /work-orders/<order_id>/eta`` ``{eta_at, customer_told_at, at, note}`` (SVC-08 judges a change).
- ``POST /work-orders/<order_id>/arrive`` ``{at, note}`` → ``on_site`` (409 without the checklist when required).
- ``GET|POST /work-orders/<order_id>/work-log`` ``{started_at, ended_at, work_done, parts_used: [{name, qty, unit}]}``.

Delay notices (SVC-08)
- ``GET /work-orders/<order_id>/delay-notices``
- ``POST /work-orders/<order_id>/delay-notice`` ``{reason, proposed_due, milestone, at}`` → 201 (409 too late).
- ``POST /work-orders/<order_id>/delay-notice/<notice_id>/decide`` ``{new_due_at | refuse, note, at}``.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.service import dispatch, dispatch_approval, dispatch_delays, dispatch_field
from web.api.auth import require_roles
from web.api.work_orders import DESK, AtInSchema, CancelInSchema, WorkOrderDetailSchema, order_for, step

PREFIX = "/work-orders"
blp = Blueprint("work_order_dispatch", __name__,
                description="Work orders: approval, dispatch, before and on site, delay notices (SVC-04..06, SVC-08)")

#: who may ask for approval
SUBMITTERS = (*DESK, "technician", "salesperson", "assistant", "sales_manager")


# ------------------------------------------------------------------------------------------ schemas


class WoApprovalGivenSchema(Schema):
    by = fields.Integer(required=True, metadata={"description": "the approving manager (svc.dispatch.partner_approval)"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when it was given; default the dispatch time"})
    verbal = fields.Boolean(load_default=False)


class WoDispatchInSchema(Schema):
    assignee_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "a technician"})
    partner_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                                 metadata={"description": "or an outside partner"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                           metadata={"description": "required for a reassignment"})
    override_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                                    metadata={"description": "a supervisor dispatching an ineligible technician"})
    approval = fields.Nested(WoApprovalGivenSchema, load_default=None, allow_none=True,
                             metadata={"description": "SVC-05: for a partner or staff of another department"})
    emergency = fields.Boolean(load_default=False, metadata={
        "description": "dispatch now, the verbal approval recorded afterwards (dispatch-approval)"})
    eta_at = fields.AwareDateTime(load_default=None, metadata={"description": "the arrival time agreed (SVC-06)"})
    customer_told_at = fields.AwareDateTime(load_default=None, metadata={"description": "SVC-08: when changing a time"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class WoDispatchApprovalInSchema(Schema):
    by = fields.Integer(load_default=None, allow_none=True, metadata={"description": "default: the caller"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when the approval was given (required)"})
    verbal = fields.Boolean(load_default=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class WoDispatchSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    kind = fields.String(metadata={"description": "dispatch | reassign"})
    assignee_id = fields.Integer(allow_none=True)
    partner_name = fields.String(allow_none=True)
    dispatched_by = fields.Integer(allow_none=True)
    dispatched_at = fields.DateTime()
    reason = fields.String(allow_none=True)
    ineligible = fields.List(fields.String())
    override_reason = fields.String(allow_none=True)
    approval_needed = fields.String(allow_none=True, metadata={"description": "partner | other_department"})
    approval_role = fields.String(allow_none=True)
    approval_by = fields.Integer(allow_none=True)
    approval_at = fields.DateTime(allow_none=True)
    approval_verbal = fields.Boolean()
    emergency = fields.Boolean()
    approval_recorded_by = fields.Integer(allow_none=True)
    approval_recorded_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    ended_by = fields.Integer(allow_none=True)
    end_reason = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class WoCandidateQuerySchema(Schema):
    all = fields.Boolean(load_default=False, metadata={"description": "the ineligible too, with their reasons"})


class WoCandidateSchema(Schema):
    user_id = fields.Integer()
    display_name = fields.String()
    department_id = fields.Integer(allow_none=True)
    skills = fields.List(fields.String())
    areas = fields.List(fields.String())
    availability = fields.String(metadata={"description": "CAL-11"})
    eligible = fields.Boolean()
    reasons = fields.List(fields.String(), metadata={"description": "not_in_pool, inactive_user, skill, area, off_duty"})
    reason_zh = fields.String(allow_none=True)
    reason_en = fields.String(allow_none=True)
    open_orders = fields.Integer(metadata={"description": "dispatched or on site now"})


class WoChecklistInSchema(Schema):
    items = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True,
                        metadata={"description": "item → ticked (svc.checklist.items)"})
    at = fields.AwareDateTime(load_default=None)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class WoChecklistSchema(Schema):
    id = fields.Integer()
    dispatch_id = fields.Integer(allow_none=True)
    items = fields.Dict()
    required_items = fields.List(fields.String())
    missing = fields.List(fields.String())
    complete = fields.Boolean()
    note = fields.String(allow_none=True)
    by = fields.Integer(allow_none=True)
    at = fields.DateTime()


class WoChecklistStateSchema(Schema):
    required = fields.Boolean(metadata={"description": "svc.checklist.required for this order"})
    items = fields.List(fields.String())
    latest = fields.Nested(WoChecklistSchema, allow_none=True, metadata={"description": "of the current dispatch"})


class WoEtaInSchema(Schema):
    eta_at = fields.AwareDateTime(required=True)
    customer_told_at = fields.AwareDateTime(load_default=None, metadata={
        "description": "when the customer was told of the new time (required for a change before the old one)"})
    at = fields.AwareDateTime(load_default=None)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class WoPartSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    qty = fields.Decimal(required=True, places=3, as_string=True, validate=validate.Range(min=0, min_inclusive=False))
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))


class WoWorkLogInSchema(Schema):
    started_at = fields.AwareDateTime(required=True)
    ended_at = fields.AwareDateTime(required=True)
    work_done = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    parts_used = fields.List(fields.Nested(WoPartSchema), load_default=list)


class WoWorkLogSchema(Schema):
    id = fields.Integer()
    dispatch_id = fields.Integer(allow_none=True)
    started_at = fields.DateTime()
    ended_at = fields.DateTime()
    work_done = fields.String()
    parts_used = fields.List(fields.Dict())
    by = fields.Integer(allow_none=True)


class WoDelayNoticeInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    proposed_due = fields.AwareDateTime(required=True)
    milestone = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["arrive", "complete"]),
                              metadata={"description": "default: the earliest open one"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "filed at; default now"})


class WoDelayDecisionInSchema(Schema):
    new_due_at = fields.AwareDateTime(load_default=None, metadata={"description": "grant: the new due time"})
    refuse = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    at = fields.AwareDateTime(load_default=None)


class WoDelayNoticeSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    milestone = fields.String()
    due_at = fields.DateTime(metadata={"description": "the deadline when filed"})
    reason = fields.String()
    proposed_due = fields.DateTime()
    filed_by = fields.Integer(allow_none=True)
    filed_at = fields.DateTime()
    state = fields.String(metadata={"description": "pending | granted | refused"})
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    new_due_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


# ------------------------------------------------------------------------------------------ SVC-04


@blp.route("/<int:order_id>/submit-approval")
class SubmitApproval(MethodView):
    @require_roles(*SUBMITTERS, admin_scope=False)
    @blp.arguments(AtInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Ask for the approval the order needs before dispatch (SVC-04): the approvers are told."""
        order = order_for(order_id)
        dispatch_approval.submit(order, by=g.user.id, at=data["at"], note=data["note"])
        return order


@blp.route("/<int:order_id>/approve")
class Approve(MethodView):
    @blp.arguments(AtInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Approve the order for dispatch (SVC-04): a holder of one of its approval roles."""
        order = order_for(order_id)
        dispatch_approval.approve(order, user=g.user, at=data["at"], note=data["note"])
        return order


@blp.route("/<int:order_id>/reject-approval")
class RejectApproval(MethodView):
    @blp.arguments(CancelInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Refuse the approval with a reason (SVC-04): the order is cancelled."""
        order = order_for(order_id)
        dispatch_approval.reject(order, data["reason"], user=g.user, at=data["at"])
        return order


# ------------------------------------------------------------------------------------------ SVC-05


@blp.route("/<int:order_id>/candidates")
class Candidates(MethodView):
    @blp.arguments(WoCandidateQuerySchema, location="query")
    @blp.response(200, WoCandidateSchema(many=True))
    def get(self, args, order_id):
        """Technicians who may take the order (SVC-05: skill, area, on duty), least busy first."""
        return dispatch.candidates(order_for(order_id), include_all=args["all"])


@blp.route("/<int:order_id>/dispatch")
class Dispatch(MethodView):
    @require_roles(*DESK, admin_scope=False)
    @blp.arguments(WoDispatchInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Assign the order to one technician or an outside partner (SVC-05); never twice."""
        order = order_for(order_id)
        dispatch.dispatch(order, data, user=g.user)
        return order


@blp.route("/<int:order_id>/reassign")
class Reassign(MethodView):
    @require_roles(*DESK, admin_scope=False)
    @blp.arguments(WoDispatchInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Reassign a dispatched order with a reason (SVC-05): a supervisor or manager."""
        order = order_for(order_id)
        dispatch.dispatch(order, data, user=g.user, reassign=True)
        return order


@blp.route("/<int:order_id>/dispatch-approval")
class DispatchApproval(MethodView):
    @blp.arguments(WoDispatchApprovalInSchema)
    @blp.response(200, WoDispatchSchema)
    @step
    def post(self, data, order_id):
        """Record the department manager's approval of the current dispatch afterwards (SVC-05)."""
        order = order_for(order_id)
        return dispatch.record_approval(order, data, user=g.user)


@blp.route("/<int:order_id>/dispatches")
class Dispatches(MethodView):
    @blp.response(200, WoDispatchSchema(many=True))
    def get(self, order_id):
        """The order's dispatches, oldest first (SVC-05)."""
        return dispatch.dispatches_of(order_for(order_id))


# ------------------------------------------------------------------------------------------ SVC-06


@blp.route("/<int:order_id>/checklist")
class Checklist(MethodView):
    @blp.response(200, WoChecklistStateSchema)
    def get(self, order_id):
        """Whether the pre-departure checklist is required, its items and the latest of this dispatch."""
        order = order_for(order_id)
        required, items = dispatch_field.checklist_setting(order)
        return {"required": required, "items": items, "latest": dispatch_field.latest_checklist(order)}

    @blp.arguments(WoChecklistInSchema)
    @blp.response(201, WoChecklistSchema)
    @step
    def post(self, data, order_id):
        """The assignee's pre-departure checklist (SVC-06)."""
        order = order_for(order_id)
        return dispatch_field.tick_checklist(order, data["items"], user=g.user, at=data["at"], note=data["note"])


@blp.route("/<int:order_id>/eta")
class Eta(MethodView):
    @blp.arguments(WoEtaInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Set or change the arrival time agreed with the customer (SVC-06; a change: SVC-08)."""
        order = order_for(order_id)
        dispatch_field.change_eta(order, data["eta_at"], user=g.user, at=data["at"],
                                  customer_told_at=data["customer_told_at"], note=data["note"])
        return order


@blp.route("/<int:order_id>/arrive")
class Arrive(MethodView):
    @blp.arguments(AtInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """On site (SVC-06): the assignee; the checklist first when the company requires it."""
        order = order_for(order_id)
        dispatch_field.arrive(order, user=g.user, at=data["at"], note=data["note"])
        return order


@blp.route("/<int:order_id>/work-log")
class WorkLog(MethodView):
    @blp.response(200, WoWorkLogSchema(many=True))
    def get(self, order_id):
        """The on-site work recorded on the order (SVC-06)."""
        return dispatch_field.work_logs(order_for(order_id))

    @blp.arguments(WoWorkLogInSchema)
    @blp.response(201, WoWorkLogSchema)
    @step
    def post(self, data, order_id):
        """Record on-site work: start, end, work done, parts used (SVC-06); repeatable."""
        order = order_for(order_id)
        return dispatch_field.add_work_log(order, data, user=g.user)


# ------------------------------------------------------------------------------------------ SVC-08


@blp.route("/<int:order_id>/delay-notices")
class DelayNotices(MethodView):
    @blp.response(200, WoDelayNoticeSchema(many=True))
    def get(self, order_id):
        """The order's delay notices (SVC-08)."""
        return dispatch_delays.notices_of(order_for(order_id))


@blp.route("/<int:order_id>/delay-notice")
class DelayNotice(MethodView):
    @blp.arguments(WoDelayNoticeInSchema)
    @blp.response(201, WoDelayNoticeSchema)
    @step
    def post(self, data, order_id):
        """File a delay notice before the deadline (SVC-08): the assignee; the supervisors are told."""
        order = order_for(order_id)
        return dispatch_delays.file_notice(order, data, user=g.user)


@blp.route("/<int:order_id>/delay-notice/<int:notice_id>/decide")
class DecideDelay(MethodView):
    @blp.arguments(WoDelayDecisionInSchema)
    @blp.response(200, WoDelayNoticeSchema)
    @step
    def post(self, data, order_id, notice_id):
        """Grant a new due time or refuse (SVC-08): a supervisor or manager."""
        order = order_for(order_id)
        notice = dispatch_delays.get_notice(order, notice_id, for_update=True)
        return dispatch_delays.decide_notice(order, notice, data, user=g.user)

