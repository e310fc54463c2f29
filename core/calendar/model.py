"""Value types of the working-day calendar (CAL-01, CAL-03..CAL-05, section 1).

Overrides, business windows, department calendars, per-day answers and the
:class:`Deadline` result, plus the small parsing and normalising helpers the
calendar and the policy schema share.

How "through date X" is represented
-----------------------------------
Section 1 (Civil Code arts. 201-203): a period in days, months, years or
working days ends at **24:00 of its last day X**, written "through X". A
:class:`Deadline` stores that instant as ``at`` = 00:00 of X+1 in the tenant
time zone (an aware datetime; ``at.astimezone(UTC)`` is what gets stored). A
fact is in time when it happens strictly before ``at``. ``deadline.through``
(or :func:`through_date`) gives X back: the tenant-local date of the last
instant before ``at``. For clock and business-hour deadlines (CAL-04, CAL-06)
``at`` is the exact instant and ``through`` is simply its local date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

UTC = dt.timezone.utc
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OVERRIDE_KINDS = ("off", "work")
DEADLINE_TIMES = ("24:00", "business_close")
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_REST_DAYS = ("sat", "sun")


_ONE_DAY = dt.timedelta(days=1)


def parse_clock_time(text: str, *, allow_24: bool = False) -> dt.time:
    """Parse ``"HH:MM"`` or ``"HH:MM:SS"``. ``"24:00"`` (only if ``allow_24``) gives ``time(0)``."""
    if isinstance(text, dt.time):
        return text
    if not isinstance(text, str):
        raise ValueError(f"time must be a 'HH:MM' string, got {text!r}")
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"invalid time {text!r}: expected 'HH:MM'")
    numbers = [int(p) for p in parts]
    if allow_24 and numbers[0] == 24 and not any(numbers[1:]):
        return dt.time(0, 0)
    try:
        return dt.time(*numbers)
    except ValueError:
        raise ValueError(f"invalid time {text!r}: out of range") from None


def format_clock_time(value: dt.time, *, as_end: bool = False) -> str:
    """``"HH:MM"`` (``"HH:MM:SS"`` when seconds are set); ``time(0)`` as an end is ``"24:00"``."""
    if as_end and value == dt.time(0):
        return "24:00"
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


@dataclass(frozen=True)
class Override:
    """A tenant override of one date (CAL-01): ``kind`` ``off`` or ``work``."""

    date: dt.date
    kind: str
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
            raise ValueError(f"override date must be a date, got {self.date!r}")
        if self.kind not in OVERRIDE_KINDS:
            raise ValueError(f"override kind must be 'off' or 'work', got {self.kind!r}")


@dataclass(frozen=True)
class BusinessWindow:
    """A business-hours window on working days (CAL-04), local wall-clock times.

    ``end == time(0)`` means 24:00 (end of the day); otherwise ``end > start``.
    """

    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if self.end != dt.time(0) and self.end <= self.start:
            raise ValueError(
                f"business window end {format_clock_time(self.end)} must be after "
                f"start {format_clock_time(self.start)}"
            )

    @classmethod
    def parse(cls, text: str) -> "BusinessWindow":
        """``"09:00-12:00"`` (also ``–`` or ``~`` as separator)."""
        for sep in ("–", "~", "-"):
            if sep in text:
                start, end = text.split(sep, 1)
                return cls(parse_clock_time(start), parse_clock_time(end, allow_24=True))
        raise ValueError(f"invalid business window {text!r}: expected 'HH:MM-HH:MM'")

    @property
    def start_offset(self) -> dt.timedelta:
        return dt.timedelta(hours=self.start.hour, minutes=self.start.minute, seconds=self.start.second)

    @property
    def end_offset(self) -> dt.timedelta:
        if self.end == dt.time(0):
            return _ONE_DAY
        return dt.timedelta(hours=self.end.hour, minutes=self.end.minute, seconds=self.end.second)

    def __str__(self) -> str:
        return f"{format_clock_time(self.start)}–{format_clock_time(self.end, as_end=True)}"


DEFAULT_BUSINESS_HOURS = (
    BusinessWindow(dt.time(9, 0), dt.time(12, 0)),
    BusinessWindow(dt.time(13, 30), dt.time(18, 0)),
)


@dataclass(frozen=True)
class DepartmentCalendar:
    """A department's deviations from the tenant calendar (CAL-01 ``cal.department_calendars``).

    ``None`` means "as the tenant"; ``overrides`` are added to the tenant's
    (the department's wins on the same date).
    """

    weekly_rest_days: tuple[str, ...] | None = None
    business_hours: tuple[BusinessWindow, ...] | None = None
    overrides: tuple[Override, ...] = ()

    def __post_init__(self) -> None:
        if self.weekly_rest_days is not None:
            object.__setattr__(self, "weekly_rest_days", normalize_rest_days(self.weekly_rest_days))
        if self.business_hours is not None:
            object.__setattr__(self, "business_hours", normalize_windows(self.business_hours))
        object.__setattr__(self, "overrides", normalize_overrides(self.overrides))


@dataclass(frozen=True)
class DayInfo:
    """Whether one date works, why, and whether the answer is provisional (CAL-01, CAL-02)."""

    date: dt.date
    working: bool
    reason: str
    provisional: bool

    def describe(self) -> str:
        mark = " [provisional, CAL-02]" if self.provisional else ""
        return f"{self.date.isoformat()} {'working' if self.working else 'off'}: {self.reason}{mark}"


@dataclass(frozen=True)
class Deadline:
    """Result of a deadline computation.

    ``at``: aware datetime in the tenant zone (``utc`` converts); for periods
    ending "24:00 of X" it is 00:00 of X+1 (see module docstring).
    ``provisional``: a year without national data was consulted (CAL-02).
    ``rule``: the rule applied (``CAL-03`` ...). ``trace``: human-readable
    steps for a decision record. ``counted_days``: the working days counted
    (CAL-03) or the days whose business hours were consumed (CAL-04).
    """

    at: dt.datetime
    provisional: bool
    rule: str
    trace: tuple[str, ...] = ()
    counted_days: tuple[dt.date, ...] = ()

    @property
    def utc(self) -> dt.datetime:
        return self.at.astimezone(UTC)

    @property
    def through(self) -> dt.date:
        """The last local day X still in time ("through X")."""
        return through_date(self)

    def explain(self) -> str:
        return "; ".join(self.trace)


def through_date(deadline: Deadline | dt.datetime) -> dt.date:
    """Last day X of a deadline "through X": the local date just before ``at``.

    ``at`` = 00:00 of 2026-09-23 → 2026-09-22; ``at`` = 2026-10-08 12:00 → 2026-10-08.
    A bare datetime is read in its own zone.
    """
    at = deadline.at if isinstance(deadline, Deadline) else deadline
    require_aware(at)
    return (at - dt.timedelta(microseconds=1)).date()



def add_months_to_date(day: dt.date, months: int) -> dt.date:
    """Corresponding day ``months`` later, clamped to the month's end (CAL-05)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - _ONE_DAY).day
    return dt.date(year, month, min(day.day, last))


def require_aware(t: dt.datetime) -> None:
    if not isinstance(t, dt.datetime):
        raise TypeError(f"expected an aware datetime, got {t!r}")
    if t.tzinfo is None or t.tzinfo.utcoffset(t) is None:
        raise ValueError(f"naive datetime {t.isoformat()} refused: pass an aware datetime (CAL-08)")


def normalize_rest_days(days: Iterable[str]) -> tuple[str, ...]:
    if isinstance(days, str):
        raise ValueError("weekly_rest_days must be a list of weekday names")
    result = []
    for day in days:
        name = str(day).lower()
        if name not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r}; expected one of {WEEKDAYS}")
        if name not in result:
            result.append(name)
    return tuple(sorted(result, key=WEEKDAYS.index))


def normalize_windows(windows: Iterable[BusinessWindow | str | Sequence]) -> tuple[BusinessWindow, ...]:
    result = []
    for window in windows:
        if isinstance(window, BusinessWindow):
            result.append(window)
        elif isinstance(window, str):
            result.append(BusinessWindow.parse(window))
        elif isinstance(window, Mapping):
            result.append(BusinessWindow(
                parse_clock_time(window["start"]), parse_clock_time(window["end"], allow_24=True)))
        else:
            start, end = window
            result.append(BusinessWindow(parse_clock_time(start), parse_clock_time(end, allow_24=True)))
    result.sort(key=lambda w: w.start_offset)
    for before, after in zip(result, result[1:]):
        if after.start_offset < before.end_offset:
            raise ValueError(f"business windows {before} and {after} overlap")
    return tuple(result)


def normalize_overrides(overrides: Iterable[Override | Sequence | Mapping]) -> tuple[Override, ...]:
    result: dict[dt.date, Override] = {}
    for item in overrides:
        if isinstance(item, Override):
            override = item
        elif isinstance(item, Mapping):
            override = Override(item["date"], item["kind"], item.get("note") or "")
        else:
            override = Override(*item)
        if override.date in result:
            raise ValueError(f"duplicate override for {override.date.isoformat()}")
        result[override.date] = override
    return tuple(sorted(result.values(), key=lambda o: o.date))
