"""Attribution (判客) endpoints under ``/api/v1/re/attribution`` (RE-10..RE-27).

Salespeople and the office's managers read and record; a sales supervisor or manager decides.

- ``GET /customers/<customer_id>`` — who would get the customer's deal now, and why: the rule id,
  the reasons, both share sets, the facts used, and the deal's credit decision if there is one.
- ``GET /customers/<customer_id>/facts`` · ``POST`` {kind: complaint | discount_seeking | quarrel,
  against_id, complaint_id, approached_id, parties, unit_id, at, note} → 201 (RE-15, RE-17, RE-25).
- ``GET /facts/<attribution_event_id>`` · ``POST /facts/<attribution_event_id>/decision``
  {verdict: verified | rejected, at, note} → the RE-15 decision (supervisors and managers, never about
  themselves: 403).
- ``POST /bulk`` {event, day, project_id, reason, assignments: [{customer_id, performance, bonus}]}
  → 201 the overrides, one decision each (RE-24, managers) · ``GET /overrides/<override_id>``.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers import service as customers
from core.db import db
from core.decisions import service as decisions
from core.plugins.records import ApiEndpoints
from plugins.real_estate import attribution
from plugins.real_estate import attribution_facts as facts
from plugins.real_estate.portal import OFFICE_MANAGERS
from plugins.real_estate.reception_models import ATTRIBUTION_EVENT_KINDS, EVENTS
from web.api.auth import require_roles
from web.api.decisions import DecisionSchema

blp = Blueprint("re_attribution", __name__, description="Real estate: attribution of customers and deals (RE-10..27)")

#: salespeople and the office read and record facts; supervisors and managers decide
READERS = OFFICE_MANAGERS + ("salesperson",)
DECIDERS = facts.DECIDERS
BULK_DECIDERS = facts.BULK_DECIDERS


class AttributionShareSchema(Schema):
    user_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    percent = fields.Decimal(as_string=True, places=2, required=True)


class AttributionPreviewSchema(Schema):
    customer_id = fields.Integer()
    rule_id = fields.String()
    reason_zh = fields.String()
    reason_en = fields.String()
    performance = fields.List(fields.Nested(AttributionShareSchema))
    bonus = fields.List(fields.Nested(AttributionShareSchema))
    follow_up_id = fields.Integer(allow_none=True)
    pending = fields.Boolean()
    provisional = fields.Boolean()
    facts = fields.Dict()
    credit_id = fields.Integer(allow_none=True)
    deal_decision = fields.Nested(DecisionSchema, allow_none=True)


class AttributionFactInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ATTRIBUTION_EVENT_KINDS))
    at = fields.AwareDateTime(load_default=None)
    against_id = fields.Integer(load_default=None)
    complaint_id = fields.Integer(load_default=None)
    approached_id = fields.Integer(load_default=None)
    parties = fields.List(fields.Integer(), load_default=list)
    unit_id = fields.Integer(load_default=None)
    note = fields.String(load_default=None, validate=validate.Length(max=facts.NOTE_MAX))


class AttributionFactSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String()
    at = fields.DateTime()
    against_id = fields.Integer(allow_none=True)
    complaint_id = fields.Integer(allow_none=True)
    approached_id = fields.Integer(allow_none=True)
    parties = fields.List(fields.Integer())
    unit_id = fields.Integer(allow_none=True)
    status = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.Integer(allow_none=True)


class AttributionVerdictInSchema(Schema):
    verdict = fields.String(required=True, validate=validate.OneOf(["verified", "rejected"]))
    at = fields.AwareDateTime(load_default=None)
    note = fields.String(load_default=None, validate=validate.Length(max=facts.NOTE_MAX))


class AttributionAssignmentSchema(Schema):
    customer_id = fields.Integer(required=True)
    performance = fields.List(fields.Nested(AttributionShareSchema), required=True)
    bonus = fields.List(fields.Nested(AttributionShareSchema), required=True)


class AttributionBulkInSchema(Schema):
    event = fields.String(required=True, validate=validate.OneOf(EVENTS))
    day = fields.Date(required=True)
    project_id = fields.Integer(load_default=None)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=facts.NOTE_MAX))
    assignments = fields.List(fields.Nested(AttributionAssignmentSchema), required=True, validate=validate.Length(min=1))


class AttributionOverrideSchema(Schema):
    id = fields.Integer()
    batch = fields.String()
    customer_id = fields.Integer()
    event = fields.String(allow_none=True)
    performance = fields.List(fields.Dict())
    bonus = fields.List(fields.Dict())
    follow_up_id = fields.Integer(allow_none=True)
    reason = fields.String()
    decided_by = fields.Integer()
    decided_at = fields.DateTime()
    decision_id = fields.Integer(allow_none=True)


def preview_answer(customer_id: int) -> dict:
    """The "why" of a customer as the API and the portal page show it."""
    found = attribution.preview(customer_id)
    outcome = found.attribution
    credit = found.credit
    return {"customer_id": customer_id, "rule_id": outcome.rule_id, "reason_zh": outcome.reason_zh,
            "reason_en": outcome.reason_en, "performance": list(outcome.performance), "bonus": list(outcome.bonus),
            "follow_up_id": outcome.follow_up_id, "pending": outcome.pending, "provisional": outcome.provisional,
            "facts": outcome.facts, "credit_id": credit.id if credit else None,
            "deal_decision": decisions.get(credit.decision_id) if credit else None}


@blp.route("/customers/<int:customer_id>")
class CustomerAttribution(MethodView):
    @require_roles(*READERS, admin_scope=False)
    @blp.response(200, AttributionPreviewSchema)
    def get(self, customer_id):
        """Who would get the customer's deal now, and why (computed, not written)."""
        customers.get_customer(customer_id)
        return preview_answer(customer_id)


@blp.route("/customers/<int:customer_id>/facts")
class CustomerFacts(MethodView):
    @require_roles(*READERS, admin_scope=False)
    @blp.response(200, AttributionFactSchema(many=True))
    def get(self, customer_id):
        """The complaints, discount-seeking and quarrels recorded for the customer, newest first."""
        customers.get_customer(customer_id)
        return facts.events_of(customer_id)

    @require_roles(*READERS, admin_scope=False)
    @blp.arguments(AttributionFactInSchema)
    @blp.response(201, AttributionFactSchema)
    def post(self, data, customer_id):
        """Record a complaint (RE-15), discount-seeking (RE-17) or a quarrel (RE-25)."""
        customers.get_customer(customer_id)
        event = record_fact(customer_id, data, g.user.id)
        db.session.commit()
        return event


def record_fact(customer_id: int, data: dict, by: int):
    """One fact from the API body or the portal form (by ``kind``)."""
    kind, at, note = data["kind"], data.get("at"), data.get("note")
    if kind == "complaint":
        return facts.record_complaint(customer_id, against_id=data.get("against_id"), at=at,
                                      complaint_id=data.get("complaint_id"), note=note, by=by)
    if kind == "discount_seeking":
        return facts.record_discount_seeking(customer_id, approached_id=data.get("approached_id"), at=at, note=note,
                                             by=by)
    return facts.record_quarrel(customer_id, parties=data.get("parties"), at=at, unit_id=data.get("unit_id"),
                                note=note, by=by)


@blp.route("/facts/<int:attribution_event_id>")
class Fact(MethodView):
    @require_roles(*READERS, admin_scope=False)
    @blp.response(200, AttributionFactSchema)
    def get(self, attribution_event_id):
        return facts.get_event(attribution_event_id)


@blp.route("/facts/<int:attribution_event_id>/decision")
class FactDecision(MethodView):
    @require_roles(*DECIDERS, admin_scope=False)
    @blp.arguments(AttributionVerdictInSchema)
    @blp.response(200, DecisionSchema)
    def post(self, data, attribution_event_id):
        """A sales supervisor or manager verifies or rejects a complaint (RE-15)."""
        event = facts.get_event(attribution_event_id)
        decision = facts.decide_complaint(event, verdict=data["verdict"], user=g.user, at=data["at"],
                                          note=data["note"])
        db.session.commit()
        return decision


def _items(lines) -> list[dict]:
    return [{"user_id": x.get("user_id"), "department_id": x.get("department_id"), "percent": x["percent"]}
            for x in lines]


@blp.route("/bulk")
class Bulk(MethodView):
    @require_roles(*BULK_DECIDERS, admin_scope=False)
    @blp.arguments(AttributionBulkInSchema)
    @blp.response(201, AttributionOverrideSchema(many=True))
    def post(self, data):
        """The manager's attribution of a launch day's or fair's customers, one reason (RE-24)."""
        assignments = {a["customer_id"]: (_items(a["performance"]), _items(a["bonus"])) for a in data["assignments"]}
        rows = facts.bulk_attribute(event=data["event"], day=data["day"], reason=data["reason"],
                                    assignments=assignments, by=g.user, project_id=data["project_id"])
        db.session.commit()
        return rows


@blp.route("/overrides/<int:override_id>")
class Override(MethodView):
    @require_roles(*READERS, admin_scope=False)
    @blp.response(200, AttributionOverrideSchema)
    def get(self, override_id):
        return facts.get_override(override_id)


ENDPOINTS = ApiEndpoints("real_estate", blp, "/re/attribution")
