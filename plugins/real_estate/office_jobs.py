"""The sales office's daily jobs, each run "as of" a moment (the periodic slot, or ``as_of``, or now)
and idempotent (the notifications' dedupe keys):

- ``re.follow_up_reminders`` (daily 09:00): RE-51, the supervisors are reminded of every A/B customer
  without a follow-up entry for 7 days;
- ``re.plan_reminders`` (daily 00:05): RE-52, whoever has no weekly plan by the weekly-plan day's 24:00
  (Saturday) is reminded.
"""
from __future__ import annotations

import datetime as dt
import re

from core.db import db, utcnow
from core.plugins.records import PeriodicJob
from workers.registry import tenant_job

FOLLOW_UP_JOB = "re.follow_up_reminders"
PLAN_JOB = "re.plan_reminders"
PERIODIC = (PeriodicJob(FOLLOW_UP_JOB, "0 9 * * *"), PeriodicJob(PLAN_JOB, "5 0 * * *"))
_SLOT = re.compile(r"@(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2}))$")


def run_moment(job, as_of: str | None) -> dt.datetime:
    """``as_of`` (ISO 8601 with its offset), else the periodic slot in the job's dedupe key, else now."""
    slot = _SLOT.search(job.dedupe_key or "")
    text = as_of or (slot.group(1) if slot else None)
    if not text:
        return utcnow()
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("as_of needs its time zone offset, e.g. 2026-09-27T00:05:00+08:00")
    return moment


@tenant_job(FOLLOW_UP_JOB, plugin="real_estate")
def follow_up_reminders(job, *, as_of: str | None = None):
    """RE-51 (daily)."""
    from plugins.real_estate import follow_ups

    moment = run_moment(job, as_of)
    result = follow_ups.send_reminders(moment)
    db.session.commit()
    return {**result, "as_of": moment.isoformat()}


@tenant_job(PLAN_JOB, plugin="real_estate")
def plan_reminders(job, *, as_of: str | None = None):
    """RE-52 (daily)."""
    from plugins.real_estate import plans

    moment = run_moment(job, as_of)
    result = plans.send_reminders(moment)
    db.session.commit()
    return {**result, "as_of": moment.isoformat()}
