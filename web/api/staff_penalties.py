"""Staff penalties: the catalog, proposals, approval, supervisor liability, correction orders and HR-flag
counters (STF-02/03, STF-10..14, STF-23, CMP-73).

- ``GET /staff/catalog?at=YYYY-MM-DD`` — the penalty sections of the ``stf`` policy in force.
- ``POST /staff/penalties`` ``{user_id | team_id | department_id, offence, occurred_at, subject_type,
  subject_id, quantity, outcome, role, minutes_late, reason_zh, reason_en}`` → 201 the entries written
  (the penalty or flag, ladder extras, a performance-pay proposal), priced by the catalog (STF-02/03/10/13/14).
- ``POST /staff/penalties/<staff_entry_id>/amount`` ``{amount, reason}`` — the approver sets the amount
  within the range (STF-02; 422 out of range, 403 not the approver, 409 once approved).
- ``POST /staff/penalties/<staff_entry_id>/approve`` ``{amount?, reason?}`` — the catalog's approver
  approves (STF-23; 403 for anybody else).
- ``POST /staff/penalties/<staff_entry_id>/supervisor`` ``{supervisor_id?, reason?}`` → 201 the
  supervisor's entry, the offence × ``stf.points.supervisor_multiplier`` (STF-03).
- ``POST /staff/penalties/<staff_entry_id>/correction`` ``{ordered_at?, within?, note?}`` → 201 a
  correction order (STF-11); ``GET /staff/corrections?state=&user_id=``, ``GET
  /staff/corrections/<correction_id>``, ``POST /staff/corrections/<correction_id>/corrected``
  ``{corrected_at?}``.
- ``GET /staff/counters?user_id=&at=`` — each ``stf.flags`` rule with the employee's count (STF-12, CMP-73).
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.accounts.service import get_user
from core.db import db, utcnow
from core.staff import corrections, flags, ledger, penalties
from core.staff.correction_models import STATES as CORRECTION_STATES
from core.staff.policy import StfPolicySchema, stf_policy
from web.api.auth import require_roles
from web.api.pagination import page_of
from web.api.staff_ledger import LEDGER_MANAGERS, EntrySchema, may_see, own_unless_manager

PREFIX = "/staff"
blp = Blueprint("staff_penalties", __name__,
                description="Staff penalties: catalog, approval, repeats, corrections, HR flags (STF-02..14, STF-23)")

PENALTY_SECTIONS = ("catalog", "points", "doubling", "ladders", "correction", "flags")


class CatalogQuerySchema(Schema):
    at = fields.Date(load_default=None, metadata={"description": "the version in force on this day; default today"})


class PenaltySectionsSchema(Schema):
    version = fields.Integer()
    catalog = fields.Dict()
    points = fields.Dict()
    doubling = fields.Dict()
    ladders = fields.Dict()
    correction = fields.Dict()
    flags = fields.List(fields.Dict())


class PenaltyInSchema(Schema):
    user_id = fields.Integer(load_default=None, allow_none=True)
    team_id = fields.Integer(load_default=None, allow_none=True,
                             metadata={"description": "STF-14: the team, when no individual is identified"})
    department_id = fields.Integer(load_default=None, allow_none=True,
                                   metadata={"description": "STF-14: the unit, when neither person nor team is"})
    offence = fields.String(required=True, validate=validate.Length(min=1, max=80))
    occurred_at = fields.AwareDateTime(load_default=None)
    subject_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    subject_id = fields.Integer(load_default=None, allow_none=True)
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    outcome = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    minutes_late = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100000))
    reason_zh = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    reason_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _both_reasons(self, data, **kwargs):
        if bool(data.get("reason_zh")) != bool(data.get("reason_en")):
            raise ValidationError("Give the reason in Chinese and English, or neither.", "reason_en")


class AmountInSchema(Schema):
    amount = fields.Decimal(places=2, as_string=True, required=True, validate=validate.Range(min=0, max=10**6))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ApproveInSchema(Schema):
    amount = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True,
                            validate=validate.Range(min=0, max=10**6))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class SupervisorInSchema(Schema):
    supervisor_id = fields.Integer(load_default=None, allow_none=True,
                                   metadata={"description": "default: the employee's supervisor, else department head"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CorrectionOrderInSchema(Schema):
    ordered_at = fields.AwareDateTime(load_default=None)
    within = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                           metadata={"description": "default stf.correction.within, e.g. '1 working_day'"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CorrectedInSchema(Schema):
    corrected_at = fields.AwareDateTime(load_default=None)


class CorrectionSchema(Schema):
    id = fields.Integer()
    entry_id = fields.Integer()
    user_id = fields.Integer()
    offence = fields.String()
    ordered_at = fields.DateTime()
    ordered_by = fields.Integer(allow_none=True)
    within = fields.String()
    state = fields.String()
    repeats = fields.Integer()
    next_check_at = fields.DateTime(allow_none=True)
    corrected_at = fields.DateTime(allow_none=True)
    corrected_by = fields.Integer(allow_none=True)
    policy_version = fields.Integer()
    note = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class CorrectionQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(CORRECTION_STATES))
    user_id = fields.Integer()


class CounterQuerySchema(Schema):
    user_id = fields.Integer()
    at = fields.AwareDateTime(load_default=None)


class CounterSchema(Schema):
    counter = fields.String()
    window = fields.String()
    threshold = fields.Integer()
    inclusive = fields.Boolean()
    consecutive = fields.Boolean()
    label = fields.String()
    count = fields.Integer()
    reached = fields.Boolean()
    last_flag_at = fields.DateTime(allow_none=True)


@blp.route("/catalog")
class Catalog(MethodView):
    @blp.arguments(CatalogQuerySchema, location="query")
    @blp.response(200, PenaltySectionsSchema)
    def get(self, args):
        """The penalty catalog, points scheme, doubling, ladders, correction limit and HR-flag rules in force."""
        view = stf_policy(args["at"] or utcnow())
        dumped = StfPolicySchema().dump(view.values)
        return {"version": view.version, **{key: dumped[key] for key in PENALTY_SECTIONS}}


@blp.route("/penalties")
class Penalties(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(PenaltyInSchema)
    @blp.response(201, EntrySchema(many=True))
    def post(self, data):
        """Propose a penalty priced by the catalog (STF-02/03/10/13/14); returns every entry written."""
        written = penalties.penalise(**{**data, "occurred_at": data["occurred_at"] or utcnow()}, created_by=g.user.id)
        db.session.commit()
        return written


@blp.route("/penalties/<int:staff_entry_id>/amount")
class PenaltyAmount(MethodView):
    @blp.arguments(AmountInSchema)
    @blp.response(200, EntrySchema)
    def post(self, data, staff_entry_id):
        """The approver sets the amount within the catalog's range, with a reason (STF-02)."""
        entry = ledger.get_entry(staff_entry_id)
        penalties.set_amount(entry, data["amount"], reason=data["reason"], by=g.user)
        db.session.commit()
        return entry


@blp.route("/penalties/<int:staff_entry_id>/approve")
class PenaltyApprove(MethodView):
    @blp.arguments(ApproveInSchema)
    @blp.response(200, EntrySchema)
    def post(self, data, staff_entry_id):
        """The approver named by the catalog approves the proposal (STF-23)."""
        entry = ledger.get_entry(staff_entry_id)
        penalties.approve(entry, by=g.user, amount=data["amount"], reason=data["reason"])
        db.session.commit()
        return entry


@blp.route("/penalties/<int:staff_entry_id>/supervisor")
class PenaltySupervisor(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(SupervisorInSchema)
    @blp.response(201, EntrySchema)
    def post(self, data, staff_entry_id):
        """The supervisor who failed to supervise bears the offence × the multiplier (STF-03)."""
        entry = ledger.get_entry(staff_entry_id)
        written = penalties.supervisor_liability(entry, by=g.user, **data)
        db.session.commit()
        return written


@blp.route("/penalties/<int:staff_entry_id>/correction")
class PenaltyCorrection(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(CorrectionOrderInSchema)
    @blp.response(201, CorrectionSchema)
    def post(self, data, staff_entry_id):
        """Order the violation corrected within the limit (STF-11)."""
        entry = ledger.get_entry(staff_entry_id)
        correction = corrections.order(entry, by=g.user.id, **data)
        db.session.commit()
        return correction


@blp.route("/corrections")
class Corrections(MethodView):
    @blp.arguments(CorrectionQuerySchema, location="query")
    @blp.response(200, CorrectionSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Correction orders, oldest first; your own unless you manage."""
        return page_of(corrections.search(**own_unless_manager(args)), pagination_parameters)


@blp.route("/corrections/<int:correction_id>")
class CorrectionItem(MethodView):
    @blp.response(200, CorrectionSchema)
    def get(self, correction_id):
        correction = corrections.get_correction(correction_id)
        may_see(correction.user_id, "entries")
        return correction


@blp.route("/corrections/<int:correction_id>/corrected")
class CorrectionDone(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(CorrectedInSchema)
    @blp.response(200, CorrectionSchema)
    def post(self, data, correction_id):
        """The violation is corrected: the loop ends (repeats due before it are kept, later ones withdrawn)."""
        correction = corrections.get_correction(correction_id)
        corrections.mark_corrected(correction, corrected_at=data["corrected_at"], by=g.user.id)
        db.session.commit()
        return correction


@blp.route("/counters")
class Counters(MethodView):
    @blp.arguments(CounterQuerySchema, location="query")
    @blp.response(200, CounterSchema(many=True))
    def get(self, args):
        """An employee's rolling counters against each HR-flag rule (STF-12, CMP-73)."""
        user_id = args.get("user_id", g.user.id)
        may_see(user_id, "entries")
        get_user(user_id)  # 404 for an unknown employee
        return flags.counter_status(user_id, args["at"] or utcnow())

