"""The attribution facts people record (RE-15, RE-17, RE-24, RE-25), the service.

- :func:`record_complaint` (RE-15) — the customer complained about a salesperson (optionally the CMP
  complaint case); :func:`decide_complaint` — a sales supervisor or manager verifies or rejects it
  (a decision ``RE-15`` on the customer), never a complaint about themselves (403).
- :func:`record_discount_seeking` (RE-17) — the customer approached another salesperson for a bigger
  discount.
- :func:`record_quarrel` (RE-25) — salespeople quarrelled over the customer's unit.
- :func:`bulk_attribute` (RE-24 / CUS-34) — the manager attributes the customers received on a
  launch day or fair (receptions flagged with the event): one reason for the batch, one
  :class:`AttributionOverride` and one decision per customer (``decided_by`` the manager).

Each fact changes the customer's deal, if there is one: its credit gets a new attribution decision
when the outcome differs (:func:`plugins.real_estate.attribution.rejudge_credit`). Invalid input →
422 by field; nothing is written on refusal.
"""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from core.accounts.models import Department, User
from core.customers.fact_time import fact_time
from core.customers.service import get_customer
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.staff import credit as credits
from core.staff.credit_rules import share_errors
from plugins.real_estate import attribution
from plugins.real_estate import attribution_rules as rules
from plugins.real_estate.policy import re_policy
from plugins.real_estate.portal import OFFICE_MANAGERS
from plugins.real_estate.reception_models import (
    EVENTS,
    AttributionEvent,
    AttributionOverride,
    Reception,
)

#: who verifies or rejects a complaint about a salesperson (RE-15) — never one about themselves
DECIDERS = OFFICE_MANAGERS
#: who decides the attribution of a launch day or fair (RE-24: "the manager decides"), not the supervisor
BULK_DECIDERS = ("sales_manager", "dept_manager", "gm", "tenant_admin")
NOTE_MAX = 2000


def _salesperson(user_id, field: str, errors: dict) -> int | None:
    if not isinstance(user_id, int) or db.session.scalar(select(User.id).where(User.id == user_id)) is None:
        errors[field] = ["not an employee of this company"]
        return None
    return user_id


def _note(note, errors: dict) -> str | None:
    text = (note or "").strip() or None
    if text and len(text) > NOTE_MAX:
        errors["note"] = [f"at most {NOTE_MAX} characters"]
    return text


def _at(at, errors: dict) -> dt.datetime | None:
    try:
        return fact_time(at, "at")
    except InvalidInput as err:
        errors.update(err.fields)
        return None


def _raise(errors: dict, what: str, rule_id: str) -> None:
    if errors:
        raise InvalidInput(what, fields=errors, rule_id=rule_id)


def _customer(customer_id: int) -> int:
    return get_customer(customer_id).id  # 404 for another tenant's


def get_event(event_id: int) -> AttributionEvent:
    event = db.session.scalars(select(AttributionEvent).where(AttributionEvent.id == event_id)).first()
    if event is None:
        raise NotFound("attribution fact not found")
    return event


def events_of(customer_id: int) -> list[AttributionEvent]:
    return list(db.session.scalars(select(AttributionEvent).where(AttributionEvent.customer_id == customer_id)
                                   .order_by(AttributionEvent.at.desc(), AttributionEvent.id.desc())))


def _add(event: AttributionEvent, by: int | None) -> AttributionEvent:
    db.session.add(event)
    db.session.flush()
    attribution.rejudge_credit(event.customer_id, by=by)
    return event


def record_complaint(customer_id: int, *, against_id, at=None, complaint_id=None, note=None,
                     by: int | None) -> AttributionEvent:
    """RE-15: a complaint about a salesperson, pending until a supervisor decides."""
    customer_id = _customer(customer_id)
    errors: dict = {}
    against = _salesperson(against_id, "against_id", errors)
    when = _at(at, errors)
    text = _note(note, errors)
    if complaint_id is not None:
        from core.complaints import service as complaints

        try:
            complaints.get_complaint(complaint_id)
        except (NotFound, TypeError):
            errors["complaint_id"] = ["not a complaint case of this company"]
    _raise(errors, "invalid complaint", "RE-15")
    return _add(AttributionEvent(customer_id=customer_id, kind="complaint", at=when, against_id=against,
                                 complaint_id=complaint_id, status="pending", note=text, recorded_by=by), by)


def decide_complaint(event: AttributionEvent, *, verdict: str, user: User, at=None, note=None):
    """RE-15: the sales supervisor (or a manager) verifies or rejects the complaint; verified, the deal
    has nothing to do with the salesperson; rejected, RE-13 stands. Returns the decision."""
    if not user.has_role(*DECIDERS):
        raise Forbidden("only a sales supervisor or manager verifies a complaint", rule_id="RE-15")
    if event.kind == "complaint" and event.against_id == user.id:
        raise Forbidden("nobody verifies or rejects a complaint about themselves", rule_id="RE-15")
    if event.kind != "complaint":
        raise Conflict("only a complaint is verified", rule_id="RE-15")
    if event.status != "pending":
        raise Conflict(f"the complaint was already {event.status}", rule_id="RE-15")
    errors: dict = {}
    if verdict not in ("verified", "rejected"):
        errors["verdict"] = ["Must be one of: verified, rejected."]
    when = _at(at, errors)
    if when is not None and when < event.at:
        errors["at"] = ["not before the complaint"]
    text = _note(note, errors)
    _raise(errors, "invalid verdict", "RE-15")
    event.status, event.decided_at, event.decided_by = verdict, when, user.id
    if text:
        event.note = f"{event.note}\n{text}" if event.note else text
    against = event.against_id
    if verdict == "verified":
        zh = f"销售主管核实了客户对销售员{against}的投诉：本单与该销售员无关（RE-15）。"
        en = f"The sales supervisor verified the customer's complaint about salesperson {against}: the deal has " \
             f"nothing to do with them (RE-15)."
    else:
        zh = f"销售主管驳回了客户对销售员{against}的投诉：按RE-13判定。"
        en = f"The sales supervisor rejected the customer's complaint about salesperson {against}: RE-13 applies."
    decision = decisions.record(
        "RE-15", "customer", event.customer_id, policy=re_policy(when), decided_by=user.id,
        outcome={"complaint": event.id, "status": verdict},
        facts={"attribution_event_id": event.id, "complaint_id": event.complaint_id, "against_id": against,
               "complained_at": event.at.isoformat(), "decided_at": when.isoformat(), "note": text},
        reason_zh=zh, reason_en=en)
    db.session.flush()
    attribution.rejudge_credit(event.customer_id, by=user.id)
    return decision


def record_discount_seeking(customer_id: int, *, approached_id, at=None, note=None,
                            by: int | None) -> AttributionEvent:
    """RE-17: the customer approached ``approached_id`` for a bigger discount."""
    customer_id = _customer(customer_id)
    errors: dict = {}
    approached = _salesperson(approached_id, "approached_id", errors)
    when = _at(at, errors)
    text = _note(note, errors)
    _raise(errors, "invalid discount-seeking", "RE-17")
    return _add(AttributionEvent(customer_id=customer_id, kind="discount_seeking", at=when,
                                 approached_id=approached, note=text, recorded_by=by), by)


def record_quarrel(customer_id: int, *, parties, at=None, unit_id=None, note=None,
                   by: int | None) -> AttributionEvent:
    """RE-25: salespeople quarrelled over the customer (its unit): the unit goes to the department."""
    customer_id = _customer(customer_id)
    errors: dict = {}
    ids = list(dict.fromkeys(parties or ()))
    if len(ids) < 2 or any(not isinstance(p, int) for p in ids):
        errors["parties"] = ["name at least two salespeople"]
    elif len(set(db.session.scalars(select(User.id).where(User.id.in_(ids))))) != len(ids):
        errors["parties"] = ["not employees of this company"]
    when = _at(at, errors)
    text = _note(note, errors)
    if unit_id is not None:
        from plugins.real_estate.sales_models import Unit

        if not isinstance(unit_id, int) or db.session.scalar(select(Unit.id).where(Unit.id == unit_id)) is None:
            errors["unit_id"] = ["not a unit of this company"]
    _raise(errors, "invalid quarrel", "RE-25")
    return _add(AttributionEvent(customer_id=customer_id, kind="quarrel", at=when, parties=ids, unit_id=unit_id,
                                 note=text, recorded_by=by), by)


# --- RE-24: the manager's bulk attribution -----------------------------------------------------------


def flagged_customers(event: str, day: dt.date, project_id: int | None = None) -> list[int]:
    """The customers received on ``day`` at receptions flagged ``event``, in order of arrival."""
    stmt = select(Reception.customer_id).where(Reception.event == event, Reception.day == day) \
        .order_by(Reception.at, Reception.id)
    if project_id is not None:
        stmt = stmt.where(Reception.project_id == project_id)
    return list(dict.fromkeys(db.session.scalars(stmt)))


def _holder_errors(lines) -> list[str]:
    errors = []
    for line in lines:
        model = User if line.user_id is not None else Department
        holder = line.user_id if line.user_id is not None else line.department_id
        if db.session.scalar(select(model.id).where(model.id == holder)) is None:
            errors.append(f"{holder}: not an employee or department of this company")
    return errors


def _share_set(items, field: str, errors: dict):
    try:
        lines = attribution.share_lines(items or [])
    except (KeyError, TypeError, ArithmeticError, ValueError, AttributeError):
        errors[field] = ["a list of {user_id or department_id, percent}"]
        return ()
    problems = share_errors(lines, what=field) or _holder_errors(lines)
    if problems:
        errors[field] = problems
    return lines


def bulk_attribute(*, event: str, day: dt.date, reason: str, assignments: dict, by: User,
                   project_id: int | None = None) -> list[AttributionOverride]:
    """RE-24: ``assignments`` = {customer_id: (performance items, bonus items)} for customers received
    at receptions flagged ``event`` on ``day``; one reason for the batch, one decision per customer."""
    if not by.has_role(*BULK_DECIDERS):
        raise Forbidden("only a manager decides the attribution of a launch day or fair", rule_id="RE-24")
    errors: dict = {}
    if event not in EVENTS:
        errors["event"] = [f"Must be one of: {', '.join(EVENTS)}."]
    text = (reason or "").strip()
    if not text:
        errors["reason"] = ["one reason for the batch is required (CUS-34)"]
    elif len(text) > NOTE_MAX:
        errors["reason"] = [f"at most {NOTE_MAX} characters"]
    flagged = set(flagged_customers(event, day, project_id)) if not errors else set()
    if not errors and not assignments:
        errors["assignments"] = ["assign at least one customer"]
    sets = {}
    for customer_id, (performance, bonus) in (assignments or {}).items():
        field = f"assignments.{customer_id}"
        if customer_id not in flagged and "event" not in errors:
            errors[field] = [f"not a customer received at a {event} reception on {day.isoformat()}"]
            continue
        problems: dict = {}
        sets[customer_id] = (_share_set(performance, "performance", problems), _share_set(bonus, "bonus", problems))
        if problems:
            errors[field] = [m for messages in problems.values() for m in messages]
    _raise(errors, "invalid bulk attribution", "RE-24")
    batch = f"{event}:{day.isoformat()}:{uuid.uuid4().hex[:12]}"
    now = utcnow()
    settings = attribution.settings_at(now)
    rows = []
    for customer_id in sorted(sets):
        performance, bonus = sets[customer_id]
        facts = attribution.facts_of(customer_id, settings=settings)
        outcome = rules.bulk_override(settings, [facts], performance=performance, bonus=bonus, reason=text,
                                      decided_by=by.id)[0]
        kwargs = outcome.record_kwargs()
        kwargs["facts"] = {**kwargs["facts"], "batch": batch, "event": event, "day": day.isoformat()}
        decision = decisions.record(subject_type="customer", subject_id=customer_id, policy=re_policy(now), **kwargs)
        row = AttributionOverride(batch=batch, customer_id=customer_id, event=event,
                                  performance=_stored(performance), bonus=_stored(bonus),
                                  follow_up_id=outcome.follow_up_id, reason=text, decided_by=by.id, decided_at=now,
                                  decision_id=decision.id)
        db.session.add(row)
        db.session.flush()
        _apply_to_credit(customer_id, outcome, text, by.id)
        rows.append(row)
    return rows


def _stored(lines) -> list[dict]:
    return [{"user_id": line.user_id, "department_id": line.department_id, "percent": str(line.percent)}
            for line in lines]


def _apply_to_credit(customer_id: int, outcome: rules.Attribution, reason: str, by: int) -> None:
    """A customer who already has a deal: its credit takes the manager's shares (a new decision)."""
    credit = attribution.credit_of_customer(customer_id)
    if credit is None or credits.reversal_of(credit) is not None:
        return
    credits.reattribute(credit, by=by, performance=outcome.performance, bonus=outcome.bonus,
                        rule_id=outcome.rule_id, reason=reason)
    attribution.lock_to_performance_owner(credit, by=by)


def get_override(override_id: int) -> AttributionOverride:
    row = db.session.scalars(select(AttributionOverride).where(AttributionOverride.id == override_id)).first()
    if row is None:
        raise NotFound("attribution override not found")
    return row
