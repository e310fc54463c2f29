"""CUS-75 custody inspections and CUS-07 retention: pure rules.

- Inspections: periods of ``cus.inspection.every`` (6 months) counted from 1 January; the task of a
  period is created on its first day and due at its end (2026-01-01 → through 2026-06-30,
  2026-07-01 → through 2026-12-31).
- Retention: a customer record is kept ``cus.retention.default`` after its last activity (the start
  day not counted, CAL-05); it enters the destruction queue the day after ("closed 2026-01-10, 1
  year → queue on 2027-01-11").
"""
from __future__ import annotations

import datetime as dt

from core.calendar import Duration, add_months_to_date


def inspection_period(day: dt.date, every: Duration) -> tuple[dt.date, dt.date]:
    """``(first day, last day)`` of the inspection period containing ``day``."""
    months = int(every.amount)
    if every.unit != "months" or months < 1 or 12 % months:
        raise ValueError("inspection periods are whole months dividing a year (1, 2, 3, 4, 6, 12)")
    index = (day.month - 1) // months
    start = dt.date(day.year, index * months + 1, 1)
    end = add_months_to_date(start, months) - dt.timedelta(days=1)
    return start, end


def retention_through(last_activity: dt.date, keep: Duration) -> dt.date:
    """The last day a record is kept (CAL-05: start day not counted)."""
    amount = int(keep.amount)
    if keep.unit == "years":
        return add_months_to_date(last_activity, 12 * amount)
    if keep.unit == "months":
        return add_months_to_date(last_activity, amount)
    if keep.unit == "days":
        return last_activity + dt.timedelta(days=amount)
    raise ValueError(f"retention is counted in days, months or years, not {keep.unit}")


def queue_due(last_activity: dt.date, keep: Duration | None, today: dt.date) -> dt.date | None:
    """The ``kept_through`` date when the record is due for the destruction queue ``today``."""
    if keep is None:
        return None
    through = retention_through(last_activity, keep)
    return through if today > through else None
