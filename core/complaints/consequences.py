"""Complaint consequences (CMP-70 penalty matrix, CMP-71 customer transfer, CMP-06 findings), written
to the staff ledger through :func:`core.staff.ledger.record_entry` (rule id, the complaint as subject,
a dedupe key per occurrence and liable person: a job run twice writes once).

- :func:`on_intake` — called by ``create_complaint``: the channel's events at once (a grumble noticed,
  a complaint to the GM) and, when the matrix has ``unresolved_after``, a pending check dated at the
  limit (the received time + ``limit`` on the tenant calendar).
- :func:`sweep` — job ``cmp.breach_consequences`` (every 5 minutes): pending checks whose limit has
  come; a case still unresolved then costs the matrix's amounts and, with ``transfer_customer``, its
  customer moves to an employee of another department (CMP-71); a case resolved in time costs nothing.
- :func:`on_event` — a manager records an event the system cannot see (the customer went to the GM
  about an open case, a verified attitude complaint...).
- :func:`on_finding` (CMP-06) — the finding recorded at conclusion: ``general_error`` or
  ``discipline`` with an accused employee → an STF proposal priced by the matrix (``finding_*``
  events; unpriced → a ¥0 assessment proposal for the approver to price); ``discipline`` also raises
  an HR flag for the disciplinary procedure; ``customer_side`` / ``not_substantiated`` → none.
- :func:`override_transfer` — the customer-resource director overrides the drawn owner within
  ``cmp.transfer.override_within``.

Who answers is :func:`core.complaints.consequence_rules.liable` (the accused, else the customer's
owner; the head of their department). Every case is judged under the ``cmp`` version it was received
under (CMP-37).
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from core.accounts.models import User
from core.audit.recorder import json_safe
from core.accounts.people import People
from core.calendar import Duration
from core.calendar.service import tenant_calendar
from core.complaints import consequence_rules as rules
from core.complaints.consequence_models import ComplaintConsequence, CustomerTransfer
from core.complaints.consequence_settings import EVENTS, UNRESOLVED
from core.complaints.models import Complaint
from core.complaints.policy import cmp_policy
from core.complaints.service import SUBJECT, get_complaint, log_event
from core.customers import ownership_store
from core.customers.assignment.facts import member_at
from core.customers.fact_time import fact_time
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.notifications.service import notify
from core.staff import ledger

#: events recorded by the system itself, never through :func:`on_event`
AUTOMATIC_EVENTS = (UNRESOLVED, "finding_general_error", "finding_discipline")
DIRECTOR = "resource_director"


def _money(amount) -> str:
    return f"{amount:,.2f}".rstrip("0").rstrip(".") if amount == int(amount) else f"{amount:,.2f}"


def _plain(matrix_row) -> dict:
    """A matrix row as facts (the limit as its text)."""
    return {k: (str(v) if isinstance(v, Duration) else v) for k, v in (matrix_row or {}).items()}


# ------------------------------------------------------------------ reading

def consequences_of(complaint_id: int) -> list[ComplaintConsequence]:
    return list(db.session.scalars(select(ComplaintConsequence).where(ComplaintConsequence.complaint_id == complaint_id)
                                   .order_by(ComplaintConsequence.occurred_at, ComplaintConsequence.id)))


def transfer_of(complaint_id: int) -> CustomerTransfer | None:
    return db.session.scalars(select(CustomerTransfer).where(CustomerTransfer.complaint_id == complaint_id)).first()


def _row(complaint_id: int, occurrence: str) -> ComplaintConsequence | None:
    return db.session.scalars(select(ComplaintConsequence).where(
        ComplaintConsequence.complaint_id == complaint_id, ComplaintConsequence.occurrence == occurrence)).first()


# ------------------------------------------------------------------ who answers

def liable_for(complaint: Complaint, people: People, *, accused_only: bool = False) -> rules.Liable:
    """CMP-70: the employee concerned and their department manager (see :func:`rules.liable`)."""
    owner_row = ownership_store.current(complaint.customer_id) if complaint.customer_id is not None else None
    owner_id = None if accused_only or owner_row is None else owner_row.owner_id
    employee = complaint.accused_user_id if complaint.accused_user_id is not None else owner_id
    unit = None
    if not accused_only:
        unit = (owner_row.department_id if owner_row is not None else None) or complaint.handler_department_id \
            or complaint.owner_department_id
    department_of = {employee: people.department_of(employee)} if employee is not None else {}
    department = department_of.get(employee) if employee is not None else unit
    heads = {department: [people.head_of(d) for d in people.chain(department)]}
    return rules.liable(accused_id=complaint.accused_user_id, customer_owner_id=owner_id, department_of=department_of,
                        unit_department_id=unit, heads_up_from=heads)


# ------------------------------------------------------------------ applying an event

def _apply(complaint: Complaint, event: str, occurred_at: dt.datetime, *, occurrence: str, view, who: rules.Liable,
           rule_id: str = "CMP-70", row: ComplaintConsequence | None = None, recorded_by: int | None = None,
           note: str | None = None, price_unpriced: bool = False) -> ComplaintConsequence:
    """Write the ledger entries of one event occurrence (once) and its decision on the case."""
    row = row or _row(complaint.id, occurrence)
    if row is not None and row.state != "pending":
        return row
    if row is None:
        row = ComplaintConsequence(complaint_id=complaint.id, event=event, occurrence=occurrence,
                                   occurred_at=occurred_at, state="pending", recorded_by=recorded_by, note=note)
        db.session.add(row)
    matrix_row = view.values["penalties"].get(event)
    if matrix_row is None and price_unpriced:
        matrix_row = {"employee": 0, "unit": "yuan"}  # CMP-06: an assessment entry the approver prices
    lines = rules.penalty_lines(matrix_row, who)
    event_zh, event_en = rules.event_label(event)
    entries = []
    for line in lines.lines:
        role_zh, role_en = rules.ROLE_LABELS[line.role]
        unit_zh = "元" if line.unit == "yuan" else "分"
        entry = ledger.record_entry(
            kind="penalty", offence=event, rule_id=rule_id, amount=line.amount, unit=line.unit,
            user_id=line.user_id, department_id=None if line.user_id is not None else line.department_id,
            occurred_at=occurred_at, subject_type=SUBJECT, subject_id=complaint.id, state="proposed", role=line.role,
            reason_zh=f"投诉{complaint.number}：{event_zh}，{role_zh}罚{_money(line.amount)}{unit_zh}。依据{rule_id}（CMP-70处罚标准）。",
            reason_en=f"Complaint {complaint.number}: {event_en}; {role_en} fined {_money(line.amount)} {line.unit}. "
                      f"Under {rule_id} (the CMP-70 matrix).",
            facts=json_safe({"complaint_id": complaint.id, "event": event, "occurrence": occurrence,
                             "liable": who.as_fact(), "matrix": _plain(matrix_row)}),
            policy=view, dedupe_key=f"CMP-70:{complaint.id}:{occurrence}:{line.role}", created_by=recorded_by)
        entries.append(entry)
    row.entry_ids = [e.id for e in entries]
    row.liable = who.as_fact()
    row.policy_version = view.version
    row.state = "applied" if entries else "none"
    row.decided_at = utcnow()
    who_zh, who_en = rules.BASIS_LABELS[who.basis]
    amounts_zh = "，".join(f"{rules.ROLE_LABELS[e.role][0]}{_money(e.amount)}元" for e in entries) or "无处罚"
    amounts_en = ", ".join(f"{rules.ROLE_LABELS[e.role][1]} {_money(e.amount)} {e.unit}" for e in entries) or "no fine"
    missing_zh = f"；无人承担：{'、'.join(rules.ROLE_LABELS[m][0] for m in lines.missing)}" if lines.missing else ""
    missing_en = f"; nobody to answer as {', '.join(rules.ROLE_LABELS[m][1] for m in lines.missing)}" if lines.missing else ""
    decision = decisions.record(
        rule_id, SUBJECT, complaint.id, policy=view,
        outcome={"event": event, "entries": row.entry_ids, "state": row.state, "missing": list(lines.missing)},
        facts={"event": event, "occurrence": occurrence, "occurred_at": occurred_at, "liable": who.as_fact(),
               "matrix_row": _plain(matrix_row), "channel": complaint.channel},
        reason_zh=f"投诉{complaint.number}：{event_zh}（当事员工：{who_zh}）→ {amounts_zh}{missing_zh}。依据{rule_id}。",
        reason_en=f"Complaint {complaint.number}: {event_en} (employee concerned: {who_en}) → {amounts_en}{missing_en}. "
                  f"Under {rule_id}.")
    row.decision_id = decision.id
    db.session.flush()
    log_event(complaint, "consequence", by=recorded_by, at=occurred_at, decision_id=decision.id,
              data={"event": event, "entries": row.entry_ids})
    return row


# ------------------------------------------------------------------ CMP-70 at intake, manual events, the sweep

def on_intake(complaint: Complaint, *, people: People | None = None) -> list[ComplaintConsequence]:
    """CMP-70 at intake (see module doc). Nothing when the tenant's matrix is empty (core default)."""
    view = cmp_policy(complaint.received_at)
    matrix = view.values["penalties"]
    if not matrix:
        return []
    people = people or People()
    rows = []
    # CMP-54: a reopened case carries its parent's channel; the channel's events (grumble, to the GM) were
    # charged on the parent and are not charged again. Its own limit runs from the fresh clock.
    for event in ([] if complaint.parent_id is not None else rules.intake_events(complaint.channel)):
        if event in matrix:
            rows.append(_apply(complaint, event, complaint.received_at, occurrence=event, view=view,
                               who=liable_for(complaint, people)))
    if UNRESOLVED in matrix and complaint.case_type == "complaint" and _row(complaint.id, UNRESOLVED) is None:
        calendar, _ = tenant_calendar(complaint.received_at)
        limit = calendar.add_duration(complaint.received_at, matrix[UNRESOLVED]["limit"])
        row = ComplaintConsequence(complaint_id=complaint.id, event=UNRESOLVED, occurrence=UNRESOLVED,
                                   occurred_at=limit.utc, state="pending", policy_version=view.version)
        db.session.add(row)
        db.session.flush()
        rows.append(row)
    return rows


def on_event(complaint: Complaint, event: str, *, at: dt.datetime | None, by: int | None,
             note: str | None = None) -> ComplaintConsequence:
    """A manager records a CMP-70 event on a case at ``at`` (each occurrence once)."""
    errors = {}
    if event not in EVENTS or event in AUTOMATIC_EVENTS:
        errors["event"] = [f"one of {', '.join(e for e in EVENTS if e not in AUTOMATIC_EVENTS)} (the limit and the "
                           "findings are applied by the system)"]
    try:
        at = fact_time(at, "occurred_at")
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput("invalid complaint event", fields=errors, rule_id="CMP-70")
    if at < complaint.received_at:
        raise InvalidInput("before the case", fields={"occurred_at": ["not before the case was received"]})
    occurrence = f"{event}@{at.astimezone(dt.timezone.utc).isoformat()}"
    if _row(complaint.id, occurrence) is not None:
        raise Conflict("this occurrence is recorded already", rule_id="CMP-70",
                       fields={"occurred_at": ["the same event at the same time is recorded already"]})
    view = cmp_policy(complaint.received_at)
    return _apply(complaint, event, at, occurrence=occurrence, view=view, who=liable_for(complaint, People()),
                  recorded_by=by, note=note)


def sweep(as_of: dt.datetime | None = None, *, people: People | None = None) -> dict:
    """CMP-70/71: every pending limit that has come (one set-based query; applied rows are never taken
    again)."""
    as_of = as_of or utcnow()
    rows = list(db.session.scalars(select(ComplaintConsequence).where(
        ComplaintConsequence.state == "pending", ComplaintConsequence.occurred_at <= as_of)
        .order_by(ComplaintConsequence.occurred_at, ComplaintConsequence.id)))
    result = {"applied": 0, "cancelled": 0, "transfers": 0}
    if not rows:
        return result
    people = people or People()
    for row in rows:
        complaint = get_complaint(row.complaint_id)
        view = cmp_policy(complaint.received_at)
        if complaint.master_id is not None:  # CMP-13: a linked case is judged by its master's limit
            _cancel(complaint, row, view, linked=True)
            result["cancelled"] += 1
            continue
        if rules.is_unresolved(limit_at=row.occurred_at, status=complaint.status, resolved_at=complaint.resolved_at,
                               closed_at=complaint.closed_at):
            _apply(complaint, row.event, row.occurred_at, occurrence=row.occurrence, view=view, row=row,
                   who=liable_for(complaint, people))
            result["applied"] += 1
            matrix_row = view.values["penalties"].get(UNRESOLVED) or {}
            if matrix_row.get("transfer_customer") and transfer(complaint, as_of, view=view, people=people):
                result["transfers"] += 1
        else:
            _cancel(complaint, row, view)
            result["cancelled"] += 1
    db.session.flush()
    return result


def _cancel(complaint: Complaint, row: ComplaintConsequence, view, *, linked: bool = False) -> None:
    calendar, _ = tenant_calendar(row.occurred_at)
    row.state, row.decided_at = "cancelled", utcnow()
    limit = f"{calendar.local(row.occurred_at):%Y-%m-%d %H:%M}"
    if linked:
        zh = (f"投诉{complaint.number}已并入主案（CMP-13），以主案时限和处理为准，本案不按期限{limit}单独处罚。"
              "依据CMP-70、CMP-13。")
        en = (f"Complaint {complaint.number} is linked to a master case (CMP-13), whose clock and handling govern: "
              f"no fine of its own at the limit {limit}. Under CMP-70 and CMP-13.")
    else:
        zh = f"投诉{complaint.number}在期限{limit}前已处理完毕（或不予受理），不处罚。依据CMP-70。"
        en = f"Complaint {complaint.number} was resolved (or rejected) before its limit {limit}: no fine. Under CMP-70."
    decision = decisions.record(
        "CMP-70", SUBJECT, complaint.id, policy=view, outcome={"event": row.event, "state": "cancelled"},
        facts={"limit_at": row.occurred_at, "status": complaint.status, "resolved_at": complaint.resolved_at,
               "closed_at": complaint.closed_at, "master_id": complaint.master_id},
        reason_zh=zh, reason_en=en)
    row.decision_id = decision.id


# ------------------------------------------------------------------ CMP-06 findings

def on_finding(complaint: Complaint, at: dt.datetime | None = None) -> ComplaintConsequence | None:
    """CMP-06: the staff consequence of the finding recorded on ``complaint`` (see module doc).
    Returns the consequence row, or None when the finding has none."""
    at = at or utcnow()
    view = cmp_policy(complaint.received_at)
    event = rules.finding_event(complaint.finding)
    if event is None or complaint.accused_user_id is None:
        why_zh = "结论不涉及员工责任" if event is None else "未指明被投诉员工"
        why_en = "the finding puts no blame on staff" if event is None else "no accused employee is named"
        decisions.record("CMP-06", SUBJECT, complaint.id, policy=view,
                         outcome={"finding": complaint.finding, "staff_consequence": None},
                         facts={"finding": complaint.finding, "accused_user_id": complaint.accused_user_id},
                         reason_zh=f"投诉{complaint.number}处理结论为{complaint.finding}，{why_zh}，不生成员工处罚建议。依据CMP-06。",
                         reason_en=f"Complaint {complaint.number}: finding {complaint.finding}; {why_en}: no staff "
                                   f"proposal. Under CMP-06.")
        return None
    who = liable_for(complaint, People(), accused_only=True)
    row = _apply(complaint, event, at, occurrence=event, view=view, who=who, rule_id="CMP-06",
                 price_unpriced=event == "finding_general_error")
    if event == "finding_discipline":
        flag = ledger.record_entry(
            kind="flag", offence=event, rule_id="CMP-06", amount=0, user_id=complaint.accused_user_id,
            occurred_at=at, subject_type=SUBJECT, subject_id=complaint.id, state="proposed",
            label=rules.DISCIPLINE_FLAG, policy=view, dedupe_key=f"CMP-06:{complaint.id}:{rules.DISCIPLINE_FLAG}",
            reason_zh=f"投诉{complaint.number}经查属违纪或失职，转人事按纪律处分程序审核（不自动处分）。依据CMP-06。",
            reason_en=f"Complaint {complaint.number} found a breach of discipline or dereliction: HR reviews it under "
                      f"the disciplinary procedure (nothing automatic). Under CMP-06.",
            facts={"complaint_id": complaint.id, "finding": complaint.finding})
        if flag.id not in row.entry_ids:
            row.entry_ids = [*row.entry_ids, flag.id]
            row.state = "applied"
        db.session.flush()
    return row


# ------------------------------------------------------------------ CMP-71 customer transfer

def _directors(people: People) -> list[int]:
    return [uid for uid, _dep in people.holders(DIRECTOR)]


def transfer(complaint: Complaint, at: dt.datetime, *, view=None, people: People | None = None
             ) -> CustomerTransfer | None:
    """CMP-71: the customer of an unresolved case goes to an employee of another department by the
    tenant's strategy (default a seeded random draw). Once per case; None without a customer."""
    if complaint.customer_id is None:
        return None
    existing = transfer_of(complaint.id)
    if existing is not None:
        return existing
    view = view or cmp_policy(complaint.received_at)
    people = people or People()
    settings = view.values["transfer"]
    current = ownership_store.current(complaint.customer_id)
    from_owner = current.owner_id if current is not None else None
    from_department = (current.department_id if current is not None else None) or people.department_of(from_owner) \
        or people.department_of(complaint.accused_user_id)
    row = CustomerTransfer(complaint_id=complaint.id, customer_id=complaint.customer_id, at=at,
                           strategy=settings["strategy"], from_owner_id=from_owner, from_department_id=from_department)
    calendar, _ = tenant_calendar(at)
    number = complaint.number
    if settings["strategy"] == "manual":
        row.state = "manual"
        db.session.add(row)
        zh = f"投诉{number}逾期未处理好，客户须移交其他部门员工跟进，由顾客资源总监指定接收人。依据CMP-71。"
        en = f"Complaint {number} is unresolved past its limit: the customer moves to another department; the " \
             f"customer-resource director names the new owner. Under CMP-71."
        row.decision_id = decisions.record("CMP-71", "customer", complaint.customer_id, policy=view,
                                           outcome={"strategy": "manual", "state": "manual"},
                                           facts={"complaint_id": complaint.id, "from_owner_id": from_owner,
                                                  "from_department_id": from_department},
                                           reason_zh=zh, reason_en=en).id
        notify(_directors(people), kind="cmp.customer_transfer", rule_id="CMP-71", subject_type=SUBJECT,
               subject_id=complaint.id, dedupe_key=f"CMP-71:manual:{complaint.id}", title_zh=zh, title_en=en)
        db.session.flush()
        return row
    holder_ids = sorted({uid for role in settings["roles"] for uid, _dep in people.holders(role)})
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(holder_ids)))} if holder_ids else {}
    seed = random.SystemRandom().randrange(0, 2**31)
    draw = rules.transfer_draw([member_at(users[i], at) for i in holder_ids], seed=seed, scope=settings["scope"],
                               from_department_id=from_department,
                               excluded=[x for x in (from_owner, *(complaint.excluded_user_ids or [])) if x is not None])
    row.seed, row.candidates, row.shuffled, row.skipped = seed, list(draw.candidates), list(draw.shuffled), list(draw.skipped)
    facts = {"complaint_id": complaint.id, "from_owner_id": from_owner, "from_department_id": from_department,
             "seed": seed, "candidates_ascending": list(draw.candidates), "shuffled": list(draw.shuffled),
             "skipped": list(draw.skipped), "scope": settings["scope"], "roles": settings["roles"]}
    if draw.winner is None:
        row.state = "no_candidate"
        db.session.add(row)
        zh = f"投诉{number}逾期未处理好，客户须移交其他部门员工，但无合格接收人，请顾客资源总监指定。依据CMP-71。"
        en = f"Complaint {number} is unresolved past its limit but no employee of another department can take the " \
             f"customer: the customer-resource director names one. Under CMP-71."
        row.decision_id = decisions.record("CMP-71", "customer", complaint.customer_id, policy=view,
                                           outcome={"strategy": "random_draw", "state": "no_candidate"}, facts=facts,
                                           reason_zh=zh, reason_en=en).id
        notify(_directors(people), kind="cmp.customer_transfer", rule_id="CMP-71", subject_type=SUBJECT,
               subject_id=complaint.id, dedupe_key=f"CMP-71:none:{complaint.id}", title_zh=zh, title_en=en)
        db.session.flush()
        return row
    winner = users[draw.winner]
    until = calendar.add_duration(at, settings["override_within"]).utc
    keep = current is not None and current.owner_id is not None and current.state != "unowned"
    zh = (f"投诉{number}逾期未处理好，客户资源移交其他部门员工跟进：以种子{seed}对{len(draw.candidates)}名候选人随机抽取，"
          f"由{winner.display_name}接收；顾客资源总监可于{calendar.local(until):%Y-%m-%d %H:%M}前改派。依据CMP-71。")
    en = (f"Complaint {number} is unresolved past its limit: the customer moves to an employee of another department. "
          f"Random draw with seed {seed} among {len(draw.candidates)} candidates: {winner.display_name}. The "
          f"customer-resource director may override until {calendar.local(until):%Y-%m-%d %H:%M}. Under CMP-71.")
    change = ownership_store.set_owner(
        complaint.customer_id, owner_id=winner.id, state=current.state if keep else "protected",
        until=current.until if keep else None, department_id=winner.department_id, at=at, rule_id="CMP-71",
        reason_zh=zh, reason_en=en, facts=facts, outcome={"kind": "complaint_transfer", "seed": seed,
                                                         "complaint_id": complaint.id}, policy=view)
    row.state, row.to_owner_id, row.to_department_id = "transferred", winner.id, winner.department_id
    row.override_until, row.decision_id = until, change.decision_id
    db.session.add(row)
    db.session.flush()
    log_event(complaint, "customer_transferred", by=None, at=at, decision_id=change.decision_id,
              data={"customer_id": complaint.customer_id, "from_owner_id": from_owner, "to_owner_id": winner.id,
                    "seed": seed})
    notify([winner.id, from_owner, *_directors(people)], kind="cmp.customer_transfer", rule_id="CMP-71",
           subject_type=SUBJECT, subject_id=complaint.id, dedupe_key=f"CMP-71:transfer:{complaint.id}",
           due_at=until, title_zh=zh, title_en=en)
    return row


def override_transfer(complaint: Complaint, owner_id: int | None, reason: str | None, director: User,
                      *, now: dt.datetime | None = None) -> CustomerTransfer:
    """CMP-71: the customer-resource director gives the transferred customer to someone else, with a
    reason, within the override window (a transfer left to the director has no window)."""
    row = transfer_of(complaint.id)
    if row is None:
        raise NotFound("this complaint moved no customer")
    now = now or utcnow()
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = ["a reason is required to override the transfer"]
    if owner_id is None:
        errors["owner_id"] = ["required"]
    if errors:
        raise InvalidInput("invalid override", fields=errors, rule_id="CMP-71")
    if row.state == "overridden":
        raise Conflict("the transfer was overridden already", rule_id="CMP-71",
                       fields={"owner_id": ["overridden already"]})
    if row.state == "transferred" and row.override_until is not None and now > row.override_until:
        raise Conflict("the override window has passed", rule_id="CMP-71",
                       fields={"owner_id": [f"the director could override until {row.override_until.isoformat()}"]})
    owner = db.session.scalars(select(User).where(User.id == owner_id)).first()
    if owner is None or not owner.is_active:
        raise InvalidInput("unknown or inactive employee", fields={"owner_id": ["an active employee of this company"]})
    if owner.id in (complaint.excluded_user_ids or []):
        raise Conflict("the accused cannot receive the customer", rule_id="CMP-21",
                       fields={"owner_id": ["the employee complained about cannot take the customer over"]})
    view = cmp_policy(complaint.received_at)
    current = ownership_store.current(row.customer_id)
    keep = current is not None and current.owner_id is not None and current.state != "unowned"
    supersedes = decisions.get(row.decision_id) if row.decision_id else None
    reason = reason.strip()
    change = ownership_store.set_owner(
        row.customer_id, owner_id=owner.id, state=current.state if keep else "protected",
        until=current.until if keep else None, department_id=owner.department_id, at=now, rule_id="CMP-71",
        reason_zh=f"顾客资源总监改派：客户由{owner.display_name}接收，理由：{reason}。此决定取代原随机抽取结果（保留）。依据CMP-71。",
        reason_en=f"The customer-resource director overrides the transfer: {owner.display_name} takes the customer; "
                  f"reason: {reason}. This supersedes the draw, which is kept. Under CMP-71.",
        facts={"complaint_id": complaint.id, "transfer_state": row.state, "drawn_owner_id": row.to_owner_id,
               "override_until": row.override_until, "reason": reason},
        outcome={"kind": "complaint_transfer_override"}, policy=view, decided_by=director.id, supersedes=supersedes)
    row.state, row.overridden_by, row.overridden_at = "overridden", director.id, now
    row.override_reason, row.override_decision_id = reason, change.decision_id
    row.to_owner_id, row.to_department_id = owner.id, owner.department_id
    db.session.flush()
    log_event(complaint, "customer_transfer_overridden", by=director.id, at=now, decision_id=change.decision_id,
              data={"customer_id": row.customer_id, "to_owner_id": owner.id})
    return row
