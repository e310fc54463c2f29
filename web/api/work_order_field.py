"""Field work on a work order (SVC-10..13) and rework (SVC-02).

- ``GET /work-orders/<order_id>/field-work`` → the order's swaps, feedback forms and service records,
  the completion checks its type requires (SVC-11) and the fields its service record must fill (SVC-13).
- ``POST /work-orders/<order_id>/swaps`` ``{at, items: [{kind, old, new, note, take_back: {plate,
  fault}}]}`` → SVC-10: each unit replaced old → new, on the order and on both units' histories
  (units the register does not know are registered; the old one is retired, or in repair when taken
  back at once). 409 when the order is not dispatched, on site or completed, or a unit cannot move
  (the new one is in repair or installed at another customer).
- ``POST /work-orders/<order_id>/complete`` ``{at, checks: {name: result}, feedback: {result,
  opinion, signatory, signed, photo_attachment_id}, data, note, force, reason}`` → SVC-11: 409 when a
  check is missing; 409 when a result does not pass (the order stays, the result is kept on it as a
  ``checks_failed`` step and a decision SVC-11); ``force`` with a ``reason`` by a manager only (403
  otherwise), a decision SVC-11 naming who forced what. SVC-12: an on-site order needs the feedback
  form signed by the customer (409), with result, signatory and, when ``svc.feedback.photo_required``,
  the photo of the signed form (422 naming the field). Then SVC-02: a plugin may still refuse (409 with
  its reason, a decision SVC-02).
- ``POST /work-orders/<order_id>/record`` ``{at, summary, fields}`` → SVC-13: the service record; 422
  naming ``summary`` and each missing ``fields.<name>``; the order is ``recorded``.
- ``POST /work-orders/<order_id>/rework`` ``{at, reason}`` → SVC-02 返修: a completed, recorded or
  return-visit-due order goes back to be dispatched again.
"""
from __future__ import annotations

import functools

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db
from core.service import assets, completion, order_types, records
from core.service.field_models import ASSET_KINDS
from core.service.dispatch_field import acts_for_assignee
from web.api.auth import require_roles
from web.api.work_orders import DESK, AtInSchema, WorkOrderDetailSchema, order_for, step

PREFIX = "/work-orders"
blp = Blueprint("work_order_field", __name__,
                description="Field work on work orders: swaps, completion checks, feedback forms, service "
                            "records, rework (SVC-10..13)")

#: who records field work: the technicians and the service desk (which enters paper forms)
FIELD = ("technician", *DESK)


class SwapTakeBackInSchema(Schema):
    plate = fields.String(required=True, validate=validate.Length(min=1, max=60),
                          metadata={"description": "the plate number written on the unit's label"})
    fault = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class WorkOrderSwapItemInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ASSET_KINDS))
    old = fields.String(required=True, validate=validate.Length(min=1, max=120),
                        metadata={"description": "the identifier of the unit removed (T-0012, 1440012345678)"})
    new = fields.String(required=True, validate=validate.Length(min=1, max=120),
                        metadata={"description": "the identifier of the unit installed"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    take_back = fields.Nested(SwapTakeBackInSchema, load_default=None, allow_none=True,
                              metadata={"description": "the old unit is taken back for repair at once"})


class WorkOrderSwapsInSchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when; default now"})
    items = fields.List(fields.Nested(WorkOrderSwapItemInSchema), required=True, validate=validate.Length(max=50),
                        metadata={"description": "at least one"})


class WorkOrderFeedbackInSchema(Schema):
    result = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                           metadata={"description": "the result of the work as the form states it"})
    opinion = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                            metadata={"description": "the customer's opinion"})
    signatory = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100),
                              metadata={"description": "the name of the customer's signatory"})
    signed = fields.Boolean(load_default=False, metadata={"description": "the customer signed the form"})
    photo_attachment_id = fields.Integer(load_default=None, allow_none=True,
                                         metadata={"description": "the photo of the signed form (an attachment)"})


class CompleteInSchema(AtInSchema):
    checks = fields.Dict(keys=fields.String(validate=validate.Length(max=60)),
                         values=fields.String(validate=validate.Length(max=200)), load_default=dict,
                         metadata={"description": "SVC-11 check name → result (e.g. {safety_test: pass})"})
    feedback = fields.Nested(WorkOrderFeedbackInSchema, load_default=None, allow_none=True,
                             metadata={"description": "SVC-12 the feedback form signed by the customer"})
    data = fields.Dict(load_default=dict, metadata={"description": "the completion data plugins may require"})
    force = fields.Boolean(load_default=False, metadata={"description": "SVC-11 a manager closes past the checks"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                           metadata={"description": "why the close is forced (required with force)"})


class ServiceRecordInSchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when; default now"})
    summary = fields.String(required=True, validate=validate.Length(max=10000))
    fields_ = fields.Dict(data_key="fields", load_default=dict,
                          metadata={"description": "SVC-13 the record fields of the order's type and service kind"})


class ReworkInSchema(Schema):
    at = fields.AwareDateTime(load_default=None)
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class WorkOrderSwapSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    old_identifier = fields.String()
    new_identifier = fields.String()
    old_asset_id = fields.Integer()
    new_asset_id = fields.Integer()
    note = fields.String(allow_none=True)
    at = fields.DateTime()
    by = fields.Integer(allow_none=True)


class WorkOrderFeedbackSchema(Schema):
    id = fields.Integer()
    result = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    signatory = fields.String(allow_none=True)
    signed = fields.Boolean()
    photo_attachment_id = fields.Integer(allow_none=True)
    received_at = fields.DateTime()
    by = fields.Integer(allow_none=True)


class ServiceRecordSchema(Schema):
    id = fields.Integer()
    summary = fields.String()
    fields_ = fields.Dict(attribute="fields", data_key="fields")
    required = fields.List(fields.String())
    recorded_at = fields.DateTime()
    recorded_by = fields.Integer(allow_none=True)


class CompletionCheckSchema(Schema):
    name = fields.String()
    label_zh = fields.String()
    label_en = fields.String()
    passing = fields.List(fields.String())


class FieldWorkSchema(Schema):
    order_id = fields.Integer()
    number = fields.String()
    status = fields.String()
    swaps = fields.List(fields.Nested(WorkOrderSwapSchema))
    feedback = fields.List(fields.Nested(WorkOrderFeedbackSchema))
    records = fields.List(fields.Nested(ServiceRecordSchema))
    completion_checks = fields.List(fields.Nested(CompletionCheckSchema), metadata={"description": "SVC-11"})
    record_fields = fields.List(fields.String(), metadata={"description": "SVC-13: required in the service record"})


def field_work(order) -> dict:
    wo_type = order_types.tenant_types().get(order.type)
    return {"order_id": order.id, "number": order.number, "status": order.status, "swaps": assets.swaps_of(order),
            "feedback": completion.feedback_of(order), "records": records.records_of(order),
            "completion_checks": list(wo_type.completion_checks) if wo_type else [],
            "record_fields": records.required_fields(order)}


def keeps_failed_checks(view):
    """A completion check that did not pass (SVC-11) answers 409 and is kept on the order: the step is
    rolled back and the result written in a transaction of its own."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except completion.StaysOnSite as error:
            db.session.rollback()
            completion.record_failed_checks(error, by=g.user.id if g.get("user") else None)
            db.session.commit()
            raise

    return wrapper


@blp.route("/<int:order_id>/field-work")
class FieldWork(MethodView):
    @blp.response(200, FieldWorkSchema)
    def get(self, order_id):
        """The order's swaps, feedback forms, service records, required checks and record fields."""
        return field_work(order_for(order_id))


@blp.route("/<int:order_id>/swaps")
class Swaps(MethodView):
    @require_roles(*FIELD, admin_scope=False)
    @blp.arguments(WorkOrderSwapsInSchema)
    @blp.response(200, FieldWorkSchema)
    @step
    def post(self, data, order_id):
        """Record units replaced old → new on the order and on the units' histories (SVC-10)."""
        order = order_for(order_id)
        acts_for_assignee(order, g.user, desk=True)  # not another technician's order
        assets.swap(order, data["items"], by=g.user.id, at=data["at"])
        return field_work(order)


@blp.route("/<int:order_id>/complete")
class Complete(MethodView):
    @require_roles(*FIELD, admin_scope=False)
    @blp.arguments(CompleteInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @keeps_failed_checks
    @step
    def post(self, data, order_id):
        """Complete the order: its checks (SVC-11), the signed feedback form (SVC-12), plugins' vetoes (SVC-02)."""
        order = order_for(order_id)
        acts_for_assignee(order, g.user, desk=True)  # not another technician's order
        completion.complete(order, by=g.user.id, at=data["at"], checks=data["checks"], feedback=data["feedback"],
                            data=data["data"], note=data["note"], force=data["force"], reason=data["reason"],
                            may_force=g.user.has_role(*completion.FORCERS))
        return order


@blp.route("/<int:order_id>/record")
class Record(MethodView):
    @require_roles(*FIELD, admin_scope=False)
    @blp.arguments(ServiceRecordInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """The service record of a completed order with its per-type fields (SVC-13) → recorded."""
        order = order_for(order_id)
        acts_for_assignee(order, g.user, desk=True)  # not another technician's order
        records.record(order, summary=data["summary"], fields=data["fields_"], by=g.user.id, at=data["at"])
        return order


@blp.route("/<int:order_id>/rework")
class Rework(MethodView):
    @require_roles(*DESK, admin_scope=False)
    @blp.arguments(ReworkInSchema)
    @blp.response(200, WorkOrderDetailSchema)
    @step
    def post(self, data, order_id):
        """Send a done order back for rework (返修, SVC-02): it is dispatched again."""
        order = order_for(order_id)
        completion.rework(order, data["reason"], by=g.user.id, at=data["at"])
        return order
