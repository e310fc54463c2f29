"""Nothing lost: the job records in the database are the truth, the queue only delivers.

A job whose record is still ``queued`` or ``retrying`` some minutes after it was enqueued, but which the
backend no longer holds (Redis restarted without persistence, the app process of the embedded mode
restarted), is submitted again. It runs under the same record, so it still runs once. The core's
periodic job ``jobs.requeue_lost`` does this for every tenant every 5 minutes.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.db import db, utcnow
from workers.dispatch import backend
from workers.models import QUEUED, RETRYING, JobRecord
from workers.registry import JOBS, tenant_job

LOST_AFTER = dt.timedelta(minutes=5)


def requeue_lost(tenant_id: int, older_than: dt.timedelta = LOST_AFTER) -> list[int]:
    """Submit again the current tenant's jobs that were enqueued but are no longer in the queue."""
    target = backend()
    cutoff = utcnow() - older_than
    requeued = []
    stale = db.session.scalars(
        select(JobRecord).where(JobRecord.status.in_((QUEUED, RETRYING)), JobRecord.enqueued_at < cutoff,
                                JobRecord.dedupe_key.is_(None)))
    for record in stale:
        spec = JOBS.get(record.name)
        if spec is None or target.is_pending(tenant_id, record.id):
            continue
        target.submit(spec, tenant_id, dict(record.args or {}), record_id=record.id)
        requeued.append(record.id)
    return requeued


@tenant_job("jobs.requeue_lost", timeout=300)
def requeue_lost_job(job):
    return {"requeued": requeue_lost(job.tenant_id)}
