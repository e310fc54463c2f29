"""Nothing lost: the job records in the database are the truth, the queue only delivers.

A job whose record is still ``queued`` or ``retrying`` some minutes after it was enqueued, but which the
backend no longer holds (Redis restarted without persistence, the app process of the embedded mode
restarted), is submitted again. It runs under the same record, so it still runs once. A job still
``started`` long after its timeout, that the queue no longer holds, died with its worker: it is shown
as failed, to be retried by hand.

The scheduler runs :func:`sweep` every 5 minutes. It asks the database which tenants have such jobs
(tenant ids only: ``kehu_tenants_with_stale_jobs``, see migration 0003) and looks at those tenants'
jobs in their own scope, so a quiet platform costs one query.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, text

from core.db import db, utcnow
from workers.dispatch import backend
from workers.models import FAILED, QUEUED, RETRYING, STARTED, JobRecord
from workers.registry import JOBS

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


def tenants_with_stale_jobs(older_than: dt.timedelta = LOST_AFTER) -> list[int]:
    """Ids of the tenants with a job queued, retrying or started since before ``older_than``."""
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(text("select * from kehu_tenants_with_stale_jobs(:d)"), {"d": older_than})
        return sorted(row[0] for row in rows)
    from core.tenancy import unscoped

    cutoff = utcnow() - older_than
    with unscoped("recovery sweep: which tenants have stale jobs (ids only)"):
        rows = db.session.execute(select(JobRecord.tenant_id).distinct().where(
            JobRecord.status.in_((QUEUED, RETRYING, STARTED)),
            or_(JobRecord.started_at < cutoff, (JobRecord.started_at.is_(None) & (JobRecord.enqueued_at < cutoff)))))
        return sorted(row[0] for row in rows)


def sweep(older_than: dt.timedelta = LOST_AFTER) -> dict[int, list[int]]:
    """Requeue lost jobs and fail abandoned ones, tenant by tenant. Returns the requeued ids."""
    from core.audit.recorder import acting_as
    from core.tenancy import tenant_scope

    requeued = {}
    for tenant_id in tenants_with_stale_jobs(older_than):
        with tenant_scope(tenant_id), acting_as("job:recovery"):
            found = requeue_lost(tenant_id, older_than)
        if found:
            requeued[tenant_id] = found
    db.session.rollback()
    return requeued
