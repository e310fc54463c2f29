"""Events and invitations: the operations (CUS-81..CUS-83). Loads the facts, calls
:mod:`core.customers.events.rules`, writes rows and decisions in the caller's transaction.

An event is run under the ``cus`` version in force on its start day (its cut-offs, window, fine and
arbiter do not move under a running event when a new version is published later); the tenant
calendar is the one in force that day (CAL-01, CAL-08).

- :func:`create_event`, :func:`get_event`, :func:`events_query`, :func:`schedule_of`
- :func:`invite`, :func:`confirm_invitation` (CUS-81; CUS-83 refusal: :class:`~core.errors.Conflict` 409)
- :func:`submit_list` (CUS-82)
- :func:`record_attendance` (CUS-83 judgement on arrival; then :func:`on_attendance`)
- :func:`record_sale` (CUS-83 credit)
- :func:`check_lists` (the nightly check of job ``cus.event_list_check``: CUS-82 findings and fines,
  CUS-83 duplicates reported to the arbiter)
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from core.accounts.models import Department, User, UserRole
from core.calendar.service import tenant_calendar
from core.customers import contact_log, ownership_store
from core.customers.events import rules
from core.customers.events.models import CustomerEvent, EventDivision, EventInvitation, EventList
from core.customers.events.penalties import fine_department_head
from core.customers.fact_time import fact_time
from core.customers.models import Customer, CustomerTransaction
from core.customers.points.awards import award_attendance
from core.customers.points.transactions import record_transaction
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications import service as notifications



@dataclass
class EventContext:
    """An event with what its rules need: facts, the ``cus.events`` settings, the policy view, calendar."""

    event: CustomerEvent
    facts: rules.EventFacts
    settings: dict
    policy: object
    calendar: object

    @property
    def day(self) -> dt.date:
        return self.calendar.local_date(self.event.starts_at)


def _aware(value: dt.datetime | None, field: str) -> dt.datetime:
    return fact_time(value, field)


# --------------------------------------------------------------------------------------------- events


def create_event(*, kind: str, title: str, starts_at: dt.datetime, divisions: list[dict], session: str | None = None,
                 venue: str | None = None, note: str | None = None, user_id: int | None = None) -> CustomerEvent:
    """CUS-81: an event with its divisions (``[{department_id, code?}]``, codes ``div1``, ``div2``… by
    order when not given). A joint meeting needs two divisions or more."""
    errors: dict = {}
    if kind not in rules.EVENT_KINDS:
        errors["kind"] = [f"must be one of {', '.join(rules.EVENT_KINDS)}"]
    if starts_at.tzinfo is None:
        errors["starts_at"] = ["needs a time zone (e.g. +08:00)"]
    if session is not None and session not in rules.SESSIONS:
        errors["session"] = [f"must be one of {', '.join(rules.SESSIONS)}"]
    if not divisions:
        errors["divisions"] = ["at least one department takes part"]
    elif kind == "joint_meeting" and len(divisions) < 2:
        errors["divisions"] = ["a joint meeting has two divisions or more"]
    department_ids = [d["department_id"] for d in divisions]
    known = set(db.session.scalars(select(Department.id).where(Department.id.in_(department_ids)))) if divisions else set()
    codes = [d.get("code") or f"div{i + 1}" for i, d in enumerate(divisions)]
    per_item = {}
    for i, (dep, code) in enumerate(zip(department_ids, codes)):
        problems = []
        if dep not in known:
            problems.append("no such department")
        if department_ids.index(dep) != i:
            problems.append("department listed twice")
        if codes.index(code) != i:
            problems.append(f"code {code!r} used twice")
        elif not rules._CODE.match(code):
            problems.append(rules._code_error(code))
        if problems:
            per_item[str(i)] = problems
    if per_item and "divisions" not in errors:
        errors["divisions"] = per_item
    if errors:
        raise InvalidInput("invalid event", fields=errors)
    calendar, _ = tenant_calendar(starts_at)
    event = CustomerEvent(kind=kind, title=title, starts_at=starts_at, venue=venue, note=note, created_by=user_id,
                          session=session or rules.default_session(starts_at, calendar))
    db.session.add(event)
    db.session.flush()
    for i, (dep, code) in enumerate(zip(department_ids, codes)):
        db.session.add(EventDivision(event_id=event.id, department_id=dep, code=code, position=i))
    db.session.flush()
    return event


def get_event(event_id: int) -> CustomerEvent:
    event = db.session.scalars(select(CustomerEvent).where(CustomerEvent.id == event_id)).first()
    if event is None:
        raise NotFound("event not found")
    return event


def events_query(kind: str | None = None):
    """Events, latest start first."""
    stmt = select(CustomerEvent).order_by(CustomerEvent.starts_at.desc(), CustomerEvent.id.desc())
    if kind:
        stmt = stmt.where(CustomerEvent.kind == kind)
    return stmt


def divisions_of(event_id: int) -> list[tuple[EventDivision, Department]]:
    return list(db.session.execute(
        select(EventDivision, Department).join(Department, Department.id == EventDivision.department_id)
        .where(EventDivision.event_id == event_id).order_by(EventDivision.position)))


def context(event: CustomerEvent) -> EventContext:
    view = cus_policy(event.starts_at)
    calendar, _ = tenant_calendar(event.starts_at)
    divisions = tuple(rules.Division(div.department_id, div.code, dep.name, dep.head_user_id)
                      for div, dep in divisions_of(event.id))
    facts = rules.EventFacts(event.id, event.kind, event.starts_at, event.session, divisions, event.title)
    return EventContext(event, facts, view.values["events"], view, calendar)


def schedule_of(event: CustomerEvent) -> list[dict]:
    """CUS-82: every list due for the event with what was handed in (status ``pending`` before its
    cut-off when nothing came yet)."""
    ctx = context(event)
    rows = {(r.department_id, r.kind, r.day): r for r in _lists(event.id)}
    now = utcnow()
    result = []
    for due in rules.list_schedule(ctx.facts, ctx.settings, ctx.calendar):
        row = rows.get(due.key)
        if row is not None and row.submitted_at is not None:
            status = rules.list_status(due.due_at, row.submitted_at)
        else:
            status = rules.MISSING if due.due_at <= now else "pending"
        result.append({"department_id": due.department_id, "division": due.code, "kind": due.kind, "day": due.day,
                       "due_at": due.due_at, "final": due.final, "fine": due.fine, "status": status,
                       "list_id": row.id if row else None,
                       "submitted_at": row.submitted_at if row else None})
    return result


# ---------------------------------------------------------------------------------------- invitations


def _user(user_id: int, field: str) -> User:
    user = db.session.scalars(select(User).where(User.id == user_id)).first()
    if user is None:
        raise InvalidInput("invalid invitation", fields={field: ["no such user"]})
    return user


def _labels(invitations) -> tuple[dict[int, str], dict[int, str]]:
    deps = {d.id: d.name for d in db.session.scalars(select(Department).where(
        Department.id.in_({i.department_id for i in invitations})))} if invitations else {}
    users = {u.id: u.display_name for u in db.session.scalars(select(User).where(
        User.id.in_({i.employee_id for i in invitations})))} if invitations else {}
    return deps, users


def _facts(invitations) -> list[rules.InvitationFacts]:
    deps, users = _labels(invitations)
    return [rules.InvitationFacts(i.id, i.department_id, i.employee_id, i.state, i.confirmed_at, i.listed_at,
                                  deps.get(i.department_id, ""), users.get(i.employee_id, ""))
            for i in invitations]


def invitations_of(event_id: int, customer_id: int | None = None, *, for_update: bool = False) -> list[EventInvitation]:
    stmt = select(EventInvitation).where(EventInvitation.event_id == event_id).order_by(EventInvitation.id)
    if customer_id is not None:
        stmt = stmt.where(EventInvitation.customer_id == customer_id)
    if for_update and db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return list(db.session.scalars(stmt))


def invitations_query(event_id: int, *, customer_id: int | None = None, department_id: int | None = None,
                      state: str | None = None):
    """The invitations of an event, newest first, optionally of one customer, department or state."""
    stmt = select(EventInvitation).where(EventInvitation.event_id == event_id).order_by(EventInvitation.id.desc())
    for column, value in (("customer_id", customer_id), ("department_id", department_id), ("state", state)):
        if value is not None:
            stmt = stmt.where(getattr(EventInvitation, column) == value)
    return stmt


def get_invitation(event_id: int, invitation_id: int) -> EventInvitation:
    inv = db.session.scalars(select(EventInvitation).where(
        EventInvitation.id == invitation_id, EventInvitation.event_id == event_id)).first()
    if inv is None:
        raise NotFound("invitation not found")
    return inv


def _lock_customer(customer_id: int) -> Customer:
    """Serialise the CUS-83 checks of one customer (two departments inviting at the same moment)."""
    stmt = select(Customer).where(Customer.id == customer_id)
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    customer = db.session.scalars(stmt).first()
    if customer is None:
        raise InvalidInput("invalid invitation", fields={"customer_id": ["no such customer"]})
    return customer


def _refuse_if_held(ctx: EventContext, customer: Customer, department_id: int, exclude: int | None = None) -> None:
    existing = [i for i in invitations_of(ctx.event.id, customer.id) if i.id != exclude]
    refusal = rules.may_invite(_facts(existing), department_id, ctx.facts, ctx.settings, ctx.calendar, customer.name)
    if refusal is not None:
        raise Conflict(refusal.reason_en, rule_id=refusal.rule_id, reason_zh=refusal.reason_zh,
                       reason_en=refusal.reason_en, blocking_invitation_id=refusal.blocking_id)


def _check_before_event(ctx: EventContext, at: dt.datetime, field: str) -> None:
    if ctx.calendar.local_date(at) > ctx.day:
        raise InvalidInput("too late", fields={field: [f"after the event day {ctx.day.isoformat()}"]})


def invite(event: CustomerEvent, *, customer_id: int, department_id: int, employee_id: int,
           confirmed: bool = True, at: dt.datetime | None = None, note: str | None = None,
           user_id: int | None = None) -> EventInvitation:
    """CUS-81: invite a customer for a department (state ``confirmed``, or ``planned``). CUS-83: 409
    when another department holds the customer on an on-time list, or this department already has an
    open invitation for the customer."""
    at = _aware(at, "at")
    ctx = context(event)
    if ctx.facts.division(department_id) is None:
        raise InvalidInput("invalid invitation", fields={"department_id": ["not a division of this event"]})
    _user(employee_id, "employee_id")
    _check_before_event(ctx, at, "at")
    customer = _lock_customer(customer_id)
    _refuse_if_held(ctx, customer, department_id)
    inv = EventInvitation(event_id=event.id, customer_id=customer_id, department_id=department_id,
                          employee_id=employee_id, state=rules.PLANNED, invited_at=at, note=note, created_by=user_id)
    if confirmed:
        _confirm(ctx, inv, at)
    db.session.add(inv)
    db.session.flush()
    return inv


def _confirm(ctx: EventContext, inv: EventInvitation, at: dt.datetime) -> None:
    inv.state = rules.CONFIRMED
    inv.confirmed_at = at
    inv.effective_day = rules.effective_day(at, ctx.settings, ctx.calendar)


def confirm_invitation(event: CustomerEvent, inv: EventInvitation, at: dt.datetime | None = None) -> EventInvitation:
    """A planned invitation is confirmed (敲定) at ``at`` (CUS-81), unless CUS-83 forbids it (409)."""
    at = _aware(at, "at")
    if inv.state != rules.PLANNED:
        raise Conflict(f"the invitation is {inv.state}, not planned", state=inv.state)
    ctx = context(event)
    _check_before_event(ctx, at, "at")
    if at < inv.invited_at:
        raise InvalidInput("invalid time", fields={"at": ["before the invitation"]})
    customer = _lock_customer(inv.customer_id)
    _refuse_if_held(ctx, customer, inv.department_id, exclude=inv.id)
    _confirm(ctx, inv, at)
    db.session.flush()
    return inv


# ------------------------------------------------------------------------------------------------ lists


def _lists(event_id: int) -> list[EventList]:
    return list(db.session.scalars(select(EventList).where(EventList.event_id == event_id).order_by(EventList.id)))


def lists_query(event_id: int, department_id: int | None = None):
    stmt = select(EventList).where(EventList.event_id == event_id).order_by(EventList.day.desc(), EventList.id.desc())
    if department_id is not None:
        stmt = stmt.where(EventList.department_id == department_id)
    return stmt


def submit_list(event: CustomerEvent, *, department_id: int, kind: str, day: dt.date, customer_ids: list[int],
                submitted_at: dt.datetime | None = None, user_id: int | None = None) -> EventList:
    """CUS-82: a department hands in its list of ``day`` — the customers it confirmed (``confirmed``),
    or the customers it plans to invite that day (``plan``). A list handed in again adds customers; the
    first hand-in time decides whether the list was on time. Each confirmed customer on the list is
    ``listed``; it protects the customer (CUS-83) when listed before the cut-off of its effective day."""
    submitted_at = _aware(submitted_at, "submitted_at")
    ctx = context(event)
    if ctx.facts.division(department_id) is None:
        raise InvalidInput("invalid list", fields={"department_id": ["not a division of this event"]})
    due = next((d for d in rules.list_schedule(ctx.facts, ctx.settings, ctx.calendar)
                if d.key == (department_id, kind, day)), None)
    if due is None:
        what = "plan" if kind == rules.PLAN_LIST else "confirmed list"
        raise InvalidInput("no such list is due", fields={"day": [f"no {what} of this department is due for {day}"]})
    if len(set(customer_ids)) != len(customer_ids):
        raise InvalidInput("invalid list", fields={"customer_ids": ["a customer is listed twice"]})
    invitations: dict[int, EventInvitation] = {}
    problems: dict[str, list[str]] = {}
    if kind == rules.CONFIRMED_LIST:
        mine = {i.customer_id: i for i in invitations_of(event.id) if i.department_id == department_id
                and i.state in (rules.CONFIRMED, rules.LISTED, rules.ATTENDED, rules.SOLD)}
        for n, cid in enumerate(customer_ids):
            inv = mine.get(cid)
            if inv is None:
                problems[str(n)] = ["no confirmed invitation of this department for this customer"]
            elif inv.effective_day and inv.effective_day > day:
                problems[str(n)] = [f"confirmed for {inv.effective_day}, after {day}"]
            else:
                invitations[cid] = inv
    else:
        known = set(db.session.scalars(select(Customer.id).where(Customer.id.in_(customer_ids)))) if customer_ids else set()
        problems = {str(n): ["no such customer"] for n, cid in enumerate(customer_ids) if cid not in known}
    if problems:
        raise InvalidInput("invalid list", fields={"customer_ids": problems})
    row = db.session.scalars(select(EventList).where(
        EventList.event_id == event.id, EventList.department_id == department_id, EventList.kind == kind,
        EventList.day == day)).first()
    if row is None:
        row = EventList(event_id=event.id, department_id=department_id, kind=kind, day=day, due_at=due.due_at,
                        final=due.final, customer_ids=[])
        db.session.add(row)
    if row.submitted_at is None:  # new, or written as missing by the nightly check
        row.submitted_at, row.submitted_by = submitted_at, user_id
        row.status = rules.list_status(due.due_at, submitted_at)
    row.customer_ids = list(row.customer_ids or []) + [c for c in customer_ids if c not in (row.customer_ids or [])]
    db.session.flush()
    for inv in invitations.values():
        if inv.listed_at is None:
            inv.listed_at, inv.list_id = submitted_at, row.id
            inv.listed_on_time = rules.listed_on_time(_facts([inv])[0], ctx.facts, ctx.settings, ctx.calendar)
            if inv.state == rules.CONFIRMED:
                inv.state = rules.LISTED
    db.session.flush()
    return row


# ----------------------------------------------------------------------------------- attendance, sale


def record_attendance(event: CustomerEvent, inv: EventInvitation, attended_at: dt.datetime | None = None,
                      user_id: int | None = None) -> tuple[EventInvitation, object | None]:
    """CUS-83: the customer of ``inv`` arrives. Among the customer's confirmed invitations to the event
    the rules judge whose invitation it is; that one is ``attended``, the others ``lost``. A contested
    judgement is a CUS-83 decision (and the losing department is told). Returns the attended
    invitation and the decision (``None`` when nobody else invited the customer). Recording the same
    arrival again changes nothing."""
    attended_at = _aware(attended_at, "attended_at")
    ctx = context(event)
    if ctx.calendar.local_date(attended_at) != ctx.day:
        raise InvalidInput("invalid attendance", fields={"attended_at": [f"not on the event day {ctx.day.isoformat()}"]})
    customer = _lock_customer(inv.customer_id)
    mine = invitations_of(event.id, customer.id)
    done = next((i for i in mine if i.state in (rules.ATTENDED, rules.SOLD)), None)
    if done is not None:
        return done, (decisions.get(done.decision_id) if done.decision_id else None)
    live = [i for i in mine if i.state in rules.ACTIVE_STATES]
    if not live:
        raise Conflict("the customer has no confirmed invitation to this event", rule_id="CUS-83")
    verdict = rules.judge(_facts(live), ctx.facts, ctx.settings, ctx.calendar, customer.name)
    by_id = {i.id: i for i in live}
    winner = by_id[verdict.winner_id]
    winner.state, winner.attended_at, winner.attendance_by = rules.ATTENDED, attended_at, user_id
    decision = None
    if verdict.contested:
        decision = decisions.record(
            "CUS-83", "event_invitation", winner.id, reason_zh=verdict.reason_zh, reason_en=verdict.reason_en,
            outcome={"invitation_id": winner.id, "department_id": winner.department_id,
                     "employee_id": winner.employee_id, "lost": list(verdict.loser_ids), "customer_id": customer.id},
            facts={**verdict.facts, "customer_id": customer.id, "attended_at": attended_at}, policy=ctx.policy)
        winner.decision_id = decision.id
        for loser_id in verdict.loser_ids:
            loser = by_id[loser_id]
            loser.state, loser.lost_to_id, loser.decision_id = rules.LOST, winner.id, decision.id
            head = ctx.facts.division(loser.department_id).head_id if ctx.facts.division(loser.department_id) else None
            notifications.notify(
                [loser.employee_id, head], kind="cus.event_invitation_lost", rule_id="CUS-83",
                title_zh=f"到会顾客{customer.name}判为他部邀约", title_en=f"{customer.name} judged another department's",
                body_zh=verdict.reason_zh, body_en=verdict.reason_en, subject_type="event_invitation",
                subject_id=loser.id, dedupe_key=f"CUS-83:lost:{loser.id}")
    db.session.flush()
    on_attendance(customer.id, event.id, attended_at)
    return winner, decision


def on_attendance(customer_id: int, event_id: int, attended_at: dt.datetime):
    """What an attendance sets off elsewhere, in one place: a contact-log entry ``event_attended``
    (CUS-60) by the inviting employee, which the ownership rules count (CUS-23/24), and the referrer's
    points for a referred attendee (CUS-42, once per referee and event)."""
    event = get_event(event_id)
    inviter = next((i.employee_id for i in invitations_of(event_id, customer_id)
                    if i.state in (rules.ATTENDED, rules.SOLD)), None)
    entry = contact_log.log_contact(customer_id, channel="event_attended", at=attended_at, user_id=inviter,
                                    content=f"到会：{event.title}", outcome=f"event #{event_id}")
    award_attendance(customer_id, event_id, attended_at, recorded_by=inviter)
    return entry


def _original_follow_up(inv: EventInvitation) -> int | None:
    """The customer's original follow-up employee: the owner of record (CUS-20) when not the inviter,
    else the inviter of an invitation judged away at this event."""
    row = ownership_store.current(inv.customer_id)
    if row is not None and row.owner_id is not None and row.owner_id != inv.employee_id:
        return row.owner_id
    lost = [i for i in invitations_of(inv.event_id, inv.customer_id) if i.lost_to_id == inv.id]
    return lost[0].employee_id if lost else None


def record_sale(event: CustomerEvent, inv: EventInvitation, *, amount: Decimal, at: dt.datetime | None = None,
                reference: str | None = None, user_id: int | None = None) -> tuple[CustomerTransaction, object]:
    """CUS-83: a sale to an attending customer at the event — a purchase transaction tied to the event
    (CUS-43 event sales), credited by ``cus.events.credit`` (100% the current inviter), with the
    decision of the credit."""
    at = _aware(at, "at")
    ctx = context(event)
    if inv.state == rules.LOST:
        raise Conflict("the customer was judged another department's invitation", rule_id="CUS-83",
                       invitation_id=inv.lost_to_id)
    if inv.state not in (rules.ATTENDED, rules.SOLD):
        raise Conflict("record the customer's attendance first", rule_id="CUS-83", state=inv.state)
    if ctx.calendar.local_date(at) != ctx.day:
        raise InvalidInput("invalid sale", fields={"at": [f"not on the event day {ctx.day.isoformat()}"]})
    owner = ownership_store.current(inv.customer_id)
    original_id = _original_follow_up(inv)
    names = {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(
        {inv.employee_id, original_id, owner.owner_id if owner else None} - {None})))}
    credit = rules.sale_credit(amount, (inv.employee_id, names.get(inv.employee_id, "")), ctx.settings,
                               original=(original_id, names.get(original_id, "")) if original_id else None,
                               owner=(owner.owner_id, names.get(owner.owner_id, "")) if owner and owner.owner_id else None)
    # through the one create path of transactions: a referred customer's purchase earns its referrer
    # points (CUS-43) and the deal its cash reward (CUS-44)
    sale = record_transaction(inv.customer_id, kind="purchase", amount=rules.money(amount), at=at, event_id=event.id,
                              reference=reference, user_id=credit.credited_id, recorded_by=user_id)
    decision = decisions.record(
        "CUS-83", "event_invitation", inv.id, reason_zh=credit.reason_zh, reason_en=credit.reason_en,
        outcome={"transaction_id": sale.id, "credit": [
            {"user_id": s.user_id, "role": s.role, "percent": s.percent, "amount": s.amount} for s in credit.shares]},
        facts={**credit.facts, "invitation_id": inv.id, "event_id": event.id, "customer_id": inv.customer_id,
               "at": at, "recorded_by": user_id}, policy=ctx.policy)
    inv.state = rules.SOLD
    inv.sold_at = inv.sold_at or at
    db.session.flush()
    return sale, decision


# --------------------------------------------------------------------------------- manual arbitration


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required", fields={"reason": ["required for a manual decision"]})
    return reason


def escalate(event: CustomerEvent, inv: EventInvitation, *, reason: str, user: User):
    """CUS-83: the arbiter (``cus.events.arbiter``) cannot decide and hands the duplicate to
    ``cus.events.escalate_to`` (the GM), who is notified; the escalation is a decision by the arbiter."""
    reason = _reason(reason)
    ctx = context(event)
    arbiter, escalate_to = ctx.settings["arbiter"], ctx.settings["escalate_to"]
    if not user.has_role(arbiter):
        raise Forbidden(f"only the arbiter ({arbiter}) escalates a duplicate invitation")
    customer = db.session.get(Customer, (inv.tenant_id, inv.customer_id))
    others = [i.id for i in invitations_of(event.id, inv.customer_id) if i.id != inv.id]
    decision = decisions.record(
        "CUS-83", "event_invitation", inv.id, decided_by=user.id, policy=ctx.policy,
        outcome={"escalated_to": escalate_to, "invitation_id": inv.id, "other_invitations": others},
        reason_zh=f"协调助理无法判定顾客{customer.name}的重复邀约，上报（{escalate_to}）裁决：{reason}",
        reason_en=f"The arbiter cannot decide the duplicate invitation of {customer.name}; escalated to "
                  f"{escalate_to}: {reason}",
        facts={"event_id": event.id, "customer_id": inv.customer_id, "invitations": [inv.id, *others]})
    notifications.notify(_role_users(escalate_to), kind="cus.event_duplicate_escalated", rule_id="CUS-83",
                         title_zh=f"重复邀约待裁决：{customer.name}", title_en=f"Duplicate invitation to rule on: {customer.name}",
                         body_zh=decision.reason_zh, body_en=decision.reason_en, subject_type="event_invitation",
                         subject_id=inv.id, dedupe_key=f"CUS-83:escalated:{decision.id}")
    db.session.flush()
    return decision


def award(event: CustomerEvent, inv: EventInvitation, *, reason: str, user: User):
    """CUS-83 manual ruling by the arbiter or the one it escalates to: the customer is ``inv``'s
    department's invitation; the others are lost. It supersedes the automatic judgement (which stays
    on record). An attendance already recorded moves to ``inv``; a credited sale cannot be moved."""
    reason = _reason(reason)
    ctx = context(event)
    roles = (ctx.settings["arbiter"], ctx.settings["escalate_to"])
    if not user.has_role(*roles):
        raise Forbidden(f"only {' or '.join(roles)} rule on a duplicate invitation")
    if inv.state == rules.PLANNED:
        raise Conflict("the invitation is only planned, not confirmed", rule_id="CUS-83", state=inv.state)
    customer = _lock_customer(inv.customer_id)
    mine = invitations_of(event.id, customer.id)
    if any(i.state == rules.SOLD for i in mine):
        raise Conflict("a sale at the event was credited already", rule_id="CUS-83")
    attended = next((i for i in mine if i.state == rules.ATTENDED), None)
    automatic = next((decisions.get(i.decision_id) for i in ([attended] if attended else []) + [inv]
                      if i is not None and i.decision_id), None)
    dep = ctx.facts.division(inv.department_id)
    label = dep.label if dep else str(inv.department_id)
    losers = [i for i in mine if i.id != inv.id and i.state in (*rules.ACTIVE_STATES, rules.LOST)]
    decision = decisions.record(
        "CUS-83", "event_invitation", inv.id, decided_by=user.id, supersedes=automatic, policy=ctx.policy,
        outcome={"invitation_id": inv.id, "department_id": inv.department_id, "employee_id": inv.employee_id,
                 "lost": [i.id for i in losers], "customer_id": customer.id, "manual": True},
        reason_zh=f"裁定顾客{customer.name}为{label}的邀约：{reason}",
        reason_en=f"Ruled that {customer.name} is {label}'s invitation: {reason}",
        facts={"event_id": event.id, "customer_id": customer.id, "invitations": [i.id for i in mine]})
    if attended is not None and attended.id != inv.id:
        inv.attended_at, inv.attendance_by = attended.attended_at, attended.attendance_by
    if attended is not None:
        inv.state = rules.ATTENDED
    elif inv.state == rules.LOST:
        inv.state = rules.LISTED if inv.listed_at else rules.CONFIRMED
    inv.lost_to_id, inv.decision_id = None, decision.id
    for other in losers:
        other.state, other.lost_to_id, other.decision_id = rules.LOST, inv.id, decision.id
        head = ctx.facts.division(other.department_id).head_id if ctx.facts.division(other.department_id) else None
        notifications.notify([other.employee_id, head], kind="cus.event_invitation_lost", rule_id="CUS-83",
                             title_zh=f"顾客{customer.name}裁定为他部邀约",
                             title_en=f"{customer.name} ruled another department's", body_zh=decision.reason_zh,
                             body_en=decision.reason_en, subject_type="event_invitation", subject_id=other.id,
                             dedupe_key=f"CUS-83:ruled:{decision.id}:{other.id}")
    db.session.flush()
    return inv, decision


# ------------------------------------------------------------------------------------- nightly check


def _role_users(role: str) -> list[int]:
    return list(db.session.scalars(select(User.id).join(UserRole, UserRole.user_id == User.id)
                                   .where(UserRole.role == role, User.is_active.is_(True)).order_by(User.id)))


def events_to_check(as_of: dt.datetime, event_id: int | None = None) -> list[CustomerEvent]:
    """Events whose lists may be due by ``as_of``: starting from two days ago on (their window is
    checked against ``as_of`` by the rules), or the one event asked for."""
    stmt = select(CustomerEvent).order_by(CustomerEvent.starts_at, CustomerEvent.id)
    if event_id is not None:
        return list(db.session.scalars(stmt.where(CustomerEvent.id == event_id)))
    return list(db.session.scalars(stmt.where(CustomerEvent.starts_at >= as_of - dt.timedelta(days=2))))


def check_lists(as_of: dt.datetime, *, event_id: int | None = None, progress=None) -> dict:
    """CUS-82/83 nightly check as of ``as_of``: each list due by then that is missing or was late gets
    its row (``missing`` when nothing came) and one CUS-82 decision — with the fine of the head for a
    daily confirmed list — and a notification; customers invited by two departments of an upcoming
    event are reported to the arbiter (``cus.events.arbiter``). Running it again changes nothing."""
    events = events_to_check(as_of, event_id)
    summary = {"events": 0, "findings": 0, "fines": 0, "duplicates": 0}
    for n, event in enumerate(events):
        ctx = context(event)
        schedule = rules.list_schedule(ctx.facts, ctx.settings, ctx.calendar)
        if not schedule or schedule[0].due_at > as_of + dt.timedelta(days=1):
            continue
        summary["events"] += 1
        rows = {(r.department_id, r.kind, r.day): r for r in _lists(event.id)}
        submitted = [rules.Submission(r.department_id, r.kind, r.day, r.submitted_at, r.id)
                     for r in rows.values() if r.submitted_at is not None]
        for finding in rules.check_lists(ctx.facts, schedule, submitted, as_of, ctx.calendar):
            row = rows.get(finding.due.key)
            if row is None:
                row = EventList(event_id=event.id, department_id=finding.due.department_id, kind=finding.due.kind,
                                day=finding.due.day, due_at=finding.due.due_at, final=finding.due.final,
                                status=rules.MISSING, customer_ids=[])
                db.session.add(row)
                db.session.flush()
            if row.decision_id is not None:
                continue  # judged by an earlier run (a list found missing and handed in later is not fined again)
            summary["findings"] += 1
            _record_finding(ctx, row, finding)
            summary["fines"] += 1 if finding.fine else 0
        summary["duplicates"] += _report_duplicates(ctx, as_of)
        if progress:
            progress(n + 1, len(events))
    db.session.flush()
    return summary


def _record_finding(ctx: EventContext, row: EventList, finding: rules.ListFinding) -> None:
    division = ctx.facts.division(row.department_id)
    head_id = division.head_id if division else None
    facts = {**finding.facts, "list_id": row.id, "head_user_id": head_id, "status": finding.status}
    key = f"CUS-82:list:{row.id}"
    if finding.fine:
        decision = fine_department_head(head_id=head_id, amount=finding.fine, subject_type="event_list",
                                        subject_id=row.id, reason_zh=finding.reason_zh, reason_en=finding.reason_en,
                                        facts=facts, policy=ctx.policy, dedupe_key=key,
                                        also_notify=[] if head_id else _role_users(ctx.settings["arbiter"]),
                                        department_id=row.department_id, occurred_at=finding.due.due_at)
        row.fine, row.fined_user_id = finding.fine, head_id
    else:
        decision = decisions.record("CUS-82", "event_list", row.id, outcome={"status": finding.status, "penalty": None},
                                    reason_zh=finding.reason_zh, reason_en=finding.reason_en, facts=facts,
                                    policy=ctx.policy)
        notifications.notify([head_id] if head_id else _role_users(ctx.settings["arbiter"]),
                             kind="cus.event_list_late", rule_id="CUS-82", title_zh="名单逾期或未交",
                             title_en="List late or missing", body_zh=finding.reason_zh, body_en=finding.reason_en,
                             subject_type="event_list", subject_id=row.id, dedupe_key=key)
    row.decision_id = decision.id
    if row.submitted_at is None:
        row.status = rules.MISSING


def _report_duplicates(ctx: EventContext, as_of: dt.datetime) -> int:
    """CUS-83: customers confirmed by two departments of an event still to come → the arbiter, with the
    rules' provisional judgement (the final one is made on arrival)."""
    if ctx.calendar.local_date(as_of) > ctx.day:
        return 0
    by_customer: dict[int, list[EventInvitation]] = defaultdict(list)
    for inv in invitations_of(ctx.event.id):
        if inv.state in rules.ACTIVE_STATES:
            by_customer[inv.customer_id].append(inv)
    arbiters = _role_users(ctx.settings["arbiter"])
    reported = 0
    names = {c.id: c.name for c in db.session.scalars(select(Customer).where(Customer.id.in_(
        [cid for cid, invs in by_customer.items() if len({i.department_id for i in invs}) > 1])))}
    for customer_id, invs in sorted(by_customer.items()):
        if len({i.department_id for i in invs}) < 2:
            continue
        verdict = rules.judge(_facts(invs), ctx.facts, ctx.settings, ctx.calendar, names.get(customer_id, ""))
        ids = ",".join(str(i.id) for i in sorted(invs, key=lambda i: i.id))
        notifications.notify(arbiters, kind="cus.event_duplicate", rule_id="CUS-83",
                             title_zh=f"重复邀约：{names.get(customer_id, customer_id)}",
                             title_en=f"Duplicate invitation: {names.get(customer_id, customer_id)}",
                             body_zh="（暂定）" + verdict.reason_zh, body_en="(provisional) " + verdict.reason_en,
                             subject_type="customer_event", subject_id=ctx.event.id,
                             dedupe_key=f"CUS-83:dup:{ctx.event.id}:{customer_id}:{ids}")
        reported += 1
    return reported


# ------------------------------------------------------------------------------------------- timeline


def timeline_items(customer_id: int, limit: int | None = None) -> list[dict]:
    """Invitations (at their confirmation, or when planned) and attendances of a customer, newest first
    (CUS-05), as :class:`core.customers.timeline.TimelineItem` fields."""
    rows = list(db.session.execute(
        select(EventInvitation, CustomerEvent).join(CustomerEvent, CustomerEvent.id == EventInvitation.event_id)
        .where(EventInvitation.customer_id == customer_id)))
    deps = {d.id: d.name for d in db.session.scalars(select(Department).where(
        Department.id.in_({i.department_id for i, _ in rows})))} if rows else {}
    items = []
    for inv, event in rows:
        kind_zh, kind_en = rules.EVENT_KIND_LABELS.get(event.kind, (event.kind, event.kind))
        state_zh, state_en = rules.STATE_LABELS[inv.state]
        dep = deps.get(inv.department_id, "")
        items.append({"type": "invitation", "at": inv.confirmed_at or inv.invited_at, "actor_id": inv.employee_id,
                      "summary_zh": f"{dep}邀约参加{kind_zh}「{event.title}」（{state_zh}）",
                      "summary_en": f"Invited by {dep} to the {kind_en} '{event.title}' ({state_en})",
                      "source": "event_invitations", "source_id": inv.id, "rule_id": "CUS-81"})
        if inv.attended_at is not None:
            items.append({"type": "attendance", "at": inv.attended_at, "actor_id": inv.attendance_by,
                          "summary_zh": f"到会：{kind_zh}「{event.title}」（{dep}邀约）",
                          "summary_en": f"Attended the {kind_en} '{event.title}' (invited by {dep})",
                          "source": "event_invitations", "source_id": inv.id, "rule_id": "CUS-83"})
    items.sort(key=lambda i: (i["at"], i["source_id"]), reverse=True)
    return items if limit is None else items[:limit]


def timeline_counts(customer_id: int) -> dict[str, int]:
    """``{"invitation": n, "attendance": m}`` of a customer (CUS-05)."""
    attended = list(db.session.scalars(select(EventInvitation.attended_at)
                                       .where(EventInvitation.customer_id == customer_id)))
    return {"invitation": len(attended), "attendance": sum(1 for a in attended if a is not None)}
