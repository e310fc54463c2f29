"""The tenant working-day calendar and deadline arithmetic (CAL-01..CAL-08).

Pure code: a :class:`WorkCalendar` is an immutable value built from the ``cal``
policy (see :mod:`core.calendar.policy`) plus national data
(:mod:`core.calendar.national`); its methods take aware datetimes and return
:class:`~core.calendar.model.Deadline` values (see :mod:`core.calendar.model`
for how "through date X" is represented: ``at`` = 00:00 of X+1, tenant zone).
Nothing here reads a database or a clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .durations import Duration, parse_duration
from .model import (
    DEADLINE_TIMES,
    DEFAULT_BUSINESS_HOURS,
    DEFAULT_REST_DAYS,
    DEFAULT_TIMEZONE,
    OVERRIDE_KINDS,
    UTC,
    WEEKDAYS,
    BusinessWindow,
    DayInfo,
    Deadline,
    DepartmentCalendar,
    Override,
    normalize_overrides,
    require_aware,
    normalize_rest_days,
    normalize_windows,
    add_months_to_date,
    format_clock_time,
    parse_clock_time,
    through_date,
)
from .national import (
    FALLBACKS,
    HOLIDAY,
    MAKEUP_WORKDAY,
    STATUTORY_HOLIDAYS,
    NationalData,
    NationalSource,
)

__all__ = [
    "AUDIENCES",
    "DEADLINE_TIMES",
    "OVERRIDE_KINDS",
    "WEEKDAYS",
    "BusinessWindow",
    "DayInfo",
    "Deadline",
    "DepartmentCalendar",
    "Override",
    "WorkCalendar",
    "add_months_to_date",
    "format_clock_time",
    "parse_clock_time",
    "through_date",
]

AUDIENCES = ("internal", "customer")

#: a scan that finds no working day / business window in this many days gives up
MAX_SCAN_DAYS = 3700

_DEFAULT_NATIONAL = NationalData()
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """A tenant's (or department's) working-day calendar (CAL-01..CAL-08).

    Build it with :func:`core.calendar.policy.calendar_from_policy` or
    directly; sequences are normalised to tuples, strings are accepted for
    business windows (``"09:00-12:00"``) and overrides may be
    ``(date, kind, note)`` tuples.
    """

    timezone: str = DEFAULT_TIMEZONE
    weekly_rest_days: tuple[str, ...] = DEFAULT_REST_DAYS
    overrides: tuple[Override, ...] = ()
    business_hours: tuple[BusinessWindow, ...] = DEFAULT_BUSINESS_HOURS
    working_day_deadline_time: str = "24:00"
    roll_last_day_off_internal: bool = False
    roll_last_day_off_customer: bool = True
    provisional_fallback: str = STATUTORY_HOLIDAYS
    national: NationalSource = field(default=_DEFAULT_NATIONAL, compare=False, repr=False)
    department_calendars: tuple[tuple[str, DepartmentCalendar], ...] = ()
    department: str | None = None
    _tz: ZoneInfo = field(init=False, compare=False, repr=False)
    _by_date: Mapping[dt.date, Override] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        try:
            tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        object.__setattr__(self, "_tz", tz)
        object.__setattr__(self, "weekly_rest_days", normalize_rest_days(self.weekly_rest_days))
        object.__setattr__(self, "business_hours", normalize_windows(self.business_hours))
        overrides = normalize_overrides(self.overrides)
        object.__setattr__(self, "overrides", overrides)
        object.__setattr__(self, "_by_date", {o.date: o for o in overrides})
        if self.working_day_deadline_time not in DEADLINE_TIMES:
            raise ValueError(
                f"working_day_deadline_time must be one of {DEADLINE_TIMES}, "
                f"got {self.working_day_deadline_time!r}"
            )
        if self.provisional_fallback not in FALLBACKS:
            raise ValueError(
                f"provisional_fallback must be one of {FALLBACKS}, got {self.provisional_fallback!r}"
            )
        departments = self.department_calendars
        if isinstance(departments, Mapping):
            departments = departments.items()
        object.__setattr__(
            self,
            "department_calendars",
            tuple(
                (str(name), dep if isinstance(dep, DepartmentCalendar) else DepartmentCalendar(**dep))
                for name, dep in departments
            ),
        )

    # ------------------------------------------------------------------ basics

    @property
    def tz(self) -> ZoneInfo:
        """The tenant zone (CAL-08)."""
        return self._tz

    def local(self, t: dt.datetime) -> dt.datetime:
        """``t`` in the tenant zone (CAL-08); naive datetimes are refused."""
        require_aware(t)
        return t.astimezone(self._tz)

    def local_date(self, t: dt.datetime | dt.date) -> dt.date:
        """The tenant-local date of ``t`` (a date is returned as is) (CAL-08)."""
        if isinstance(t, dt.datetime):
            return self.local(t).date()
        if isinstance(t, dt.date):
            return t
        raise TypeError(f"expected a date or an aware datetime, got {t!r}")

    def start_of_day(self, day: dt.date) -> dt.datetime:
        """00:00 of ``day`` in the tenant zone."""
        return dt.datetime.combine(day, dt.time(0), tzinfo=self._tz)

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """24:00 of ``day`` = 00:00 of the next day in the tenant zone (section 1)."""
        return self.start_of_day(day + _ONE_DAY)

    def for_department(self, name: str) -> "WorkCalendar":
        """The calendar of department ``name`` derived from this one (CAL-01).

        A department without its own entry uses the tenant calendar itself.
        """
        deps = dict(self.department_calendars)
        if name not in deps:
            return self
        dep = deps[name]
        merged = {o.date: o for o in self.overrides}
        merged.update({o.date: o for o in dep.overrides})
        return replace(
            self,
            weekly_rest_days=self.weekly_rest_days if dep.weekly_rest_days is None else dep.weekly_rest_days,
            business_hours=self.business_hours if dep.business_hours is None else dep.business_hours,
            overrides=tuple(sorted(merged.values(), key=lambda o: o.date)),
            department_calendars=(),
            department=name,
        )

    # ----------------------------------------------------------------- CAL-01

    def day_info(self, day: dt.date | dt.datetime) -> DayInfo:
        """CAL-01: national make-up day, or not a rest day and not a holiday; then overrides."""
        day = self.local_date(day)
        override = self._by_date.get(day)
        if override is not None:
            note = f" ({override.note})" if override.note else ""
            return DayInfo(day, override.kind == "work", f"tenant override {override.kind}{note}", False)
        national = self.national.detail(day, self.provisional_fallback)
        name = f" {national.name}" if national.name else ""
        if national.status == MAKEUP_WORKDAY:
            return DayInfo(day, True, f"national make-up workday{name}", national.provisional)
        if national.status == HOLIDAY:
            return DayInfo(day, False, f"national holiday{name}", national.provisional)
        if WEEKDAYS[day.weekday()] in self.weekly_rest_days:
            return DayInfo(day, False, "weekly rest day", national.provisional)
        return DayInfo(day, True, "working day", national.provisional)

    def is_working_day(self, day: dt.date | dt.datetime) -> bool:
        """CAL-01. A datetime is read as its tenant-local date."""
        return self.day_info(day).working

    def is_provisional(self, day: dt.date | dt.datetime) -> bool:
        """True when the answer for ``day`` rests on the CAL-02 fallback."""
        return self.day_info(day).provisional

    def provisional_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Years in ``start..end`` without national data (CAL-02 admin warning)."""
        return [y for y in range(start.year, end.year + 1) if not self.national.has_year(y)]

    def next_working_day(self, day: dt.date, *, include: bool = False) -> dt.date:
        """First working day after ``day`` (or on it, if ``include``)."""
        current = day if include else day + _ONE_DAY
        for _ in range(MAX_SCAN_DAYS):
            if self.is_working_day(current):
                return current
            current += _ONE_DAY
        raise ValueError(f"no working day within {MAX_SCAN_DAYS} days after {day}")

    # ----------------------------------------------------------------- CAL-03

    def add_working_days(self, t: dt.datetime, n: int) -> Deadline:
        """CAL-03: 24:00 of the ``n``-th working day strictly after the date of ``t``.

        The event day is never counted (whatever its time, whether it works).
        ``n == 0``: 24:00 of the event day, or of the next working day if off.
        With ``working_day_deadline_time = business_close`` the deadline is the
        end of that day's last business window instead of 24:00.
        """
        n = _whole(n, "working days")
        start = self.local_date(t)
        trace = [f"CAL-03: +{n} working_days from {start.isoformat()}"]
        counted: list[dt.date] = []
        provisional = False
        current = start
        if n == 0:
            info = self.day_info(current)
            provisional |= info.provisional
            while not info.working:
                trace.append(f"skip {info.describe()}")
                current += _ONE_DAY
                info = self.day_info(current)
                provisional |= info.provisional
                if (current - start).days > MAX_SCAN_DAYS:
                    raise ValueError(f"no working day within {MAX_SCAN_DAYS} days after {start}")
            counted.append(current)
            trace.append(f"same working day {info.describe()}")
        else:
            trace.append(f"event day {start.isoformat()} not counted")
            while len(counted) < n:
                current += _ONE_DAY
                if (current - start).days > MAX_SCAN_DAYS + n:
                    raise ValueError(f"no working day within {MAX_SCAN_DAYS} days after {start}")
                info = self.day_info(current)
                provisional |= info.provisional
                if info.working:
                    counted.append(current)
                    trace.append(f"day {len(counted)}: {info.describe()}")
                else:
                    trace.append(f"skip {info.describe()}")
        at = self._working_day_end(current)
        trace.append(f"due {_fmt_due(at, current)}")
        return Deadline(at, provisional, "CAL-03", tuple(trace), tuple(counted))

    def _working_day_end(self, day: dt.date) -> dt.datetime:
        if self.working_day_deadline_time == "business_close" and self.business_hours:
            last = max(self.business_hours, key=lambda w: w.end_offset)
            if last.end != dt.time(0):
                return dt.datetime.combine(day, last.end, tzinfo=self._tz)
        return self.end_of_day(day)

    def working_days_between(self, a: dt.date | dt.datetime, b: dt.date | dt.datetime) -> int:
        """CAL-03: working days strictly after ``a``'s date up to and including ``b``'s date.

        Datetimes are read as tenant-local dates (pass ``deadline.through``,
        not ``deadline.at``, to count up to a "through" day). Negative when
        ``b`` is before ``a`` (``-working_days_between(b, a)``).
        """
        start, end = self.local_date(a), self.local_date(b)
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start + _ONE_DAY
        while current <= end:
            if self.is_working_day(current):
                count += 1
            current += _ONE_DAY
        return count

    # ----------------------------------------------------------------- CAL-04

    def business_windows(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """CAL-04: the business windows of ``day`` as UTC instants (empty on off days)."""
        if not self.is_working_day(day):
            return []
        return self._windows_utc(day)

    def _windows_utc(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        result = []
        for window in sorted(self.business_hours, key=lambda w: w.start):
            start = dt.datetime.combine(day, window.start, tzinfo=self._tz).astimezone(UTC)
            if window.end == dt.time(0):
                end = self.end_of_day(day).astimezone(UTC)
            else:
                end = dt.datetime.combine(day, window.end, tzinfo=self._tz).astimezone(UTC)
            result.append((start, end))
        return result

    def add_business_hours(self, t: dt.datetime, hours: int | Decimal | float | Fraction) -> Deadline:
        """CAL-04: consume ``hours`` of time inside business windows of working days.

        An event outside the windows starts at the next window. If the hours run
        out exactly at a window's end, the result is that end (e.g. 12:00).
        ``hours == 0`` gives the first business instant at or after ``t``.
        Fractional hours are kept to the microsecond (half-up).
        """
        if not self.business_hours:
            raise ValueError("the calendar has no business hours")
        remaining = _to_timedelta(hours)
        cursor = self.local(t).astimezone(UTC)
        day = self.local_date(t)
        trace = [f"CAL-04: +{_fmt_hours(hours)} business_hours from {self.local(t).isoformat()}"]
        counted: list[dt.date] = []
        provisional = False
        for _ in range(MAX_SCAN_DAYS):
            info = self.day_info(day)
            provisional |= info.provisional
            if not info.working:
                trace.append(f"skip {info.describe()}")
                day += _ONE_DAY
                continue
            for start, end in self._windows_utc(day):
                if end <= cursor:
                    continue
                begin = max(start, cursor)
                available = end - begin
                if remaining <= available:
                    at = (begin + remaining).astimezone(self._tz)
                    if day not in counted:
                        counted.append(day)
                    trace.append(f"{day.isoformat()}: {_fmt_td(remaining)} from {_hhmm(begin, self._tz)}")
                    trace.append(f"due {at.isoformat()}")
                    return Deadline(at, provisional, "CAL-04", tuple(trace), tuple(counted))
                remaining -= available
                cursor = end
                if day not in counted:
                    counted.append(day)
                trace.append(
                    f"{day.isoformat()}: {_fmt_td(available)} "
                    f"{_hhmm(begin, self._tz)}–{_hhmm(end, self._tz)}"
                )
            day += _ONE_DAY
        raise ValueError(f"no business hours within {MAX_SCAN_DAYS} days after {t}")

    # ----------------------------------------------------------------- CAL-05

    def add_days(self, t: dt.datetime, n: int, *, roll: bool = False) -> Deadline:
        """CAL-05: ends 24:00 of date(t)+n (start day not counted).

        ``roll``: when that last day is not a working day (national holiday,
        rest day or tenant off day), the period ends on the next working day
        (Civil Code art. 203). Without ``roll`` the working-day calendar is not
        consulted, so the result is never provisional (CAL-02).
        """
        n = _whole(n, "days")
        start = self.local_date(t)
        return self._period_end(start, start + dt.timedelta(days=n), f"+{n} days", roll)

    def add_weeks(self, t: dt.datetime, n: int, *, roll: bool = False) -> Deadline:
        """CAL-05: ``n`` weeks = ``7 n`` days."""
        n = _whole(n, "weeks")
        start = self.local_date(t)
        return self._period_end(start, start + dt.timedelta(days=7 * n), f"+{n} weeks", roll)

    def add_months(self, t: dt.datetime, n: int, *, roll: bool = False) -> Deadline:
        """CAL-05: 24:00 of the corresponding day ``n`` months later, clamped to month end."""
        n = _whole(n, "months")
        start = self.local_date(t)
        return self._period_end(start, add_months_to_date(start, n), f"+{n} months", roll)

    def add_years(self, t: dt.datetime, n: int, *, roll: bool = False) -> Deadline:
        """CAL-05: same month and day ``n`` years later (02-29 clamps to 02-28)."""
        n = _whole(n, "years")
        start = self.local_date(t)
        return self._period_end(start, add_months_to_date(start, 12 * n), f"+{n} years", roll)

    def _period_end(self, start: dt.date, last: dt.date, what: str, roll: bool) -> Deadline:
        trace = [f"CAL-05: {what} from {start.isoformat()} (start day not counted) → last day {last.isoformat()}"]
        provisional = False
        if roll:
            info = self.day_info(last)
            provisional |= info.provisional
            original = last
            while not info.working:
                trace.append(f"last day off: {info.describe()}")
                last += _ONE_DAY
                if (last - original).days > MAX_SCAN_DAYS:
                    raise ValueError(f"no working day within {MAX_SCAN_DAYS} days after {original}")
                info = self.day_info(last)
                provisional |= info.provisional
            if last != original:
                trace.append(f"rolled to {last.isoformat()} (Civil Code art. 203)")
        at = self.end_of_day(last)
        trace.append(f"due {_fmt_due(at, last)}")
        return Deadline(at, provisional, "CAL-05", tuple(trace))

    # ----------------------------------------------------------------- CAL-06

    def add_clock(self, t: dt.datetime, duration: Duration) -> Deadline:
        """CAL-06: minutes/hours are elapsed time, holidays included."""
        if duration.kind != "clock":
            raise ValueError(f"add_clock takes minutes or hours, got {duration}")
        per_unit = 3_600_000_000 if duration.unit == "hours" else 60_000_000
        delta = _to_timedelta(duration.amount, per_unit)
        at = (self.local(t).astimezone(UTC) + delta).astimezone(self._tz)
        trace = (f"CAL-06: +{duration} elapsed from {self.local(t).isoformat()}", f"due {at.isoformat()}")
        return Deadline(at, False, "CAL-06", trace)

    def add_hours(self, t: dt.datetime, hours: int | Decimal) -> Deadline:
        """CAL-06 shortcut: ``hours`` of elapsed time."""
        return self.add_clock(t, Duration(_as_amount(hours), "hours"))

    # ------------------------------------------------------------ dispatching

    def roll_for(self, audience: str) -> bool:
        """``cal.roll_last_day_off.<audience>`` (CAL-05)."""
        if audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
        return self.roll_last_day_off_customer if audience == "customer" else self.roll_last_day_off_internal

    def add_duration(self, t: dt.datetime, duration: Duration | str, audience: str = "internal") -> Deadline:
        """Add a typed duration (section 1) by its unit: CAL-03/04/05/06.

        ``audience`` (``internal`` | ``customer``) picks the CAL-05 roll setting.
        """
        if isinstance(duration, str):
            duration = parse_duration(duration)
        roll = self.roll_for(audience)
        unit = duration.unit
        if duration.kind == "clock":
            return self.add_clock(t, duration)
        if unit == "business_hours":
            return self.add_business_hours(t, duration.amount)
        if unit == "working_days":
            return self.add_working_days(t, int(duration.amount))
        if unit == "days":
            return self.add_days(t, int(duration.amount), roll=roll)
        if unit == "weeks":
            return self.add_weeks(t, int(duration.amount), roll=roll)
        if unit == "months":
            return self.add_months(t, int(duration.amount), roll=roll)
        if unit == "years":
            return self.add_years(t, int(duration.amount), roll=roll)
        raise ValueError(f"unsupported duration unit {unit!r}")  # pragma: no cover

    # ----------------------------------------------------------------- CAL-07

    def effective_day(self, t: dt.datetime, cutoff: dt.time | str) -> dt.date:
        """CAL-07: local date of ``t``, or the next day when at/after ``cutoff`` (≥, CAL-07 ambiguity).

        ``cutoff`` is a local wall-clock time (CAL-08), e.g. ``"18:00"``.
        """
        cutoff = parse_clock_time(cutoff) if isinstance(cutoff, str) else cutoff
        local = self.local(t)
        if local.time().replace(tzinfo=None) >= cutoff:
            return local.date() + _ONE_DAY
        return local.date()


# ---------------------------------------------------------------------- helpers


def _whole(n: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        if isinstance(n, Decimal) and n == n.to_integral_value():
            n = int(n)
        else:
            raise ValueError(f"number of {what} must be a whole number, got {n!r}")
    if n < 0:
        raise ValueError(f"number of {what} must not be negative, got {n}")
    return n


def _as_amount(value: int | Decimal | float | Fraction) -> int | Decimal:
    if isinstance(value, bool):
        raise ValueError("hours must be a number")
    if isinstance(value, (int, Decimal)):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    raise ValueError(f"hours must be a number, got {value!r}")


def _to_timedelta(value: int | Decimal | float | Fraction, micros_per_unit: int = 3_600_000_000) -> dt.timedelta:
    amount = Decimal(_as_amount(value))
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"duration amount must be a finite number ≥ 0, got {value!r}")
    micros = (amount * micros_per_unit).to_integral_value(rounding=ROUND_HALF_UP)
    return dt.timedelta(microseconds=int(micros))


def _fmt_due(at: dt.datetime, last: dt.date) -> str:
    if at.time() == dt.time(0) and at.date() == last + _ONE_DAY:
        return f"through {last.isoformat()} (24:00, {at.isoformat()})"
    return at.isoformat()


def _fmt_hours(hours: int | Decimal | float | Fraction) -> str:
    return str(_as_amount(hours))


def _fmt_td(delta: dt.timedelta) -> str:
    hours = Decimal(delta // dt.timedelta(microseconds=1)) / Decimal(3_600_000_000)
    text = format(hours.normalize(), "f")
    return f"{text} h"


def _hhmm(t: dt.datetime, tz: ZoneInfo) -> str:
    return t.astimezone(tz).strftime("%H:%M")
