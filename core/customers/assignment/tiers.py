"""CUS-30 ``by_tier``: a customer's grade picks the first team listed for it in ``cus.assign.by_tier``
that is under its ``cus.assign.team_capacity`` (customers owned by the team's members); inside the team,
the eligible member (CUS-30: active, not on leave) holding the fewest customers receives it (ties: the
lowest id). The grade comes from the caller (the grades module, CUS-50..53, supplies it later)."""
from __future__ import annotations

from sqlalchemy import func, select

from core.accounts.models import User
from core.customers import ownership_store
from core.customers import service as customers
from core.customers.assignment.facts import held_counts, member_at
from core.customers.assignment.rules import assign_by_tier, pick_team_member
from core.customers.models import CustomerOwnership
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import InvalidInput


def team_loads(teams) -> dict[str, int]:
    """Customers owned now by the members of each team."""
    teams = list(teams)
    if not teams:
        return {}
    rows = db.session.execute(
        select(User.team, func.count()).join(CustomerOwnership, CustomerOwnership.owner_id == User.id)
        .where(User.team.in_(teams)).group_by(User.team))
    loads = {t: 0 for t in teams}
    loads.update({team: int(n) for team, n in rows})
    return loads


def assign_customer_by_tier(customer_id: int, grade: str, *, decided_at=None):
    """Assign ``customer_id`` of ``grade`` by tier. Returns ``(assignment, member outcome, change)``;
    ``change`` is None when no team or member could take it (the decision says why; a manager assigns
    by hand, CUS-34)."""
    customer = customers.get_customer(customer_id)
    grade = (grade or "").strip()
    if not grade:
        raise InvalidInput("grade needed", fields={"grade": ["required"]})
    now = decided_at or utcnow()
    policy = cus_policy(now)
    teams = policy.values["assign"]["by_tier"].get(grade, [])
    tier = assign_by_tier(policy.values, customer.id, grade, team_loads(teams), label=customer.name)
    if tier.team is None:
        decisions.record(**tier.record_kwargs(), policy=policy)
        return tier, None, None
    users = list(db.session.scalars(select(User).where(User.team == tier.team).order_by(User.id)))
    held = held_counts(u.id for u in users)
    member = pick_team_member(tier, [member_at(u, now) for u in users], held)
    kwargs = member.record_kwargs()
    if member.staff_id is None:
        decisions.record(**kwargs, policy=policy)
        return tier, member, None
    owner = next(u for u in users if u.id == member.staff_id)
    change = ownership_store.set_owner(
        customer.id, owner_id=owner.id, state="protected", department_id=owner.department_id, at=now,
        rule_id="CUS-30", reason_zh=member.reason_zh, reason_en=member.reason_en, facts=kwargs["facts"],
        outcome=kwargs["outcome"], policy=policy)
    return tier, member, change
