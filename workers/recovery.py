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
from workers.models import FAILED, QUEUED, RETRYING, STARTED, JobRecord
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
    _fail_abandoned(tenant_id, target)
    return requeued


def _fail_abandoned(tenant_id: int, target) -> None:
    """A job still 'started' long past its timeout, that the queue no longer holds, died with its
    worker and will not be retried: show it as failed so that it can be retried by hand."""
    now = utcnow()
    running = db.session.scalars(select(JobRecord).where(JobRecord.status == STARTED))
    for record in running:
        spec = JOBS.get(record.name)
        timeout = dt.timedelta(seconds=spec.timeout if spec else 3600)
        if record.started_at and record.started_at < now - timeout - LOST_AFTER \
                and not target.is_pending(tenant_id, record.id):
            record.status = FAILED
            record.ended_at = now
            record.error = "abandoned: its worker stopped and no retry is left"
    db.session.commit()


@tenant_job("jobs.requeue_lost", timeout=300)
def requeue_lost_job(job):
    return {"requeued": requeue_lost(job.tenant_id)}
