"""Delay notices and breaches without one (SVC-08).

- :func:`file_notice` — the assignee who cannot finish by a deadline (arrival or completion) files a
  delay notice before it, with the reason and the time proposed; the supervisors are told. At or after
  the deadline it is too late (409).
- :func:`decide_notice` — a supervisor grants a new due time (fixed on the open milestone by
  :func:`core.sla.engine.fix_due`; a decision SVC-08) or refuses (the deadline stands).
- :func:`on_breach` — called by :func:`core.service.deadlines_events.breached` for every breached
  work-order milestone: a breach of the assignee's deadline without a notice filed before it is a
  decision SVC-08 naming the assignee and an STF penalty proposal (offence
  ``svc_breach_without_notice``, priced by the tenant's ``stf.catalog``, else open for the approver).

None of these commits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications.service import notify
from core.service import dispatch_rules as rules
from core.service import orders
from core.service.dispatch import is_manager, name_of, step_time, supervisors_to_tell
from core.service.dispatch_field import acts_for_assignee
from core.service.dispatch_models import WorkOrderDelayNotice
from core.service.models import OPEN_STATES, WorkOrder
from core.service.orders import SUBJECT, order_policy
from core.sla import engine as sla
from core.sla.models import SlaMilestone

OFFENCE = "svc_breach_without_notice"


def _local(at: dt.datetime) -> str:
    return tenant_calendar(at)[0].local(at).strftime("%Y-%m-%d %H:%M")


def notices_of(order: WorkOrder) -> list[WorkOrderDelayNotice]:
    return list(db.session.scalars(select(WorkOrderDelayNotice).where(WorkOrderDelayNotice.order_id == order.id)
                                   .order_by(WorkOrderDelayNotice.filed_at, WorkOrderDelayNotice.id)))


def get_notice(order: WorkOrder, notice_id: int, *, for_update: bool = False) -> WorkOrderDelayNotice:
    stmt = select(WorkOrderDelayNotice).where(WorkOrderDelayNotice.id == notice_id,
                                              WorkOrderDelayNotice.order_id == order.id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    notice = db.session.scalars(stmt).first()
    if notice is None:
        raise NotFound("delay notice not found")
    return notice


def _milestone(order: WorkOrder, code: str | None) -> SlaMilestone:
    """The deadline a notice is about: the one named, else the assignee's earliest open one."""
    rows = [r for r in sla.milestones_of(SUBJECT, order.id) if r.code in rules.ASSIGNEE_MILESTONES]
    if code is not None:
        found = [r for r in rows if r.code == code]
        if not found:
            raise InvalidInput("no such deadline", fields={"milestone": [
                f"the order has no {code} deadline of the assignee ({', '.join(r.code for r in rows) or 'none'})"]})
        return found[0]
    open_rows = [r for r in rows if r.state == "open"]
    if not open_rows:
        raise Conflict("the order has no running deadline of the assignee (arrival or completion)", rule_id="SVC-08")
    return min(open_rows, key=lambda r: (r.due_at, r.id))


def file_notice(order: WorkOrder, data: dict, *, user) -> WorkOrderDelayNotice:
    """SVC-08: ``data``: reason, proposed_due, milestone (default the earliest open one), at (filed,
    default now). 409 when the order has no assignee, the deadline is not running, or it is too late."""
    if order.status not in OPEN_STATES or order.assignee_id is None:
        raise Conflict("a delay notice is filed by the assignee of an open, dispatched order", rule_id="SVC-08",
                       state=order.status)
    acts_for_assignee(order, user)
    errors = {}
    if not (data.get("reason") or "").strip():
        errors["reason"] = ["say why the deadline cannot be met"]
    proposed = data.get("proposed_due")
    if proposed is None or proposed.tzinfo is None:
        errors["proposed_due"] = ["the time you can finish by, with its time zone"]
    if errors:
        raise InvalidInput("invalid delay notice", fields=errors, rule_id="SVC-08")
    at = step_time(order, data.get("at"))
    row = _milestone(order, data.get("milestone"))
    if row.state != "open":
        raise Conflict(f"the {row.code} deadline is {row.state}: too late for a delay notice", rule_id="SVC-08",
                       milestone=row.code)
    problem = rules.notice_problem(due_at=row.due_at, filed_at=at, proposed_due=proposed)
    if problem is not None and problem[0] == "late":
        raise Conflict(f"{problem[1]} ({_local(row.due_at)}): too late", rule_id="SVC-08",
                       reason_zh=f"延期申请须在期限（{_local(row.due_at)}）前提出", milestone=row.code, due_at=row.due_at.isoformat())
    if problem is not None:
        raise InvalidInput("invalid delay notice", fields={"proposed_due": [problem[1]]}, rule_id="SVC-08")
    pending = [n for n in notices_of(order) if n.milestone_id == row.id and n.state == "pending"]
    if pending:
        raise Conflict("a delay notice on this deadline is waiting for the supervisor", rule_id="SVC-08",
                       notice_id=pending[0].id)
    notice = WorkOrderDelayNotice(order_id=order.id, milestone=row.code, milestone_id=row.id, due_at=row.due_at,
                                  reason=data["reason"].strip(), proposed_due=proposed, filed_by=user.id, filed_at=at,
                                  state="pending")
    db.session.add(notice)
    db.session.flush()
    orders.log_event(order, "delay_notice", by=user.id, at=at, note=notice.reason,
                     data={"notice_id": notice.id, "milestone": row.code, "due_at": row.due_at,
                           "proposed_due": proposed})
    to = [uid for uid in supervisors_to_tell(order, People()) if uid != user.id]
    notify(to, kind="svc.delay_notice", rule_id="SVC-08", subject_type=SUBJECT, subject_id=order.id,
           dedupe_key=f"SVC-08:notice:{notice.id}", due_at=row.due_at,
           title_zh=f"工单{order.number}申请延期：{_local(row.due_at)} → {_local(proposed)}",
           title_en=f"Order {order.number}: delay notice, {_local(row.due_at)} → {_local(proposed)}",
           body_zh=f"{name_of(order.assignee_id)}：{notice.reason}（请在{_local(row.due_at)}前决定）",
           body_en=f"{name_of(order.assignee_id)}: {notice.reason} (decide before {_local(row.due_at)})")
    return notice


def decide_notice(order: WorkOrder, notice: WorkOrderDelayNotice, data: dict, *, user) -> WorkOrderDelayNotice:
    """SVC-08: ``data``: new_due_at (grant) or refuse=true, note, at (default now). A supervisor or
    manager, not the one who filed it; 409 once decided or when the deadline passed first."""
    if not is_manager(user) or user.id == notice.filed_by:
        raise Forbidden("a supervisor or manager (not the one who filed it) decides a delay notice")
    if notice.state != "pending":
        raise Conflict(f"the notice was {notice.state} already", rule_id="SVC-08")
    refuse = bool(data.get("refuse"))
    new_due = data.get("new_due_at")
    if refuse == (new_due is not None):
        raise InvalidInput("grant or refuse", fields={"new_due_at": ["give the new due time, or refuse=true"]})
    at = step_time(order, data.get("at"), not_before=notice.filed_at, label="the notice was filed")
    row = db.session.scalars(select(SlaMilestone).where(SlaMilestone.id == notice.milestone_id)).one()
    note = (data.get("note") or "").strip() or None
    old = row.due_at
    if refuse:
        notice.state = "refused"
        outcome = {"notice_id": notice.id, "granted": False, "milestone": row.code, "due_at": old}
        zh = f"工单{order.number}的延期申请未获批准，{_local(old)}的期限不变" + (f"（{note}）" if note else "")
        en = f"order {order.number}: delay notice refused, the {row.code} deadline {_local(old)} stands" \
             + (f" ({note})" if note else "")
    else:
        if new_due.tzinfo is None:
            raise InvalidInput("invalid time", fields={"new_due_at": ["a time with its time zone"]})
        if new_due <= old:
            raise InvalidInput("invalid time", fields={"new_due_at": [
                f"must be later than the deadline in force ({old.isoformat()})"]})
        sla.fix_due(row, new_due, at=at, reason=f"SVC-08 delay notice {notice.id}")
        notice.state, notice.new_due_at = "granted", new_due
        outcome = {"notice_id": notice.id, "granted": True, "milestone": row.code, "old_due_at": old,
                   "new_due_at": new_due, "proposed_due": notice.proposed_due}
        zh = f"工单{order.number}延期申请获批：{_label(row.code)[0]}期限由{_local(old)}改为{_local(new_due)}" \
             + (f"（{note}）" if note else "")
        en = f"order {order.number}: delay granted, the {row.code} deadline moves from {_local(old)} to " \
             f"{_local(new_due)}" + (f" ({note})" if note else "")
    notice.decided_by, notice.decided_at, notice.decision_note = user.id, at, note
    decision = decisions.record(
        "SVC-08", SUBJECT, order.id, policy=order_policy(order), decided_by=user.id, outcome=outcome,
        facts={"filed_by": notice.filed_by, "filed_at": notice.filed_at, "reason": notice.reason,
               "milestone_id": row.id, "decided_at": at},
        reason_zh=zh, reason_en=en)
    notice.decision_id = decision.id
    orders.log_event(order, "delay_decided", by=user.id, at=at, note=note, decision_id=decision.id,
                     data=outcome)
    notify([notice.filed_by, order.assignee_id], kind="svc.delay_notice_decided", rule_id="SVC-08",
           subject_type=SUBJECT, subject_id=order.id, dedupe_key=f"SVC-08:decided:{notice.id}",
           due_at=row.due_at, title_zh=zh, title_en=en)
    db.session.flush()
    return notice


def _label(code: str) -> tuple[str, str]:
    from core.service.deadlines_events import label

    return label(code)


def on_breach(order: WorkOrder, row: SlaMilestone, people: People) -> None:
    """SVC-08: what the breach of ``row`` means for the order's assignee (see module doc)."""
    notices = list(db.session.scalars(select(WorkOrderDelayNotice).where(
        WorkOrderDelayNotice.order_id == order.id, WorkOrderDelayNotice.milestone_id == row.id)))
    due = row.breached_at or row.due_at
    verdict = rules.breach_attribution(row.code, assignee_id=order.assignee_id,
                                       notices=[(n.filed_at, n.state) for n in notices], due_at=due)
    if verdict in ("not_assignee", "unassigned"):
        return
    zh_code, en_code = _label(row.code)
    assignee = name_of(order.assignee_id)
    view = order_policy(order)
    if verdict == "covered":
        notice = min((n for n in notices if n.filed_at < due and n.state != "granted"), key=lambda n: n.filed_at)
        decisions.record(
            "SVC-08", SUBJECT, order.id, policy=view,
            outcome={"breach": row.code, "attributed": False, "assignee_id": order.assignee_id,
                     "notice_id": notice.id},
            facts={"milestone_id": row.id, "due_at": due, "notice_filed_at": notice.filed_at,
                   "notice_state": notice.state},
            reason_zh=f"工单{order.number}{zh_code}超期，{assignee}已于{_local(notice.filed_at)}期限前申请延期，不归责于经办人",
            reason_en=f"order {order.number}: {en_code} breached; {assignee} filed a delay notice at "
                      f"{_local(notice.filed_at)}, before the deadline: not attributed")
        return
    reason_zh = f"工单{order.number}{zh_code}超期（应于{_local(due)}前），经办人{assignee}未在期限前申请延期，责任归经办人"
    reason_en = f"order {order.number}: {en_code} deadline {_local(due)} breached without a delay notice before it: " \
                f"attributed to the assignee {assignee}"
    penalty: dict = {"offence": OFFENCE}
    from core.staff.penalties import penalise

    try:
        entries = penalise(offence=OFFENCE, occurred_at=due, user_id=order.assignee_id, open_amount=True,
                           rule_id="SVC-08", subject_type=SUBJECT, subject_id=order.id, reason_zh=reason_zh,
                           reason_en=reason_en, facts={"milestone": row.code, "milestone_id": row.id},
                           dedupe_key=f"SVC-08:breach:{row.id}")
        penalty.update({"entry_id": entries[0].id, "amount": entries[0].amount, "unit": entries[0].unit,
                        "state": entries[0].state})
    except InvalidInput as exc:  # the tenant's catalog prices the offence in a way this rule cannot use
        penalty.update({"error": exc.message, "fields": exc.fields})
    decision = decisions.record(
        "SVC-08", SUBJECT, order.id, policy=view,
        outcome={"breach": row.code, "attributed": True, "assignee_id": order.assignee_id, "assignee": assignee,
                 "penalty": penalty},
        facts={"milestone_id": row.id, "due_at": due, "met_at": row.met_at,
               "notices": [{"id": n.id, "filed_at": n.filed_at, "state": n.state} for n in notices]},
        reason_zh=reason_zh, reason_en=reason_en)
    orders.log_event(order, "breach_attributed", by=None, at=due, decision_id=decision.id,
                     data={"milestone": row.code, "assignee_id": order.assignee_id,
                           "entry_id": penalty.get("entry_id")})
    notify([order.assignee_id, *supervisors_to_tell(order, people)], kind="svc.breach_attributed", rule_id="SVC-08",
           subject_type=SUBJECT, subject_id=order.id, dedupe_key=f"SVC-08:attributed:{row.id}", due_at=due,
           title_zh=f"工单{order.number}{zh_code}超期未申请延期，已提出处罚建议",
           title_en=f"Order {order.number}: {en_code} breached without a delay notice: penalty proposed",
           body_zh=reason_zh, body_en=reason_en)
