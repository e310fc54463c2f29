"""CUS-32: an event's lead batch split evenly among the employees who took part.

The leads are customers already through the CRM entry step (created, normalised, deduplicated).
:func:`split_batch` keeps the leads validly owned (ownership ``protected``, ``expiring`` or
``locked``) with their owners, splits the others with
:func:`~core.customers.assignment.rules.split_lead_batch` (remainder to the participants with the
fewest batch leads this local month, ties by the seeded shuffle; the seed is given or drawn and
recorded), gives each lead to its receiver through ``set_owner`` (a ``CUS-32`` decision per lead),
stores the batch with one item per lead and adds the leads to each receiver's monthly count
(:class:`~core.customers.assignment.models.LeadBatchCount`).
"""
from __future__ import annotations

import random

from sqlalchemy import select, update

from core.accounts.models import User
from core.customers import ownership_store
from core.customers.assignment.facts import VALIDLY_OWNED, local, member_at, users_named
from core.customers.assignment.models import LeadBatch, LeadBatchCount, LeadBatchItem
from core.customers.assignment.rules import Lead, split_lead_batch
from core.customers.models import Customer, CustomerOwnership
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import InvalidInput, NotFound
from core.tenancy import current_tenant_id


def month_of(at) -> str:
    return local(at).strftime("%Y-%m")


def received_this_month(staff_ids, month: str) -> dict[int, int]:
    ids = list(staff_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(LeadBatchCount.staff_id, LeadBatchCount.count)
                              .where(LeadBatchCount.month == month, LeadBatchCount.staff_id.in_(ids)))
    return {sid: n for sid, n in rows}


def _add_counts(counts: dict[int, int], month: str) -> None:
    """Add the batch's leads to each receiver's month (an atomic increment; the row is created once)."""
    for staff_id, n in counts.items():
        if not n:
            continue
        done = db.session.execute(update(LeadBatchCount).where(LeadBatchCount.tenant_id == current_tenant_id(),
                                                               LeadBatchCount.staff_id == staff_id,
                                                               LeadBatchCount.month == month)
                                  .values(count=LeadBatchCount.count + n)).rowcount
        if not done:
            db.session.add(LeadBatchCount(staff_id=staff_id, month=month, count=n))
            db.session.flush()


def split_batch(customer_ids: list[int], participant_ids: list[int], *, seed: int | None = None,
                event_id: int | None = None, department_id: int | None = None, at=None,
                created_by: int | None = None) -> LeadBatch:
    """Split a lead batch (CUS-32). Unknown customers or participants → 422 naming the field."""
    from core.accounts.service import get_department
    from core.customers.assignment.rules.shuffle import _check_seed

    customer_ids = list(customer_ids)
    if not customer_ids:
        raise InvalidInput("empty batch", fields={"customer_ids": ["At least one lead."]})
    if len(set(customer_ids)) != len(customer_ids):
        raise InvalidInput("lead listed twice", fields={"customer_ids": ["A lead is listed twice."]})
    found = {c.id: c for c in db.session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))}
    unknown = [c for c in customer_ids if c not in found]
    if unknown:
        raise InvalidInput("unknown customer", fields={"customer_ids": [
            f"No such customer: {', '.join(map(str, unknown))}."]})
    if not participant_ids:
        raise InvalidInput("no participants", fields={"participant_ids": ["At least one participant."]})
    participants = users_named(participant_ids, "participant_ids")
    department_staff: list[User] = []
    if department_id is not None:
        get_department(department_id, field="department_id")
        department_staff = list(db.session.scalars(select(User).where(User.department_id == department_id)
                                                   .order_by(User.id)))
    seed = _check_seed(seed) if seed is not None else random.SystemRandom().randrange(0, 2**31)
    at = at or utcnow()
    month = month_of(at)
    policy = cus_policy(at)

    rows = {r.customer_id: r for r in db.session.scalars(
        select(CustomerOwnership).where(CustomerOwnership.customer_id.in_(customer_ids)))}
    leads = []
    for cid in customer_ids:
        row = rows.get(cid)
        owned = row is not None and row.owner_id is not None and row.state in VALIDLY_OWNED
        leads.append(Lead(cid, customer_id=cid, owner_id=row.owner_id if owned else None, label=found[cid].name))
    batch = LeadBatch(event_id=event_id, department_id=department_id, at=at, month=month, seed=seed,
                      participants=[u.id for u in participants], created_by=created_by)
    db.session.add(batch)
    db.session.flush()
    received = received_this_month([u.id for u in participants], month)
    split = split_lead_batch(policy.values, leads, [member_at(u, at) for u in participants], seed=seed,
                             received_this_month=received, department_staff=[member_at(u, at) for u in department_staff],
                             event_id=event_id, batch_id=batch.id)
    receivers = {u.id: u for u in participants}
    for a in split.assignments:
        owner = receivers[a.staff_id]
        kwargs = a.record_kwargs()
        change = ownership_store.set_owner(
            a.customer_id, owner_id=owner.id, state="protected", department_id=owner.department_id, at=at,
            rule_id="CUS-32", reason_zh=a.reason_zh, reason_en=a.reason_en, facts=kwargs["facts"],
            outcome={**kwargs["outcome"], "batch_id": batch.id}, policy=policy)
        db.session.add(LeadBatchItem(batch_id=batch.id, customer_id=a.customer_id, kind=a.kind, staff_id=owner.id,
                                     position=a.facts["position"], decision_id=change.decision_id))
    for lead in split.kept:
        db.session.add(LeadBatchItem(batch_id=batch.id, customer_id=lead.id, kind="kept", staff_id=lead.owner_id))
    for cid in split.unassigned:
        db.session.add(LeadBatchItem(batch_id=batch.id, customer_id=cid, kind="unassigned"))
    _add_counts(dict(split.counts), month)
    batch.priority = list(split.priority)
    batch.counts = {str(k): v for k, v in split.counts.items()}
    batch.decision_id = decisions.record(**split.record_kwargs(), policy=policy).id
    db.session.flush()
    return batch


def get_batch(batch_id: int) -> LeadBatch:
    batch = db.session.scalars(select(LeadBatch).where(LeadBatch.id == batch_id)).first()
    if batch is None:
        raise NotFound("lead batch not found")
    return batch


def items_of(batch_id: int) -> list[LeadBatchItem]:
    return list(db.session.scalars(select(LeadBatchItem).where(LeadBatchItem.batch_id == batch_id)
                                   .order_by(LeadBatchItem.customer_id)))
