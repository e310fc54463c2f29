"""Jobs of the deadline engine (DOMAIN.md §13), each run "as of" a moment (default now) and idempotent:

- ``cmp.sla_timers`` (every minute, off the :x0/:x5 recovery ticks): warnings, breaches, hard limits
  and escalation steps of every subject's deadlines (:mod:`core.sla.sweep`; CMP-31..34, CMP-40,
  SVC-07);
- ``cal.recompute_open_deadlines`` (nightly; run it by hand after a calendar change to apply it at
  once): open deadlines recomputed on the calendar in force (:mod:`core.sla.recompute`; CAL-09).

``as_of`` (an ISO 8601 time with its offset) lets an administrator re-run a moment that was missed.
"""
from __future__ import annotations

import datetime as dt

from core.db import utcnow
from core.sla import recompute, sweep
from workers.registry import tenant_job

#: every minute except :x0 and :x5 (the lost-job recovery ticks); a due time there is seen a minute later
SWEEP_CADENCE = "1-4,6-9,11-14,16-19,21-24,26-29,31-34,36-39,41-44,46-49,51-54,56-59 * * * *"
RECOMPUTE_CADENCE = "37 3 * * *"


def moment_of(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    moment = dt.datetime.fromisoformat(as_of)
    if moment.tzinfo is None:
        raise ValueError("as_of needs its time zone offset, e.g. 2026-10-11T00:01:00+08:00")
    return moment


@tenant_job("cmp.sla_timers")
def sla_timers(job, *, as_of: str | None = None):
    """CMP-31..34, CMP-40 (every minute)."""
    moment = moment_of(as_of)
    return {**sweep.run(moment), "as_of": moment.isoformat()}


@tenant_job("cal.recompute_open_deadlines", timeout=3600)
def recompute_open_deadlines(job, *, as_of: str | None = None):
    """CAL-09 (nightly)."""
    moment = moment_of(as_of)
    return {**recompute.run(moment), "as_of": moment.isoformat()}
