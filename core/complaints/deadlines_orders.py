"""Reminders (催办单) and investigation orders (查办单) of overdue complaints (CMP-35).

- :func:`remind` — one reminder per case and local day to the responsible department (its head and
  supervisors) and the case's owner: written by the sweep at the breach, and by
  :func:`send_reminders` (job ``cmp.reminders``, working days 08:30) every working day after while
  the case stays open with a breached deadline not yet met.
- :func:`open_investigations` — every case closed after a breach gets one investigation order to
  its responsible department, asking why (same job).
- :func:`answer` — the department answers the order.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import exists, select

from core.accounts.models import User
from core.accounts.people import People
from core.audit.recorder import json_safe
from core.calendar.service import tenant_calendar
from core.complaints import deadlines_rules as rules
from core.complaints.deadlines_events import department_people, excluded_of, responsible_department, without_excluded
from core.complaints.deadlines_models import ComplaintReminder, InvestigationOrder
from core.complaints.models import OPEN_STATUSES, Complaint
from core.complaints.service import SUBJECT, log_event
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications.service import notify
from core.policy import service as policy_service
from core.sla import engine as sla
from core.sla.models import SlaMilestone

#: roles that may answer any department's investigation order
ANSWERING_ROLES = ("dept_manager", "cs_manager", "vp", "gm")


def _overdue(complaint_ids: list[int] | None = None) -> dict[int, list[SlaMilestone]]:
    """Breached, not met milestones of open cases (promised replies apart), by case."""
    stmt = (select(SlaMilestone).join(Complaint, Complaint.id == SlaMilestone.subject_id)
            .where(SlaMilestone.subject_type == SUBJECT, SlaMilestone.state == "breached",
                   SlaMilestone.met_at.is_(None), ~SlaMilestone.code.startswith(rules.NEXT_REPLY_PREFIX, autoescape=True),
                   Complaint.status.in_(OPEN_STATUSES))
            .order_by(SlaMilestone.subject_id, SlaMilestone.breached_at, SlaMilestone.id))
    if complaint_ids is not None:
        stmt = stmt.where(SlaMilestone.subject_id.in_(complaint_ids))
    out: dict[int, list[SlaMilestone]] = defaultdict(list)
    for row in db.session.scalars(stmt):
        out[row.subject_id].append(row)
    return out


def _overdue_list(rows: list[SlaMilestone]) -> list[dict]:
    return [{"code": row.code, "due_at": row.due_at, "breached_at": row.breached_at} for row in rows]


def remind(complaint: Complaint, now: dt.datetime, *, people: People | None = None, view=None,
           rows: list[SlaMilestone] | None = None, calendar=None) -> ComplaintReminder | None:
    """The reminder of ``now``'s local day for an overdue open case; None when there is one already
    (or the case is not overdue)."""
    calendar = calendar or tenant_calendar(now)[0]
    day = calendar.local_date(now)
    if db.session.scalar(select(ComplaintReminder.id).where(ComplaintReminder.complaint_id == complaint.id,
                                                            ComplaintReminder.dated == day)) is not None:
        return None
    rows = rows if rows is not None else _overdue([complaint.id]).get(complaint.id, [])
    if not rows:
        return None
    people = people or People()
    view = view or policy_service.version("cmp", complaint.policy_version)
    department = responsible_department(complaint, people)
    to = without_excluded(complaint, [*department_people(department, people, excluded_of(complaint)),
                                      complaint.owner_id or complaint.handler_id])  # never the excluded (CMP-21)
    first = calendar.local(min(row.breached_at for row in rows))
    codes = "、".join(sla.label_zh(row.code) for row in rows)
    decision = decisions.record(
        "CMP-35", SUBJECT, complaint.id, policy=view,
        outcome={"reminder": day, "department_id": department, "notified": to},
        facts={"overdue": _overdue_list(rows), "status": complaint.status},
        reason_zh=f"催办：投诉{complaint.number}自{first:%Y-%m-%d %H:%M}起超期未办结（{codes}），请责任部门尽快处理",
        reason_en=f"reminder: case {complaint.number} overdue since {first:%Y-%m-%d %H:%M} "
                  f"({', '.join(row.code for row in rows)}); the responsible department must act")
    reminder = ComplaintReminder(complaint_id=complaint.id, dated=day, department_id=department, recipients=to,
                                 overdue=json_safe(_overdue_list(rows)), decision_id=decision.id)
    db.session.add(reminder)
    notify(to, kind="cmp.reminder", rule_id="CMP-35", subject_type=SUBJECT, subject_id=complaint.id,
           dedupe_key=f"CMP-35:reminder:{complaint.id}:{day.isoformat()}",
           title_zh=f"催办单：投诉{complaint.number}超期未办结", title_en=f"Reminder: case {complaint.number} is overdue",
           body_zh=decision.reason_zh, body_en=decision.reason_en)
    log_event(complaint, "reminded", by=None, at=now, data={"dated": day, "department_id": department},
              decision_id=decision.id)
    db.session.flush()
    return reminder


def send_reminders(now: dt.datetime) -> int:
    """CMP-35: today's reminder for every overdue open case (working days; the day of a breach)."""
    calendar, _ = tenant_calendar(now)
    day = calendar.local_date(now)
    overdue = _overdue()
    if not overdue:
        return 0
    cases = {c.id: c for c in db.session.scalars(select(Complaint).where(Complaint.id.in_(list(overdue))))}
    people, views, sent = People(), {}, 0
    for complaint_id, rows in overdue.items():
        first_day = calendar.local_date(min(row.breached_at for row in rows))
        if not rules.reminder_due(calendar, first_day, day):
            continue
        complaint = cases[complaint_id]
        if complaint.policy_version not in views:
            views[complaint.policy_version] = policy_service.version("cmp", complaint.policy_version)
        if remind(complaint, now, people=people, view=views[complaint.policy_version], rows=rows,
                  calendar=calendar) is not None:
            sent += 1
    return sent


def open_investigations(now: dt.datetime) -> int:
    """CMP-35: an investigation order for every case closed after a breach that has none yet."""
    breached = exists().where(SlaMilestone.subject_type == SUBJECT, SlaMilestone.subject_id == Complaint.id,
                              SlaMilestone.state == "breached")
    ordered = exists().where(InvestigationOrder.complaint_id == Complaint.id)
    cases = list(db.session.scalars(select(Complaint).where(Complaint.status == "closed", breached, ~ordered)
                                    .order_by(Complaint.id)))
    people = People()
    for complaint in cases:
        rows = [row for row in sla.milestones_of(SUBJECT, complaint.id) if row.state == "breached"]
        department = responsible_department(complaint, people)
        to = department_people(department, people, excluded_of(complaint))  # CMP-21
        breaches = [{"code": r.code, "due_at": r.due_at, "breached_at": r.breached_at, "met_at": r.met_at} for r in rows]
        closed = complaint.closed_at
        decision = decisions.record(
            "CMP-35", SUBJECT, complaint.id, policy=policy_service.version("cmp", complaint.policy_version),
            outcome={"investigation": True, "department_id": department, "notified": to},
            facts={"closed_at": closed, "breaches": breaches},
            reason_zh=f"查办：投诉{complaint.number}超期后方结案（"
                      + "、".join(sla.label_zh(r.code) for r in rows) + "），请责任部门说明原因",
            reason_en=f"investigation: case {complaint.number} was closed after a breach "
                      f"({', '.join(r.code for r in rows)}); the responsible department must say why")
        order = InvestigationOrder(complaint_id=complaint.id, department_id=department, closed_at=closed,
                                   breaches=json_safe(breaches), status="open", decision_id=decision.id)
        db.session.add(order)
        db.session.flush()
        notify(to, kind="cmp.investigation", rule_id="CMP-35", subject_type=SUBJECT, subject_id=complaint.id,
               dedupe_key=f"CMP-35:investigation:{complaint.id}",
               title_zh=f"查办单：投诉{complaint.number}超期结案，请说明原因",
               title_en=f"Investigation: case {complaint.number} closed late — say why",
               body_zh=decision.reason_zh, body_en=decision.reason_en)
        log_event(complaint, "investigation_ordered", by=None, at=now,
                  data={"order_id": order.id, "department_id": department}, decision_id=decision.id)
    return len(cases)


def orders_of(complaint: Complaint) -> list[InvestigationOrder]:
    return list(db.session.scalars(select(InvestigationOrder).where(InvestigationOrder.complaint_id == complaint.id)))


def reminders_of(complaint: Complaint) -> list[ComplaintReminder]:
    return list(db.session.scalars(select(ComplaintReminder).where(ComplaintReminder.complaint_id == complaint.id)
                                   .order_by(ComplaintReminder.dated)))


def investigations(*, status: str | None = None, department_id: int | None = None):
    stmt = select(InvestigationOrder)
    if status:
        stmt = stmt.where(InvestigationOrder.status == status)
    if department_id is not None:
        stmt = stmt.where(InvestigationOrder.department_id == department_id)
    return stmt.order_by(InvestigationOrder.created_at.desc(), InvestigationOrder.id.desc())


def answer(complaint: Complaint, text: str, *, by: User) -> InvestigationOrder:
    """The responsible department answers the case's investigation order: a member or the head of
    that department, or a manager (:data:`ANSWERING_ROLES`)."""
    order = db.session.scalars(select(InvestigationOrder).where(InvestigationOrder.complaint_id == complaint.id)).first()
    if order is None:
        raise NotFound("the case has no investigation order")
    people = People()
    members = {by.id} if by.department_id == order.department_id and order.department_id is not None else set()
    if not (members or by.id == people.head_of(order.department_id) or by.has_role(*ANSWERING_ROLES)):
        raise Forbidden("only the responsible department answers its investigation order")
    if order.status == "answered":
        raise Conflict("the investigation order is already answered")
    if not (text or "").strip():
        raise InvalidInput("answer required", fields={"answer": ["say why the case ran late"]})
    order.status, order.answer, order.answered_by, order.answered_at = "answered", text.strip(), by.id, utcnow()
    log_event(complaint, "investigation_answered", by=by.id, note=text.strip(), data={"order_id": order.id})
    db.session.flush()
    return order
