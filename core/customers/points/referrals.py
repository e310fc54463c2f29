"""CUS-40: a referee records its referrer and the referrer's owner; the referee's owner follows
``cus.referral.owner_rule``.

- ``normal_claim`` (default): the referral changes nothing; a CUS-40 decision says so.
- ``referrer_owner`` (RE): the referee goes to the referrer's owner recorded on the referral, through
  :func:`core.customers.ownership_store.set_owner` (``rule_id`` CUS-40, or the plugin's own such as
  RE-21). A referee whose ownership is ``locked`` by a deal (CUS-26) keeps its owner. A referrer
  without an owner leaves the normal claim in place.
- ``direct_relationship`` (CAR): when the referee names a staff member it knows directly
  (``claimed_staff_id``) other than its current owner, the case needs arbitration (CUS-27): the
  decision's outcome has ``result = needs_arbitration``, the arbiters (``cus.arbitration.arbiter``)
  and the parties; the owner is not changed until the case is decided. :func:`request_arbitration`
  is the one place that records it (the arbitration cases of CUS-27 are wired to it there).

Every referral writes one decision about the referee (``subject_type = customer``) with the ``cus``
policy version in force at the referral's time; the referral row keeps its id.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from core.accounts.models import User
from core.customers import ownership_store
from core.customers.models import Customer
from core.customers.ownership import cases
from core.customers.points import rules
from core.customers.points.models import CustomerReferral
from core.customers.policy import cus_policy
from core.customers.fact_time import FUTURE_TOLERANCE
from core.db import db, utcnow
from core.decisions import service as decisions
from core.decisions.models import Decision
from core.errors import Conflict, InvalidInput, NotFound



@dataclass
class ReferralResult:
    referral: CustomerReferral
    decision: Decision
    ownership: rules.ReferralOwnership
    result: str  # owner_set | unchanged | needs_arbitration | locked


def referral_of(referee_id: int) -> CustomerReferral | None:
    """The referral of a referee (``None`` when it was not referred)."""
    return db.session.scalars(select(CustomerReferral).where(CustomerReferral.referee_id == referee_id)).first()


def get_referral(referee_id: int) -> CustomerReferral:
    referral = referral_of(referee_id)
    if referral is None:
        raise NotFound("this customer has no referral")
    return referral


def referees_of(referrer_id: int):
    """The statement of the referrals a customer made, newest first."""
    return (select(CustomerReferral).where(CustomerReferral.referrer_id == referrer_id)
            .order_by(CustomerReferral.at.desc(), CustomerReferral.id.desc()))


def _customer(customer_id: int) -> Customer | None:
    return db.session.scalars(select(Customer).where(Customer.id == customer_id)).first()


def _user(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return db.session.scalars(select(User).where(User.id == user_id)).first()


def as_rule_referral(row: CustomerReferral, names: dict[int, str] | None = None) -> rules.Referral:
    """The stored referral as the pure rules see it (customer names as labels)."""
    names = names if names is not None else _customer_names([row.referee_id, row.referrer_id])
    return rules.Referral(row.id, referee_id=row.referee_id, referrer_id=row.referrer_id,
                          referrer_owner_id=row.referrer_owner_id, at=row.at,
                          referee_label=names.get(row.referee_id, ""), referrer_label=names.get(row.referrer_id, ""))


def _customer_names(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all())


def _refers_back(referee_id: int, referrer_id: int) -> bool:
    """Whether ``referee_id`` is up the referral chain of ``referrer_id`` (a cycle)."""
    seen, current = set(), referrer_id
    while current is not None and current not in seen:
        if current == referee_id:
            return True
        seen.add(current)
        row = referral_of(current)
        current = row.referrer_id if row else None
    return False


def record_referral(referee: Customer, *, referrer_id, at: dt.datetime | None = None,
                    claimed_staff_id: int | None = None, note: str | None = None,
                    recorded_by: int | None = None, rule_id: str = "CUS-40") -> ReferralResult:
    """CUS-40: record that ``referee`` (loaded by the caller) was referred by customer
    ``referrer_id`` and decide the referee's owner. 422 for a referrer that is not another customer
    of this tenant, a cycle, an unknown staff member or a time in the future; 409 when the referee
    already has a referral (a referral is a fact: it is not replaced)."""
    errors: dict[str, list[str]] = {}
    at = at or utcnow()
    referrer = None
    if isinstance(referrer_id, bool) or not isinstance(referrer_id, int):
        errors["referrer_id"] = ["the id of the referring customer"]
    elif referrer_id == referee.id:
        errors["referrer_id"] = ["a customer cannot refer itself"]
    else:
        referrer = _customer(referrer_id)
        if referrer is None:
            errors["referrer_id"] = [f"no customer #{referrer_id}"]
        elif _refers_back(referee.id, referrer_id):
            errors["referrer_id"] = [f"customer #{referrer_id} was itself referred by this customer (a cycle)"]
    if claimed_staff_id is not None and _user(claimed_staff_id) is None:
        errors["claimed_staff_id"] = [f"no staff member #{claimed_staff_id}"]
    if at.tzinfo is None:
        errors["at"] = ["needs a time zone (e.g. +08:00)"]
    elif at > utcnow() + FUTURE_TOLERANCE:
        errors["at"] = ["a referral cannot be in the future"]
    if errors:
        raise InvalidInput("invalid referral", fields=errors)
    if referral_of(referee.id) is not None:
        raise Conflict("this customer already has a referral", fields={"referrer_id": ["already recorded"]})

    owner_row = ownership_store.current(referrer.id)
    referrer_owner_id = owner_row.owner_id if owner_row else None
    row = CustomerReferral(referee_id=referee.id, referrer_id=referrer.id, referrer_owner_id=referrer_owner_id,
                           at=at, claimed_staff_id=claimed_staff_id, note=note, recorded_by=recorded_by)
    db.session.add(row)
    db.session.flush()
    policy = cus_policy(at)
    result = decide_referee_owner(row, referee, policy, rule_id=rule_id)
    return result


def decide_referee_owner(row: CustomerReferral, referee: Customer, policy, *, rule_id: str = "CUS-40"
                         ) -> ReferralResult:
    """CUS-40 over a stored referral: asks :func:`rules.referee_owner` and acts on its outcome."""
    current = ownership_store.current(referee.id)
    claim_owner_id = current.owner_id if current else None
    arbiters = policy.values.get("arbitration", {}).get("arbiter") or ["dept_manager"]
    staff_ids = [row.referrer_owner_id, claim_owner_id, row.claimed_staff_id]
    names = {u.id: u.display_name for u in db.session.scalars(
        select(User).where(User.id.in_([i for i in staff_ids if i is not None])))}
    outcome = rules.referee_owner(policy.values, as_rule_referral(row), claim_owner_id=claim_owner_id,
                                  claimed_staff_id=row.claimed_staff_id, arbiter=" / ".join(arbiters),
                                  names=names, rule_id=rule_id)
    kwargs = outcome.record_kwargs()
    facts = {**kwargs["facts"], "current_ownership": None if current is None else {
        "owner_id": current.owner_id, "state": current.state, "decision_id": current.decision_id}}
    if outcome.arbitration:
        decision = request_arbitration(row, outcome, facts, policy, arbiters)
        result = "needs_arbitration"
    elif outcome.owner_id is not None and outcome.owner_id != claim_owner_id:
        if current is not None and current.state == "locked":
            decision = decisions.record(
                rule_id, "customer", referee.id, policy=policy, facts=facts,
                outcome={**kwargs["outcome"], "owner_id": claim_owner_id, "result": "locked"},
                reason_zh=f"{outcome.reason_zh[:-1]}；但该客户已成交锁定（CUS-26），归属不变。",
                reason_en=f"{outcome.reason_en} The customer is locked by a deal (CUS-26), so the owner stays.")
            result = "locked"
        else:
            change = ownership_store.set_owner(
                referee.id, owner_id=outcome.owner_id, state=current.state if current and current.state != "unowned"
                else "protected", until=current.until if current and current.state != "unowned" else None,
                at=max(row.at, current.since) if current else row.at, rule_id=rule_id, reason_zh=outcome.reason_zh, reason_en=outcome.reason_en, facts=facts,
                outcome={"owner_rule": outcome.owner_rule, "referral_id": row.id, "result": "owner_set"},
                policy=policy)
            decision = decisions.get(change.decision_id)
            result = "owner_set"
    else:
        decision = decisions.record(rule_id, "customer", referee.id, policy=policy, facts=facts,
                                    outcome={**kwargs["outcome"], "result": "unchanged"},
                                    reason_zh=outcome.reason_zh, reason_en=outcome.reason_en)
        result = "unchanged"
    row.decision_id = decision.id
    db.session.flush()
    return ReferralResult(row, decision, outcome, result)


def request_arbitration(row: CustomerReferral, outcome: rules.ReferralOwnership, facts: dict, policy,
                        arbiters: list[str]) -> Decision:
    """CUS-40 → CUS-27: the referee claims a direct relationship with a staff member other than its
    owner. Opens an arbitration case (a dispute about the referee's ownership, CUS-27) and records the
    decision that it needs arbitration (``result = needs_arbitration``, arbiters, parties, the case);
    the owner stays as it is until the arbiter decides."""
    case = cases.open_case(row.referee_id, reason="dispute", opened_by=None,
                           note=f"CUS-40: 被介绍客户称与员工#{row.claimed_staff_id}有直接关系 / "
                                f"the referee names staff #{row.claimed_staff_id} (direct relationship)")
    return decisions.record(
        outcome.rule_id, "customer", row.referee_id, policy=policy, facts=facts,
        outcome={**outcome.outcome(), "result": "needs_arbitration", "arbiters": list(arbiters),
                 "referral_id": row.id, "arbitration_rule": "CUS-27", "case_id": case.id},
        reason_zh=outcome.reason_zh, reason_en=outcome.reason_en)
