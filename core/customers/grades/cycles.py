"""CUS-52 · Regrading cycles, as pure rules.

Grades are reviewed every year in ``cus.grading.annual_window`` (default 03-25..03-30: pre-rating,
re-rating in a meeting, confirmation; A is not for life). A new customer gets temporary grades after
deals and a formal grade after ``cus.grading.new_customer_after`` (6 months) of cooperation. Periods
follow the Civil Code (CAL-05): cooperation from 2026-03-10 + 6 months → due through 2026-09-10
(24:00, i.e. 2026-09-11 00:00 local). The 2027 window opens 2027-03-25 00:00 and closes 2027-03-30
24:00 local; the customers of the scheme not graded inside it are then listed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.calendar.durations import Duration, parse_duration
from core.calendar.model import add_months_to_date
from core.customers.grades.settings import parse_window


def period_end(start: dt.date, period: Duration | str) -> dt.date:
    """The last day of a calendar period started on ``start`` (the start day not counted, CAL-05)."""
    period = parse_duration(period) if isinstance(period, str) else period
    n = int(period.amount)
    if period.unit == "days":
        return start + dt.timedelta(days=n)
    if period.unit == "weeks":
        return start + dt.timedelta(weeks=n)
    if period.unit == "months":
        return add_months_to_date(start, n)
    if period.unit == "years":
        return add_months_to_date(start, 12 * n)
    raise ValueError(f"a calendar period is counted in days, weeks, months or years, not {period.unit}")


@dataclass(frozen=True)
class Due:
    """A due moment: ``through`` is the last local day still in time; ``at`` its 24:00 (= next day
    00:00 local, aware)."""

    through: dt.date
    at: dt.datetime

    def overdue(self, now: dt.datetime) -> bool:
        return now >= self.at


def _midnight(day: dt.date, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), ZoneInfo(tz))


def formal_grading_due(cooperation_since: dt.date, after: Duration | str, tz: str = "Asia/Shanghai") -> Due:
    """CUS-52: the formal grade of a new customer is due ``after`` its cooperation began."""
    last = period_end(cooperation_since, after)
    return Due(last, _midnight(last + dt.timedelta(days=1), tz))


@dataclass(frozen=True)
class AnnualWindow:
    year: int
    first_day: dt.date
    last_day: dt.date
    opens: dt.datetime  # 00:00 local of the first day
    closes: dt.datetime  # 24:00 local of the last day

    def state(self, now: dt.datetime) -> str:
        """``before`` | ``open`` | ``closed``."""
        if now < self.opens:
            return "before"
        return "open" if now < self.closes else "closed"

    def contains(self, t: dt.datetime) -> bool:
        return self.opens <= t < self.closes


def _clamped(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 02-29 in a common year
        return dt.date(year, month, 28)


def annual_window(year: int, window: str, tz: str = "Asia/Shanghai") -> AnnualWindow:
    """CUS-52: the annual regrading window of ``year`` in the tenant's time zone."""
    (m1, d1), (m2, d2) = parse_window(window)
    first, last = _clamped(year, m1, d1), _clamped(year, m2, d2)
    return AnnualWindow(year, first, last, _midnight(first, tz), _midnight(last + dt.timedelta(days=1), tz))


def ungraded(subjects: Iterable[int], graded_in_window: Iterable[int]) -> list[int]:
    """The customers of the cycle without a (non-temporary) grade decision inside the window, by id."""
    done = set(graded_in_window)
    return sorted({s for s in subjects if s not in done})
