"""Pure rules of appeals against penalty slips (STF-21). No database.

- :func:`window_end` / :func:`reply_due` — the appeal window from the slip's issue and the reply limit
  from the appeal's receipt, on the tenant calendar (calendar days and weeks by default: a period
  ends at 24:00 of its last day, CAL-05; internal deadlines are not rolled past holidays).
- :func:`through_day` — the last local day of a deadline; :func:`within` — whether a moment is still
  inside a deadline (before its 24:00 end).
- :func:`amount_to_reverse` — what an outcome reverses: nothing (upheld), the difference to the new
  amount (modified), everything left (revoked).
- :func:`superior_of_head` — who an overdue reply escalates to: the department head's superior, i.e.
  the head of the nearest parent department (someone else than the head and the employee), else a GM.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Sequence

from core.calendar import Deadline, Duration, WorkCalendar
from core.calendar.model import through_date

OUTCOMES = ("upheld", "modified", "revoked")


def window_end(calendar: WorkCalendar, issued_at: dt.datetime, window: Duration) -> Deadline:
    """STF-21: the last moment to appeal (slip issued Mon 2026-09-28 15:00 + 3 days → through 10-01)."""
    return calendar.add_duration(issued_at, window, "internal")


def reply_due(calendar: WorkCalendar, received_at: dt.datetime, reply_within: Duration) -> Deadline:
    """STF-21: the written reply is due (appeal received 2026-09-30 + 1 week → through 10-07)."""
    return calendar.add_duration(received_at, reply_within, "internal")


def through_day(calendar: WorkCalendar, deadline_at: dt.datetime) -> dt.date:
    """The last local day of a deadline that ends at ``deadline_at`` ("through 2026-10-01")."""
    return through_date(calendar.local(deadline_at))


def within(moment: dt.datetime, deadline_at: dt.datetime) -> bool:
    """True while ``moment`` is before the deadline's end (24:00 of the last day is already late)."""
    return moment < deadline_at


def amount_to_reverse(outcome: str, *, left: Decimal, new_amount: Decimal | None) -> Decimal:
    """The part of the entry an outcome reverses. ``left`` is the entry's amount not yet reversed.
    Raises ``ValueError`` (with the reason) for a new amount that is not strictly between 0 and ``left``."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome is one of {', '.join(OUTCOMES)}")
    if outcome == "upheld":
        return Decimal("0.00")
    if outcome == "revoked":
        return left
    if new_amount is None:
        raise ValueError("a modified penalty needs its new amount")
    if new_amount <= 0:
        raise ValueError("a new amount of 0 revokes the penalty: reply with outcome revoked")
    if new_amount >= left:
        raise ValueError(f"the new amount must be lower than {left} (an appeal never raises a penalty)")
    return left - new_amount


def superior_of_head(heads: Sequence[int | None], gm_ids: Sequence[int], *, employee_id: int) -> int | None:
    """``heads``: the head of the employee's department, then of each parent department, nearest
    first (None where a department has no head). The superior of the department head is the first
    head above it who is neither that head nor the employee; without one, the first GM who is not the
    employee; else None."""
    own = heads[0] if heads else None
    for head in heads[1:]:
        if head is not None and head not in (own, employee_id):
            return head
    for gm in gm_ids:
        if gm not in (own, employee_id):
            return gm
    return None
