"""The job of changes after the deal: ``re.defaults`` (daily 09:05, the tenant's time) — RE-42 payment-demand
notices the day after the due day and breach handling after ``re.default.breach_after``, once per
instalment. ``as_of`` (an ISO 8601 time with its offset) re-runs a missed day."""
from __future__ import annotations

import datetime as dt

from core.db import utcnow
from plugins.real_estate import instalments
from workers.registry import tenant_job

DEFAULTS = "re.defaults"
CADENCE = "5 9 * * *"


@tenant_job(DEFAULTS, plugin="real_estate")
def defaults(job, *, as_of: str | None = None):
    """RE-42 (daily)."""
    moment = dt.datetime.fromisoformat(as_of) if as_of else utcnow()
    if moment.tzinfo is None:
        raise ValueError("as_of needs its time zone offset, e.g. 2026-03-11T09:05:00+08:00")
    return instalments.run_defaults(moment, progress=job.progress)
