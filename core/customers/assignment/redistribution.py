"""Redistribution of a leaver's customers (CUS-33 random draw, CUS-35 triggers) and the deactivation
guard (CUS-35 a).

:func:`plan_redistribution` (the manager's request) judges the trigger (``long_leave`` only when the
leave is long, ≥ ``cal.long_leave_min``, CAL-11), snapshots the customers the leaver owns, draws with
the seed (given, or a fresh one that is recorded), stores the run with one item per customer
(position in the shuffle, new owner, reasons) and the CUS-35 and CUS-33 decisions on the employee,
and enqueues the job ``cus.redistribute``. The same request again (same leaver, trigger, seed and
customers) returns the same run. :func:`apply_run` (the job) gives each planned item's customer to its
new owner through ``set_owner`` (one ``CUS-33`` decision per customer, citing the seed and position) and
marks the item applied: a re-run applies nothing twice. A customer whose owner changed since the plan
is skipped.

:func:`guard_deactivation` is called by the user service before ``is_active`` goes false: with
``cus.reassign.block_deactivation`` (default) an employee who owns customers cannot be deactivated
(409, :class:`~core.errors.Conflict`); without it, the deactivation goes through and their customers
go back to the public pool, each with a ``CUS-35`` decision.
"""
from __future__ import annotations

import hashlib
import random

from sqlalchemy import select

from core.accounts.models import User, UserRole
from core.customers import ownership_store
from core.customers.assignment.facts import local, member_at, owned_customer_ids, user_named, users_named
from core.customers.assignment.models import RedistributionItem, RedistributionRun
from core.customers.assignment.rules import (
    REDISTRIBUTION_TRIGGERS,
    check_deactivation,
    reassignment_trigger,
    redistribute,
)
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.policy import service as policy_service

#: who receives a leaver's customers when the manager names nobody: the tenant's active salespeople
#: (then ``cus.reassign.scope`` keeps those of the leaver's department or team)
DEFAULT_COLLEAGUE_ROLE = "salesperson"
JOB = "cus.redistribute"


def _default_colleagues(leaver_id: int) -> list[User]:
    holders = select(UserRole.user_id).where(UserRole.role == DEFAULT_COLLEAGUE_ROLE)
    return list(db.session.scalars(select(User).where(User.id.in_(holders), User.is_active.is_(True),
                                                      User.id != leaver_id).order_by(User.id)))


def _dedupe_key(leaver_id: int, trigger: str, seed: int | None, customers: list[int]) -> str:
    digest = hashlib.sha256(",".join(map(str, customers)).encode()).hexdigest()[:16]
    return f"{leaver_id}:{trigger}:{seed}:{digest}"


def plan_redistribution(leaver_id: int, trigger: str, *, seed: int | None = None, leave_start=None,
                        leave_end=None, colleague_ids: list[int] | None = None,
                        requested_by: int | None = None) -> tuple[RedistributionRun, bool]:
    """Plan (and enqueue) the redistribution of everything ``leaver_id`` owns. Returns ``(run, new)``;
    ``new`` is false when the same request was made before (the same run is returned)."""
    from workers.dispatch import enqueue

    if trigger not in REDISTRIBUTION_TRIGGERS:
        raise InvalidInput("unknown trigger", fields={"trigger": [
            f"Must be one of: {', '.join(REDISTRIBUTION_TRIGGERS)}."]})
    leaver = user_named(leaver_id, "leaver_id")
    now = utcnow()
    policy = cus_policy(now)
    settings = policy.values
    owned = owned_customer_ids(leaver.id)
    long_leave_min = policy_service.in_force("cal", now).values.get("long_leave_min") or "15 days"
    if (leave_start is None) != (leave_end is None) or (leave_start and leave_end < leave_start):
        raise InvalidInput("leave dates", fields={"leave_end": ["Give the start and end of the leave, end ≥ start."]})
    plan = reassignment_trigger(settings, trigger, member_at(leaver, now), owned, leave_start=leave_start,
                                leave_end=leave_end, long_leave_min=long_leave_min)
    if not plan.due:
        field = "leave_end" if trigger == "long_leave" and owned else "leaver_id"
        raise InvalidInput(plan.reason_en, fields={field: [plan.reason_en]}, rule_id="CUS-35", reason_zh=plan.reason_zh)
    if seed is None and settings["reassign"]["on_leave"] == "random_draw":
        seed = random.SystemRandom().randrange(0, 2**31)
    colleagues = (users_named(colleague_ids, "colleague_ids") if colleague_ids is not None
                  else _default_colleagues(leaver.id))
    key = _dedupe_key(leaver.id, trigger, seed, owned)
    existing = db.session.scalars(select(RedistributionRun).where(RedistributionRun.dedupe_key == key)).first()
    if existing is not None:
        return existing, False
    result = redistribute(settings, trigger, member_at(leaver, now), owned, [member_at(u, now) for u in colleagues],
                          seed=seed)
    run = RedistributionRun(leaver_id=leaver.id, trigger=trigger, strategy=result.strategy, seed=seed,
                            scope=settings["reassign"]["scope"], leave_start=leave_start, leave_end=leave_end,
                            customers=list(result.customers), shuffled=list(result.shuffled),
                            colleagues=list(result.colleagues), skipped=[s.as_fact() for s in result.skipped],
                            status="planned", dedupe_key=key, requested_by=requested_by)
    db.session.add(run)
    db.session.flush()
    decisions.record(**plan.record_kwargs(), policy=policy)
    summary = result.record_kwargs()
    summary["facts"] = {**summary["facts"], "run_id": run.id}
    run.decision_id = decisions.record(**summary, policy=policy).id
    planned = {a.customer_id: a for a in result.assignments}
    for customer_id in result.customers:
        a = planned.get(customer_id)
        db.session.add(RedistributionItem(
            run_id=run.id, customer_id=customer_id, position=a.facts["position"] if a else None,
            to_owner_id=a.staff_id if a else None, status="planned",
            reason_zh=a.reason_zh if a else result.reason_zh, reason_en=a.reason_en if a else result.reason_en))
    db.session.flush()
    if planned:
        job = enqueue(JOB, {"run_id": run.id}, created_by=requested_by, dedupe_key=f"{JOB}:{run.id}")
        run.job_id = job.id
    else:
        run.status = "done"  # nothing to apply: every customer waits for a manager's override (CUS-34)
        run.finished_at = now
    db.session.flush()
    return run, True


def get_run(run_id: int) -> RedistributionRun:
    run = db.session.scalars(select(RedistributionRun).where(RedistributionRun.id == run_id)).first()
    if run is None:
        raise NotFound("redistribution not found")
    return run


def items_of(run_id: int) -> list[RedistributionItem]:
    return list(db.session.scalars(select(RedistributionItem).where(RedistributionItem.run_id == run_id)
                                   .order_by(RedistributionItem.position, RedistributionItem.customer_id)))


def apply_run(run_id: int, progress=None) -> dict:
    """Give each planned customer of the run to its new owner (idempotent: applied items are skipped)."""
    run = get_run(run_id)
    items = [i for i in items_of(run.id) if i.to_owner_id is not None]
    owners = {u.id: u for u in users_named(sorted({i.to_owner_id for i in items}), "to_owner_id")}
    policy = cus_policy(run.created_at)
    notify = bool(policy.values["reassign"]["notify_customer"])  # CUS-35: tell customers their new contact
    applied = skipped = 0
    for done, item in enumerate(items, start=1):
        if item.status == "planned":
            row = ownership_store.current(item.customer_id)
            if row is None or row.owner_id != run.leaver_id:
                item.status = "skipped"  # the owner changed since the plan: leave it alone
                skipped += 1
            else:
                owner = owners[item.to_owner_id]
                change = ownership_store.set_owner(
                    item.customer_id, owner_id=owner.id, state=row.state, until=row.until,
                    department_id=owner.department_id, rule_id="CUS-33", reason_zh=item.reason_zh,
                    reason_en=item.reason_en,
                    facts={"run_id": run.id, "trigger": run.trigger, "leaver": run.leaver_id, "seed": run.seed,
                           "position": item.position, "customers_ascending": run.customers, "shuffled": run.shuffled,
                           "colleagues_by_id": run.colleagues, "summary_decision_id": run.decision_id},
                    outcome={"kind": "draw", "seed": run.seed, "position": item.position, "run_id": run.id,
                             "notify_customer": notify},
                    policy=policy)
                item.status, item.decision_id, item.applied_at = "applied", change.decision_id, utcnow()
                applied += 1
        if progress is not None:
            progress(done, len(items))
    run.status = "done"
    run.finished_at = run.finished_at or utcnow()
    db.session.flush()
    return {"run_id": run.id, "applied": applied, "skipped": skipped}


def redistribute_on_long_leave(user: User, requested_by: int | None = None) -> RedistributionRun | None:
    """CUS-35 (b): a user put on leave until ``availability_until`` hands their customers on by the
    tenant's strategy (``cus.reassign.on_leave = random_draw``, CUS-33) when the leave is long
    (``cal.long_leave_min``, CAL-11). A short leave, nothing owned, or ``on_leave = manual`` (the
    manager decides, CUS-34): nothing happens. Returns the run planned and enqueued, if any."""
    if user.availability != "leave" or user.availability_until is None or not owned_customer_ids(user.id):
        return None
    if cus_policy().values["reassign"]["on_leave"] != "random_draw":
        return None
    start = local(utcnow()).date()
    end = local(user.availability_until).date()
    if end < start:
        return None
    try:
        run, _new = plan_redistribution(user.id, "long_leave", leave_start=start, leave_end=end,
                                        requested_by=requested_by)
    except InvalidInput as err:
        if err.extra.get("rule_id") == "CUS-35":  # not a long leave: the customers stay
            return None
        raise
    return run


def guard_deactivation(user: User) -> None:
    """CUS-35 (a): called before ``user`` is deactivated. Raises 409 while they own customers and the
    tenant blocks it; otherwise their customers (if any) go to the public pool with a decision each."""
    now = utcnow()
    policy = cus_policy(now)
    owned = owned_customer_ids(user.id)
    check = check_deactivation(policy.values, member_at(user, now), owned)
    if not check.allowed:
        raise Conflict(check.reason_en, rule_id="CUS-35", reason_zh=check.reason_zh, reason_en=check.reason_en,
                       owned_customers=len(owned), fields={"is_active": [check.reason_en]})
    if not owned:
        return
    decision = decisions.record(**check.record_kwargs(), policy=policy)
    for customer_id in owned:
        ownership_store.set_owner(
            customer_id, owner_id=None, state="unowned", rule_id="CUS-35", policy=policy,
            reason_zh=f"原归属人{user.display_name}已停用，本租户不阻止停用，客户回到公共池。依据CUS-35。",
            reason_en=(f"The owner {user.display_name} was deactivated (the tenant does not block it); the customer "
                       f"returns to the public pool. Under CUS-35."),
            facts={"deactivated_user": user.id, "deactivation_decision_id": decision.id})
