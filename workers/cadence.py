"""Cadences of periodic jobs (pure): cron expressions or "every N minutes|hours|days", evaluated
on minute slots in the tenant's local time (spec §13: all cadences are in the tenant's time zone)."""
from __future__ import annotations

import datetime as dt
import re

from croniter import croniter

_EVERY = re.compile(r"^every\s+(\d+)\s+(minute|minutes|hour|hours|day|days)$")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


def validate_cadence(cadence: str) -> str:
    """The cadence, stripped; ValueError with a clear message when it is neither form."""
    text = " ".join((cadence or "").split())
    match = _EVERY.match(text)
    if match:
        minutes = int(match.group(1)) * _UNIT_MINUTES[match.group(2).rstrip("s")]
        if minutes < 1:
            raise ValueError(f"cadence {cadence!r}: the interval must be at least 1")
        if minutes < 1440 and 1440 % minutes:
            raise ValueError(f"cadence {cadence!r}: intervals are counted from local midnight, so they "
                             f"must divide a day (e.g. every 5, 10, 15, 20, 30 minutes or 2, 3, 4, 6, 8, 12 hours)")
        if minutes >= 1440 and minutes % 1440:
            raise ValueError(f"cadence {cadence!r}: intervals longer than a day are whole days")
        return text
    if not croniter.is_valid(text) or len(text.split()) != 5:
        raise ValueError(f"cadence {cadence!r} is neither a 5-field cron expression nor 'every N minutes|hours|days'")
    return text


def is_due(cadence: str, slot: dt.datetime) -> bool:
    """Whether a job of ``cadence`` is due in the minute ``slot`` (an aware local datetime)."""
    text = validate_cadence(cadence)
    slot = slot.replace(second=0, microsecond=0)
    match = _EVERY.match(text)
    if match:
        every = int(match.group(1)) * _UNIT_MINUTES[match.group(2).rstrip("s")]
        minutes_today = slot.hour * 60 + slot.minute
        if every >= 1440:
            days = every // 1440
            return minutes_today == 0 and slot.toordinal() % days == 0
        return minutes_today % every == 0
    return croniter.match(text, slot.replace(tzinfo=None))


def slot_id(slot: dt.datetime) -> str:
    """A stable id of the minute slot, in local time with its offset (e.g. 2026-12-01T03:00+08:00)."""
    return slot.replace(second=0, microsecond=0).isoformat(timespec="minutes")
