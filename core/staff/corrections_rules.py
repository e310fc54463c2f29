"""Pure rules of the correction loop (STF-11). No database.

A violation ordered corrected at ``ordered_at`` must be corrected within ``within`` (default 1 working
day, CAL-03: the order's day is not counted, the limit ends at 24:00 of the next working day). Each limit
that ends before the correction counts as a repeat of the violation, dated at the end of the limit — the
last second of its last day when the limit ends at 24:00, so that a limit through 2026-09-30 dates its
repeat 2026-09-30 and not on the 1st of October — and the next limit runs from there.

Vector: ordered Tue 2026-09-29 10:00 → limit through 09-30 (repeat 09-30); next through 10-08 (the
National Day holiday is not counted; repeat 10-08); next through 10-09; corrected 10-09 → the loop ends.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator

from core.calendar import Duration, WorkCalendar

#: a loop never runs for more limits than this (a forgotten order is not fined forever by a job)
MAX_LIMITS = 100
_SECOND = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Limit:
    """The ``k``-th limit: it ends at ``end`` (``through`` is its last local day); a repeat for missing
    it is dated ``repeat_at``."""

    k: int
    end: dt.datetime
    through: dt.date
    repeat_at: dt.datetime


def repeat_instant(end: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """The end of a limit as the date of a repeat: 24:00 (00:00 of the next day) → 23:59:59 of the day."""
    local = calendar.local(end)
    return local - _SECOND if local.time() == dt.time(0) else local


def limits(ordered_at: dt.datetime, within: Duration, calendar: WorkCalendar) -> Iterator[Limit]:
    """The successive limits of a correction order (at most :data:`MAX_LIMITS`)."""
    start = ordered_at
    for k in range(1, MAX_LIMITS + 1):
        deadline = calendar.add_duration(start, within)
        repeat_at = repeat_instant(deadline.at, calendar)
        yield Limit(k, deadline.at, deadline.through, repeat_at)
        start = repeat_at


def missed_limits(ordered_at: dt.datetime, within: Duration, calendar: WorkCalendar, *, as_of: dt.datetime,
                  corrected_at: dt.datetime | None = None) -> list[Limit]:
    """STF-11: the limits that ended by ``as_of`` without the correction (each one a repeat)."""
    missed = []
    for limit in limits(ordered_at, within, calendar):
        if limit.end > as_of or (corrected_at is not None and corrected_at < limit.end):
            break
        missed.append(limit)
    return missed


def current_limit(ordered_at: dt.datetime, within: Duration, calendar: WorkCalendar, missed: int) -> Limit | None:
    """The limit running after ``missed`` missed ones (None past :data:`MAX_LIMITS`)."""
    for limit in limits(ordered_at, within, calendar):
        if limit.k == missed + 1:
            return limit
    return None
