"""Pure rules of rolling counters and HR review flags (STF-12, CMP-73). No database.

A rule ``{counter, window, threshold, inclusive, label, consecutive}`` is judged at each occurrence of
its counter in time order: the occurrences inside the window that ends at that occurrence are counted
(a duration back from its local day, inclusive of the first day — 6 months back from 2026-06-30 is
2025-12-30 —, or its calendar month or year, or ever); when the count reaches the threshold (CAL-10:
≥, or > when not inclusive) the occurrence raises a flag. The occurrences a flag was raised on are
used up: counting starts again after it, so five complaints in six months give one flag at the third,
not three. With ``consecutive`` the count is the run of consecutive working days with an occurrence
ending on the occurrence's day.

Vector (CMP-73): verified complaints against Zhou on 2026-01-05, 03-20, 06-30 → 3 within 6 months →
flag on 2026-06-30; with ``inclusive = false`` no flag at 3.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.calendar import Duration, Threshold, WorkCalendar
from core.calendar.model import add_months_to_date

_CLOCK_UNITS = {"minutes": 60, "hours": 3600, "business_hours": 3600}


@dataclass(frozen=True, order=True)
class Occurrence:
    """One counted fact: when, and the record it comes from (``complaint`` 12, ``staff_entry`` 40)."""

    at: dt.datetime
    subject_type: str
    subject_id: int


@dataclass(frozen=True)
class Trigger:
    """An occurrence that reached the threshold, with the count and the occurrences counted."""

    occurrence: Occurrence
    count: int
    counted: tuple[Occurrence, ...]


def _previous_working_day(calendar: WorkCalendar, day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    for _ in range(400):
        if calendar.is_working_day(day):
            return day
        day -= dt.timedelta(days=1)
    raise ValueError(f"no working day within 400 days before {day}")


def in_window(window, occurrence: Occurrence, at: dt.datetime, calendar: WorkCalendar) -> bool:
    """Whether ``occurrence`` (not after ``at``) lies in the ``window`` that ends at ``at``."""
    if occurrence.at > at:
        return False
    if window == "ever":
        return True
    day, then = calendar.local_date(at), calendar.local_date(occurrence.at)
    if window == "calendar_month":
        return (then.year, then.month) == (day.year, day.month)
    if window == "calendar_year":
        return then.year == day.year
    if not isinstance(window, Duration):
        raise ValueError(f"unknown window {window!r}")
    if window.unit in _CLOCK_UNITS:
        return occurrence.at >= at - dt.timedelta(seconds=float(window.amount) * _CLOCK_UNITS[window.unit])
    amount = int(window.amount)
    if window.unit == "working_days":
        start = day
        for _ in range(amount):
            start = _previous_working_day(calendar, start)
    elif window.unit == "months":
        start = add_months_to_date(day, -amount)
    elif window.unit == "years":
        start = add_months_to_date(day, -12 * amount)
    else:
        start = day - dt.timedelta(days=amount * (7 if window.unit == "weeks" else 1))
    return then >= start


def _run_of_days(days: set[dt.date], last: dt.date, calendar: WorkCalendar) -> int:
    run, day = 1, last
    while True:
        day = _previous_working_day(calendar, day)
        if day not in days:
            return run
        run += 1


def triggers(rule: dict, occurrences, calendar: WorkCalendar, *, after: Occurrence | None = None) -> list[Trigger]:
    """STF-12: the occurrences at which ``rule`` raises a flag, counting only occurrences after ``after``
    (the occurrence of the last flag already raised) and starting again after each new flag."""
    threshold = Threshold(rule["threshold"], rule.get("inclusive", True))
    pending = [o for o in sorted(occurrences) if after is None or o > after]
    found: list[Trigger] = []
    start = 0
    for i, occurrence in enumerate(pending):
        counted = tuple(o for o in pending[start:i + 1] if in_window(rule["window"], o, occurrence.at, calendar))
        if rule.get("consecutive"):
            days = {calendar.local_date(o.at) for o in counted}
            count = _run_of_days(days, calendar.local_date(occurrence.at), calendar)
        else:
            count = len(counted)
        if threshold.reached(count):
            found.append(Trigger(occurrence, count, counted))
            start = i + 1
    return found


def current_count(rule: dict, occurrences, at: dt.datetime, calendar: WorkCalendar,
                  after: Occurrence | None = None) -> int:
    """The counter of ``rule`` at ``at`` (occurrences after the last flag, inside the window ending at ``at``)."""
    counted = [o for o in occurrences if (after is None or o > after) and in_window(rule["window"], o, at, calendar)]
    if rule.get("consecutive"):
        if not counted:
            return 0
        days = {calendar.local_date(o.at) for o in counted}
        return _run_of_days(days, max(days), calendar)
    return len(counted)


def rule_key(rule: dict) -> str:
    """A short stable name of a rule, for dedupe keys: ``complaints/6 months/3/label``."""
    window = rule["window"] if isinstance(rule["window"], str) else f"{rule['window'].amount} {rule['window'].unit}"
    sign = "" if rule.get("inclusive", True) else ">"
    run = "/run" if rule.get("consecutive") else ""
    return f"{rule['counter']}/{window}/{sign}{rule['threshold']}{run}/{rule['label']}"
