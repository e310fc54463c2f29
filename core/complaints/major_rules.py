"""Pure rules of the major-complaint path (CMP-42): no database.

- :func:`schedule` — from the moment a case is flagged major: the acknowledgement due time
  (``cmp.major.ack_within``, 1 hour) and, for a company in a group, the group warning report's due
  time (``cmp.major.group_warning_within``, 24 hours). Durations count on the tenant calendar by
  their unit: hours are elapsed clock time, so holidays do not stop them.
- :func:`due_now` — what the watch has to do for one case at a moment: the acknowledgement limit
  passed with someone not acknowledged, or the group warning limit passed with no report sent; each
  once (the track remembers when it was done).
- :func:`next_check` — when the watch next has work for the case (None: nothing left).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.calendar import Duration, WorkCalendar


@dataclass(frozen=True)
class MajorSchedule:
    ack_due: dt.datetime
    group_warning_due: dt.datetime | None


@dataclass(frozen=True)
class TrackState:
    """What the watch needs of a track (see :class:`core.complaints.resolution_models.ComplaintMajorTrack`)."""

    recipients: tuple[int, ...]
    acknowledged: frozenset[int]
    ack_due_at: dt.datetime
    ack_overdue_at: dt.datetime | None
    group_warning_due_at: dt.datetime | None
    group_warning_sent_at: dt.datetime | None
    group_warning_overdue_at: dt.datetime | None


@dataclass(frozen=True)
class Due:
    ack_missing: tuple[int, ...]  # recipients late with their acknowledgement (empty: nothing to do)
    group_warning_late: bool


def schedule(calendar: WorkCalendar, flagged_at: dt.datetime, ack_within: Duration,
             group_warning_within: Duration, group_member: bool) -> MajorSchedule:
    ack = calendar.add_duration(flagged_at, ack_within)
    group = calendar.add_duration(flagged_at, group_warning_within) if group_member else None
    return MajorSchedule(ack.utc, group.utc if group else None)


def missing_acknowledgements(state: TrackState) -> tuple[int, ...]:
    return tuple(uid for uid in state.recipients if uid not in state.acknowledged)


def due_now(state: TrackState, as_of: dt.datetime) -> Due:
    missing = ()
    if state.ack_overdue_at is None and as_of >= state.ack_due_at:
        missing = missing_acknowledgements(state)
    late = (state.group_warning_due_at is not None and state.group_warning_sent_at is None
            and state.group_warning_overdue_at is None and as_of >= state.group_warning_due_at)
    return Due(missing, late)


def next_check(state: TrackState) -> dt.datetime | None:
    times = []
    if state.ack_overdue_at is None and missing_acknowledgements(state):
        times.append(state.ack_due_at)
    if (state.group_warning_due_at is not None and state.group_warning_sent_at is None
            and state.group_warning_overdue_at is None):
        times.append(state.group_warning_due_at)
    return min(times) if times else None
