"""Recomputing open deadlines after a calendar change (CAL-09, CAL-02, CMP-37): job
``cal.recompute_open_deadlines`` (nightly, and whenever an administrator runs it after a change).

Every open, not yet breached, not paused milestone of the tenant is computed again from its original
start, with its own duration (the policy version its subject started under keeps applying, CMP-37),
its pauses and the customer's deadline, on the calendar in force now (a new ``cal`` version, national
data loaded, a provisional year made official). A due time that moved, or that stopped being
provisional, is written with a ``CAL-09`` decision holding the old and new values; the others are left
alone, so a second run changes nothing. Breached milestones stay breached
(:func:`core.calendar.recompute_deadline`).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from core.calendar import Recomputation, recompute_deadline
from core.calendar.service import tenant_calendar
from core.db import db
from core.decisions import service as decisions
from core.sla import engine, rules
from core.sla.models import SlaMilestone, SlaPause


def _pauses_by_subject(now: dt.datetime) -> dict[tuple[str, int], list[rules.Pause]]:
    """The pauses of every subject with an open milestone, in one query."""
    open_subjects = select(SlaMilestone.subject_type, SlaMilestone.subject_id).where(
        SlaMilestone.state == "open", SlaMilestone.due_at > now).distinct().subquery()
    rows = db.session.scalars(select(SlaPause).join(
        open_subjects, (open_subjects.c.subject_type == SlaPause.subject_type)
        & (open_subjects.c.subject_id == SlaPause.subject_id)).order_by(SlaPause.started_at))
    out: dict[tuple[str, int], list[rules.Pause]] = defaultdict(list)
    for pause in rows:
        out[(pause.subject_type, pause.subject_id)].append(rules.Pause(pause.started_at, pause.ended_at, pause.reason))
    return out


def _recomputation(row: SlaMilestone, calendar, pauses: list[rules.Pause], now: dt.datetime) -> Recomputation:
    computed = row.computed_from or {}
    plain = not rules.applicable_pauses(pauses, computed.get("pause_reasons"), row.start_at) \
        and not computed.get("customer_due") and not computed.get("fixed_due")
    if plain:
        return recompute_deadline(calendar, row.start_at, row.duration, row.due_at, now,
                                  old_provisional=row.provisional, audience=computed.get("audience") or "internal")
    due, _source, _applied = engine.due_for(row, calendar, pauses)
    return Recomputation(row.due_at, row.provisional, due, False)


def run(now: dt.datetime) -> dict:
    """Recompute the current tenant's open deadlines as of ``now``; returns how many were checked and
    moved."""
    rows = list(db.session.scalars(select(SlaMilestone).where(
        SlaMilestone.state == "open", SlaMilestone.due_at > now).order_by(SlaMilestone.id)))
    pauses = _pauses_by_subject(now)
    calendars: dict[str | None, tuple] = {}
    moved = 0
    for row in rows:
        if (row.computed_from or {}).get("paused_since"):
            continue  # computed when the pause ends
        if row.department not in calendars:
            calendars[row.department] = tenant_calendar(now, row.department)
        calendar, view = calendars[row.department]
        subject_pauses = pauses.get((row.subject_type, row.subject_id), [])
        change = _recomputation(row, calendar, subject_pauses, now)
        if not change.needs_decision:
            continue
        old_version = ((row.computed_from or {}).get("calendar") or {}).get("version")
        new = engine.recompute(row, at=now, calendar=calendar, cal_view=view, pauses=subject_pauses)
        old_local, new_local = calendar.local(change.old_at), new.at
        decisions.record(
            "CAL-09", row.subject_type, row.subject_id, policy=view,
            outcome={"milestone": row.code, "old_due_at": change.old_at, "new_due_at": new.utc,
                     "old_provisional": change.old_provisional, "provisional": new.provisional},
            facts={"start": row.start_at, "duration": row.duration, "calendar_version_before": old_version,
                   "calendar_version": view.version, "milestone_id": row.id},
            reason_zh=f"工作日历变更：{engine.label_zh(row.code)}期限自{old_local:%Y-%m-%d %H:%M}改为"
                      f"{new_local:%Y-%m-%d %H:%M}（自原起算时间重新计算：{new.explain()}）",
            reason_en=f"calendar changed: the {row.code} deadline moves from {old_local:%Y-%m-%d %H:%M} to "
                      f"{new_local:%Y-%m-%d %H:%M} (recomputed from the original start: {new.explain()})")
        moved += 1
    db.session.flush()
    return {"checked": len(rows), "moved": moved}
