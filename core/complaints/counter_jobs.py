"""``cmp.employee_counters`` (nightly 01:30, DOMAIN.md §13): rolling complaint counts per employee →
HR review flags (CMP-73, STF-12). Idempotent: a flag per rule, employee and complaint, once.

``as_of`` (an ISO 8601 time with its offset) lets an administrator re-run a night that was missed.
"""
from __future__ import annotations

import datetime as dt

from core.db import utcnow
from core.staff import flags
from workers.registry import tenant_job


def _as_of(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    moment = dt.datetime.fromisoformat(as_of)
    if moment.tzinfo is None:
        raise ValueError("as_of needs its time zone offset, e.g. 2026-07-01T01:30:00+08:00")
    return moment


@tenant_job("cmp.employee_counters")
def employee_counters(job, *, as_of: str | None = None):
    """CMP-73 (nightly)."""
    return flags.run(_as_of(as_of), complaint_counters=True)
