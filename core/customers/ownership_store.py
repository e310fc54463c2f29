"""Who owns a customer, and every change of it (CUS-20).

One function writes ownership: :func:`set_owner`. Whatever decided the change (a claim judged by the
ownership rules, an expiry action, a rotation turn, a batch split, a random draw, a manual override, a
merge, an arbitration) calls it with its rule id and reasons; it writes the decision, the history row
and the current row in the caller's transaction. Reading: :func:`current`, :func:`history`,
:func:`owned_by`, :func:`owner_ids`.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.customers.models import OWNERSHIP_STATES, CustomerOwnership, OwnershipChange
from core.db import db, utcnow
from core.decisions import service as decisions
from core.decisions.models import Decision


def current(customer_id: int) -> CustomerOwnership | None:
    """The customer's ownership row; ``None`` when it was never owned (public pool)."""
    return db.session.scalars(select(CustomerOwnership).where(CustomerOwnership.customer_id == customer_id)).first()


def set_owner(customer_id: int, *, owner_id: int | None, state: str, rule_id: str, reason_zh: str,
              reason_en: str, department_id: int | None = None, until: dt.datetime | None = None,
              at: dt.datetime | None = None, facts: dict | None = None, outcome: dict | None = None,
              policy=None, decided_by: int | None = None, supersedes: Decision | None = None
              ) -> OwnershipChange:
    """Make ``owner_id`` (``None``: the public pool) the owner of ``customer_id`` in ``state`` from
    ``at`` (default now) until ``until``; records the decision (``rule_id``, reasons, facts, the
    policy version in force) and the history row. A manual change passes ``decided_by`` (and the
    automatic decision it ``supersedes``)."""
    if state not in OWNERSHIP_STATES:
        raise ValueError(f"unknown ownership state {state!r}")
    at = at or utcnow()
    row = current(customer_id)
    before_owner = row.owner_id if row else None
    before_department = row.department_id if row else None
    full_outcome = {"owner_id": owner_id, "department_id": department_id, "state": state,
                    "until": until.isoformat() if until else None, "previous_owner_id": before_owner,
                    **(outcome or {})}
    decision = decisions.record(rule_id, "customer", customer_id, outcome=full_outcome, reason_zh=reason_zh,
                                reason_en=reason_en, facts=facts, policy=policy, decided_by=decided_by,
                                supersedes=supersedes)
    if row is None:
        row = CustomerOwnership(customer_id=customer_id)
        db.session.add(row)
    row.owner_id, row.department_id, row.state, row.until = owner_id, department_id, state, until
    row.since = at if (before_owner != owner_id or row.since is None) else row.since
    row.decision_id = decision.id
    change = OwnershipChange(customer_id=customer_id, at=at, from_owner_id=before_owner, to_owner_id=owner_id,
                             from_department_id=before_department, to_department_id=department_id, state=state,
                             until=until, rule_id=rule_id, decision_id=decision.id, decided_by=decided_by)
    db.session.add(change)
    db.session.flush()
    return change


def history(customer_id: int) -> list[OwnershipChange]:
    """Every change of the customer's ownership, oldest first."""
    return list(db.session.scalars(select(OwnershipChange).where(OwnershipChange.customer_id == customer_id)
                                   .order_by(OwnershipChange.at, OwnershipChange.id)))


def owned_by(user_id: int):
    """The statement of the customer ids ``user_id`` owns now (any state but unowned)."""
    return select(CustomerOwnership.customer_id).where(CustomerOwnership.owner_id == user_id)


def owner_ids(customer_ids) -> dict[int, int | None]:
    """``{customer_id: owner_id}`` for the given customers (unowned ones are absent)."""
    ids = list(customer_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(CustomerOwnership.customer_id, CustomerOwnership.owner_id)
                              .where(CustomerOwnership.customer_id.in_(ids)))
    return {cid: owner for cid, owner in rows if owner is not None}
