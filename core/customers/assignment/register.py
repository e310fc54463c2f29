"""The visitor and call register (CUS-80) and the rotation that receives new customers (CUS-31).

:func:`register_arrival` writes one register entry. The customer is found by the normalised phone
among the tenant's customers (CUS-10): found → a returning customer, received by their owner, no turn
consumed; not found → a first visit, the customer is created. A first-time customer who designates a
salesperson (or names one: the first named is the designated) goes to that person without a turn.
Any other first-time customer takes a rotation turn: the group's row is locked (``SELECT … FOR
UPDATE`` on PostgreSQL) while :func:`~core.customers.assignment.rules.next_turn` judges the arrival
from the members' availability (CAL-11), so two simultaneous arrivals never take the same turn; the
new state is stored and a ``CUS-31`` decision on the entry lists the skipped members and their
reasons. :func:`claim_for_receiver` then makes the receiver the owner.

A customer already in the archive without an owner (public pool) who comes back is received like a
first-time customer (designation or rotation) and claimed by the receiver, but is recorded as
returning (``first_visit = false``): nobody owns them, so there is nobody to go back to.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.customers import ownership_store
from core.customers import service as customers
from core.customers.assignment.facts import member_at, tenant_timezone, user_named, users_named
from core.customers.assignment.models import RegisterEntry, RotationGroup
from core.customers.assignment.rules import DESIGNATED, NEW, RETURNING, Arrival, RotationState, next_turn, with_order
from core.customers.confidentiality.viewer import unrestricted
from core.customers.identity import normalise_phone
from core.customers.models import CustomerPhone
from core.customers.ownership.service import record_claim
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound

KIND_ZH = {"visit": "来访", "call": "来电"}
RECEIVED_ZH = {"regular": "正常轮次", "make_up": "补接", "designated": "客户指定"}
RECEIVED_EN = {"regular": "a regular rotation turn", "make_up": "a make-up turn", "designated": "the customer's designation"}


# --------------------------------------------------------------------------------------------------
# Rotation groups
# --------------------------------------------------------------------------------------------------


def get_group(group_id: int, *, lock: bool = False, field: str | None = None) -> RotationGroup:
    """A rotation group; ``lock`` takes its row lock until the transaction ends (PostgreSQL)."""
    stmt = select(RotationGroup).where(RotationGroup.id == group_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    group = db.session.scalars(stmt).first()
    if group is None:
        if field:
            raise InvalidInput("unknown rotation group", fields={field: ["No such rotation group."]})
        raise NotFound("rotation group not found")
    return group


def save_group(group: RotationGroup | None, *, name: str | None = None, members: list[int] | None = None,
               department_id: int | None = None, department_given: bool = False) -> RotationGroup:
    """Create or change a rotation group. New members (a new order) restart the pointer at the first
    member; owed turns of members still in the order are kept (``with_order``)."""
    from core.accounts.service import get_department

    creating = group is None
    group = group or RotationGroup(members=[], owed=[], turns_today={})
    if name is not None:
        clash = db.session.scalars(select(RotationGroup).where(RotationGroup.name == name.strip())).first()
        if clash is not None and clash is not group:
            raise Conflict("rotation group name taken", fields={"name": ["already taken"]})
        group.name = name.strip()
    if department_given or creating:
        if department_id is not None:
            get_department(department_id, field="department_id")
        group.department_id = department_id
    if members is not None:
        users_named(members, "members", active=True)
        group.store(with_order(group.state(), members) if not creating else RotationState(order=tuple(members)))
    db.session.add(group)
    db.session.flush()
    return group


def _resolve_group_id(group_id: int | None, department_id: int | None) -> int:
    """The group of an arrival: the one named, else the department's, else the tenant's only one."""
    if group_id is not None:
        return get_group(group_id, field="rotation_group_id").id
    stmt = select(RotationGroup.id).order_by(RotationGroup.id)
    if department_id is not None:
        ids = list(db.session.scalars(stmt.where(RotationGroup.department_id == department_id)))
    else:
        ids = list(db.session.scalars(stmt))
    if len(ids) == 1:
        return ids[0]
    message = ("No rotation group: designate a salesperson or create a rotation group." if not ids else
               "Several rotation groups: name the rotation group (or the department) of the arrival.")
    raise InvalidInput("which rotation group?", fields={"rotation_group_id": [message]})


# --------------------------------------------------------------------------------------------------
# Register entries
# --------------------------------------------------------------------------------------------------


def find_customer_by_phone(phone: str):
    """The tenant's customer with this normalised (E.164) phone, the oldest first; None if nobody has it.
    Used by the register and by industry plugins' own registers (real estate's reception)."""
    ids = select(CustomerPhone.customer_id).where(CustomerPhone.e164 == phone)
    from core.customers.models import Customer

    return db.session.scalars(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id)).first()


def create_registered_customer(name: str, phone_raw: str, source: str | None, region: str, recorded_by: int | None):
    """A customer created from a register line: (customer, True), or (the one registered a moment ago by
    someone else, False); invalid input → 422 on the register's own field names (``phone``)."""
    try:
        customer, _verdict = customers.create_customer(
            {"name": name, "phones": [{"number": phone_raw}], "source": source}, region=region,
            created_by=recorded_by)
    except Conflict as exc:  # registered by someone else a moment ago
        existing = exc.extra.get("existing_id")
        if existing is None:
            raise
        return customers.get_customer(existing), False
    except InvalidInput as exc:  # report on the register's own field names
        fields = dict(exc.fields)
        if "phones" in fields:
            fields["phone"] = ["not a usable phone number"]
            fields.pop("phones")
        raise InvalidInput(exc.message, fields=fields) from None
    return customer, True


def register_arrival(data: dict, *, region: str = "CN", recorded_by: int | None = None) -> RegisterEntry:
    """Write a register entry (CUS-80) and receive the customer (CUS-31). ``data``: ``at`` (aware,
    default now), ``kind`` (visit|call), ``customer_name``, ``phone``, ``named_salespersons`` (user ids
    in the customer's order), ``designated_id``, ``rotation_group_id`` or ``department_id``,
    ``source``, ``note``. Invalid input → 422 naming the field, nothing written."""
    at = data.get("at") or utcnow()
    errors: dict = {}
    if at > utcnow() + dt.timedelta(minutes=5):
        errors["at"] = ["An arrival cannot be in the future."]
    name = (data.get("customer_name") or "").strip()
    if not name:
        errors["customer_name"] = ["required"]
    try:
        phone = normalise_phone(data.get("phone") or "", region).stored
    except InvalidInput:
        errors["phone"] = [f"not a valid phone number: {data.get('phone')}"]
    if errors:
        raise InvalidInput("invalid register entry", fields=errors)
    named_users = users_named(data.get("named_salespersons") or [], "named_salespersons")
    named = [u.id for u in named_users]
    designated_id = data.get("designated_id")
    if designated_id is not None:
        user_named(designated_id, "designated_id", active=True)
    else:  # the first salesperson the customer named who still works here
        designated_id = next((u.id for u in named_users if u.is_active), None)
    group_id = data.get("rotation_group_id")
    if group_id is not None:
        get_group(group_id, field="rotation_group_id")

    customer = find_customer_by_phone(phone)
    first_visit = customer is None
    owner_id = None
    if customer is not None:
        row = ownership_store.current(customer.id)
        if row is not None and row.owner_id is not None and row.state != "unowned":
            owner_id = row.owner_id
    else:
        customer, first_visit = create_registered_customer(name, data.get("phone"), data.get("source"), region, recorded_by)
        if not first_visit:  # created concurrently: it may already have an owner
            row = ownership_store.current(customer.id)
            owner_id = row.owner_id if row is not None and row.state != "unowned" else None

    if owner_id is not None:
        arrival_kind, staff_id = RETURNING, owner_id
    elif designated_id is not None:
        arrival_kind, staff_id = DESIGNATED, designated_id
    else:
        arrival_kind, staff_id = NEW, None

    entry = RegisterEntry(at=at, kind=data.get("kind") or "visit", customer_name=name, phone=phone,
                          customer_id=customer.id, first_visit=first_visit, named_salespersons=named,
                          designated_id=designated_id, source=data.get("source"), note=data.get("note"),
                          outcome="pending", outcome_reasons=[], recorded_by=recorded_by, received_as="none")
    db.session.add(entry)
    db.session.flush()

    policy = cus_policy(at)
    arrival = Arrival(entry.id, at, arrival_kind, customer.id, staff_id, label=customer.name)
    if arrival_kind == NEW:
        group = get_group(_resolve_group_id(group_id, data.get("department_id")), lock=True)
        users = {u.id: u for u in users_named(group.members or [], "members")}
        staff = [member_at(users[i], at) for i in group.members or []]
        assignment, after = next_turn(policy.values, group.state(), staff, arrival, timezone=tenant_timezone())
        group.store(after)
        entry.rotation_group_id = group.id
    else:
        staff = [member_at(user_named(staff_id, "designated_id"), at)]
        assignment, _same = next_turn(policy.values, RotationState(order=()), staff, arrival,
                                      timezone=tenant_timezone())
        entry.rotation_group_id = group_id
    entry.receiver_id = assignment.staff_id
    entry.received_as = assignment.kind
    entry.turn_consumed = assignment.consumes_turn
    kwargs = assignment.record_kwargs()
    kwargs.update(subject_type="register_entry", subject_id=entry.id,
                  facts={**kwargs["facts"], "register_entry": {"id": entry.id, "kind": entry.kind, "phone": phone,
                                                              "first_visit": first_visit, "named": named,
                                                              "designated_id": designated_id},
                         "rotation_group_id": entry.rotation_group_id})
    entry.decision_id = decisions.record(**kwargs, policy=policy).id
    claim_for_receiver(entry)
    db.session.flush()
    return entry


def claim_for_receiver(entry: RegisterEntry):
    """The register entry is first-claim evidence (CUS-21, 首访原则) of its receiver, from the register
    time: the ownership rules decide who owns the customer and for how long (the tenant's protection
    mode, CUS-22..24; an earlier valid claim of a colleague wins). Returning customers keep their
    owner: nothing is claimed."""
    if entry.receiver_id is None or entry.received_as not in ("regular", "make_up", "designated"):
        return None
    receiver = user_named(entry.receiver_id, "receiver_id")
    with unrestricted("a register entry links the customer by phone, whoever keeps the register"):
        return record_claim(entry.customer_id, kind="register", at=entry.at, claimant_id=receiver.id,
                            department_id=receiver.department_id, source_type="register_entry",
                            source_id=entry.id, note=f"{RECEIVED_ZH[entry.received_as]} / CUS-31")


def get_entry(entry_id: int) -> RegisterEntry:
    entry = db.session.scalars(select(RegisterEntry).where(RegisterEntry.id == entry_id)).first()
    if entry is None:
        raise NotFound("register entry not found")
    return entry


def entries(*, day: dt.date | None = None, kind: str | None = None, receiver_id: int | None = None):
    """Register entries newest first; ``day`` is a local day of the tenant."""
    stmt = select(RegisterEntry).order_by(RegisterEntry.at.desc(), RegisterEntry.id.desc())
    if day is not None:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(tenant_timezone())
        start = dt.datetime.combine(day, dt.time(), tz)
        stmt = stmt.where(RegisterEntry.at >= start, RegisterEntry.at < start + dt.timedelta(days=1))
    if kind:
        stmt = stmt.where(RegisterEntry.kind == kind)
    if receiver_id is not None:
        stmt = stmt.where(RegisterEntry.receiver_id == receiver_id)
    return stmt


def record_outcome(entry: RegisterEntry, *, outcome: str | None = None, reasons: list[str] | None = None,
                   note: str | None = None, note_given: bool = False) -> RegisterEntry:
    """The outcome of a visit or call and its reasons (no deal, cancellation…, CUS-80)."""
    if outcome is not None:
        entry.outcome = outcome
    if reasons is not None:
        entry.outcome_reasons = [r.strip() for r in reasons if r and r.strip()]
    if note_given:
        entry.note = note
    if entry.outcome in ("no_deal", "cancelled") and not entry.outcome_reasons:
        raise InvalidInput("reasons needed", fields={"outcome_reasons": [
            "Say why there was no deal or why it was cancelled."]})
    db.session.flush()
    return entry
