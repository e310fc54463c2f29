"""Recurring duties (SVC-30, SVC-32), pure: periods, when each generated order is due, the shortfall at
period end and the completion evidence. No database, no clock.

- :func:`period_of` — the period (day; ISO week Monday–Sunday; month; quarter; half year; year) that
  holds a local date, as its first and last day.
- :func:`due_days` — the N orders of a period are due spread evenly through it: order i of N is due
  at the end (24:00) of the day at i/N of the period. Periods of months count in months (i/N of 12
  months is the end of a month when it falls on one: water tanks ×2 in 2026 → 06-30 and 12-31), a
  fraction of a month in its days (September ×2 → 09-15 and 09-30); a week counts in days; every
  order of a daily duty is due at the end of that day. Days off are not skipped: the duty's dates
  are the period's (a round on a Sunday is still a round).
- :func:`shortfall` — "1 of 2": how many were done against the duty's minimum.
- :func:`evidence_errors` — SVC-30 completion evidence: a duty that requires e.g. ``sample_test``
  completes only with that check's result in the completion data (``checks.sample_test``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from core.calendar.model import add_months_to_date

MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
PERIOD_LABELS = {"day": ("日", "day"), "week": ("周", "week"), "month": ("月", "month"),
                 "quarter": ("季度", "quarter"), "half_year": ("半年", "half year"), "year": ("年", "year")}
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # the last day, inclusive

    @property
    def label(self) -> str:
        """``2026-09``, ``2026-Q3``, ``2026-H2``, ``2026``, ``2026-W37``, ``2026-09-15``."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half_year":
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        return str(self.start.year)

    def next(self) -> "Period":
        return period_of(self.kind, self.end + _DAY)


def period_of(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that holds ``day``."""
    if kind == "day":
        return Period(kind, day, day)
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind not in MONTHS:
        raise ValueError(f"unknown period {kind!r}")
    months = MONTHS[kind]
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    return Period(kind, start, add_months_to_date(start, months) - _DAY)


def due_days(period: Period, n: int) -> list[dt.date]:
    """The day each of the period's ``n`` orders is due (through its end), order 1 first."""
    if n < 1:
        raise ValueError("a duty needs at least one order per period")
    if period.kind == "day":
        return [period.start] * n
    out = []
    for i in range(1, n + 1):
        if period.kind in MONTHS:
            at = Fraction(i * MONTHS[period.kind], n)
            whole, part = int(at), at - int(at)
            if part == 0:
                out.append(add_months_to_date(period.start, whole) - _DAY)
                continue
            month = add_months_to_date(period.start, whole)
            length = (add_months_to_date(month, 1) - month).days
            out.append(month + dt.timedelta(days=max(1, int(part * length)) - 1))
        else:
            length = (period.end - period.start).days + 1
            out.append(period.start + dt.timedelta(days=max(1, int(Fraction(i * length, n))) - 1))
    return out


@dataclass(frozen=True)
class Shortfall:
    required: int
    done: int

    @property
    def missed(self) -> bool:
        return self.done < self.required

    @property
    def text(self) -> str:
        """``"1 of 2"``."""
        return f"{self.done} of {self.required}"


def shortfall(required: int, done: int) -> Shortfall:
    return Shortfall(required, done)


def check_result(checks, name: str):
    """The result recorded for check ``name`` in the completion data's ``checks``: a non-empty string, or
    a mapping with a non-empty ``result``; None when there is none."""
    if not isinstance(checks, dict):
        return None
    value = checks.get(name)
    if isinstance(value, dict):
        value = value.get("result")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    return value.strip() if isinstance(value, str) and value.strip() else None


def evidence_errors(evidence: list[str] | tuple[str, ...], data: dict | None, *, duty_title: str = "") -> dict[str, list[str]]:
    """``checks.<name>`` → message for each evidence the completion data lacks (SVC-30). Any result counts
    as the evidence (a failed water sample is still a sample taken; what a failing result means for the
    order is its type's completion checks, SVC-11)."""
    checks = (data or {}).get("checks")
    what = f" of the duty {duty_title}" if duty_title else ""
    return {f"checks.{name}": [f"required{what}: the {name} result (SVC-30)"]
            for name in evidence if check_result(checks, name) is None}
