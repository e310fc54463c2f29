"""Starting, meeting, pausing and recomputing a subject's deadlines (the I/O side of :mod:`core.sla.rules`).

:func:`start` computes each milestone's due time on the tenant calendar (or the named department's,
CAL-01) under the policy version the caller passes (the one in force when the subject started,
CMP-37), stores how it was computed and the settings it needs later (warning, pauses, escalation),
and writes one decision per milestone. :func:`meet` closes a milestone when its event happens (a
reply logged, a case resolved); a met milestone is never breached afterwards. :func:`cancel` stops a
subject's clocks (a case closed). :func:`pause` and :func:`resume` stop and restart the open clocks
of a subject (CMP-33); :func:`recompute` computes a milestone's due time again from its original
start (after a pause, a customer's deadline, a special extension, a calendar change: CAL-09).

What a deadline's warning, breach or escalation means for its subject (who is told, what else
happens) is not decided here: :mod:`core.sla.subjects` names the module that handles each subject
type.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.audit.recorder import json_safe
from core.calendar import Deadline, WorkCalendar
from core.calendar.service import tenant_calendar
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict
from core.sla import rules, subjects
from core.sla.models import SlaMilestone, SlaPause


def _paused(row: SlaMilestone) -> bool:
    return bool((row.computed_from or {}).get("paused_since"))


def _next_check(row: SlaMilestone) -> dt.datetime | None:
    """The next instant the sweep has work for ``row``: its warning, then its breach; once breached,
    its hard limit and its next escalation step; None while paused or when done."""
    if row.state == "open":
        if _paused(row):
            return None
        if row.warn_at is not None and row.warned_at is None and row.warn_at < row.due_at:
            return row.warn_at
        return row.due_at
    if row.state == "breached" and row.met_at is None and not (row.computed_from or {}).get("stopped"):
        times = [row.next_escalation_at]
        if row.hard_due_at is not None and row.hard_breached_at is None:
            times.append(row.hard_due_at)
        times = [t for t in times if t is not None]
        return min(times) if times else None
    return None


def refresh_next_check(row: SlaMilestone) -> None:
    row.next_check_at = _next_check(row)


def start(subject_type: str, subject_id: int, specs: list[rules.MilestoneSpec], start_at: dt.datetime, *,
          policy, warn_at: Decimal = Decimal("0.8"), facts: dict | None = None) -> list[SlaMilestone]:
    """Start ``specs`` for a subject from ``start_at``; returns the milestone rows (flushed). A
    milestone whose pause reasons include the reason of a pause still running starts paused."""
    rows = []
    running = open_pause(subject_type, subject_id)
    for spec in specs:
        calendar, cal_view = tenant_calendar(start_at, spec.department)
        due, source = rules.due_of(calendar, start_at, spec.duration, [], audience=spec.audience,
                                   fixed_due=spec.due_at)
        hard = calendar.add_duration(start_at, spec.hard_duration, spec.audience) if spec.hard_duration else None
        warn = _warn(calendar, start_at, due, spec.duration, source, warn_at, spec.warn_day_based)
        computed = {"start": _utc(start_at), "duration": str(spec.duration), "unit": spec.duration.unit,
                    "calendar": {"version": cal_view.version, "department": spec.department,
                                 "timezone": calendar.timezone},
                    "trace": list(due.trace), "provisional": due.provisional, "pauses": [], "source": source,
                    "fixed_due": _utc(spec.due_at) if spec.due_at else None, "audience": spec.audience, "sla_policy": spec.sla_policy,
                    "warn_fraction": warn_at, "warn_day_based": spec.warn_day_based,
                    "pause_day_threshold": spec.pause_day_threshold,
                    "pause_reasons": list(spec.pause_reasons) if spec.pause_reasons is not None else None,
                    "special_duration": str(spec.special_duration) if spec.special_duration else None,
                    "customer_may_set_earlier": spec.customer_may_set_earlier}
        if running is not None and (spec.pause_reasons is None or running.reason in spec.pause_reasons) \
                and spec.due_at is None:
            computed["paused_since"] = _utc(max(running.started_at, start_at))
        row = SlaMilestone(subject_type=subject_type, subject_id=subject_id, code=spec.code,
                           parent_code=spec.parent_code, rule_id=spec.rule_id, duration=str(spec.duration),
                           hard_duration=str(spec.hard_duration) if spec.hard_duration else None,
                           department=spec.department, start_at=start_at, due_at=due.utc,
                           hard_due_at=hard.utc if hard else None, warn_at=warn, provisional=due.provisional,
                           computed_from=json_safe(computed), policy_module=policy.module if policy else None,
                           policy_version=policy.version if policy else None, state="open",
                           escalation_ladder=list(spec.escalation),
                           escalation_interval=str(spec.escalation_interval) if spec.escalation_interval else None)
        refresh_next_check(row)
        db.session.add(row)
        db.session.flush()
        local_due = due.at
        hard_text_zh = f"，最迟{calendar.local(hard.utc):%Y-%m-%d %H:%M}" if hard else ""
        hard_text_en = f", at the latest {calendar.local(hard.utc):%Y-%m-%d %H:%M}" if hard else ""
        decision = decisions.record(
            spec.rule_id, subject_type, subject_id, policy=policy,
            outcome={"milestone": spec.code, "due_at": due.utc, "hard_due_at": hard.utc if hard else None,
                     "warn_at": warn, "provisional": due.provisional, "source": source},
            facts={**(facts or {}), "start": start_at, "duration": str(spec.duration),
                   "hard_duration": str(spec.hard_duration) if spec.hard_duration else None,
                   "department": spec.department, "calendar_version": cal_view.version,
                   "sla_policy": spec.sla_policy},
            reason_zh=f"{label_zh(spec.code)}期限：自{calendar.local(start_at):%Y-%m-%d %H:%M}起{spec.duration}，"
                      f"至{local_due:%Y-%m-%d %H:%M}{hard_text_zh}（{due.explain()}）",
            reason_en=f"{spec.code} deadline: {spec.duration} from {calendar.local(start_at):%Y-%m-%d %H:%M}, "
                      f"due {local_due:%Y-%m-%d %H:%M}{hard_text_en} ({due.explain()})")
        row.decision_id = decision.id
        rows.append(row)
    return rows


def _warn(calendar: WorkCalendar, start_at: dt.datetime, due: Deadline, duration, source: str,
          fraction, mode: str) -> dt.datetime:
    """CMP-34; a due time fixed by the customer (or agreed with them) is warned at the fraction."""
    return rules.warn_time(calendar, start_at, due, duration, Decimal(str(fraction)),
                           mode if source == "policy" else "fraction")


_LABELS_ZH = {"reply": "答复", "solution": "解决方案", "resolve": "处理完毕", "acknowledge": "确认",
              "overall": "总时限"}


def label_zh(code: str) -> str:
    if code.startswith("stage."):
        return f"阶段 {code[6:]} "
    if code.startswith("next_reply"):
        return "约定答复"
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
    """The event a milestone waits for happened at ``at``: it is met. Returns the row, or None when
    the subject has no such milestone. Met after its due time, it is breached and met: the breach
    the sweep had not seen yet is recorded (a late event never hides a breach); a breached one stays
    breached and stops escalating. A cancelled milestone cannot be met. The subject's handler hears
    of it (e.g. clocks that start at resolution)."""
    row = get_milestone(subject_type, subject_id, code)
    if row is None or row.state == "met" or row.met_at is not None:
        return row
    if row.state == "cancelled":
        raise Conflict(f"the {code} deadline was cancelled")
    row.met_at = at
    if row.state == "open":
        due = _due_when_met(row, at)
        row.computed_from = {**row.computed_from, "paused_since": None}
        if at > due:
            row.state, row.breached_at, row.due_at = "breached", due, due
            subjects.handler(subject_type).breached([row], at)
        else:
            row.state = "met"
    else:  # breached: it stays breached (a breach is never undone) but stops escalating
        row.next_escalation_at = None
    refresh_next_check(row)
    db.session.flush()
    subjects.met(row, at)
    return row


def _due_when_met(row: SlaMilestone, at: dt.datetime) -> dt.datetime:
    """The due time that counts for an event at ``at``: while paused, the one the clock would have
    if the pause ended at ``at``."""
    if not _paused(row):
        return row.due_at
    pauses = [rules.Pause(p.started_at, p.ended_at or at, p.reason) for p in pauses_of(row.subject_type, row.subject_id)]
    calendar, _ = tenant_calendar(at, row.department)
    return due_for(row, calendar, pauses)[0].utc


def cancel(subject_type: str, subject_id: int, codes: list[str] | None = None) -> int:
    """Cancel the open milestones of a subject (a case closed, rejected or linked to a master); its
    breached ones stay breached but stop escalating. Returns how many were cancelled."""
    count = 0
    for row in milestones_of(subject_type, subject_id):
        if codes is not None and row.code not in codes:
            continue
        if row.state == "open":
            row.state = "cancelled"
            count += 1
        elif row.state == "breached" and row.met_at is None:
            row.next_escalation_at = None
            row.computed_from = {**row.computed_from, "stopped": True}
        refresh_next_check(row)
    db.session.flush()
    return count


# ------------------------------------------------------------------------------------------ CMP-33


def open_pause(subject_type: str, subject_id: int) -> SlaPause | None:
    return db.session.scalars(select(SlaPause).where(
        SlaPause.subject_type == subject_type, SlaPause.subject_id == subject_id,
        SlaPause.ended_at.is_(None))).first()


def pauses_of(subject_type: str, subject_id: int) -> list[SlaPause]:
    return list(db.session.scalars(select(SlaPause).where(
        SlaPause.subject_type == subject_type, SlaPause.subject_id == subject_id)
        .order_by(SlaPause.started_at, SlaPause.id)))


def stops(row: SlaMilestone, reason: str) -> bool:
    """Whether a pause for ``reason`` stops ``row``'s clock: open, computed from a duration (not a
    time fixed with the customer) and the reason is one of its pause reasons."""
    reasons = (row.computed_from or {}).get("pause_reasons")
    return row.state == "open" and (row.computed_from or {}).get("source") != "fixed" \
        and (reasons is None or reason in reasons)


def pause(subject_type: str, subject_id: int, reason: str, at: dt.datetime, *, by: int | None = None,
          note: str | None = None) -> tuple[SlaPause, list[SlaMilestone]]:
    """Stop, from ``at``, the subject's open clocks that ``reason`` stops and that are not past due
    then (a breach is never paused). Conflict when already paused. Returns the pause and the rows."""
    if open_pause(subject_type, subject_id) is not None:
        raise Conflict("the clock is already paused; resume it first")
    rows = [row for row in milestones_of(subject_type, subject_id) if stops(row, reason) and row.due_at > at]
    record = SlaPause(subject_type=subject_type, subject_id=subject_id, reason=reason, note=note,
                      started_at=at, started_by=by)
    db.session.add(record)
    for row in rows:
        row.computed_from = {**row.computed_from, "paused_since": json_safe(_utc(max(at, row.start_at)))}
        refresh_next_check(row)
    db.session.flush()
    return record, rows


def resume(subject_type: str, subject_id: int, at: dt.datetime, *,
           by: int | None = None) -> tuple[SlaPause, list[tuple[SlaMilestone, dt.datetime, Deadline]]]:
    """End the running pause at ``at`` and compute the paused clocks' due times again. Returns the
    pause and, per row, the due time before and the new deadline."""
    record = open_pause(subject_type, subject_id)
    if record is None:
        raise Conflict("the clock is not paused")
    if at < record.started_at:
        raise Conflict("a pause cannot end before it started")
    record.ended_at, record.ended_by = at, by
    db.session.flush()
    changed = []
    for row in milestones_of(subject_type, subject_id):
        if row.state == "open" and _paused(row):
            old = row.due_at
            row.computed_from = {**row.computed_from, "paused_since": None}
            changed.append((row, old, recompute(row, at=at)))
    db.session.flush()
    return record, changed


def due_for(row: SlaMilestone, calendar: WorkCalendar,
            pauses: list[rules.Pause] | None = None) -> tuple[Deadline, str, list[rules.Pause]]:
    """``row``'s due time computed again from its original start and duration on ``calendar``, with
    the subject's pauses (those whose reason stops it; read when not given) and the customer's
    deadline when earlier: ``(deadline, source, pauses applied)``. Writes nothing."""
    computed = row.computed_from or {}
    if pauses is None:
        pauses = [rules.Pause(p.started_at, p.ended_at, p.reason) for p in pauses_of(row.subject_type, row.subject_id)]
    applying = rules.applicable_pauses(pauses, computed.get("pause_reasons"), row.start_at)
    due, source = rules.due_of(calendar, row.start_at, rules.as_duration(row.duration), applying,
                               threshold=Decimal(str(computed.get("pause_day_threshold", "0.5"))),
                               audience=computed.get("audience") or "internal",
                               customer_due=_aware(computed.get("customer_due")),
                               fixed_due=_aware(computed.get("fixed_due")))
    return due, source, applying


def recompute(row: SlaMilestone, *, at: dt.datetime, calendar: WorkCalendar | None = None, cal_view=None,
              pauses: list[rules.Pause] | None = None) -> Deadline:
    """Compute ``row``'s due time again (:func:`due_for`) on the calendar in force at ``at`` (or the
    one given) and update the row: due, warning, provisional, the record of how it was computed.
    Returns the new deadline. The caller records why (CMP-33, CAL-09)."""
    if calendar is None:
        calendar, cal_view = tenant_calendar(at, row.department)
    due, source, applying = due_for(row, calendar, pauses)
    computed = dict(row.computed_from or {})
    row.due_at = due.utc
    row.provisional = due.provisional
    row.warn_at = _warn(calendar, row.start_at, due, rules.as_duration(row.duration), source,
                        computed.get("warn_fraction", "0.8"), computed.get("warn_day_based") or "due_day_open")
    if row.warned_at is not None and row.warn_at > row.warned_at:
        row.warned_at = None  # the due time moved on: warn again before the new one
    calendar_record = dict(computed.get("calendar") or {})
    if cal_view is not None:
        calendar_record["version"] = cal_view.version
    computed.update({"trace": list(due.trace), "provisional": due.provisional, "source": source,
                     "calendar": calendar_record,
                     "pauses": [{"start": _utc(p.start), "end": _utc(p.end), "reason": p.reason} for p in applying
                                if p.end is not None]})
    row.computed_from = json_safe(computed)
    refresh_next_check(row)
    return due


def fix_due(row: SlaMilestone, due_at: dt.datetime, *, at: dt.datetime, reason: str | None = None) -> Deadline:
    """Fix an open milestone's due time at ``due_at`` from ``at`` on (a new time granted on a delay
    notice, SVC-08): the due time no longer comes from the duration and, like a time agreed with the
    customer (CMP-36), pauses no longer move it; the warning is computed again (and given again
    before the new time). The previous due time and ``reason`` are kept in ``computed_from["fixed"]``.
    Conflict when the milestone is not open or was already due at ``at`` (a breach is never undone,
    even before the sweep saw it) or when ``due_at`` is not after ``at``. Returns the new deadline;
    the caller records why."""
    if row.state != "open":
        raise Conflict(f"the {row.code} deadline is {row.state}")
    if due_at.tzinfo is None:
        raise ValueError("due_at needs a time zone")
    pauses = None if not _paused(row) else [
        rules.Pause(p.started_at, p.ended_at or at, p.reason) for p in pauses_of(row.subject_type, row.subject_id)]
    current = row.due_at if pauses is None else due_for(row, tenant_calendar(at, row.department)[0], pauses)[0].utc
    if current <= at:
        raise Conflict(f"the {row.code} deadline was due at {_utc(current).isoformat()}: a breach is not undone")
    if due_at <= at:
        raise Conflict(f"the new {row.code} deadline must be after {_utc(at).isoformat()}")
    computed = dict(row.computed_from or {})
    history = list(computed.get("fixed") or [])
    history.append({"at": _utc(at), "from": _utc(current), "to": _utc(due_at), "reason": reason})
    computed.update({"fixed_due": _utc(due_at), "paused_since": None, "fixed": history})
    row.computed_from = json_safe(computed)
    new = recompute(row, at=at)
    trace = f"fixed at {new.at.isoformat()} on {_utc(at).isoformat()}" + (f" ({reason})" if reason else "")
    row.computed_from = {**row.computed_from, "trace": [trace]}
    return new


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc)


def _aware(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)
