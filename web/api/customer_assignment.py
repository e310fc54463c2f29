"""Assignment and reassignment of customers (CUS-30..CUS-36) and the visitor and call register (CUS-80).

Every user of the tenant may read. Writing the register needs a customer writer role (front desk,
assistants, salespeople, supervisors, managers); rotation groups, redistributions, overrides, lead
batches, tiers and staff contacts need a manager (:data:`MANAGERS`).

- ``POST /rotation-groups`` {name, members, department_id} · ``GET /rotation-groups`` ·
  ``GET|PATCH /rotation-groups/<id>`` (state: pointer, owed make-up turns) — CUS-31.
- ``POST /register-entries`` {at, kind, customer_name, phone, named_salespersons, designated_id,
  rotation_group_id | department_id, source, note} → 201 with the receiver, ``received_as``,
  ``turn_consumed`` and the CUS-31 decision's reasons · ``GET /register-entries?day=&kind=`` ·
  ``GET|PATCH /register-entries/<id>`` (outcome and reasons) — CUS-80, CUS-31.
- ``POST /redistributions`` {leaver_id, trigger, seed, leave_start, leave_end, colleague_ids} → 202
  with the plan (and the job applying it) · ``GET /redistributions/<id>`` — CUS-33, CUS-35.
- ``POST /customers/<id>/owner-override`` {owner_id, reason} — CUS-34.
- ``POST /customers/<id>/assign-by-tier`` {grade} — CUS-30.
- ``POST /lead-batches`` {customer_ids, participant_ids, event_id, department_id, seed, at} ·
  ``GET /lead-batches/<id>`` — CUS-32.
- ``GET /customers/<id>/staff-contacts`` · ``POST`` {user_id, slot, report_duty} ·
  ``DELETE /customers/<id>/staff-contacts/<user_id>`` · ``PUT /customers/<id>/flags`` {flags} — CUS-36.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers import ownership_store
from core.customers import service as customers
from core.customers.assignment import batches, contacts, override, redistribution, register, tiers
from core.customers.assignment.models import OUTCOMES, REGISTER_KINDS, STAFF_SLOTS
from core.customers.assignment.rules import REDISTRIBUTION_TRIGGERS
from core.db import db
from core.decisions import service as decisions
from web.api.auth import require_roles
from web.api.decisions import DecisionSchema
from web.api.customers import WRITERS
from web.api.pagination import page_of

PREFIX = ""
blp = Blueprint("customer_assignment", __name__,
                description="Assignment of customers: register and rotation, redistribution, overrides, lead "
                            "batches, tiers, staff contacts (CUS-30..36, CUS-80)")

MANAGERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "resource_director")
GROUP_KEEPERS = MANAGERS + ("supervisor",)


def _decision(decision_id):
    return decisions.get(decision_id) if decision_id else None


# --------------------------------------------------------------------------------------------------
# Rotation groups (CUS-31)
# --------------------------------------------------------------------------------------------------


class RotationGroupInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    members = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=200),
                          metadata={"description": "user ids in rotation order"})
    department_id = fields.Integer(allow_none=True, load_default=None)


class RotationGroupUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    members = fields.List(fields.Integer(), validate=validate.Length(min=1, max=200),
                          metadata={"description": "a new order: the pointer restarts at the first member"})
    department_id = fields.Integer(allow_none=True)


class RotationGroupSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    department_id = fields.Integer(allow_none=True)
    members = fields.List(fields.Integer())
    pointer = fields.Method("_pointer", metadata={"description": "whose regular turn is next"})
    owed = fields.Method("_owed", metadata={"description": "make-up turns owed, {user id: count}"})
    day = fields.Date(allow_none=True)
    turns_today = fields.Dict()
    updated_at = fields.DateTime()

    def _pointer(self, group):
        return group.state().at_pointer

    def _owed(self, group):
        return {str(k): v for k, v in group.owed_counts().items()}


@blp.route("/rotation-groups")
class RotationGroups(MethodView):
    @blp.response(200, RotationGroupSchema(many=True))
    def get(self):
        """The tenant's rotation groups (CUS-31)."""
        from sqlalchemy import select

        from core.customers.assignment.models import RotationGroup

        return list(db.session.scalars(select(RotationGroup).order_by(RotationGroup.id)))

    @require_roles(*GROUP_KEEPERS, admin_scope=False)
    @blp.arguments(RotationGroupInSchema)
    @blp.response(201, RotationGroupSchema)
    def post(self, data):
        """Create a rotation group: the members in order; the pointer starts at the first."""
        group = register.save_group(None, name=data["name"], members=data["members"],
                                    department_id=data.get("department_id"), department_given=True)
        db.session.commit()
        return group


@blp.route("/rotation-groups/<int:rotation_group_id>")
class RotationGroupItem(MethodView):
    @blp.response(200, RotationGroupSchema)
    def get(self, rotation_group_id):
        """A rotation group with its pointer and owed make-up turns."""
        return register.get_group(rotation_group_id)

    @require_roles(*GROUP_KEEPERS, admin_scope=False)
    @blp.arguments(RotationGroupUpdateSchema)
    @blp.response(200, RotationGroupSchema)
    def patch(self, data, rotation_group_id):
        """Rename a group, move it to a department or give the order of the day (pointer to the first;
        owed turns of members still in the order are kept)."""
        group = register.get_group(rotation_group_id, lock=True)
        register.save_group(group, name=data.get("name"), members=data.get("members"),
                            department_id=data.get("department_id"), department_given="department_id" in data)
        db.session.commit()
        return group


# --------------------------------------------------------------------------------------------------
# Register (CUS-80) with the rotation (CUS-31)
# --------------------------------------------------------------------------------------------------


class RegisterEntryInSchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "arrival or call time; default now"})
    kind = fields.String(load_default="visit", validate=validate.OneOf(REGISTER_KINDS))
    customer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(required=True, validate=validate.Length(min=1, max=40),
                          metadata={"description": "as said or shown; normalised (CUS-10) and looked up"})
    named_salespersons = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=10),
                                     metadata={"description": "salespersons the customer named, in order"})
    designated_id = fields.Integer(allow_none=True, load_default=None,
                                   metadata={"description": "the salesperson the customer asks for "
                                                            "(default: the first named)"})
    rotation_group_id = fields.Integer(allow_none=True, load_default=None)
    department_id = fields.Integer(allow_none=True, load_default=None,
                                   metadata={"description": "picks the department's rotation group"})
    source = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=100))
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=5000))


class RegisterEntryUpdateSchema(Schema):
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    outcome_reasons = fields.List(fields.String(validate=validate.Length(max=200)), validate=validate.Length(max=20))
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))


class RegisterEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    kind = fields.String()
    customer_name = fields.String()
    phone = fields.String()
    customer_id = fields.Integer(allow_none=True)
    first_visit = fields.Boolean()
    named_salespersons = fields.List(fields.Integer())
    designated_id = fields.Integer(allow_none=True)
    receiver_id = fields.Integer(allow_none=True)
    received_as = fields.String(metadata={"description": "regular | make_up | returning | designated | none"})
    turn_consumed = fields.Boolean()
    rotation_group_id = fields.Integer(allow_none=True)
    source = fields.String(allow_none=True)
    outcome = fields.String()
    outcome_reasons = fields.List(fields.String())
    note = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    decision = fields.Method("_decision")
    recorded_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()

    def _decision(self, entry):
        d = _decision(entry.decision_id)
        return DecisionSchema().dump(d) if d else None


class RegisterQuerySchema(Schema):
    day = fields.Date(metadata={"description": "a local day of the tenant"})
    kind = fields.String(validate=validate.OneOf(REGISTER_KINDS))
    receiver_id = fields.Integer()


@blp.route("/register-entries")
class RegisterEntries(MethodView):
    @blp.arguments(RegisterQuerySchema, location="query")
    @blp.response(200, RegisterEntrySchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The visitor and call register, newest first (CUS-80)."""
        return page_of(register.entries(**args), pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(RegisterEntryInSchema)
    @blp.response(201, RegisterEntrySchema)
    def post(self, data):
        """Register a visitor or caller (CUS-80); a new customer without designation takes a rotation
        turn (CUS-31), a returning one goes to their owner."""
        entry = register.register_arrival(data, region=g.tenant.region, recorded_by=g.user.id)
        db.session.commit()
        return entry


@blp.route("/register-entries/<int:register_entry_id>")
class RegisterEntryItem(MethodView):
    @blp.response(200, RegisterEntrySchema)
    def get(self, register_entry_id):
        """One register entry with its CUS-31 decision."""
        return register.get_entry(register_entry_id)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(RegisterEntryUpdateSchema)
    @blp.response(200, RegisterEntrySchema)
    def patch(self, data, register_entry_id):
        """Record the outcome (deal, no deal, cancelled, follow-up) and its reasons."""
        entry = register.record_outcome(register.get_entry(register_entry_id), outcome=data.get("outcome"),
                                        reasons=data.get("outcome_reasons"), note=data.get("note"),
                                        note_given="note" in data)
        db.session.commit()
        return entry


# --------------------------------------------------------------------------------------------------
# Redistribution (CUS-33, CUS-35)
# --------------------------------------------------------------------------------------------------


class RedistributionInSchema(Schema):
    leaver_id = fields.Integer(required=True, metadata={"description": "the employee whose customers move"})
    trigger = fields.String(required=True, validate=validate.OneOf(tuple(REDISTRIBUTION_TRIGGERS)))
    seed = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0),
                          metadata={"description": "random-draw seed; drawn and recorded when absent"})
    leave_start = fields.Date(allow_none=True, load_default=None)
    leave_end = fields.Date(allow_none=True, load_default=None)
    colleague_ids = fields.List(fields.Integer(), allow_none=True, load_default=None,
                                metadata={"description": "who may receive (default: the active salespeople, "
                                                         "then cus.reassign.scope)"})


class RedistributionItemSchema(Schema):
    customer_id = fields.Integer()
    position = fields.Integer(allow_none=True)
    to_owner_id = fields.Integer(allow_none=True)
    status = fields.String()
    decision_id = fields.Integer(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()


class RedistributionSchema(Schema):
    id = fields.Integer()
    leaver_id = fields.Integer()
    trigger = fields.String()
    strategy = fields.String()
    seed = fields.Integer(allow_none=True)
    scope = fields.String()
    customers = fields.List(fields.Integer())
    shuffled = fields.List(fields.Integer())
    colleagues = fields.List(fields.Integer())
    skipped = fields.List(fields.Dict())
    status = fields.String()
    job_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    items = fields.Method("_items")
    result = fields.Method("_result", metadata={"description": "colleague id → customer ids"})

    def _items(self, run):
        return RedistributionItemSchema(many=True).dump(redistribution.items_of(run.id))

    def _result(self, run):
        out: dict[str, list[int]] = {str(c): [] for c in run.colleagues}
        for item in redistribution.items_of(run.id):
            if item.to_owner_id is not None:
                out.setdefault(str(item.to_owner_id), []).append(item.customer_id)
        return {k: sorted(v) for k, v in out.items()}


@blp.route("/redistributions")
class Redistributions(MethodView):
    @require_roles(*MANAGERS, admin_scope=False)
    @blp.arguments(RedistributionInSchema)
    @blp.response(202, RedistributionSchema)
    def post(self, data):
        """Redistribute a leaver's customers by random draw (CUS-33): the plan is answered at once, the
        job ``cus.redistribute`` applies it."""
        run, _new = redistribution.plan_redistribution(
            data["leaver_id"], data["trigger"], seed=data.get("seed"), leave_start=data.get("leave_start"),
            leave_end=data.get("leave_end"), colleague_ids=data.get("colleague_ids"), requested_by=g.user.id)
        run_id = run.id
        db.session.commit()
        return redistribution.get_run(run_id)


@blp.route("/redistributions/<int:redistribution_id>")
class RedistributionView(MethodView):
    @blp.response(200, RedistributionSchema)
    def get(self, redistribution_id):
        """A redistribution: seed, lists, result and each customer's item."""
        return redistribution.get_run(redistribution_id)


# --------------------------------------------------------------------------------------------------
# Manual override (CUS-34) and by tier (CUS-30)
# --------------------------------------------------------------------------------------------------


class OverrideInSchema(Schema):
    owner_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.Length(max=1000),
                           metadata={"description": "mandatory (CUS-34)"})


class OwnershipSchema(Schema):
    customer_id = fields.Integer()
    owner_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    state = fields.String()
    until = fields.DateTime(allow_none=True)
    decision = fields.Nested(DecisionSchema, allow_none=True)


def _ownership(customer_id: int) -> dict:
    row = ownership_store.current(customer_id)
    return {"customer_id": customer_id, "owner_id": row.owner_id if row else None,
            "department_id": row.department_id if row else None, "state": row.state if row else "unowned",
            "until": row.until if row else None, "decision": _decision(row.decision_id) if row else None}


@blp.route("/customers/<int:customer_id>/owner-override")
class OwnerOverride(MethodView):
    @require_roles(*MANAGERS, admin_scope=False)
    @blp.arguments(OverrideInSchema)
    @blp.response(200, OwnershipSchema)
    def post(self, data, customer_id):
        """Set the owner by hand with a reason (CUS-34); supersedes the automatic decision."""
        customers.get_customer(customer_id)
        override.override_owner(customer_id, data["owner_id"], data["reason"], g.user)
        db.session.commit()
        return _ownership(customer_id)


class TierInSchema(Schema):
    grade = fields.String(required=True, validate=validate.Length(min=1, max=50))


class TierResultSchema(OwnershipSchema):
    team = fields.String(allow_none=True)
    assigned = fields.Boolean()
    reason_zh = fields.String()
    reason_en = fields.String()
    skipped = fields.List(fields.Dict())


@blp.route("/customers/<int:customer_id>/assign-by-tier")
class AssignByTier(MethodView):
    @require_roles(*MANAGERS, admin_scope=False)
    @blp.arguments(TierInSchema)
    @blp.response(200, TierResultSchema)
    def post(self, data, customer_id):
        """Assign a customer by grade to the first team under capacity, then its least-loaded member
        (CUS-30); skipped teams and members are in the decision."""
        customers.get_customer(customer_id)
        tier, member, change = tiers.assign_customer_by_tier(customer_id, data["grade"])
        outcome = member or tier
        db.session.commit()
        return {**_ownership(customer_id), "team": tier.team, "assigned": change is not None,
                "reason_zh": outcome.reason_zh, "reason_en": outcome.reason_en,
                "skipped": [s.as_fact() for s in outcome.skipped]}


# --------------------------------------------------------------------------------------------------
# Lead batches (CUS-32)
# --------------------------------------------------------------------------------------------------


class LeadBatchInSchema(Schema):
    customer_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=5000))
    participant_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=500))
    event_id = fields.Integer(allow_none=True, load_default=None)
    department_id = fields.Integer(allow_none=True, load_default=None,
                                   metadata={"description": "its staff who did not take part are listed as skipped"})
    seed = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0))
    at = fields.AwareDateTime(allow_none=True, load_default=None,
                              metadata={"description": "when the batch is split (its month counts); default now"})


class LeadBatchItemSchema(Schema):
    customer_id = fields.Integer()
    kind = fields.String(metadata={"description": "equal_share | remainder | kept | unassigned"})
    staff_id = fields.Integer(allow_none=True)
    position = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class LeadBatchSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    month = fields.String()
    seed = fields.Integer()
    participants = fields.List(fields.Integer())
    priority = fields.List(fields.Integer())
    counts = fields.Dict(metadata={"description": "participant id → leads received"})
    decision = fields.Method("_decision")
    items = fields.Method("_items")

    def _decision(self, batch):
        d = _decision(batch.decision_id)
        return DecisionSchema().dump(d) if d else None

    def _items(self, batch):
        return LeadBatchItemSchema(many=True).dump(batches.items_of(batch.id))


@blp.route("/lead-batches")
class LeadBatches(MethodView):
    @require_roles(*MANAGERS, admin_scope=False)
    @blp.arguments(LeadBatchInSchema)
    @blp.response(201, LeadBatchSchema)
    def post(self, data):
        """Split an event's lead batch evenly among its participants (CUS-32)."""
        batch = batches.split_batch(data["customer_ids"], data["participant_ids"], seed=data.get("seed"),
                                    event_id=data.get("event_id"), department_id=data.get("department_id"),
                                    at=data.get("at"), created_by=g.user.id)
        db.session.commit()
        return batch


@blp.route("/lead-batches/<int:lead_batch_id>")
class LeadBatchItemView(MethodView):
    @blp.response(200, LeadBatchSchema)
    def get(self, lead_batch_id):
        """A lead batch: seed, priority, counts and each lead."""
        return batches.get_batch(lead_batch_id)


# --------------------------------------------------------------------------------------------------
# Staff contacts and flags (CUS-36)
# --------------------------------------------------------------------------------------------------


class StaffContactInSchema(Schema):
    user_id = fields.Integer(required=True)
    slot = fields.String(load_default="contact", validate=validate.OneOf(STAFF_SLOTS))
    report_duty = fields.Boolean(load_default=True, metadata={"description": "must report contacts"})


class StaffContactSchema(Schema):
    user_id = fields.Integer()
    slot = fields.String()
    report_duty = fields.Boolean()
    added_by = fields.Integer(allow_none=True)
    added_at = fields.DateTime()


class ContactTaskSchema(Schema):
    flag = fields.String()
    required = fields.Integer()
    current = fields.Integer()
    missing = fields.Integer()
    assignee_id = fields.Integer(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()


class StaffContactsSchema(Schema):
    customer_id = fields.Integer()
    flags = fields.List(fields.String())
    contacts = fields.List(fields.Nested(StaffContactSchema))
    tasks = fields.List(fields.Nested(ContactTaskSchema), metadata={"description": "open CUS-36 tasks"})


class FlagsInSchema(Schema):
    flags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), required=True,
                        validate=validate.Length(max=20))


def _contacts(customer_id: int) -> dict:
    return {"customer_id": customer_id, "flags": contacts.flags_of(customer_id),
            "contacts": contacts.contacts_of(customer_id), "tasks": list(contacts.pending_tasks(customer_id))}


@blp.route("/customers/<int:customer_id>/staff-contacts")
class StaffContacts(MethodView):
    @blp.response(200, StaffContactsSchema)
    def get(self, customer_id):
        """The customer's flags, staff contacts and open tasks (CUS-36)."""
        customers.get_customer(customer_id)
        return _contacts(customer_id)

    @require_roles(*GROUP_KEEPERS, admin_scope=False)
    @blp.arguments(StaffContactInSchema)
    @blp.response(200, StaffContactsSchema)
    def post(self, data, customer_id):
        """Link an employee as a staff contact of the customer."""
        customers.get_customer(customer_id)
        contacts.add_contact(customer_id, data["user_id"], slot=data["slot"], report_duty=data["report_duty"],
                             by=g.user.id)
        db.session.commit()
        return _contacts(customer_id)


@blp.route("/customers/<int:customer_id>/staff-contacts/<int:user_id>")
class StaffContactItem(MethodView):
    @require_roles(*GROUP_KEEPERS, admin_scope=False)
    @blp.response(200, StaffContactsSchema)
    def delete(self, customer_id, user_id):
        """Unlink a staff contact; a flag whose minimum is no longer met gets a task."""
        customers.get_customer(customer_id)
        contacts.remove_contact(customer_id, user_id)
        db.session.commit()
        return _contacts(customer_id)


@blp.route("/customers/<int:customer_id>/flags")
class CustomerFlags(MethodView):
    @require_roles(*GROUP_KEEPERS, admin_scope=False)
    @blp.arguments(FlagsInSchema)
    @blp.response(200, StaffContactsSchema)
    def put(self, data, customer_id):
        """Replace the customer's flags (``key_prospect``…); a flag needing more staff contacts than
        linked gets a CUS-36 task decision."""
        customers.get_customer(customer_id)
        contacts.set_flags(customer_id, data["flags"], by=g.user.id)
        db.session.commit()
        return _contacts(customer_id)
