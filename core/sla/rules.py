"""Pure deadline rules (CMP-31..34, CMP-40; SVC-07 uses the same): no database, no clock.

- :class:`MilestoneSpec` — a deadline to start: what it measures, its duration and hard limit, whose
  calendar counts, and the settings the subject started under that the engine needs later (warning,
  pauses, customer-set deadline, special limit, escalation ladder).
- :func:`warn_time` — when the owner and supervisor are warned before a due time (CMP-34): an
  hour-based milestone at ``warn_at`` (80%) of its allowance; a day-based one at the opening of
  business hours on its due day (00:00 when that day is off), or at the same fraction when the
  tenant sets ``warn_day_based = fraction``.
- :func:`paused_deadline` — the due time after pauses (CMP-33): hour-based milestones add the paused
  time (elapsed, or business hours for ``business_hours``); day-based ones skip each day whose
  business hours (working days) or whole day (calendar days) were paused at least
  ``pause_day_threshold`` (inclusive, CAL-10).
- :func:`due_of` — the due time in force: the paused deadline, or the customer's own deadline when it
  is earlier (CMP-33).
- :func:`next_escalation` — the next step of an escalation ladder (CMP-40): the first step at the
  breach, each next one ``interval`` after the last day still in time of the previous step.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from core.calendar import Deadline, Duration, WorkCalendar, parse_duration
from core.calendar.model import through_date

HOUR_KINDS = ("clock", "business")
WARN_MODES = ("due_day_open", "fraction")
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class MilestoneSpec:
    """A deadline to start: ``code`` (reply, solution, resolve, overall, stage.<name>[.<sub>],
    next_reply.<n>), its duration, the rule that sets it, and optionally a hard limit (CMP-32), the
    department whose calendar counts (CAL-01) and the stage it belongs to.

    ``due_at`` fixes the due time instead of computing it (a reply time agreed with the customer,
    CMP-36). ``escalation``/``escalation_interval``: the ladder walked after a breach (CMP-40), empty
    for none. ``pause_reasons``: the reasons that stop this clock (None: every reason).
    ``special_duration``: the limit a special extension puts in place (CMP-31/33).
    ``customer_may_set_earlier``: whether a deadline set by the customer may replace it (CMP-33).
    ``sla_policy``: the name of the policy entry it comes from (CMP-30), for the record.
    ``warn_day_based`` and ``pause_day_threshold``: the subject's settings of CMP-34 and CMP-33."""

    code: str
    duration: Duration
    rule_id: str
    hard_duration: Duration | None = None
    department: str | None = None
    parent_code: str | None = None
    audience: str = "internal"
    escalation: tuple[str, ...] = ()
    escalation_interval: Duration | None = None
    pause_reasons: tuple[str, ...] | None = None
    special_duration: Duration | None = None
    customer_may_set_earlier: bool = False
    due_at: dt.datetime | None = None
    sla_policy: str | None = None
    warn_day_based: str = "due_day_open"
    pause_day_threshold: Decimal = Decimal("0.5")


@dataclass(frozen=True)
class Pause:
    """A stretch during which a clock stood still (``end`` None: still paused)."""

    start: dt.datetime
    end: dt.datetime | None
    reason: str


def as_duration(value: Duration | str) -> Duration:
    return value if isinstance(value, Duration) else parse_duration(value)


def is_hour_based(duration: Duration) -> bool:
    return duration.kind in HOUR_KINDS


# ------------------------------------------------------------------------------------------ CMP-34


def warn_time(calendar: WorkCalendar, start: dt.datetime, due: Deadline, duration: Duration,
              warn_at: Decimal = Decimal("0.8"), mode: str = "due_day_open") -> dt.datetime:
    """CMP-34. Hour-based (clock or business hours), or any milestone under ``mode = fraction``:
    ``start + warn_at × (due - start)`` of elapsed time. Day-based: the first business window's
    opening on the due day (00:00 when it is off)."""
    if mode not in WARN_MODES:
        raise ValueError(f"warn mode must be one of {WARN_MODES}, got {mode!r}")
    if is_hour_based(duration) or mode == "fraction":
        allowance = due.at - calendar.local(start)
        return calendar.local(start) + allowance * float(warn_at)
    day = through_date(due)
    windows = calendar.business_windows(day)
    if windows:
        return windows[0][0].astimezone(calendar.tz)
    return calendar.start_of_day(day)


# ------------------------------------------------------------------------------------------ CMP-33


def applicable_pauses(pauses: list[Pause], reasons: tuple[str, ...] | list[str] | None,
                      since: dt.datetime) -> list[Pause]:
    """The pauses that stop a clock started at ``since``: their reason stops it (``reasons`` None:
    every reason), clipped to start no earlier than ``since``, oldest first; ended before ``since``:
    left out."""
    out = []
    for pause in sorted(pauses, key=lambda p: p.start):
        if reasons is not None and pause.reason not in reasons:
            continue
        if pause.end is not None and pause.end <= since:
            continue
        out.append(Pause(max(pause.start, since), pause.end, pause.reason))
    return out


def _overlap(intervals: list[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    total = dt.timedelta(0)
    for a, b in intervals:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            total += hi - lo
    return total


def paused_fraction(calendar: WorkCalendar, day: dt.date, pauses: list[Pause], kind: str) -> Fraction:
    """The share of ``day`` that was paused: of its business hours for working-day clocks (of the
    whole day when the calendar has no business hours), of the whole day for calendar-day clocks."""
    stretches = [(p.start, p.end) for p in pauses if p.end is not None]
    if kind == "working" and calendar.business_hours:
        windows = calendar.business_windows(day)
    else:
        windows = [(calendar.start_of_day(day), calendar.end_of_day(day))]
    length = sum((b - a for a, b in windows), dt.timedelta(0))
    if not length:
        return Fraction(0)
    paused = sum((_overlap(stretches, a, b) for a, b in windows), dt.timedelta(0))
    return Fraction(paused // dt.timedelta(microseconds=1), length // dt.timedelta(microseconds=1))


def _day_counts(calendar: WorkCalendar, day: dt.date, kind: str) -> bool:
    return calendar.is_working_day(day) if kind == "working" else True


def paused_deadline(calendar: WorkCalendar, start: dt.datetime, duration: Duration, pauses: list[Pause],
                    threshold: Decimal = Decimal("0.5"), audience: str = "internal") -> Deadline:
    """CMP-33: the due time of ``duration`` from ``start`` once ``pauses`` (ended ones, already
    limited to the reasons that stop this clock) are taken into account. Without pauses it is
    ``calendar.add_duration(start, duration)``."""
    base = calendar.add_duration(start, duration, audience)
    ended = [p for p in pauses if p.end is not None and p.end > p.start]
    if not ended:
        return base
    if duration.kind == "clock":
        return _paused_clock(calendar, start, duration, ended, base)
    if duration.kind == "business":
        return _paused_business(calendar, start, duration, ended, base)
    return _paused_days(calendar, start, duration, ended, Fraction(threshold), base, audience)


def _paused_clock(calendar, start, duration, pauses, base: Deadline) -> Deadline:
    due = base.utc
    trace = list(base.trace)
    for pause in pauses:
        if pause.start >= due:
            break
        due += pause.end - pause.start
        trace.append(f"CMP-33: paused {_hhmm(calendar, pause.start)}–{_hhmm(calendar, pause.end)} ({pause.reason}) "
                     f"adds {pause.end - pause.start}")
    at = due.astimezone(calendar.tz)
    trace.append(f"due {at.isoformat()}")
    return Deadline(at, base.provisional, base.rule, tuple(trace), base.counted_days)


def _business_overlap(calendar: WorkCalendar, pause: Pause) -> dt.timedelta:
    """The business hours inside a pause."""
    total, day = dt.timedelta(0), calendar.local_date(pause.start)
    last = calendar.local_date(pause.end)
    while day <= last:
        for a, b in calendar.business_windows(day):
            total += _overlap([(pause.start, pause.end)], a, b)
        day += _ONE_DAY
    return total


def _paused_business(calendar, start, duration, pauses, base: Deadline) -> Deadline:
    hours = Fraction(duration.amount)
    due = base
    added = dt.timedelta(0)
    trace = []
    for pause in pauses:
        if pause.start >= due.utc:
            break
        extra = _business_overlap(calendar, pause)
        if not extra:
            continue
        added += extra
        trace.append(f"CMP-33: paused {_hhmm(calendar, pause.start)}–{_hhmm(calendar, pause.end)} ({pause.reason}) "
                     f"adds {extra} of business hours")
        due = calendar.add_business_hours(start, hours + Fraction(added // dt.timedelta(microseconds=1), 3_600_000_000))
    if not added:
        return base
    return Deadline(due.at, base.provisional or due.provisional, due.rule, tuple(list(base.trace) + trace
                                                                                + [f"due {due.at.isoformat()}"]),
                    due.counted_days)


def _paused_days(calendar, start, duration, pauses, threshold: Fraction, base: Deadline, audience: str) -> Deadline:
    kind = duration.kind  # working | calendar
    first = calendar.local_date(start) + _ONE_DAY
    last = through_date(base)
    skipped: list[dt.date] = []
    extra = 0
    day = first
    while day <= last:
        if _day_counts(calendar, day, kind) and paused_fraction(calendar, day, pauses, kind) >= threshold:
            skipped.append(day)
            extra += 1
        day += _ONE_DAY
    while extra:
        last += _ONE_DAY
        if not _day_counts(calendar, last, kind):
            continue
        if paused_fraction(calendar, last, pauses, kind) >= threshold:
            skipped.append(last)
            continue
        extra -= 1
    trace = list(base.trace)
    if not skipped:
        return base
    for day in skipped:
        share = paused_fraction(calendar, day, pauses, kind)
        trace.append(f"CMP-33: {day.isoformat()} {float(share):.0%} paused (≥ {float(threshold):g}) — not counted")
    if kind == "working":
        end = calendar.add_working_days(calendar.start_of_day(last), 0)
    else:
        end = calendar.add_days(calendar.start_of_day(last), 0, roll=calendar.roll_for(audience))
    trace.append(f"due {end.at.isoformat()} (through {last.isoformat()})")
    return Deadline(end.at, base.provisional or end.provisional, base.rule, tuple(trace), base.counted_days)


def due_of(calendar: WorkCalendar, start: dt.datetime, duration: Duration, pauses: list[Pause], *,
           threshold: Decimal = Decimal("0.5"), audience: str = "internal",
           customer_due: dt.datetime | None = None, fixed_due: dt.datetime | None = None) -> tuple[Deadline, str]:
    """The due time in force and where it comes from: ``fixed`` (agreed with the customer, CMP-36),
    ``customer`` (the customer's deadline is earlier, CMP-33) or ``policy`` (the duration, after
    pauses)."""
    if fixed_due is not None:
        at = calendar.local(fixed_due)
        return Deadline(at, False, "CMP-36", (f"fixed with the customer: {at.isoformat()}",)), "fixed"
    computed = paused_deadline(calendar, start, duration, pauses, threshold, audience)
    if customer_due is not None and customer_due < computed.utc:
        at = calendar.local(customer_due)
        trace = (*computed.trace, f"CMP-33: the customer's deadline {at.isoformat()} is earlier — it applies")
        return Deadline(at, False, "CMP-33", trace), "customer"
    return computed, "policy"


# ------------------------------------------------------------------------------------------ CMP-40


def next_escalation(calendar: WorkCalendar, previous: dt.datetime, interval: Duration) -> dt.datetime:
    """The step after one taken at ``previous``: hour-based intervals count from the instant itself;
    day-based ones from the last day still in time before it (a step at 2026-10-13 00:00 is the end
    of 10-12, so 1 working day later is 2026-10-14 00:00)."""
    if is_hour_based(interval):
        return calendar.add_duration(previous, interval).utc
    day_before = through_date(calendar.local(previous))
    return calendar.add_duration(calendar.start_of_day(day_before), interval).utc


def escalation_times(calendar: WorkCalendar, breached_at: dt.datetime, steps: int,
                     interval: Duration) -> list[dt.datetime]:
    """The instants of ``steps`` ladder steps: the first at the breach, each next one ``interval``
    after the previous (CMP-40)."""
    times: list[dt.datetime] = []
    for _ in range(steps):
        times.append(breached_at if not times else next_escalation(calendar, times[-1], interval))
    return times


def _hhmm(calendar: WorkCalendar, t: dt.datetime) -> str:
    return calendar.local(t).strftime("%m-%d %H:%M")
