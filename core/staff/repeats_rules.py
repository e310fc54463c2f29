"""Pure rules of repeated offences (STF-10 doubling, STF-13 ladders). No database.

- STF-10: within a calendar month (local), the n-th penalised occurrence of an offence family costs its
  base × 2 from the role's threshold on — × 2, not compounding; the count restarts on the 1st.
  :func:`multiplier`, :func:`perf_pay_due` (the optional 10–30% performance-pay deduction is proposed
  once, when the count reaches the threshold).
- STF-13: the n-th occurrence of an offence in its period (month or year) is priced by the ladder's step
  with the highest ``nth`` ≤ n; extras add one more entry when the count reaches their ``at``; a late
  arrival within a reclassify band counts as another offence (PRE-16: 30 min–3 h late → absenteeism).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core.calendar import Duration
from core.staff.ledger_rules import money

DOUBLE = 2


def multiplier(n: int, threshold: int | None) -> int:
    """STF-10: 2 from the ``threshold``-th occurrence of the month on, else 1 (no threshold → 1)."""
    return DOUBLE if threshold is not None and n >= threshold else 1


def perf_pay_due(n: int, threshold: int | None, perf_range) -> bool:
    """STF-10: the performance-pay deduction is proposed at the occurrence that reaches the threshold."""
    return threshold is not None and perf_range is not None and n == threshold


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The local days [first, next first) of the ``month`` or ``year`` containing ``day``."""
    if period == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1)
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Extra:
    at: int
    amount: Decimal | None
    flag: str | None


@dataclass(frozen=True)
class LadderStep:
    """STF-13: what the ``n``-th occurrence of the period costs: an ``amount`` (maybe 0) or a ``flag``,
    whether it is paid in cash the same day, and the extras reached at ``n``."""

    n: int
    nth: int
    amount: Decimal | None
    flag: str | None
    cash_same_day: bool
    extras: tuple[Extra, ...] = ()


def ladder_step(ladder: dict, n: int) -> LadderStep:
    if n < 1:
        raise ValueError("occurrences are counted from 1")
    step = [s for s in ladder["steps"] if s["nth"] <= n][-1]
    extras = tuple(Extra(e["at"], money(e["amount"]) if "amount" in e else None, e.get("flag"))
                   for e in ladder.get("extras", []) if e["at"] == n)
    return LadderStep(n, step["nth"], money(step["amount"]) if "amount" in step else None, step.get("flag"),
                      bool(step.get("cash_same_day")), extras)


def _minutes(duration: Duration) -> Decimal:
    return Decimal(duration.amount) * (60 if duration.unit == "hours" else 1)


def reclassified(ladder: dict, minutes_late: int | None) -> str | None:
    """STF-13: the offence a late arrival of ``minutes_late`` minutes counts as instead (bands inclusive),
    or None."""
    if minutes_late is None:
        return None
    for band in ladder.get("reclassify", []):
        if _minutes(band["late_from"]) <= minutes_late <= _minutes(band["late_to"]):
            return band["offence"]
    return None
