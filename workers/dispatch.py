"""Enqueue jobs after commit.

``enqueue()`` writes the job record in the caller's transaction and hands the job to the backend only
when that transaction commits: a job never runs before the data it needs is committed, and a rolled
back transaction enqueues nothing (its job record disappears with it).
"""
from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import db
from core.tenancy import current_tenant_id
from workers.models import QUEUED, JobRecord
from workers.registry import check_primitives, get_job

PENDING = "kehu_after_commit"


def after_commit(callback) -> None:
    """Run ``callback()`` once the current transaction commits (dropped on rollback)."""
    session = db.session()
    if not session.in_transaction():
        callback()
        return
    session.info.setdefault(PENDING, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_pending(session):
    if session.in_nested_transaction():  # a savepoint released (SQLAlchemy fires this too): not committed yet
        return
    callbacks = session.info.pop(PENDING, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_pending(session):
    if session.in_nested_transaction():  # a savepoint rolled back: the transaction, and its jobs, go on
        return
    session.info.pop(PENDING, None)


def backend():
    from flask import current_app

    return current_app.extensions["kehu_jobs"]


def enqueue(name: str, args: dict | None = None, *, created_by: int | None = None,
            dedupe_key: str | None = None) -> JobRecord:
    """Start job ``name`` for the current tenant with ``args`` (ids and primitives). Returns its
    record (status ``queued``); the job is delivered when the caller commits."""
    spec = get_job(name)
    args = dict(args or {})
    check_primitives(args)
    tenant_id = current_tenant_id()
    if dedupe_key is not None:
        existing = db.session.scalars(select(JobRecord).where(JobRecord.dedupe_key == dedupe_key)).first()
        if existing is not None:
            return existing  # the same piece of work was asked for already: once is enough
    record = JobRecord(name=name, args=args, status=QUEUED, created_by=created_by, dedupe_key=dedupe_key)
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:  # asked for at the same moment elsewhere
        return db.session.scalars(select(JobRecord).where(JobRecord.dedupe_key == dedupe_key)).one()
    record_id = record.id
    target = backend()
    after_commit(lambda: target.submit(spec, tenant_id, args, record_id=record_id))
    return record


def retry(record: JobRecord) -> JobRecord:
    """Run a failed job again (same record, one more attempt)."""
    from core.errors import Conflict

    if record.status != "failed":
        raise Conflict(f"only a failed job can be retried; this one is {record.status}")
    record.status = QUEUED
    record.error = None
    db.session.flush()
    spec, tenant_id, args, record_id = get_job(record.name), record.tenant_id, dict(record.args or {}), record.id
    target = backend()
    after_commit(lambda: target.submit(spec, tenant_id, args, record_id=record_id))
    return record
