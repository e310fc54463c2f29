"""Events, invitations and joint-event lists (CUS-81..CUS-83).

Every user of the tenant may read. Creating events needs an organiser role (:data:`ORGANISERS`);
inviting, recording attendance and sales one of the customer writer roles; handing in lists a head,
supervisor or the coordination assistant (:data:`LIST_KEEPERS`).

- ``POST /events`` → 201 (``divisions``: ``[{department_id, code?}]``, codes ``div1``, ``div2``… in order).
- ``GET /events``, ``GET /events/<event_id>``, ``GET /events/<event_id>/schedule`` (CUS-82 lists due).
- ``POST /events/<event_id>/invitations`` → 201; 409 with ``reason_zh``, ``reason_en``, ``rule_id`` CUS-83
  and ``blocking_invitation_id`` when another department holds the customer on an on-time list.
- ``POST /events/<event_id>/invitations/<invitation_id>/confirm`` (planned → confirmed).
- ``POST /events/<event_id>/lists`` → 201 (CUS-82 ``status`` on_time | late).
- ``POST /events/<event_id>/invitations/<invitation_id>/attend`` → the invitation the customer is judged
  to be (CUS-83), with ``decision_id`` when contested.
- ``POST /events/<event_id>/invitations/<invitation_id>/sales`` → 201 with the credit (CUS-83).
- ``POST /events/<event_id>/invitations/<invitation_id>/escalate`` (arbiter → GM) and ``.../award`` (manual
  CUS-83 ruling by the arbiter or the GM, with a reason; supersedes the automatic judgement).
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers.events import rules, service
from core.db import db
from web.api.auth import require_roles
from web.api.customers import WRITERS
from web.api.pagination import page_of

PREFIX = "/events"
blp = Blueprint("customer_events", __name__, description="Events, invitations and joint-event lists (CUS-81..83)")

ORGANISERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "supervisor", "assistant")
LIST_KEEPERS = ("dept_manager", "supervisor", "assistant", "sales_manager", "gm", "vp", "tenant_admin")


class DivisionInSchema(Schema):
    department_id = fields.Integer(required=True)
    code = fields.String(validate=validate.Length(min=1, max=30),
                         metadata={"description": "division code for the settings (default div1, div2… by order)"})


class DivisionSchema(Schema):
    department_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    head_user_id = fields.Integer(allow_none=True)


class EventInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(rules.EVENT_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    starts_at = fields.AwareDateTime(required=True)
    session = fields.String(validate=validate.OneOf(rules.SESSIONS),
                            metadata={"description": "afternoon | evening; default from the start time (17:00)"})
    divisions = fields.List(fields.Nested(DivisionInSchema), required=True, validate=validate.Length(min=1, max=20))
    venue = fields.String(allow_none=True, validate=validate.Length(max=200))
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))


class EventSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    starts_at = fields.DateTime()
    session = fields.String()
    venue = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    joint = fields.Boolean(metadata={"description": "two divisions or more: CUS-82/83 apply"})
    divisions = fields.List(fields.Nested(DivisionSchema))
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class EventQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(rules.EVENT_KINDS))


class DueListSchema(Schema):
    department_id = fields.Integer()
    division = fields.String()
    kind = fields.String(metadata={"description": "confirmed | plan"})
    day = fields.Date()
    due_at = fields.DateTime()
    final = fields.Boolean()
    fine = fields.Decimal(as_string=True, allow_none=True)
    status = fields.String(metadata={"description": "pending | on_time | late | missing"})
    list_id = fields.Integer(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)


class InvitationInSchema(Schema):
    customer_id = fields.Integer(required=True)
    department_id = fields.Integer(required=True)
    employee_id = fields.Integer(metadata={"description": "the inviting employee; default the caller"})
    state = fields.String(load_default="confirmed", validate=validate.OneOf(("planned", "confirmed")))
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when invited/confirmed; default now"})
    note = fields.String(allow_none=True, validate=validate.Length(max=500))


class InvitationSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    customer_id = fields.Integer()
    department_id = fields.Integer()
    employee_id = fields.Integer()
    state = fields.String(metadata={"description": "planned, confirmed, listed, attended, sold, lost"})
    invited_at = fields.DateTime()
    confirmed_at = fields.DateTime(allow_none=True)
    effective_day = fields.Date(allow_none=True, metadata={"description": "CAL-07: the day it counts for"})
    listed_at = fields.DateTime(allow_none=True)
    list_id = fields.Integer(allow_none=True)
    listed_on_time = fields.Boolean(allow_none=True)
    attended_at = fields.DateTime(allow_none=True)
    sold_at = fields.DateTime(allow_none=True)
    lost_to_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()


class InvitationQuerySchema(Schema):
    customer_id = fields.Integer()
    department_id = fields.Integer()
    state = fields.String(validate=validate.OneOf(rules.STATES))


class AtSchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class AttendSchema(Schema):
    attended_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class RulingSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RulingOutSchema(Schema):
    invitation = fields.Nested(InvitationSchema)
    decision_id = fields.Integer()
    supersedes_id = fields.Integer(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()


class ListInSchema(Schema):
    department_id = fields.Integer(required=True)
    kind = fields.String(load_default="confirmed", validate=validate.OneOf(rules.LIST_KINDS))
    day = fields.Date(required=True, metadata={"description": "the day of the list (a plan: the day planned)"})
    customer_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(max=2000))
    submitted_at = fields.AwareDateTime(load_default=None,
                                        metadata={"description": "when it was handed in; default now"})


class ListSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    department_id = fields.Integer()
    kind = fields.String()
    day = fields.Date()
    due_at = fields.DateTime()
    final = fields.Boolean()
    submitted_at = fields.DateTime(allow_none=True)
    submitted_by = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "on_time | late | missing"})
    customer_ids = fields.List(fields.Integer())
    fine = fields.Decimal(as_string=True, allow_none=True)
    fined_user_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class ListQuerySchema(Schema):
    department_id = fields.Integer()


class SaleInSchema(Schema):
    amount = fields.Decimal(required=True, places=2, validate=validate.Range(min=0.01, max=10**11))
    at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    reference = fields.String(allow_none=True, validate=validate.Length(max=100))


class ShareSchema(Schema):
    user_id = fields.Integer()
    role = fields.String()
    percent = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)


class SaleSchema(Schema):
    transaction_id = fields.Integer()
    invitation_id = fields.Integer()
    amount = fields.Decimal(as_string=True)
    at = fields.DateTime()
    credited_user_id = fields.Integer()
    credit = fields.List(fields.Nested(ShareSchema))
    decision_id = fields.Integer()
    reason_zh = fields.String()
    reason_en = fields.String()


def _event_out(event) -> dict:
    divisions = [{"department_id": div.department_id, "code": div.code, "name": dep.name,
                  "head_user_id": dep.head_user_id} for div, dep in service.divisions_of(event.id)]
    return {**{c: getattr(event, c) for c in ("id", "kind", "title", "starts_at", "session", "venue", "note",
                                               "created_by", "created_at")},
            "divisions": divisions, "joint": len(divisions) >= 2}


@blp.route("")
class Events(MethodView):
    @blp.arguments(EventQuerySchema, location="query")
    @blp.response(200, EventSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Events, latest start first."""
        return [_event_out(e) for e in page_of(service.events_query(**args), pagination_parameters)]

    @require_roles(*ORGANISERS, admin_scope=False)
    @blp.arguments(EventInSchema)
    @blp.response(201, EventSchema)
    def post(self, data):
        """Create an event with its divisions (CUS-81)."""
        event = service.create_event(user_id=g.user.id, **data)
        db.session.commit()
        return _event_out(event)


@blp.route("/<int:event_id>")
class EventItem(MethodView):
    @blp.response(200, EventSchema)
    def get(self, event_id):
        return _event_out(service.get_event(event_id))


@blp.route("/<int:event_id>/schedule")
class EventSchedule(MethodView):
    @blp.response(200, DueListSchema(many=True))
    def get(self, event_id):
        """Every list due for the event (CUS-82), with what was handed in."""
        return service.schedule_of(service.get_event(event_id))


@blp.route("/<int:event_id>/invitations")
class Invitations(MethodView):
    @blp.arguments(InvitationQuerySchema, location="query")
    @blp.response(200, InvitationSchema(many=True))
    @blp.paginate()
    def get(self, args, event_id, pagination_parameters):
        service.get_event(event_id)
        return page_of(service.invitations_query(event_id, **args), pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(InvitationInSchema)
    @blp.response(201, InvitationSchema)
    def post(self, data, event_id):
        """Invite a customer (CUS-81); 409 under CUS-83 when another department holds the customer."""
        event = service.get_event(event_id)
        inv = service.invite(event, customer_id=data["customer_id"], department_id=data["department_id"],
                             employee_id=data.get("employee_id") or g.user.id, confirmed=data["state"] == "confirmed",
                             at=data["at"], note=data.get("note"), user_id=g.user.id)
        db.session.commit()
        return inv


@blp.route("/<int:event_id>/invitations/<int:invitation_id>")
class InvitationItem(MethodView):
    @blp.response(200, InvitationSchema)
    def get(self, event_id, invitation_id):
        return service.get_invitation(event_id, invitation_id)


@blp.route("/<int:event_id>/invitations/<int:invitation_id>/confirm")
class InvitationConfirm(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(AtSchema)
    @blp.response(200, InvitationSchema)
    def post(self, data, event_id, invitation_id):
        """A planned invitation is confirmed (敲定); CUS-83 may refuse it (409)."""
        event = service.get_event(event_id)
        inv = service.confirm_invitation(event, service.get_invitation(event_id, invitation_id), data["at"])
        db.session.commit()
        return inv


@blp.route("/<int:event_id>/invitations/<int:invitation_id>/attend")
class InvitationAttend(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(AttendSchema)
    @blp.response(200, InvitationSchema)
    def post(self, data, event_id, invitation_id):
        """The customer arrives: judged (CUS-83) to the department whose invitation it is; returns that
        invitation (``decision_id``: the CUS-83 judgement when two departments invited the customer)."""
        event = service.get_event(event_id)
        winner, _decision = service.record_attendance(event, service.get_invitation(event_id, invitation_id),
                                                      data["attended_at"], g.user.id)
        db.session.commit()
        return winner


@blp.route("/<int:event_id>/invitations/<int:invitation_id>/award")
class InvitationAward(MethodView):
    @blp.arguments(RulingSchema)
    @blp.response(200, RulingOutSchema)
    def post(self, data, event_id, invitation_id):
        """Manual CUS-83 ruling by the arbiter (``cus.events.arbiter``) or the GM it escalated to: the
        customer is this invitation's; supersedes the automatic judgement."""
        event = service.get_event(event_id)
        inv, decision = service.award(event, service.get_invitation(event_id, invitation_id), reason=data["reason"],
                                      user=g.user)
        db.session.commit()
        return {"invitation": inv, "decision_id": decision.id, "supersedes_id": decision.supersedes_id,
                "reason_zh": decision.reason_zh, "reason_en": decision.reason_en}


@blp.route("/<int:event_id>/invitations/<int:invitation_id>/escalate")
class InvitationEscalate(MethodView):
    @blp.arguments(RulingSchema)
    @blp.response(200, RulingOutSchema)
    def post(self, data, event_id, invitation_id):
        """The arbiter escalates a duplicate invitation to ``cus.events.escalate_to`` (the GM), who is notified."""
        event = service.get_event(event_id)
        inv = service.get_invitation(event_id, invitation_id)
        decision = service.escalate(event, inv, reason=data["reason"], user=g.user)
        db.session.commit()
        return {"invitation": inv, "decision_id": decision.id, "supersedes_id": None,
                "reason_zh": decision.reason_zh, "reason_en": decision.reason_en}


@blp.route("/<int:event_id>/invitations/<int:invitation_id>/sales")
class InvitationSales(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(SaleInSchema)
    @blp.response(201, SaleSchema)
    def post(self, data, event_id, invitation_id):
        """A sale to the attending customer at the event, credited under CUS-83."""
        event = service.get_event(event_id)
        inv = service.get_invitation(event_id, invitation_id)
        sale, decision = service.record_sale(event, inv, amount=data["amount"], at=data["at"],
                                             reference=data.get("reference"), user_id=g.user.id)
        db.session.commit()
        return {"transaction_id": sale.id, "invitation_id": inv.id, "amount": sale.amount, "at": sale.at,
                "credited_user_id": sale.user_id, "credit": decision.outcome["credit"], "decision_id": decision.id,
                "reason_zh": decision.reason_zh, "reason_en": decision.reason_en}


@blp.route("/<int:event_id>/lists")
class Lists(MethodView):
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, ListSchema(many=True))
    @blp.paginate()
    def get(self, args, event_id, pagination_parameters):
        service.get_event(event_id)
        return page_of(service.lists_query(event_id, args.get("department_id")), pagination_parameters)

    @require_roles(*LIST_KEEPERS, admin_scope=False)
    @blp.arguments(ListInSchema)
    @blp.response(201, ListSchema)
    def post(self, data, event_id):
        """Hand in a department's list of a day (CUS-82): its confirmed customers, or its plan."""
        event = service.get_event(event_id)
        row = service.submit_list(event, user_id=g.user.id, **data)
        db.session.commit()
        return row
