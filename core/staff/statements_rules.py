"""Pure rules of monthly statements (STF-34). No database."""
from __future__ import annotations

import datetime as dt


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def statement_month(today: dt.date, statement_day: int = 1) -> dt.date | None:
    """The month whose statements are due on local day ``today``: the previous month from
    ``stf.statement.day`` on (a run missed on the day catches up later in the month), else None."""
    return previous_month(today) if today.day >= statement_day else None


def pay_held(statement_state: str | None, hold_pay_if_missing: bool) -> bool:
    """STF-34: with ``stf.statement.hold_pay_if_missing`` a month's pay waits for the employee's
    confirmed statement."""
    return hold_pay_if_missing and statement_state != "confirmed"
