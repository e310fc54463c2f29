"""What a complaint's deadline events mean (the handler of ``subject_type = "complaint"`` in
:mod:`core.sla.subjects`, called by the sweep ``cmp.sla_timers`` and by :func:`core.sla.engine.meet`).

- warning (CMP-34): the owner and their supervisor are notified; a decision;
- breach: a decision under the milestone's rule (a stage's own CMP-32 decision, apart from the
  overall limit), the owner and the responsible department told, and the first reminder of CMP-35
  (dated the day of the breach); a promised reply without a customer (CMP-36) is kept instead when a
  reply was logged in time;
- hard limit passed (CMP-32): a decision, the owner, supervisors and department head told;
- escalation step (CMP-40): the role of the new level is notified (they may reassign, approve or take
  over), a decision per step, ``complaint.escalation_level`` raised;
- nobody excluded from the case (CMP-21: the accused and those listed with them) is ever told: the
  next holder up is told instead;
- resolve met: the clocks that start at resolution (CMP-30).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.complaints.models import OPEN_STATUSES, Complaint, ComplaintEvent
from core.complaints.service import SUBJECT, department_named, log_event
from core.db import db
from core.decisions import service as decisions
from core.notifications.service import notify
from core.policy import service as policy_service
from core.sla import engine as sla

REPLY_EVENTS = ("replied", "reply_logged", "customer_contacted")
_ROLE_ZH = {"supervisor": "主管", "dept_manager": "部门经理", "gm": "总经理", "vp": "副总经理",
            "cs_supervisor": "客服主管", "cs_manager": "客服经理"}


# ------------------------------------------------------------------------------------ recipients


def responsible_department(complaint: Complaint, people: People) -> int | None:
    """The department that answers for the case: the one handling it, else the owning queue, else
    the owner's."""
    return complaint.handler_department_id or complaint.owner_department_id or people.department_of(complaint.owner_id)


def excluded_of(complaint: Complaint) -> set[int]:
    """CMP-21: the employee complained about and those listed with them never get the case's traffic."""
    return set(complaint.excluded_user_ids or [])


def without_excluded(complaint: Complaint, user_ids) -> list[int]:
    """``user_ids`` once each, in order, without nobody (None) and without the case's excluded."""
    excluded = excluded_of(complaint)
    return [uid for uid in dict.fromkeys(user_ids) if uid is not None and uid not in excluded]


def _department_people_of(department_id: int, people: People) -> list[int]:
    out = [uid for uid, dep in people.holders("supervisor") + people.holders("cs_supervisor") if dep == department_id]
    head = people.head_of(department_id)
    return list(dict.fromkeys(([head] if head is not None else []) + out))


def department_people(department_id: int | None, people: People, excluded=()) -> list[int]:
    """The head and the supervisors of a department, without the ``excluded`` (CMP-21); when the
    exclusion leaves nobody there, those of the nearest parent department that has someone left."""
    if department_id is None:
        return []
    excluded = set(excluded or ())
    own = _department_people_of(department_id, people)
    found = [uid for uid in own if uid not in excluded]
    if found or not own:
        return found
    for dep in people.chain(department_id)[1:]:
        found = [uid for uid in _department_people_of(dep, people) if uid not in excluded]
        if found:
            return found
    return []


def supervisors_for(user_id: int | None, people: People, excluded=()) -> list[int]:
    """:meth:`People.supervisors_of` without the ``excluded`` (CMP-21): an excluded supervisor is
    passed over for the next one up (the supervisors of a parent department, then the heads)."""
    if user_id is None:
        return []
    excluded = {*(excluded or ()), user_id}
    chain = people.chain(people.department_of(user_id))
    supervisors = people.holders("supervisor")
    for department_id in chain:
        found = [uid for uid, dep in supervisors if dep == department_id and uid not in excluded]
        if found:
            return found
    for department_id in chain:
        head = people.head_of(department_id)
        if head is not None and head not in excluded:
            return [head]
    return []


def owner_and_supervisors(complaint: Complaint, people: People) -> list[int]:
    """CMP-34: the owner (or handler) and their supervisors; for a case in a queue, its department's.
    Never the case's excluded (CMP-21)."""
    excluded = excluded_of(complaint)
    owner = complaint.owner_id or complaint.handler_id
    if owner is None:
        return department_people(responsible_department(complaint, people), people, excluded)
    return without_excluded(complaint, [owner, *supervisors_for(owner, people, excluded)])


def ladder_holders(role: str, complaint: Complaint, people: People) -> list[int]:
    """CMP-40: who holds ``role`` for the case: a supervisor of the owner; else the nearest holder in
    the responsible department's chain; else every holder in the company; a department manager
    falls back to the department head. The case's excluded are passed over for the next holder
    (CMP-21)."""
    excluded = excluded_of(complaint)
    owner = complaint.owner_id or complaint.handler_id
    if role == "supervisor" and owner is not None:
        found = supervisors_for(owner, people, excluded)
        if found:
            return found
    return people.nearest_holders(role, responsible_department(complaint, people), excluded)


# ------------------------------------------------------------------------------------------ helpers


def _cases(rows) -> dict[int, Complaint]:
    ids = sorted({row.subject_id for row in rows})
    return {c.id: c for c in db.session.scalars(select(Complaint).where(Complaint.id.in_(ids)))}


def _policy(complaint: Complaint, cache: dict) -> policy_service.PolicyView:
    if complaint.policy_version not in cache:
        cache[complaint.policy_version] = policy_service.version("cmp", complaint.policy_version)
    return cache[complaint.policy_version]


class _Clock:
    """Local times of one handler call, on the tenant calendar read once."""

    def __init__(self, now: dt.datetime):
        self.calendar = tenant_calendar(now)[0]

    def __call__(self, t: dt.datetime) -> str:
        return self.calendar.local(t).strftime("%Y-%m-%d %H:%M")


def _is_stage(row) -> bool:
    return row.code.startswith("stage.")


def _is_next_reply(row) -> bool:
    return row.code.startswith("next_reply.")


# ------------------------------------------------------------------------------------------ events


def warned(rows, now: dt.datetime) -> None:
    """CMP-34: the owner and supervisor are warned before each deadline."""
    cases, people, views, local = _cases(rows), People(), {}, _Clock(now)
    for row in rows:
        complaint = cases[row.subject_id]
        to = owner_and_supervisors(complaint, people)
        due = local(row.due_at)
        label = sla.label_zh(row.code)
        decision = decisions.record(
            "CMP-34", SUBJECT, complaint.id, policy=_policy(complaint, views),
            outcome={"milestone": row.code, "warned": to, "due_at": row.due_at},
            facts={"warn_at": row.warn_at, "milestone_id": row.id, "duration": row.duration},
            reason_zh=f"投诉{complaint.number}的{label}期限{due}将至，提醒负责人及主管",
            reason_en=f"case {complaint.number}: the {row.code} deadline {due} is near; owner and supervisor warned")
        notify(to, kind="cmp.deadline_warning", rule_id="CMP-34", subject_type=SUBJECT, subject_id=complaint.id,
               dedupe_key=f"CMP-34:{row.id}:{row.due_at.isoformat()}", due_at=row.due_at,
               title_zh=f"投诉{complaint.number}{label}期限将至：{due}",
               title_en=f"Case {complaint.number}: {row.code} due {due}",
               body_zh=decision.reason_zh, body_en=decision.reason_en)


def _reply_logged_since(complaint: Complaint, since: dt.datetime, until: dt.datetime) -> dt.datetime | None:
    if complaint.replied_at is not None and since <= complaint.replied_at <= until:
        return complaint.replied_at
    return db.session.scalar(select(ComplaintEvent.at).where(
        ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.kind.in_(REPLY_EVENTS),
        ComplaintEvent.at >= since, ComplaintEvent.at <= until).order_by(ComplaintEvent.at).limit(1))


def breached(rows, now: dt.datetime) -> None:
    """A deadline passed: a decision, the owner and the responsible department told, and the
    breach-day reminder of CMP-35 for an open case."""
    from core.complaints import deadlines_orders

    cases, people, views, local = _cases(rows), People(), {}, _Clock(now)
    for row in rows:
        complaint = cases[row.subject_id]
        if _is_next_reply(row) and row.met_at is None:
            kept = _reply_logged_since(complaint, row.start_at, row.due_at)
            if kept is not None:
                row.state, row.breached_at, row.met_at = "met", None, kept
                continue
        view = _policy(complaint, views)
        department = responsible_department(complaint, people)
        excluded = excluded_of(complaint)
        to = [complaint.owner_id or complaint.handler_id, *department_people(department, people, excluded)]
        if row.department:  # a stage's (or a clock's) own department is told too
            named = department_named(row.department)
            to += department_people(named.id if named else None, people, excluded)
        to = without_excluded(complaint, to)  # CMP-21
        due, label = local(row.due_at), sla.label_zh(row.code)
        rule_id = "CMP-32" if _is_stage(row) or row.code == "overall" else row.rule_id
        kind = "stage_breach" if _is_stage(row) else "breach"
        zh_what = "阶段超时" if _is_stage(row) else "超期"
        decision = decisions.record(
            rule_id, SUBJECT, complaint.id, policy=view,
            outcome={kind: row.code, "breached_at": row.breached_at, "met_at": row.met_at},
            facts={"milestone_id": row.id, "start": row.start_at, "duration": row.duration, "due_at": row.due_at,
                   "department": row.department},
            reason_zh=f"投诉{complaint.number}{label}{zh_what}：应于{due}前完成"
                      + (f"，实际{local(row.met_at)}完成" if row.met_at else "，至今未完成"),
            reason_en=f"case {complaint.number}: {row.code} {'stage ' if _is_stage(row) else ''}deadline {due} breached"
                      + (f", done {local(row.met_at)}" if row.met_at else ", not done"))
        notify(to, kind="cmp.deadline_breach", rule_id=rule_id, subject_type=SUBJECT, subject_id=complaint.id,
               dedupe_key=f"{rule_id}:breach:{row.id}", due_at=row.due_at,
               title_zh=f"投诉{complaint.number}{label}已超期（{due}）",
               title_en=f"Case {complaint.number}: {row.code} overdue since {due}",
               body_zh=decision.reason_zh, body_en=decision.reason_en)
        log_event(complaint, "deadline_breached", by=None, at=row.breached_at,
                  data={"milestone": row.code, "due_at": row.due_at}, decision_id=decision.id)
        if complaint.status in OPEN_STATUSES and row.met_at is None and not _is_next_reply(row):
            deadlines_orders.remind(complaint, now, people=people, view=view, calendar=local.calendar)


def hard_breached(rows, now: dt.datetime) -> None:
    """CMP-32: the hard limit passed too."""
    cases, people, views, local = _cases(rows), People(), {}, _Clock(now)
    for row in rows:
        complaint = cases[row.subject_id]
        hard = local(row.hard_due_at)
        to = without_excluded(complaint, [
            *owner_and_supervisors(complaint, people),
            *department_people(responsible_department(complaint, people), people, excluded_of(complaint))])
        decision = decisions.record(
            "CMP-32", SUBJECT, complaint.id, policy=_policy(complaint, views),
            outcome={"hard_breach": row.code, "hard_breached_at": row.hard_breached_at},
            facts={"milestone_id": row.id, "hard_duration": row.hard_duration, "hard_due_at": row.hard_due_at},
            reason_zh=f"投诉{complaint.number}{sla.label_zh(row.code)}已超过最迟期限{hard}",
            reason_en=f"case {complaint.number}: the {row.code} hard limit {hard} passed")
        notify(to, kind="cmp.deadline_hard_breach", rule_id="CMP-32", subject_type=SUBJECT, subject_id=complaint.id,
               dedupe_key=f"CMP-32:hard:{row.id}", due_at=row.hard_due_at,
               title_zh=f"投诉{complaint.number}已超过最迟期限（{hard}）",
               title_en=f"Case {complaint.number}: hard limit {hard} passed",
               body_zh=decision.reason_zh, body_en=decision.reason_en)


def escalated(steps, now: dt.datetime) -> None:
    """CMP-40: each step notifies the role of the new level and is a decision."""
    cases, people, views, local = _cases([row for row, _at in steps]), People(), {}, _Clock(now)
    for row, step_at in steps:
        complaint = cases[row.subject_id]
        role = row.escalation_ladder[row.escalation_level - 1]
        to = ladder_holders(role, complaint, people)
        when = local(step_at)
        complaint.escalation_level = max(complaint.escalation_level or 0, row.escalation_level)
        decision = decisions.record(
            "CMP-40", SUBJECT, complaint.id, policy=_policy(complaint, views),
            outcome={"milestone": row.code, "level": row.escalation_level, "role": role, "notified": to,
                     "at": step_at, "next_at": row.next_escalation_at},
            facts={"milestone_id": row.id, "breached_at": row.breached_at, "ladder": row.escalation_ladder,
                   "interval": row.escalation_interval},
            reason_zh=f"投诉{complaint.number}{sla.label_zh(row.code)}超期未办结，{when}升级至第{row.escalation_level}级"
                      f"（{_ROLE_ZH.get(role, role)}），可改派、审批或接手",
            reason_en=f"case {complaint.number}: {row.code} overdue; escalated at {when} to level "
                      f"{row.escalation_level} ({role}), who may reassign, approve or take over")
        notify(to, kind="cmp.escalation", rule_id="CMP-40", subject_type=SUBJECT, subject_id=complaint.id,
               dedupe_key=f"CMP-40:{row.id}:{row.escalation_level}", due_at=row.due_at,
               title_zh=f"投诉{complaint.number}超期升级至您（第{row.escalation_level}级）",
               title_en=f"Case {complaint.number} escalated to you (level {row.escalation_level})",
               body_zh=decision.reason_zh, body_en=decision.reason_en)
        log_event(complaint, "escalated", by=None, at=step_at,
                  data={"milestone": row.code, "level": row.escalation_level, "role": role, "notified": to},
                  decision_id=decision.id)


def met(row, at: dt.datetime) -> None:
    """Clocks that start when the case is resolved (CMP-30 start event ``resolution``)."""
    if row.code != "resolve":
        return
    from core.complaints import deadlines

    complaint = db.session.scalars(select(Complaint).where(Complaint.id == row.subject_id)).first()
    if complaint is not None:
        deadlines.on_event(complaint, "resolution", at)
