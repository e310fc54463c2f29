"""The sales office's reception under ``/api/v1/re/reception`` (RE-01..RE-05, RE-14, RE-28).

The front desk, salespeople, sales supervisors and managers (:data:`RECEIVERS`) read and register
arrivals; the day's order, absences, the evening minutes and offences are the managers'
(:data:`plugins.real_estate.portal.OFFICE_MANAGERS`). A reception whose customer the reader may not see
(CUS-70) is 404 unless they received it, registered it or manage the office; the decisions name the customer "#<id>".

- ``PUT /projects/<project_id>/day`` {day, order} · ``GET /projects/<project_id>/day?day=`` — RE-01 order
  of the day with pointer, owed make-up turns and absences.
- ``POST /days/<reception_day_id>/absences`` {staff_id, reason, start, end} ·
  ``POST /days/<reception_day_id>/back`` {staff_id, at}.
- ``POST /projects/<project_id>/receptions`` {at, kind, customer_name, phone, visited_before, ...} → 201
  with the receiver, ``received_as``, standby and the RE-01/02/14 decision (422 naming ``visited_before``
  when it is missing, RE-05) · ``GET /projects/<project_id>/receptions?day=`` ·
  ``GET /receptions/<reception_id>``.
- ``GET /projects/<project_id>/desk?at=`` — on turn, standby, owed make-up turns.
- ``POST /projects/<project_id>/minutes`` {day, note, lines} · ``GET /minutes/<minutes_id>`` — RE-03.
- ``POST /offences`` {offence, offender_id, occurred_at, serious, monthly_base, month_bonus,
  month_deal_bonus, reception_id, note} → 201 with the staff-ledger entries (RE-04, RE-28).
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import NotFound
from plugins.real_estate import reception as service
from plugins.real_estate.portal import OFFICE_MANAGERS
from plugins.real_estate.reception_models import EVENTS, INTENT_CLASSES, RECEPTION_KINDS
from plugins.real_estate.rotation_rules import ABSENCE_REASONS
from web.api.auth import require_roles
from web.api.decisions import DecisionSchema

blp = Blueprint("re_reception", __name__, description="Real estate: the sales office's reception (RE-01..05, RE-28)")

RECEIVERS = ("front_desk", "salesperson", *OFFICE_MANAGERS)


class ReDayQuerySchema(Schema):
    day = fields.Date(load_default=None, metadata={"description": "a local day of the tenant; default today"})


class ReDayInSchema(Schema):
    day = fields.Date(required=True)
    order = fields.List(fields.Integer(), required=True, metadata={"description": "user ids, in the day's order"})


class RePersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ReAbsenceSchema(Schema):
    id = fields.Integer()
    staff_id = fields.Integer()
    name = fields.String()
    reason = fields.String()
    start = fields.DateTime()
    end = fields.DateTime(allow_none=True)


class ReDaySchema(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    day = fields.Date()
    order = fields.List(fields.Nested(RePersonSchema))
    pointer = fields.Integer(allow_none=True)
    owed = fields.Dict(keys=fields.String(), values=fields.Integer())
    absences = fields.List(fields.Nested(ReAbsenceSchema))


class ReAbsenceInSchema(Schema):
    staff_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(ABSENCE_REASONS))
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(allow_none=True, load_default=None)


class ReBackInSchema(Schema):
    staff_id = fields.Integer(required=True)
    at = fields.AwareDateTime(allow_none=True, load_default=None)


class ReReceptionInSchema(Schema):
    at = fields.AwareDateTime(allow_none=True, load_default=None, metadata={"description": "default now"})
    kind = fields.String(load_default="visit", validate=validate.OneOf(RECEPTION_KINDS))
    customer_name = fields.String(load_default="")
    phone = fields.String(load_default="")
    visited_before = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(("yes", "no")),
                                   metadata={"description": "RE-05: required"})
    said_received_by = fields.Integer(allow_none=True, load_default=None)
    said_received_by_name = fields.String(load_default="")
    forgot = fields.Boolean(load_default=False)
    named = fields.List(fields.Integer(), load_default=list)
    designated_id = fields.Integer(allow_none=True, load_default=None)
    assistant_id = fields.Integer(allow_none=True, load_default=None)
    source = fields.String(allow_none=True, load_default=None)
    note = fields.String(allow_none=True, load_default=None)
    event = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(EVENTS))
    intent_class = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(INTENT_CLASSES))
    background = fields.String(allow_none=True, load_default=None)


class ReReceptionSchema(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    day = fields.Date()
    at = fields.DateTime()
    entered_at = fields.DateTime()
    late_entry = fields.Boolean()
    kind = fields.String()
    customer_id = fields.Integer()
    register_entry_id = fields.Integer(allow_none=True)
    visited_before = fields.String()
    said_received_by = fields.Integer(allow_none=True)
    named = fields.List(fields.Integer())
    designated_id = fields.Integer(allow_none=True)
    receiver_id = fields.Integer(allow_none=True)
    received_as = fields.String()
    turn_consumed = fields.Boolean()
    assisting_for = fields.Integer(allow_none=True)
    standby_id = fields.Integer(allow_none=True)
    present = fields.List(fields.Integer())
    event = fields.String(allow_none=True)
    intent_class = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    decision = fields.Method("_decision")
    recorded_by = fields.Integer(allow_none=True)

    def _decision(self, reception):
        decision = decisions.get(reception.decision_id) if reception.decision_id else None
        return DecisionSchema().dump(decision) if decision else None


class ReDeskQuerySchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class ReDeskSchema(Schema):
    at = fields.DateTime()
    day = fields.Nested(ReDaySchema, allow_none=True)
    on_turn_id = fields.Integer(allow_none=True)
    on_turn_kind = fields.String()
    standby_id = fields.Integer(allow_none=True)
    standby_missing = fields.Boolean()
    pointer = fields.Integer(allow_none=True)
    owed = fields.Dict(keys=fields.String(), values=fields.Integer())


class ReMinutesLineSchema(Schema):
    id = fields.Integer(dump_only=True)
    customer_id = fields.Integer(required=True)
    salesperson_id = fields.Integer(required=True)
    new_customer = fields.Boolean(load_default=True)
    follow_up = fields.String(allow_none=True, load_default=None)


class ReMinutesInSchema(Schema):
    day = fields.Date(required=True)
    note = fields.String(allow_none=True, load_default=None)
    lines = fields.List(fields.Nested(ReMinutesLineSchema), load_default=list)


class ReMinutesSchema(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    day = fields.Date()
    note = fields.String(allow_none=True)
    recorded_by = fields.Integer()
    recorded_at = fields.DateTime()
    lines = fields.Method("_lines")

    def _lines(self, minutes):
        return ReMinutesLineSchema(many=True).dump(service.lines_of(minutes.id))


class ReOffenceInSchema(Schema):
    offence = fields.String(required=True, validate=validate.OneOf(service.OFFENCES))
    offender_id = fields.Integer(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    serious = fields.Boolean(load_default=False)
    monthly_base = fields.Decimal(allow_none=True, load_default=None, validate=validate.Range(min=0))
    month_bonus = fields.Decimal(allow_none=True, load_default=None, validate=validate.Range(min=0))
    month_deal_bonus = fields.Decimal(allow_none=True, load_default=None, validate=validate.Range(min=0))
    reception_id = fields.Integer(allow_none=True, load_default=None)
    note = fields.String(allow_none=True, load_default=None)


class ReLedgerEntrySchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    kind = fields.String()
    amount = fields.Decimal(as_string=True)
    unit = fields.String()
    offence = fields.String()
    rule_id = fields.String()
    label = fields.String(allow_none=True)
    state = fields.String()
    reason_zh = fields.String()
    reason_en = fields.String()
    decision_id = fields.Integer(allow_none=True)


@blp.route("/projects/<int:project_id>/day")
class Day(MethodView):
    @require_roles(*RECEIVERS, admin_scope=False)
    @blp.arguments(ReDayQuerySchema, location="query")
    @blp.response(200, ReDaySchema)
    def get(self, args, project_id):
        """The order of the day with its pointer, owed make-up turns and absences (RE-01)."""
        service.get_project(project_id)
        row = service.find_day(project_id, args["day"] or service.local_day(utcnow()))
        if row is None:
            raise NotFound("no order set for this day")
        return service.day_view(row)

    @require_roles(*OFFICE_MANAGERS, admin_scope=False)
    @blp.arguments(ReDayInSchema)
    @blp.response(200, ReDaySchema)
    def put(self, data, project_id):
        """Set the order of the day (``re.rotation.order = fixed_daily``, RE-01)."""
        row = service.set_order(project_id, data["day"], data["order"], set_by=g.user.id)
        db.session.commit()
        return service.day_view(row)


@blp.route("/days/<int:reception_day_id>/absences")
class Absences(MethodView):
    @require_roles(*OFFICE_MANAGERS, admin_scope=False)
    @blp.arguments(ReAbsenceInSchema)
    @blp.response(201, ReDaySchema)
    def post(self, data, reception_day_id):
        """A salesperson away: company business, with a customer, off duty, leave (RE-01)."""
        row = service.mark_absence(service.get_day(reception_day_id), **data)
        db.session.commit()
        return service.day_view(row)


@blp.route("/days/<int:reception_day_id>/back")
class Back(MethodView):
    @require_roles(*OFFICE_MANAGERS, admin_scope=False)
    @blp.arguments(ReBackInSchema)
    @blp.response(200, ReDaySchema)
    def post(self, data, reception_day_id):
        """A salesperson is back on the floor."""
        row = service.mark_back(service.get_day(reception_day_id), **data)
        db.session.commit()
        return service.day_view(row)


@blp.route("/projects/<int:project_id>/receptions")
class Receptions(MethodView):
    @require_roles(*RECEIVERS, admin_scope=False)
    @blp.arguments(ReDayQuerySchema, location="query")
    @blp.response(200, ReReceptionSchema(many=True))
    def get(self, args, project_id):
        """The receptions of a day, in arrival order."""
        return service.receptions_of(project_id, args["day"] or service.local_day(utcnow()))

    @require_roles(*RECEIVERS, admin_scope=False)
    @blp.arguments(ReReceptionInSchema)
    @blp.response(201, ReReceptionSchema)
    def post(self, data, project_id):
        """Register a visitor or caller: who receives them (RE-01/02/14), the register line (CUS-80)."""
        reception = service.register_arrival(project_id, data, region=g.tenant.region, recorded_by=g.user.id)
        db.session.commit()
        return reception


@blp.route("/receptions/<int:reception_id>")
class ReceptionItem(MethodView):
    @require_roles(*RECEIVERS, admin_scope=False)
    @blp.response(200, ReReceptionSchema)
    def get(self, reception_id):
        """One reception with its decision (404 when its customer is hidden from the reader, CUS-70)."""
        return service.get_visible_reception(reception_id, g.user)


@blp.route("/projects/<int:project_id>/desk")
class Desk(MethodView):
    @require_roles(*RECEIVERS, admin_scope=False)
    @blp.arguments(ReDeskQuerySchema, location="query")
    @blp.response(200, ReDeskSchema)
    def get(self, args, project_id):
        """On turn and standby at ``at`` (default now), owed make-up turns (RE-01)."""
        return service.desk_at(project_id, args.get("at") or utcnow())


@blp.route("/projects/<int:project_id>/minutes")
class Minutes(MethodView):
    @require_roles(*OFFICE_MANAGERS, admin_scope=False)
    @blp.arguments(ReMinutesInSchema)
    @blp.response(201, ReMinutesSchema)
    def post(self, data, project_id):
        """The evening meeting's minutes of a day (RE-03); saving a day again replaces its lines."""
        minutes = service.save_minutes(project_id, data["day"], note=data.get("note"), lines=data["lines"],
                                       recorded_by=g.user.id)
        db.session.commit()
        return minutes


@blp.route("/minutes/<int:minutes_id>")
class MinutesItem(MethodView):
    @require_roles(*RECEIVERS, admin_scope=False)
    @blp.response(200, ReMinutesSchema)
    def get(self, minutes_id):
        """One day's minutes with their lines."""
        return service.get_minutes(minutes_id)


@blp.route("/offences")
class Offences(MethodView):
    @require_roles(*OFFICE_MANAGERS, admin_scope=False)
    @blp.arguments(ReOffenceInSchema)
    @blp.response(201, ReLedgerEntrySchema(many=True))
    def post(self, data):
        """A verified grabbing/competing/neglecting case (RE-04) or provoking disputes (RE-28): the penalty
        in the staff ledger (and the dismissal-review flag for RE-28)."""
        entries = service.record_offence(data, recorded_by=g.user.id)
        db.session.commit()
        return entries
