"""Pure deadline rules (CMP-31, CMP-34): no database.

- :func:`warn_time` — when the owner and supervisor are warned before a due time (CMP-34): an
  hour-based milestone at ``warn_at`` (80%) of its allowance; a day-based one at the opening of
  business hours on its due day (00:00 when that day is off).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core.calendar import Deadline, Duration, WorkCalendar, parse_duration
from core.calendar.model import through_date


@dataclass(frozen=True)
class MilestoneSpec:
    """A deadline to start: ``code`` (reply, solution, resolve, stage.<name>), its duration, the rule
    that sets it, and optionally a hard limit, the department whose calendar counts and the stage it
    belongs to."""

    code: str
    duration: Duration
    rule_id: str
    hard_duration: Duration | None = None
    department: str | None = None
    parent_code: str | None = None
    audience: str = "internal"


def as_duration(value: Duration | str) -> Duration:
    return value if isinstance(value, Duration) else parse_duration(value)


def warn_time(calendar: WorkCalendar, start: dt.datetime, due: Deadline, duration: Duration,
              warn_at: Decimal = Decimal("0.8")) -> dt.datetime:
    """CMP-34. Hour-based (clock or business hours): ``start + warn_at × (due - start)`` of elapsed
    time. Day-based: the first business window's opening on the due day (00:00 when it is off)."""
    if duration.kind in ("clock", "business"):
        allowance = due.at - calendar.local(start)
        return calendar.local(start) + allowance * float(warn_at)
    day = through_date(due)
    windows = calendar.business_windows(day)
    if windows:
        return windows[0][0].astimezone(calendar.tz)
    return calendar.start_of_day(day)
