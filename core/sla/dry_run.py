"""Read-only helpers for the policy dry-runs of the modules whose outcomes are deadlines (complaints,
work orders, the calendar): the open clocks, their pauses, and a clock's due time computed again with
another duration or on another calendar — through :func:`core.sla.engine.due_for`, which writes
nothing."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace

from sqlalchemy import select

from core.calendar import Deadline, WorkCalendar
from core.db import db
from core.sla import engine, rules
from core.sla.models import SlaMilestone, SlaPause


def open_milestones(now: dt.datetime, subject_type: str | None = None) -> list[SlaMilestone]:
    """The open clocks not yet due at ``now`` and not paused (a paused clock is computed when its pause
    ends), oldest first."""
    query = select(SlaMilestone).where(SlaMilestone.state == "open", SlaMilestone.due_at > now)
    if subject_type is not None:
        query = query.where(SlaMilestone.subject_type == subject_type)
    rows = db.session.scalars(query.order_by(SlaMilestone.subject_type, SlaMilestone.subject_id, SlaMilestone.id))
    return [row for row in rows if not (row.computed_from or {}).get("paused_since")]


def pauses_of(rows: list[SlaMilestone]) -> dict[tuple[str, int], list[rules.Pause]]:
    """The pauses of the subjects of ``rows``, in one query."""
    keys = {(row.subject_type, row.subject_id) for row in rows}
    out: dict[tuple[str, int], list[rules.Pause]] = defaultdict(list)
    if not keys:
        return out
    ids = {subject_id for _t, subject_id in keys}
    for pause in db.session.scalars(select(SlaPause).where(SlaPause.subject_id.in_(ids))
                                    .order_by(SlaPause.started_at, SlaPause.id)):
        if (pause.subject_type, pause.subject_id) in keys:
            out[(pause.subject_type, pause.subject_id)].append(rules.Pause(pause.started_at, pause.ended_at,
                                                                           pause.reason))
    return out


def due_under(row: SlaMilestone, calendar: WorkCalendar, pauses: list[rules.Pause],
              duration=None) -> tuple[Deadline, str]:
    """``row``'s due time from its original start with ``duration`` (default its own) on ``calendar``,
    with its pauses and the customer's deadline: ``(deadline, source)``. The row is not touched."""
    stand_in = SimpleNamespace(start_at=row.start_at, duration=str(duration) if duration is not None else row.duration,
                               computed_from=row.computed_from, subject_type=row.subject_type,
                               subject_id=row.subject_id)
    due, source, _applied = engine.due_for(stand_in, calendar, pauses)
    return due, source


def computed_by_policy(row: SlaMilestone) -> bool:
    """The due time comes from a duration of the policy (not a time fixed with the customer, CMP-36,
    nor a new time granted on a delay notice, SVC-08)."""
    computed = row.computed_from or {}
    return not computed.get("fixed_due") and not row.code.startswith("next_reply")
