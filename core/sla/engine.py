"""Starting, meeting and reading a subject's deadlines (the I/O side of :mod:`core.sla.rules`).

:func:`start` computes each milestone's due time on the tenant calendar (or the named department's,
CAL-01) under the policy version the caller passes (the one in force when the subject started,
CMP-37), stores how it was computed, and writes one decision per milestone. :func:`meet` closes a
milestone when its event happens (a reply logged, a case resolved); a met milestone is never
breached afterwards.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.audit.recorder import json_safe
from core.calendar.service import tenant_calendar
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict
from core.sla import rules
from core.sla.models import SlaMilestone


def _next_check(row: SlaMilestone) -> dt.datetime | None:
    """The next instant the sweep has work for ``row``: its warning, then its breach; None when done."""
    if row.state != "open":
        return row.next_escalation_at if row.state == "breached" else None
    if row.warn_at is not None and row.warned_at is None and row.warn_at < row.due_at:
        return row.warn_at
    return row.due_at


def refresh_next_check(row: SlaMilestone) -> None:
    row.next_check_at = _next_check(row)


def start(subject_type: str, subject_id: int, specs: list[rules.MilestoneSpec], start_at: dt.datetime, *,
          policy, warn_at: Decimal = Decimal("0.8"), facts: dict | None = None) -> list[SlaMilestone]:
    """Start ``specs`` for a subject from ``start_at``; returns the milestone rows (flushed)."""
    rows = []
    for spec in specs:
        calendar, cal_view = tenant_calendar(start_at, spec.department)
        due = calendar.add_duration(start_at, spec.duration, spec.audience)
        hard = calendar.add_duration(start_at, spec.hard_duration, spec.audience) if spec.hard_duration else None
        warn = rules.warn_time(calendar, start_at, due, spec.duration, warn_at)
        computed = {"start": start_at, "duration": str(spec.duration), "unit": spec.duration.unit,
                    "calendar": {"version": cal_view.version, "department": spec.department,
                                 "timezone": calendar.timezone},
                    "trace": list(due.trace), "provisional": due.provisional, "pauses": []}
        row = SlaMilestone(subject_type=subject_type, subject_id=subject_id, code=spec.code,
                           parent_code=spec.parent_code, rule_id=spec.rule_id, duration=str(spec.duration),
                           hard_duration=str(spec.hard_duration) if spec.hard_duration else None,
                           department=spec.department, start_at=start_at, due_at=due.utc,
                           hard_due_at=hard.utc if hard else None, warn_at=warn, provisional=due.provisional,
                           computed_from=json_safe(computed), policy_module=policy.module if policy else None,
                           policy_version=policy.version if policy else None, state="open")
        refresh_next_check(row)
        db.session.add(row)
        db.session.flush()
        local_due = due.at
        decision = decisions.record(
            spec.rule_id, subject_type, subject_id, policy=policy,
            outcome={"milestone": spec.code, "due_at": due.utc, "hard_due_at": hard.utc if hard else None,
                     "warn_at": warn, "provisional": due.provisional},
            facts={**(facts or {}), "start": start_at, "duration": str(spec.duration),
                   "department": spec.department, "calendar_version": cal_view.version},
            reason_zh=f"{_label_zh(spec.code)}期限：自{calendar.local(start_at):%Y-%m-%d %H:%M}起{spec.duration}，"
                      f"至{local_due:%Y-%m-%d %H:%M}（{due.explain()}）",
            reason_en=f"{spec.code} deadline: {spec.duration} from {calendar.local(start_at):%Y-%m-%d %H:%M}, "
                      f"due {local_due:%Y-%m-%d %H:%M} ({due.explain()})")
        row.decision_id = decision.id
        rows.append(row)
    return rows


_LABELS_ZH = {"reply": "答复", "solution": "解决方案", "resolve": "处理完毕", "acknowledge": "确认"}


def _label_zh(code: str) -> str:
    if code.startswith("stage."):
        return f"阶段 {code[6:]} "
    return _LABELS_ZH.get(code, code)


def milestones_of(subject_type: str, subject_id: int) -> list[SlaMilestone]:
    return list(db.session.scalars(select(SlaMilestone).where(
        SlaMilestone.subject_type == subject_type, SlaMilestone.subject_id == subject_id)
        .order_by(SlaMilestone.due_at, SlaMilestone.id)))


def get_milestone(subject_type: str, subject_id: int, code: str) -> SlaMilestone | None:
    return db.session.scalars(select(SlaMilestone).where(
        SlaMilestone.subject_type == subject_type, SlaMilestone.subject_id == subject_id,
        SlaMilestone.code == code)).first()


def meet(subject_type: str, subject_id: int, code: str, at: dt.datetime) -> SlaMilestone | None:
    """The event a milestone waits for happened at ``at``: it is met (on time or late, as recorded:
    ``met_at`` after ``due_at`` is late). Returns the row, or None when the subject has no such
    milestone. A cancelled milestone cannot be met."""
    row = get_milestone(subject_type, subject_id, code)
    if row is None or row.state == "met":
        return row
    if row.state == "cancelled":
        raise Conflict(f"the {code} deadline was cancelled")
    row.met_at = at
    if row.state == "open":
        row.state = "met"
    else:  # breached: it stays breached (a breach is never undone) but stops escalating
        row.next_escalation_at = None
    refresh_next_check(row)
    db.session.flush()
    return row


def cancel(subject_type: str, subject_id: int, codes: list[str] | None = None) -> int:
    """Cancel the open milestones of a subject (a case closed, rejected or linked to a master)."""
    count = 0
    for row in milestones_of(subject_type, subject_id):
        if row.state == "open" and (codes is None or row.code in codes):
            row.state = "cancelled"
            refresh_next_check(row)
            count += 1
    db.session.flush()
    return count
