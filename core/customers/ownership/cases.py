"""CUS-27 ownership conflict arbitration (判客 / 撞单): cases, objections, rulings, quarrels.

A case opens when two claims collide or a party disputes a decision. The pure rules
(:func:`core.customers.ownership.arbitration.arbitrate`) give the proposal, take objections within
``cus.arbitration.objection_window``, count the arbiter's ruling (``arbiter``), escalate
(``escalate_to``) and apply the quarrel consequence. :func:`refresh` stores where the case stands,
with a CUS-27 decision whenever its status changes; once final, the outcome is written to ownership
through ``set_owner`` (rule CUS-27). Quarrel fines and HR review flags are listed in the decision's
outcome (``consequences``) and written to the staff ledger once each (offence ``quarrel_before_customer``).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import User, UserRole
from core.calendar.service import tenant_calendar
from core.customers import ownership_store as store
from core.customers.ownership import clock, households
from core.customers.ownership import service as ownership
from core.customers.ownership.arbitration import ArbitrationCase, Objection, Quarrel, Ruling, arbitrate
from core.customers.ownership.facts import ASSIGNMENT, Claim, jsonable
from core.customers.ownership.models import CustomerClaim, OwnershipCase, OwnershipCaseEvent
from core.customers.policy import cus_policy
from core.customers.staff_facts import users_by_id
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications import service as notifications
from core.staff.ledger import record_entry
from core.staff.penalties import penalise

REASONS = ("collision", "dispute")
VERDICTS = ("uphold", "overturn", "cannot_decide")


def open_case(customer_id: int, *, reason: str, opened_by: int | None, claim_ids=None, note=None,
              at: dt.datetime | None = None) -> OwnershipCase:
    if reason not in REASONS:
        raise InvalidInput("invalid case", fields={"reason": [f"one of {', '.join(REASONS)}"]})
    now = clock.now()
    at = ownership._aware("opened_at", at, now)
    members, _links = households.household(customer_id, cus_policy(at).values)
    rows = list(db.session.scalars(select(CustomerClaim).where(
        CustomerClaim.customer_id.in_(members), CustomerClaim.void.is_(False))))
    if claim_ids:
        known = {c.id for c in rows}
        unknown = [i for i in claim_ids if i not in known]
        if unknown:
            raise InvalidInput("invalid case", fields={"claim_ids": [f"not claims of this customer: {unknown}"]})
    else:
        claim_ids = [c.id for c in rows]
    if reason == "collision" and len({c.claimant_id for c in rows if c.id in set(claim_ids)}) < 2:
        raise InvalidInput("invalid case", fields={"claim_ids": ["a collision needs claims of two employees"]})
    case = OwnershipCase(customer_id=customer_id, opened_at=at, opened_by=opened_by, reason=reason, note=note,
                         claim_ids=sorted(claim_ids), status="objection_window", assigned_roles=[],
                         consequences=[], applied=False)
    db.session.add(case)
    db.session.flush()
    refresh(case)
    return case


def cases_of(customer_id: int):
    return select(OwnershipCase).where(OwnershipCase.customer_id == customer_id).order_by(OwnershipCase.id.desc())


def get_case(customer_id: int, case_id: int) -> OwnershipCase:
    case = db.session.scalars(select(OwnershipCase).where(
        OwnershipCase.id == case_id, OwnershipCase.customer_id == customer_id)).first()
    if case is None:
        raise NotFound("arbitration case not found")
    return case


def events_of(case: OwnershipCase) -> list[OwnershipCaseEvent]:
    return list(db.session.scalars(select(OwnershipCaseEvent).where(OwnershipCaseEvent.case_id == case.id)
                                   .order_by(OwnershipCaseEvent.at, OwnershipCaseEvent.id)))


def _open(case: OwnershipCase) -> None:
    if case.status == "final":
        raise Conflict("the case is final")


def object_to(case: OwnershipCase, *, party_id: int, at: dt.datetime | None = None, note=None) -> OwnershipCase:
    """A party objects to the proposal; only within the objection window (409 after it)."""
    _open(case)
    at = ownership._aware("at", at, clock.now())
    if at < case.opened_at:
        raise InvalidInput("invalid objection", fields={"at": ["before the case was opened"]})
    if case.objection_end is not None and at >= case.objection_end:
        raise Conflict("the objection window is over")
    db.session.add(OwnershipCaseEvent(case_id=case.id, kind="objection", at=at, user_id=party_id, note=note,
                                      parties=[]))
    db.session.flush()
    return refresh(case)


def rule_on(case: OwnershipCase, *, user: User, verdict: str, owner_id: int | None = None,
            at: dt.datetime | None = None, note=None) -> OwnershipCase:
    """The arbiter (or, once escalated, ``escalate_to``) rules: uphold | overturn (``owner_id``) |
    cannot_decide. The user must hold a role the case is assigned to now (403 otherwise)."""
    _open(case)
    if verdict not in VERDICTS:
        raise InvalidInput("invalid ruling", fields={"verdict": [f"one of {', '.join(VERDICTS)}"]})
    if verdict == "overturn":
        ownership._user(owner_id, "owner_id")
    at = ownership._aware("at", at, clock.now())
    roles = [r for r in (case.assigned_roles or []) if user.has_role(r)]
    if not roles:
        raise Forbidden(f"the case awaits a ruling by: {', '.join(case.assigned_roles or []) or 'nobody'}")
    db.session.add(OwnershipCaseEvent(case_id=case.id, kind="ruling", at=at, user_id=user.id, role=roles[0],
                                      verdict=verdict, owner_id=owner_id if verdict == "overturn" else None,
                                      note=note, parties=[]))
    db.session.flush()
    return refresh(case)


def record_quarrel(case: OwnershipCase, *, party_ids: list[int], recorded_by: int | None,
                   at: dt.datetime | None = None, note=None) -> OwnershipCase:
    """Parties quarrelled in front of customers: ``cus.arbitration.quarrel_consequence`` applies."""
    _open(case)
    if len(set(party_ids or [])) < 1:
        raise InvalidInput("invalid quarrel", fields={"party_ids": ["name the parties"]})
    for party in party_ids:
        ownership._user(party, "party_ids")
    at = ownership._aware("at", at, clock.now())
    db.session.add(OwnershipCaseEvent(case_id=case.id, kind="quarrel", at=at, user_id=recorded_by,
                                      parties=sorted(set(party_ids)), note=note))
    db.session.flush()
    return refresh(case)


def refresh(case: OwnershipCase, now: dt.datetime | None = None) -> OwnershipCase:
    """Judge the case as of ``now`` with the rules; store its standing, a CUS-27 decision when the
    status or outcome changed, and write the final outcome to ownership once."""
    now = now or clock.now()
    view = cus_policy(case.opened_at)
    calendar, _ = tenant_calendar(case.opened_at)
    members, links = households.household(case.customer_id, view.values)
    facts = ownership.load_facts(members, links)
    claims = tuple(c for c in facts.claims if c.record_id in set(case.claim_ids or []))
    events = events_of(case)
    users = users_by_id([e.user_id for e in events] + [e.owner_id for e in events]
                        + [p for e in events for p in (e.parties or [])])
    facts.users.update(users)

    def who(user_id):
        return ownership._staff_of(facts.users, user_id)

    owner_row = store.current(case.customer_id)
    department = owner_row.department_id if owner_row else None
    if department is None and claims:
        first = min(claims, key=lambda c: c.at)
        row = facts.users.get(first.claimant.id)
        department = row.department_id if row else None
    subject = ArbitrationCase(
        opened_at=case.opened_at, claims=claims, contacts=tuple(facts.contacts), deals=tuple(facts.deals),
        objections=tuple(Objection(who(e.user_id), e.at, e.id) for e in events if e.kind == "objection"),
        rulings=tuple(Ruling(e.role, who(e.user_id), e.at, e.verdict, who(e.owner_id), e.id)
                      for e in events if e.kind == "ruling"),
        quarrels=tuple(Quarrel(tuple(who(p) for p in e.parties), e.at, e.id) for e in events if e.kind == "quarrel"),
        department=str(department) if department is not None else None, record_id=case.id)
    outcome = arbitrate(view.values, calendar, subject, now)
    consequences = [jsonable({"kind": c.kind, "party": c.party, "amount": c.amount, "department": c.department,
                              "quarrel_id": c.quarrel_record_id}) for c in outcome.consequences]
    standing = (outcome.status, outcome.final_owner.id if outcome.final_owner else None, list(outcome.assigned_roles),
                consequences)
    before = (case.status, case.final_owner_id, list(case.assigned_roles or []), list(case.consequences or []))
    case.proposed_owner_id = outcome.proposed_owner.id if outcome.proposed_owner else None
    case.proposal_rule = outcome.proposal_rule
    case.objection_end = outcome.objection_end
    if standing != before or case.decision_id is None:
        case.status, case.final_owner_id, case.assigned_roles, case.consequences = standing
        case.final_department_id = int(outcome.final_department) if outcome.final_department else None
        case.decided_by = outcome.decided_by.id if outcome.decided_by else None
        case.decided_at = outcome.decided_at
        decision = decisions.record(**outcome.record_kwargs(case.id, "ownership_case"), policy=view)
        case.decision_id = decision.id
        _notify_assigned(case, outcome)
    _record_consequences(case, outcome, events)
    db.session.flush()
    if case.status == "final" and not case.applied:
        _apply(case, outcome, view, facts, now)
    return case


def _record_consequences(case: OwnershipCase, outcome, events) -> None:
    """The quarrel consequences in the staff ledger, once each: a fine per party (``fine_each``) or an HR
    review flag per party (``dismissal_flag_each``, never an automatic dismissal)."""
    quarrels = {e.id: e for e in events if e.kind == "quarrel"}
    for consequence in outcome.consequences:
        quarrel = quarrels.get(consequence.quarrel_record_id)
        if consequence.party is None or quarrel is None or consequence.kind not in ("fine", "dismissal_flag"):
            continue
        key = f"CUS-27:case:{case.id}:quarrel:{quarrel.id}:{consequence.party.id}:{consequence.kind}"
        if consequence.kind == "fine":
            penalise(offence="quarrel_before_customer", occurred_at=quarrel.at, user_id=consequence.party.id,
                     amount=consequence.amount, rule_id="CUS-27", subject_type="ownership_case", subject_id=case.id,
                     reason_zh=f"判客案件#{case.id}：在客户面前争执，依据CUS-27罚款¥{consequence.amount}。",
                     reason_en=f"Ownership case #{case.id}: quarrelled in front of the customer; a fine of "
                               f"¥{consequence.amount} under CUS-27.",
                     facts={"case_id": case.id, "quarrel_id": quarrel.id, "decision_id": case.decision_id},
                     dedupe_key=key)
        else:
            record_entry(kind="flag", offence="quarrel_before_customer", rule_id="CUS-27", amount=0,
                         user_id=consequence.party.id, label="dismissal_review", occurred_at=quarrel.at,
                         subject_type="ownership_case", subject_id=case.id,
                         reason_zh=f"判客案件#{case.id}：在客户面前争执，依据CUS-27记人事审查标记（不自动辞退）。",
                         reason_en=f"Ownership case #{case.id}: quarrelled in front of the customer; an HR review "
                                   "flag under CUS-27 (dismissal is never automatic).",
                         facts={"case_id": case.id, "quarrel_id": quarrel.id, "decision_id": case.decision_id},
                         dedupe_key=key)


def _notify_assigned(case: OwnershipCase, outcome) -> None:
    if case.status not in ("awaiting_arbiter", "escalated") or not case.assigned_roles:
        return
    user_ids = list(db.session.scalars(select(UserRole.user_id).where(UserRole.role.in_(case.assigned_roles))))
    notifications.notify(user_ids, kind="ownership_case", title_zh="判客案件待裁决",
                         title_en="Ownership case awaits your ruling",
                         dedupe_key=f"CUS-27:case:{case.id}:{case.status}", rule_id="CUS-27",
                         subject_type="customer", subject_id=case.customer_id,
                         body_zh=outcome.reason_zh, body_en=outcome.reason_en)


def _apply(case: OwnershipCase, outcome, view, facts, now: dt.datetime) -> None:
    """The final outcome writes ownership (rule CUS-27): the ruled owner from the decision time, or
    the department after a forfeiture."""
    at = min(outcome.decided_at or now, now)
    kwargs = outcome.owner_kwargs()
    kwargs["outcome"]["case_id"] = case.id
    if outcome.final_owner is None:
        store.set_owner(case.customer_id, owner_id=None, department_id=case.final_department_id, state="locked",
                        at=at, policy=view, **kwargs)
    else:
        state, _view, judged, _extra = ownership.judge(case.customer_id, now)
        if state.owner is None or state.owner.id != outcome.final_owner.id:
            judged.claims.append(Claim(outcome.final_owner, ASSIGNMENT, at, f"case:{case.id}", rule_id="CUS-27"))
            calendar, _ = tenant_calendar(now)
            from core.customers.ownership.state import ownership_state

            state = ownership_state(view.values, calendar, judged.claims, judged.contacts, judged.deals, now)
        owner = facts.users.get(outcome.final_owner.id) or users_by_id([outcome.final_owner.id]).get(
            outcome.final_owner.id)
        until = state.window_end if state.status in ("protected", "expiring", "claimable") else None
        store.set_owner(case.customer_id, owner_id=outcome.final_owner.id, state=state.status,
                        department_id=owner.department_id if owner else None, until=until, at=at, policy=view,
                        **kwargs)
    case.applied = True
    db.session.flush()


def refresh_due(as_of: dt.datetime) -> int:
    """Cases whose objection window has passed without objection become final (sweep)."""
    due = list(db.session.scalars(select(OwnershipCase).where(
        OwnershipCase.status == "objection_window", OwnershipCase.objection_end <= as_of)))
    for case in due:
        refresh(case, as_of)
    return len(due)
