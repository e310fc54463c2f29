"""Jobs of slips and appeals (DOMAIN.md §13), run "as of" a moment (default now) and idempotent:

- ``stf.appeal_timers`` (every 5 minutes, :04, :09…): STF-21 appeal windows that ended are closed
  (a decision for each slip without an appeal); open appeals past their reply limit are escalated to
  the department head's superior with a decision and a notification — each once.
- ``stf.penalty_publication`` (the 1st of each month, 02:47): STF-23 the previous month's approved
  penalties compiled and published to HR (one list per month; ``month`` = ``YYYY-MM`` re-runs another).

``as_of`` is an ISO 8601 time with its offset, e.g. ``2026-10-08T00:04:00+08:00``.
"""
from __future__ import annotations

import datetime as dt

from core.calendar.service import tenant_calendar
from core.db import utcnow
from core.staff import appeals, slips_publication
from core.staff.slips_publication_rules import month_to_publish
from workers.registry import tenant_job

APPEAL_TIMERS = "stf.appeal_timers"
PENALTY_PUBLICATION = "stf.penalty_publication"


def _moment(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    moment = dt.datetime.fromisoformat(as_of)
    if moment.tzinfo is None:
        raise ValueError("as_of needs its offset, e.g. 2026-10-08T00:04:00+08:00")
    return moment


@tenant_job(APPEAL_TIMERS)
def appeal_timers(job, *, as_of: str | None = None):
    """STF-21: windows closed, overdue replies escalated."""
    moment = _moment(as_of)
    closed = appeals.close_windows(moment)
    escalated = appeals.escalate_overdue(moment)
    return {"windows_closed": closed, "escalated": escalated, "as_of": moment.isoformat()}


@tenant_job(PENALTY_PUBLICATION)
def penalty_publication(job, *, as_of: str | None = None, month: str | None = None):
    """STF-23: the previous month's list (or ``month``'s)."""
    moment = _moment(as_of)
    if month:
        first = dt.date.fromisoformat(f"{month}-01")
    else:
        calendar, _ = tenant_calendar(moment)
        first = month_to_publish(calendar.local_date(moment))
    publication, created = slips_publication.publish(first, at=moment)
    return {"publication_id": publication.id, "month": f"{first:%Y-%m}", "created": created,
            "entries": publication.entry_count, "as_of": moment.isoformat()}
