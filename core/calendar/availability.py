"""Duty roster and availability helpers (CAL-11).

Employees have availability states over time; assignment (CUS-30) and
rotation (CUS-31, RE-01) read them. Only ``company_business`` (因公外出) and
``with_customer`` accrue owed turns by default (``cus.rotation.accruing_absences``).
A leave is *long* (長假) when it lasts at least ``cal.long_leave_min``
(default ``15 days``, inclusive per CAL-10). Posts may require a minimum
number on duty (``cal.posts``); a shortfall is a roster breach (CAR-45).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Iterable, Mapping

from .durations import Duration, parse_duration
from .model import add_months_to_date

if TYPE_CHECKING:  # pragma: no cover
    from .workcalendar import WorkCalendar


class Availability(str, Enum):
    """CAL-11 availability states."""

    ON_DUTY = "on_duty"
    OFF_DUTY = "off_duty"
    LEAVE = "leave"
    COMPANY_BUSINESS = "company_business"
    WITH_CUSTOMER = "with_customer"


#: default of ``cus.rotation.accruing_absences`` (CAL-11, CUS-31)
DEFAULT_ACCRUING = frozenset({Availability.COMPANY_BUSINESS, Availability.WITH_CUSTOMER})
#: default of ``cal.long_leave_min`` (CAL-11 ambiguity: 長假 has no length)
DEFAULT_LONG_LEAVE_MIN = Duration(15, "days")


def accrues_owed_turn(state: Availability | str, accruing: Iterable[Availability | str] = DEFAULT_ACCRUING) -> bool:
    """CAL-11: does an absence in ``state`` earn an owed (make-up) turn?"""
    return Availability(state) in {Availability(s) for s in accruing}


def leave_days(start: dt.date, end: dt.date) -> int:
    """Calendar days of a leave ``start..end``, both days included."""
    if end < start:
        raise ValueError(f"leave ends ({end}) before it starts ({start})")
    return (end - start).days + 1


def is_long_leave(
    start: dt.date,
    end: dt.date,
    long_leave_min: Duration | str = DEFAULT_LONG_LEAVE_MIN,
    calendar: "WorkCalendar | None" = None,
) -> bool:
    """CAL-11: a leave ``start..end`` (inclusive) is long when it lasts ≥ ``long_leave_min``.

    ``days``/``weeks``: inclusive day count ≥ N (7 N). ``months``/``years``: the
    leave reaches the day before the corresponding day N months/years after
    ``start`` (07-01 + 1 month → through 07-31). ``working_days``: working days
    of ``calendar`` within the leave ≥ N (a calendar is then required).
    """
    minimum = parse_duration(long_leave_min) if isinstance(long_leave_min, str) else long_leave_min
    length = leave_days(start, end)
    amount = int(minimum.amount)
    if minimum.unit == "days":
        return length >= amount
    if minimum.unit == "weeks":
        return length >= 7 * amount
    if minimum.unit in ("months", "years"):
        months = amount if minimum.unit == "months" else 12 * amount
        return end >= add_months_to_date(start, months) - dt.timedelta(days=1)
    if minimum.unit == "working_days":
        if calendar is None:
            raise ValueError("long_leave_min in working_days needs a calendar")
        return calendar.working_days_between(start - dt.timedelta(days=1), end) >= amount
    raise ValueError(f"long_leave_min must be in days, weeks, months, years or working_days, got {minimum}")


@dataclass(frozen=True)
class Post:
    """A roster post with its minimum number on duty (``cal.posts``)."""

    post: str
    min_on_duty: int


@dataclass(frozen=True)
class RosterBreach:
    """A post under its minimum on duty (CAL-11, CAR-45)."""

    post: str
    min_on_duty: int
    on_duty: int
    rule: str = "CAL-11"

    @property
    def shortfall(self) -> int:
        return self.min_on_duty - self.on_duty


def count_on_duty(assignments: Iterable[tuple[str, Availability | str]]) -> dict[str, int]:
    """Count employees ``on_duty`` per post from ``(post, state)`` pairs."""
    return dict(Counter(post for post, state in assignments if Availability(state) is Availability.ON_DUTY))


def roster_breaches(
    posts: Iterable[Post | Mapping | tuple[str, int]],
    on_duty_counts: Mapping[str, int],
) -> list[RosterBreach]:
    """CAL-11: posts whose on-duty count is below their minimum (a missing post counts 0)."""
    breaches = []
    for item in posts:
        if isinstance(item, Post):
            post = item
        elif isinstance(item, Mapping):
            post = Post(item["post"], int(item["min_on_duty"]))
        else:
            post = Post(*item)
        on_duty = int(on_duty_counts.get(post.post, 0))
        if on_duty < post.min_on_duty:
            breaches.append(RosterBreach(post.post, post.min_on_duty, on_duty))
    return breaches
