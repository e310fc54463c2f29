"""What a work order's deadline events mean (the handler of ``subject_type = "work_order"`` in
:mod:`core.sla.subjects`, called by the sweep ``cmp.sla_timers`` and by :func:`core.sla.engine.meet`):

- warning (SVC-07 as CMP-34): the assignee (or the department's people while unassigned) and their
  supervisors are told; a decision;
- breach: a decision under SVC-07, the assignee and the responsible department told; a breach of the
  assignee's deadline without a delay notice filed before it is attributed to the assignee (SVC-08,
  :func:`core.service.dispatch_delays.on_breach`: a decision and an STF penalty proposal);
- escalation step (as CMP-40): the holders of the ladder's role are told; a decision per step.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.complaints.deadlines_events import department_people
from core.db import db
from core.decisions import service as decisions
from core.notifications.service import notify
from core.service.models import WorkOrder
from core.service.orders import SUBJECT, log_event, order_policy
from core.sla import engine as sla

_LABELS = {"approve": ("审批", "approval"), "dispatch": ("派工", "dispatch"), "arrive": ("到场", "arrival on site"),
           "complete": ("完工", "completion")}


def label(code: str) -> tuple[str, str]:
    return _LABELS.get(code, (sla.label_zh(code), code))


def _orders(rows) -> dict[int, WorkOrder]:
    ids = sorted({row.subject_id for row in rows})
    return {o.id: o for o in db.session.scalars(select(WorkOrder).where(WorkOrder.id.in_(ids)))}


def responsible(order: WorkOrder, people: People) -> list[int]:
    """The assignee and their supervisors; the department's head and supervisors while unassigned."""
    if order.assignee_id is not None:
        return list(dict.fromkeys([order.assignee_id, *people.supervisors_of(order.assignee_id)]))
    return department_people(order.department_id, people)


def ladder_holders(role: str, order: WorkOrder, people: People) -> list[int]:
    """Who holds ``role`` for the order: the nearest holder in the responsible department's chain,
    else every holder in the company; a department manager falls back to the department head."""
    return people.nearest_holders(role, order.department_id or people.department_of(order.assignee_id))


def _local(now: dt.datetime):
    calendar = tenant_calendar(now)[0]
    return lambda t: calendar.local(t).strftime("%Y-%m-%d %H:%M")


def warned(rows, now: dt.datetime) -> None:
    orders, people, local = _orders(rows), People(), _local(now)
    for row in rows:
        order = orders[row.subject_id]
        zh, en = label(row.code)
        to = responsible(order, people)
        decision = decisions.record(
            "SVC-07", SUBJECT, order.id, policy=order_policy(order),
            outcome={"milestone": row.code, "warned": to, "due_at": row.due_at},
            facts={"warn_at": row.warn_at, "milestone_id": row.id, "duration": row.duration},
            reason_zh=f"工单{order.number}{zh}期限{local(row.due_at)}将至，提醒负责人及主管",
            reason_en=f"order {order.number}: the {en} deadline {local(row.due_at)} is near")
        notify(to, kind="svc.deadline_warning", rule_id="SVC-07", subject_type=SUBJECT, subject_id=order.id,
               dedupe_key=f"SVC-07:warn:{row.id}:{row.due_at.isoformat()}", due_at=row.due_at,
               title_zh=f"工单{order.number}{zh}期限将至：{local(row.due_at)}",
               title_en=f"Order {order.number}: {en} due {local(row.due_at)}",
               body_zh=decision.reason_zh, body_en=decision.reason_en)


def breached(rows, now: dt.datetime) -> None:
    from core.service import dispatch_delays

    orders, people, local = _orders(rows), People(), _local(now)
    for row in rows:
        order = orders[row.subject_id]
        zh, en = label(row.code)
        to = list(dict.fromkeys([*responsible(order, people), *department_people(order.department_id, people)]))
        decision = decisions.record(
            "SVC-07", SUBJECT, order.id, policy=order_policy(order),
            outcome={"breach": row.code, "breached_at": row.breached_at, "met_at": row.met_at,
                     "assignee_id": order.assignee_id},
            facts={"milestone_id": row.id, "start": row.start_at, "duration": row.duration, "due_at": row.due_at},
            reason_zh=f"工单{order.number}{zh}超期：应于{local(row.due_at)}前完成"
                      + (f"，实际{local(row.met_at)}完成" if row.met_at else "，至今未完成"),
            reason_en=f"order {order.number}: {en} deadline {local(row.due_at)} breached"
                      + (f", done {local(row.met_at)}" if row.met_at else ", not done"))
        notify(to, kind="svc.deadline_breach", rule_id="SVC-07", subject_type=SUBJECT, subject_id=order.id,
               dedupe_key=f"SVC-07:breach:{row.id}", due_at=row.due_at,
               title_zh=f"工单{order.number}{zh}已超期（{local(row.due_at)}）",
               title_en=f"Order {order.number}: {en} overdue since {local(row.due_at)}",
               body_zh=decision.reason_zh, body_en=decision.reason_en)
        log_event(order, "deadline_breached", by=None, at=row.breached_at,
                  data={"milestone": row.code, "due_at": row.due_at}, decision_id=decision.id)
        dispatch_delays.on_breach(order, row, people)  # SVC-08: without a delay notice, the assignee's


def hard_breached(rows, now: dt.datetime) -> None:
    return None  # work-order milestones have no hard limit


def escalated(steps, now: dt.datetime) -> None:
    orders, people, local = _orders([row for row, _at in steps]), People(), _local(now)
    for row, step_at in steps:
        order = orders[row.subject_id]
        role = row.escalation_ladder[row.escalation_level - 1]
        to = ladder_holders(role, order, people)
        zh, en = label(row.code)
        decision = decisions.record(
            "SVC-07", SUBJECT, order.id, policy=order_policy(order),
            outcome={"milestone": row.code, "level": row.escalation_level, "role": role, "notified": to,
                     "at": step_at, "next_at": row.next_escalation_at},
            facts={"milestone_id": row.id, "breached_at": row.breached_at, "ladder": row.escalation_ladder},
            reason_zh=f"工单{order.number}{zh}超期未完成，{local(step_at)}升级至第{row.escalation_level}级（{role}）",
            reason_en=f"order {order.number}: {en} overdue; escalated at {local(step_at)} to level "
                      f"{row.escalation_level} ({role})")
        notify(to, kind="svc.escalation", rule_id="SVC-07", subject_type=SUBJECT, subject_id=order.id,
               dedupe_key=f"SVC-07:escalation:{row.id}:{row.escalation_level}", due_at=row.due_at,
               title_zh=f"工单{order.number}超期升级至您（第{row.escalation_level}级）",
               title_en=f"Order {order.number} escalated to you (level {row.escalation_level})",
               body_zh=decision.reason_zh, body_en=decision.reason_en)
        log_event(order, "escalated", by=None, at=step_at, decision_id=decision.id,
                  data={"milestone": row.code, "level": row.escalation_level, "role": role, "notified": to})


def met(row, at: dt.datetime) -> None:
    return None
