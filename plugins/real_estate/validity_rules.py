"""RE-11 archive validity (建档有效期): a salesperson's archive on a customer is valid for
``cus.ownership.validity`` (2 months) from registration, not renewed by follow-ups (CUS-22), and is
judged at the takeover visit (``re.validity.checked_at = takeover_visit``) or at the deal.

Plain calendar dates (DOMAIN.md §1, CAL-05): the start day is not counted, a period ends at 24:00 of
its last day, months land on the corresponding day clamped to the month's end; "registered
2026-03-01 → valid through 2026-05-01". Only calendar units (days, weeks, months, years): working days
would need the tenant calendar, and the spec's validity is in months. No database.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.calendar import Duration, add_months_to_date, parse_duration

CALENDAR_UNITS = ("days", "weeks", "months", "years")
CHECK_POINTS = ("takeover_visit", "deal")


def as_duration(value) -> Duration:
    """``Duration`` or its text (``"2 months"``), limited to calendar units."""
    duration = parse_duration(value) if isinstance(value, str) else value
    if duration.unit not in CALENDAR_UNITS:
        raise ValueError(f"RE-11: the archive validity is a calendar period (days, weeks, months, years), "
                         f"not {duration.unit}")
    return duration


def local_date(at: dt.datetime | dt.date, timezone: str) -> dt.date:
    """The tenant-local date of an aware datetime (CAL-08); a date is returned as is."""
    if isinstance(at, dt.datetime):
        if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
            raise ValueError(f"naive datetime {at.isoformat()} refused: pass an aware datetime (CAL-08)")
        return at.astimezone(ZoneInfo(timezone)).date()
    return at


def valid_through(registered_on: dt.date, validity="2 months") -> dt.date:
    """RE-11 / CUS-22: the last day an archive registered on ``registered_on`` is valid.

    >>> valid_through(dt.date(2026, 3, 1))
    datetime.date(2026, 5, 1)
    """
    duration = as_duration(validity)
    n = int(duration.amount)
    if duration.unit == "days":
        return registered_on + dt.timedelta(days=n)
    if duration.unit == "weeks":
        return registered_on + dt.timedelta(days=7 * n)
    if duration.unit == "months":
        return add_months_to_date(registered_on, n)
    return add_months_to_date(registered_on, 12 * n)


def is_valid_on(registered_on: dt.date, day: dt.date, validity="2 months") -> bool:
    """RE-11: whether the archive still holds on ``day`` (inclusive through its last day); an archive
    is not valid before it was made."""
    return registered_on <= day <= valid_through(registered_on, validity)


def check_moment(checked_at: str, takeover_at: dt.datetime, deal_at: dt.datetime | None) -> dt.datetime:
    """RE-11: the moment validity is judged: the takeover visit (default) or the deal
    (``re.validity.checked_at = deal``; the takeover visit while no deal is known)."""
    if checked_at not in CHECK_POINTS:
        raise ValueError(f"RE-11: checked_at must be one of {CHECK_POINTS}, got {checked_at!r}")
    if checked_at == "deal" and deal_at is not None:
        return deal_at
    return takeover_at
