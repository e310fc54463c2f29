"""Ownership and protection, the service (CUS-14, CUS-20..CUS-26): record the facts, re-judge, answer
"who owns this customer and why".

- :func:`record_claim` (CUS-21 evidence; other modules call it: registers, meetings, cards, lists),
  :func:`approve_claim` (CUS-24 takeover approved by the claim approver), :func:`void_claim`,
  :func:`record_deal` (CUS-26; plugins call it for their deal event).
- :func:`rejudge` loads the facts of the customer's household (claims, the contact log, deals, decided
  assignments from the ownership history), calls :func:`~core.customers.ownership.state.ownership_state`
  under the ``cus`` policy in force at the claim's time with the tenant calendar, carries out a CUS-25
  ``transfer_to_role`` when the window is over, and writes through
  :func:`core.customers.ownership_store.set_owner` only when owner, department, state or window end
  change: re-judging twice changes nothing.
- :func:`owner_answer` the CUS-20 answer with the current decision chain; :func:`history_answer`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from core.accounts.models import Department, User
from core.calendar.service import tenant_calendar
from core.customers import ownership_store as store
from core.customers.duplicates import OwnerClaim, household_ownership
from core.customers.fact_time import fact_time
from core.customers.models import ContactLogEntry, Customer, OwnershipChange
from core.customers.ownership import clock, households
from core.customers.ownership.expiry import expiry_action
from core.customers.ownership.facts import Claim, ContactEvent, Deal, Fact, RuleDecision, Staff, iso
from core.customers.ownership.models import CLAIM_KINDS, CustomerClaim, CustomerDeal
from core.customers.ownership.state import OwnershipState, ownership_state
from core.customers.ownership.vocabulary import ASSIGNMENT, CLAIMABLE, EXPIRING, PROTECTED, UNOWNED
from core.customers.policy import cus_policy
from core.customers.staff_facts import staff, users_by_id
from core.db import db
from core.decisions import service as decisions
from core.decisions.models import Decision
from core.errors import Conflict, InvalidInput, NotFound

#: rule ids whose ownership changes the re-judging derives itself; any other change of owner (CUS-25
#: transfer, CUS-27 ruling, CUS-31..35 assignment, CUS-34 override) is a decided assignment fact.
DERIVED_RULES = frozenset({"CUS-14", "CUS-20", "CUS-21", "CUS-22", "CUS-23", "CUS-24", "CUS-26"})


# --------------------------------------------------------------------------- recording facts


def _aware(name: str, value: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    return fact_time(value, name, now)


def _user(user_id: int | None, field: str) -> User:
    user = users_by_id([user_id]).get(user_id) if user_id is not None else None
    if user is None:
        raise InvalidInput("unknown user", fields={field: ["no such user in this tenant"]})
    return user


def record_claim(customer_id, *, kind, at, claimant_id, department_id=None, source_type=None, source_id=None,
                 note=None) -> CustomerClaim:
    """CUS-21: store one piece of evidence that ``claimant_id`` claims the customer at ``at`` and
    re-judge its ownership. ``kind``: register | meeting_record | card_signature | submitted_list |
    assignment (a decided assignment; ``source_type`` may name its rule, e.g. ``CUS-31``).
    ``department_id`` defaults to the claimant's department. Raises InvalidInput (422) naming the field."""
    from core.customers.service import get_customer

    get_customer(customer_id)
    now = clock.now()
    errors = {}
    if kind not in CLAIM_KINDS:
        errors["kind"] = [f"one of {', '.join(CLAIM_KINDS)}"]
    if errors:
        raise InvalidInput("invalid claim", fields=errors)
    at = _aware("at", at, now)
    user = _user(claimant_id, "claimant_id")
    if department_id is not None and db.session.scalars(
            select(Department.id).where(Department.id == department_id)).first() is None:
        raise InvalidInput("invalid claim", fields={"department_id": ["no such department"]})
    claim = CustomerClaim(customer_id=customer_id, kind=kind, at=at, claimant_id=user.id,
                          department_id=department_id if department_id is not None else user.department_id,
                          source_type=source_type, source_id=source_id, note=note, void=False)
    db.session.add(claim)
    db.session.flush()
    rejudge(customer_id)
    return claim


def claims_of(customer_id: int):
    """The statement of a customer's claims, in evidence order."""
    return select(CustomerClaim).where(CustomerClaim.customer_id == customer_id).order_by(
        CustomerClaim.at, CustomerClaim.id)


def get_claim(customer_id: int, claim_id: int) -> CustomerClaim:
    claim = db.session.scalars(select(CustomerClaim).where(
        CustomerClaim.id == claim_id, CustomerClaim.customer_id == customer_id)).first()
    if claim is None:
        raise NotFound("claim not found")
    return claim


def approve_claim(customer_id: int, claim_id: int, *, by: int, at: dt.datetime | None = None) -> CustomerClaim:
    """CUS-24: the claim approver (``cus.ownership.under_service.claim_approver``) approves another
    employee's claim on a claimable customer; the owner changes from the approval (re-judged)."""
    claim = get_claim(customer_id, claim_id)
    if claim.void:
        raise Conflict("the claim is void")
    if claim.approved_at is not None:
        raise Conflict("the claim is already approved")
    claim.approved_at = _aware("at", at, clock.now())
    claim.approved_by = by
    db.session.flush()
    rejudge(customer_id)
    return claim


def void_claim(customer_id: int, claim_id: int) -> CustomerClaim:
    """A claim recorded in error no longer counts (kept, flagged ``void``); ownership is re-judged."""
    claim = get_claim(customer_id, claim_id)
    if not claim.void:
        claim.void = True
        db.session.flush()
        rejudge(customer_id)
    return claim


def record_deal(customer_id, *, at, performance_owner_id, kind="deal", source=None) -> CustomerDeal:
    """CUS-26: a deal (the plugin's event: RE subscription, CAR paid order...) locks ownership to the
    performance owner (STF-30); windows stop."""
    from core.customers.service import get_customer

    get_customer(customer_id)
    at = _aware("at", at, clock.now())
    user = _user(performance_owner_id, "performance_owner_id")
    if not kind or len(kind) > 60:
        raise InvalidInput("invalid deal", fields={"kind": ["1 to 60 characters"]})
    deal = CustomerDeal(customer_id=customer_id, at=at, performance_owner_id=user.id, kind=kind, source=source)
    db.session.add(deal)
    db.session.flush()
    rejudge(customer_id)
    return deal


def deals_of(customer_id: int):
    return select(CustomerDeal).where(CustomerDeal.customer_id == customer_id).order_by(
        CustomerDeal.at, CustomerDeal.id)


# --------------------------------------------------------------------------- facts and judging


@dataclass
class Facts:
    """What the rules read about one household, with the rows they came from."""

    members: list[int]
    links: list
    claims: list[Claim]
    contacts: list[ContactEvent]
    deals: list[Deal]
    users: dict[int, User]
    claim_customer: dict[int, int]  # claim record id → customer id


def _staff_of(users: dict[int, User], user_id: int | None) -> Staff | None:
    if user_id is None:
        return None
    user = users.get(user_id)
    return staff(user) if user is not None else Staff(user_id)


def load_facts(members: list[int], links=()) -> Facts:
    # CUS-06: an archive awaiting its confirmation signature gives no ownership protection yet
    unconfirmed = set(db.session.scalars(select(Customer.id).where(Customer.id.in_(members),
                                                                   Customer.effective_at.is_(None))))
    claim_rows = [c for c in db.session.scalars(select(CustomerClaim).where(
        CustomerClaim.customer_id.in_(members), CustomerClaim.void.is_(False))) if c.customer_id not in unconfirmed]
    contact_rows = list(db.session.scalars(select(ContactLogEntry).where(ContactLogEntry.customer_id.in_(members))))
    deal_rows = list(db.session.scalars(select(CustomerDeal).where(CustomerDeal.customer_id.in_(members))))
    change_rows = [c for c in db.session.scalars(select(OwnershipChange).where(
        OwnershipChange.customer_id.in_(members)).order_by(OwnershipChange.at, OwnershipChange.id))
        if c.rule_id not in DERIVED_RULES and c.to_owner_id is not None and c.to_owner_id != c.from_owner_id]
    ids = [c.claimant_id for c in claim_rows] + [c.approved_by for c in claim_rows]
    ids += [c.user_id for c in contact_rows] + [d.performance_owner_id for d in deal_rows]
    ids += [c.to_owner_id for c in change_rows]
    users = users_by_id(ids)
    claims = [Claim(_staff_of(users, c.claimant_id), c.kind, c.at, c.id, approved_at=c.approved_at,
                    approved_by=_staff_of(users, c.approved_by),
                    rule_id=c.source_type if c.kind == ASSIGNMENT and decisions.RULE_ID.match(c.source_type or "")
                    else None)
              for c in claim_rows]
    claims += [Claim(_staff_of(users, c.to_owner_id), ASSIGNMENT, c.at, f"change:{c.id}", rule_id=c.rule_id)
               for c in change_rows]
    contacts = [ContactEvent(c.channel, c.at, _staff_of(users, c.user_id), c.id, confirmed_at=c.confirmed_at,
                             customer_signed=c.customer_signed if c.status == "logged" else False)
                for c in contact_rows]
    deals = [Deal(d.at, _staff_of(users, d.performance_owner_id), d.kind, d.id) for d in deal_rows]
    return Facts(members, list(links), claims, contacts, deals, users,
                 {c.id: c.customer_id for c in claim_rows})


def _judge(facts: Facts, as_of: dt.datetime, at: dt.datetime | None = None):
    """The state under the ``cus`` version in force at the deciding claim's time (CUS §1 policy
    versions): judged first under the version of ``at`` (default ``as_of``), then again under the
    version of the tenure's start when that differs."""
    view = cus_policy(at or as_of)
    calendar, _cal_view = tenant_calendar(as_of)
    state = ownership_state(view.values, calendar, facts.claims, facts.contacts, facts.deals, as_of)
    if state.since is not None:
        start_view = cus_policy(state.since)
        if start_view.version != view.version:
            view = start_view
            state = ownership_state(view.values, calendar, facts.claims, facts.contacts, facts.deals, as_of)
    return state, view, calendar


def successor_for(state: OwnershipState, role: str, users: dict[int, User]) -> Staff | None:
    """CUS-25 ``transfer_to_role``: the holder of ``role`` in the owner's department — the department
    head for ``dept_manager`` — else the first active user of that department with the role."""
    owner = users.get(state.owner.id) if state.owner else None
    department_id = owner.department_id if owner else None
    if department_id is None:
        return None
    if role == "dept_manager":
        head = db.session.scalars(select(Department.head_user_id).where(Department.id == department_id)).first()
        if head is not None:
            user = users_by_id([head]).get(head)
            if user is not None and user.is_active:
                users[user.id] = user
                return staff(user)
    for user in db.session.scalars(select(User).where(User.department_id == department_id,
                                                      User.is_active.is_(True)).order_by(User.id)):
        if user.has_role(role) and (state.owner is None or user.id != state.owner.id):
            users[user.id] = user
            return staff(user)
    return None


def judge(customer_id: int, as_of: dt.datetime | None = None) -> tuple[OwnershipState, object, Facts, list]:
    """``(state, policy view, facts, extra decisions)`` of ``customer_id`` as of ``as_of`` (default now),
    with a due CUS-25 transfer carried out and the CUS-14 household decision when another member's
    claim decides."""
    as_of = as_of or clock.now()
    values = cus_policy(as_of).values
    members, links = households.household(customer_id, values)
    facts = load_facts(members, links)
    state, view, calendar = _judge(facts, as_of)
    extra: list[RuleDecision] = []
    pending = state.pending_action
    if pending is not None and pending.action == "transfer_to_role" and state.owner is not None:
        successor = successor_for(state, pending.role, facts.users)
        if successor is not None:
            outcome = expiry_action(view.values, state, successor)
            facts.claims.append(outcome.assignment())
            state = ownership_state(view.values, calendar, facts.claims, facts.contacts, facts.deals, as_of)
            extra.append(outcome.decision)
    if len(members) > 1 and state.claim is not None and isinstance(state.claim.record_id, int):
        decided_on = facts.claim_customer.get(state.claim.record_id)
        if decided_on is not None and decided_on != customer_id and state.owner is not None:
            extra.append(_household_decision(facts, state, decided_on, calendar))
    return state, view, facts, extra


def _household_decision(facts: Facts, state: OwnershipState, decided_on: int, calendar) -> RuleDecision:
    hs = households.settings(cus_policy(state.since).values if state.since else None)
    outcome = household_ownership(facts.links, [OwnerClaim(decided_on, state.owner.id, state.claim.at, True,
                                                           state.claim.record_id)],
                                  hs, timezone=str(calendar.tz))
    group = outcome[0] if outcome else None
    zh = group.reason_zh if group else "家庭按一个客户计（CUS-14）。"
    en = group.reason_en if group else "The household counts as one customer (CUS-14)."
    facts_used = tuple(Fact("household_link", None, None, f"{lk.a}:{lk.relation}:{lk.b}") for lk in facts.links)
    facts_used += (Fact(f"claim:{state.claim.kind}", state.claim.record_id, state.claim.at,
                        f"{state.owner.id}:customer:{decided_on}"),)
    return RuleDecision("CUS-14", facts_used, {"owner": state.owner, "members": facts.members,
                                               "decided_on": decided_on}, zh, en)


def _effective_at(state: OwnershipState, row, owner_id, as_of: dt.datetime) -> dt.datetime:
    if row is None or row.owner_id != owner_id:
        at = state.since or state.ended_at or as_of
    elif state.ended_at is not None and row.state not in (CLAIMABLE, UNOWNED):
        at = state.ended_at
    elif state.status == EXPIRING and state.warning_at is not None and row.state != EXPIRING:
        at = state.warning_at
    else:
        at = as_of
    return min(at, as_of)


def rejudge(customer_id: int, *, as_of: dt.datetime | None = None) -> list[OwnershipChange]:
    """Re-judge the ownership of the customer's household as of ``as_of`` (default now) and write what
    changed (one ``set_owner`` per member whose owner, department, state or window end changed)."""
    as_of = as_of or clock.now()
    values = cus_policy(as_of).values
    members, _links = households.household(customer_id, values)
    changes = []
    for member in members:
        change = _write(member, *judge(member, as_of), as_of)
        if change is not None:
            changes.append(change)
    return changes


def _write(customer_id: int, state: OwnershipState, view, facts: Facts, extra: list, as_of: dt.datetime):
    owner_id = state.owner.id if state.owner is not None else None
    owner = facts.users.get(owner_id) if owner_id is not None else None
    department_id = owner.department_id if owner is not None else None
    until = state.window_end if state.status in (PROTECTED, EXPIRING, CLAIMABLE) else None
    row = store.current(customer_id)
    if row is None and owner_id is None:
        return None  # never owned and still in the public pool
    if row is not None and row.owner_id is None and row.state == "locked":
        return None  # forfeited to the department by an arbitration (CUS-27): only a person changes it
    if row is not None and (row.owner_id, row.department_id, row.state, row.until) == (
            owner_id, department_id, state.status, until):
        return None
    chain = list(state.decisions) + list(extra)
    earlier = [decisions.record(**d.record_kwargs(customer_id), policy=view) for d in chain[:-1]]
    kwargs = chain[-1].owner_kwargs()
    kwargs["outcome"].update({
        "chain": [d.id for d in earlier],
        "valid_through": state.valid_through.isoformat() if state.valid_through else None,
        "warn_at": iso(state.warning_at),
        "pending_action": str(state.pending_action) if state.pending_action else None,
        "as_of": iso(as_of),
    })
    return store.set_owner(customer_id, owner_id=owner_id, state=state.status, department_id=department_id,
                           until=until, at=_effective_at(state, row, owner_id, as_of), policy=view, **kwargs)


# --------------------------------------------------------------------------- answers


def _decision_row(decision: Decision, users: dict[int, User]) -> dict:
    by = users.get(decision.decided_by) if decision.decided_by else None
    return {"id": decision.id, "rule_id": decision.rule_id, "reason_zh": decision.reason_zh,
            "reason_en": decision.reason_en, "decided_at": decision.created_at,
            "decided_by": decision.decided_by, "decided_by_name": by.display_name if by else None,
            "policy_version": decision.policy_version, "facts": decision.facts, "outcome": decision.outcome}


def local_through(until: dt.datetime | None, calendar) -> dt.date | None:
    """The last day "through" of a window ending at ``until`` (00:00 local of the next day)."""
    if until is None:
        return None
    local = calendar.local(until)
    return (local - dt.timedelta(days=1)).date() if local.time() == dt.time(0) else local.date()


def owner_answer(customer_id: int) -> dict:
    """CUS-20: who owns the customer and why — the current owner row and its decision chain (the
    decisions of the last change, superseded ones excluded)."""
    row = store.current(customer_id)
    calendar, _view = tenant_calendar()
    if row is None:
        return {"customer_id": customer_id, "owner_id": None, "owner_name": None, "department_id": None,
                "state": UNOWNED, "since": None, "until": None, "warn_at": None, "decisions": []}
    last = db.session.scalars(select(Decision).where(Decision.id == row.decision_id)).first()
    chain_ids = list((last.outcome or {}).get("chain") or []) if last else []
    rows = {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(chain_ids)))} if chain_ids else {}
    chain = [rows[i] for i in chain_ids if i in rows] + ([last] if last else [])
    superseded = set(db.session.scalars(select(Decision.supersedes_id).where(
        Decision.supersedes_id.in_([d.id for d in chain])))) if chain else set()
    chain = [d for d in chain if d.id not in superseded]
    users = users_by_id([row.owner_id] + [d.decided_by for d in chain])
    owner = users.get(row.owner_id)
    warn_at = (last.outcome or {}).get("warn_at") if last else None
    return {
        "customer_id": customer_id,
        "owner_id": row.owner_id,
        "owner_name": owner.display_name if owner else None,
        "department_id": row.department_id,
        "state": row.state,
        "since": row.since,
        "until": local_through(row.until, calendar),
        "warn_at": dt.datetime.fromisoformat(warn_at) if warn_at else None,
        "decisions": [_decision_row(d, users) for d in chain],
    }


def history_answer(customer_id: int) -> list[dict]:
    """Every ownership change of the customer, oldest first, with its rule and reasons."""
    changes = store.history(customer_id)
    ids = [c.decision_id for c in changes if c.decision_id]
    reasons = {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(ids)))} if ids else {}
    calendar, _view = tenant_calendar()
    out = []
    for change in changes:
        decision = reasons.get(change.decision_id)
        out.append({"id": change.id, "at": change.at, "from_owner_id": change.from_owner_id,
                    "to_owner_id": change.to_owner_id, "from_department_id": change.from_department_id,
                    "to_department_id": change.to_department_id, "state": change.state,
                    "until": local_through(change.until, calendar), "rule_id": change.rule_id,
                    "decision_id": change.decision_id, "decided_by": change.decided_by,
                    "reason_zh": decision.reason_zh if decision else None,
                    "reason_en": decision.reason_en if decision else None})
    return out
