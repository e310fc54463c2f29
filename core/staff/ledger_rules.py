"""Pure rules of the staff ledger (STF-01): the payroll month of an entry and the allowed state
changes. No database."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

#: state → the states it may move to (STF-01). ``reversal`` entries are born in that state and stay.
TRANSITIONS = {
    "proposed": ("approved", "revoked"),
    "approved": ("effective", "appealed", "revoked"),
    "effective": ("appealed", "deducted"),
    "appealed": ("upheld", "modified", "revoked"),
    "upheld": ("deducted",),
    "modified": ("deducted",),
    "revoked": (),
    "deducted": (),
    "reversal": (),
}
#: states in which an entry counts on the employee's pay and in the month's totals; a reversal counts
#: when the entry it reverses counts (a fine revoked on appeal and its reversal both leave the pay)
COUNTING = ("approved", "effective", "appealed", "upheld", "modified", "deducted")
#: states in which an entry can be reversed (its reversal then counts when the entry does)
REVERSIBLE = (*COUNTING, "revoked")
FEN = Decimal("0.01")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def payroll_month(effective_day: dt.date, deduct: str = "current_month") -> dt.date:
    """STF-01: the first day of the month whose pay an entry effective on ``effective_day`` (a local
    date) is deducted from: the same month (``current_month``, default) or the next."""
    first = month_start(effective_day)
    if deduct == "current_month":
        return first
    if deduct == "next_month":
        return (first + dt.timedelta(days=32)).replace(day=1)
    raise ValueError(f"unknown stf.deduct {deduct!r}")


def can_move(state: str, to: str) -> bool:
    return to in TRANSITIONS.get(state, ())


def money(value) -> Decimal:
    """An amount rounded half-up to the fen (yuan) or to 0.01 point."""
    return Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
