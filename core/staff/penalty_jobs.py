"""Jobs of staff penalties (DOMAIN.md §13), each run "as of" a moment (default now) and idempotent:

- ``stf.correction_loop`` (daily, just after midnight): STF-11 repeats for the correction limits that
  ended (one entry per order and limit).
- ``stf.flags`` (nightly 01:40): STF-12 HR review flags of the ledger counters (``offence:<code>``); the
  complaint counters are judged by ``cmp.employee_counters`` (CMP-73).

``as_of`` (an ISO 8601 time with its offset) lets an administrator re-run a day that was missed.
"""
from __future__ import annotations

import datetime as dt

from core.db import utcnow
from core.staff import corrections, flags
from workers.registry import tenant_job


def _as_of(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    moment = dt.datetime.fromisoformat(as_of)
    if moment.tzinfo is None:
        raise ValueError("as_of needs its time zone offset, e.g. 2026-10-01T00:08:00+08:00")
    return moment


@tenant_job("stf.correction_loop")
def correction_loop(job, *, as_of: str | None = None):
    """STF-11 (daily)."""
    return corrections.run_loop(_as_of(as_of), progress=job.progress)


@tenant_job("stf.flags")
def hr_flags(job, *, as_of: str | None = None):
    """STF-12 (nightly)."""
    return flags.run(_as_of(as_of))
