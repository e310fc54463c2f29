"""When a fact happened: an aware time, not in the future. Every fact of the customers module
(contact, claim, deal, referral, attendance, points entry, invitation) is dated by its caller and
checked here, with the same tolerance for the clock skew of phones and tablets, and within the years the
working-day calendar can compute (1900–2099: a 422, not an error deep in a deadline)."""
from __future__ import annotations

import datetime as dt

from core.calendar.service import year_errors
from core.db import utcnow
from core.errors import InvalidInput

#: how far ahead of the server clock a fact may be dated
FUTURE_TOLERANCE = dt.timedelta(minutes=10)


def fact_time(value: dt.datetime | None, field: str, now: dt.datetime | None = None) -> dt.datetime:
    """``value`` (default ``now``) when it is aware and not in the future; else a 422 naming ``field``."""
    now = now or utcnow()
    if value is None:
        return now
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise InvalidInput("invalid time", fields={field: ["needs a time zone (e.g. +08:00)"]})
    if value > now + FUTURE_TOLERANCE:
        raise InvalidInput("invalid time", fields={field: ["cannot be in the future"]})
    errors = year_errors(value, field)
    if errors:
        raise InvalidInput("invalid time", fields=errors)
    return value
