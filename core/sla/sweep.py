"""The deadline sweep (job ``cmp.sla_timers``, every minute; CMP-31..34, CMP-40, SVC-07).

A minute with nothing due costs one probe of the ``(tenant_id, next_check_at)`` index. Otherwise
each phase claims its rows with one set-based ``UPDATE … WHERE next_check_at <= now AND … RETURNING
id`` on that index, so that a run repeated (or running twice at once) finds the rows already
claimed: one effect. Only the rows claimed are then loaded, and their subject's handler
(:mod:`core.sla.subjects`) writes the decisions and notifications of each event.

1. warnings: open, not yet warned, warning time reached, due time not yet → ``warned_at``;
2. breaches: open and past due → ``breached`` at the due time; a ladder's first step is due then;
3. hard limits: breached, not met, past the hard limit → ``hard_breached_at`` (CMP-32);
4. escalation steps: breached, not met, next step reached → one level up, the next step scheduled
   ``escalation_interval`` later on the calendar until the ladder ends (CMP-40); repeated while
   steps are due, so that a sweep that was down for days catches up step by step.
"""
from __future__ import annotations

import datetime as dt
from itertools import groupby

from sqlalchemy import select, update

from core.calendar.service import tenant_calendar
from core.db import db
from core.sla import rules, subjects
from core.sla.engine import refresh_next_check
from core.sla.models import SlaMilestone

CHUNK = 1000
M = SlaMilestone


def _claim(now: dt.datetime, *conditions, values: dict) -> list[int]:
    """Set ``values`` on the rows due by ``now`` that meet ``conditions``; their ids."""
    stmt = update(M).where(M.next_check_at <= now, *conditions).values(**values).returning(M.id)
    return list(db.session.execute(stmt, execution_options={"synchronize_session": False}).scalars())


def _load(ids: list[int]) -> list[SlaMilestone]:
    rows: list[SlaMilestone] = []
    for i in range(0, len(ids), CHUNK):
        rows += db.session.scalars(select(M).where(M.id.in_(ids[i:i + CHUNK]))
                                   .execution_options(populate_existing=True))
    return sorted(rows, key=lambda r: (r.subject_type, r.due_at, r.id))


def _by_subject_type(rows):
    return groupby(rows, key=lambda r: r.subject_type)


def anything_due(now: dt.datetime) -> bool:
    """One probe of the index: has any milestone of the tenant something due by ``now``?"""
    return db.session.scalar(select(M.id).where(M.next_check_at <= now).limit(1)) is not None


def run(now: dt.datetime) -> dict:
    """One sweep as of ``now`` for the current tenant. Returns the counts of each event."""
    counts = {"warned": 0, "breached": 0, "hard_breached": 0, "escalated": 0}
    if not anything_due(now):
        return counts

    ids = _claim(now, M.state == "open", M.warned_at.is_(None), M.warn_at <= now, M.due_at > now,
                 values={"warned_at": now, "next_check_at": M.due_at})
    if ids:
        rows = _load(ids)
        for subject_type, group in _by_subject_type(rows):
            subjects.handler(subject_type).warned(list(group), now)
        counts["warned"] = len(rows)

    ids = _claim(now, M.state == "open", M.due_at <= now,
                 values={"state": "breached", "breached_at": M.due_at, "next_check_at": None})
    if ids:
        rows = _load(ids)
        for subject_type, group in _by_subject_type(rows):
            subjects.handler(subject_type).breached(list(group), now)
        for row in rows:
            if row.state == "breached":
                row.next_escalation_at = row.due_at if row.escalation_ladder else None
            refresh_next_check(row)
        db.session.flush()
        counts["breached"] = sum(1 for row in rows if row.state == "breached")

    ids = _claim(now, M.state == "breached", M.met_at.is_(None), M.hard_breached_at.is_(None),
                 M.hard_due_at <= now, values={"hard_breached_at": M.hard_due_at, "next_check_at": M.next_escalation_at})
    if ids:
        rows = _load(ids)
        for subject_type, group in _by_subject_type(rows):
            subjects.handler(subject_type).hard_breached(list(group), now)
        counts["hard_breached"] = len(rows)

    counts["escalated"] = _escalate(now)
    db.session.flush()
    return counts


def _escalate(now: dt.datetime) -> int:
    calendars: dict[str | None, object] = {}
    total = 0
    while True:
        ids = _claim(now, M.state == "breached", M.met_at.is_(None), M.next_escalation_at <= now,
                     values={"escalation_level": M.escalation_level + 1, "next_check_at": None})
        if not ids:
            return total
        rows = _load(ids)
        steps = []
        for row in rows:
            step_at = row.next_escalation_at
            if row.escalation_level < len(row.escalation_ladder or []) and row.escalation_interval:
                if row.department not in calendars:
                    calendars[row.department] = tenant_calendar(now, row.department)[0]
                row.next_escalation_at = rules.next_escalation(calendars[row.department], step_at,
                                                               rules.as_duration(row.escalation_interval))
            else:
                row.next_escalation_at = None
            refresh_next_check(row)
            steps.append((row, step_at))
        db.session.flush()
        for subject_type, group in groupby(steps, key=lambda s: s[0].subject_type):
            subjects.handler(subject_type).escalated(list(group), now)
        total += len(steps)
