"""Running one job: the function rq calls (``workers.runtime.execute``) and the embedded backend too.

Every job runs the same way, whichever backend delivered it:

1. a fresh application context (so a fresh database session, removed afterwards whatever happens);
2. the tenant's scope and ``job:<name>`` as the acting party (audit);
3. claim the job record: a record id of another tenant is "not found" and the job fails changing
   nothing; a record (or dedupe key) already finished is skipped, so a duplicate run has no effect;
4. call the job function; commit; record the result;
5. on error: roll back; a transient error (database or Redis unavailable) is re-raised while retries
   are left so the backend retries it with backoff; any other error is bad data: recorded as a
   failure with its message and not retried.
"""
from __future__ import annotations

import logging
from contextvars import ContextVar

import redis.exceptions
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from core.audit.recorder import acting_as
from core.db import db, utcnow
from core.errors import NotFound
from core.tenancy import tenant_scope
from workers.context import JobContext, forget_live_progress, live_progress
from workers.models import FAILED, FINISHED, QUEUED, RETRYING, STARTED, JobRecord
from workers.registry import get_job

log = logging.getLogger("kehu.jobs")

_application = None
# retries the delivering backend still has for this run (rq: from the rq job; embedded: passed in)
retries_left: ContextVar[int | None] = ContextVar("kehu_job_retries_left", default=None)


class TransientJobError(RuntimeError):
    """Raise from a job for a temporary condition worth retrying (an upstream is down)."""


class JobRefused(RuntimeError):
    """The job cannot run at all (unknown job, record not in this tenant); not retried."""


def set_application(app) -> None:
    global _application
    _application = app


def application():
    """The Flask app of this process (the worker creates it once; the web app sets itself)."""
    global _application
    if _application is None:
        from web.app import create_app

        _application = create_app()
    return _application


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (TransientJobError, OperationalError, InterfaceError, ConnectionError, TimeoutError,
                        redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _retries_left() -> int:
    left = retries_left.get()
    if left is not None:
        return left
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001 - outside rq
        job = None
    return int(job.retries_left or 0) if job is not None else 0


def execute(tenant_id: int, name: str, args: dict | None = None, record_id: int | None = None,
            dedupe_key: str | None = None):
    """Run job ``name`` for ``tenant_id`` (ids and primitives only). Returns the job's result."""
    with application().app_context():
        try:
            return _run(int(tenant_id), name, args or {}, record_id, dedupe_key)
        except (JobRefused, LookupError, NotFound) as exc:
            _no_more_retries()  # it can never succeed: retrying changes nothing
            log.warning("job %s for tenant %s refused: %s", name, tenant_id, exc)
            raise
        finally:
            db.session.remove()


def _no_more_retries() -> None:
    retries_left.set(0)
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001 - outside rq
        job = None
    if job is not None:
        job.retries_left = 0  # the worker reads this very object to decide on a retry


def _run(tenant_id, name, args, record_id, dedupe_key):
    from tenants.registry import get_tenant

    spec = get_job(name)
    tenant = get_tenant(tenant_id)
    if tenant.status != "active":
        log.info("job %s skipped: tenant %s is %s", name, tenant_id, tenant.status)
        return None
    with tenant_scope(tenant_id), acting_as(f"job:{name}"):
        record = _claim(name, args, record_id, dedupe_key)
        if record is None:
            return None
        job = JobContext(record, tenant_id)
        record_key = record.id
        try:
            result = spec.func(job, **args)
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, then classified
            db.session.rollback()
            transient = is_transient(exc)
            will_retry = transient and _retries_left() > 0
            _finish(record_key, RETRYING if will_retry else FAILED, error=f"{type(exc).__name__}: {exc}")
            log.warning("job %s (%s) for tenant %s failed%s: %s", name, record_key, tenant_id,
                        ", will retry" if will_retry else "", exc)
            if transient:
                raise
            return None
        _finish(record_key, FINISHED, result=result)
        return result


def _claim(name, args, record_id, dedupe_key) -> JobRecord | None:
    """The record of this run, marked started; None when there is nothing (more) to do."""
    if record_id is not None:
        record = db.session.scalars(select(JobRecord).where(JobRecord.id == record_id)).first()
        if record is None or record.name != name:
            raise JobRefused(f"no {name} job {record_id} in this tenant")
    elif dedupe_key is not None:
        record = db.session.scalars(select(JobRecord).where(JobRecord.dedupe_key == dedupe_key)).first()
        if record is None:
            record = JobRecord(name=name, args=args, dedupe_key=dedupe_key, status=QUEUED)
            db.session.add(record)
            try:
                db.session.commit()
            except IntegrityError:  # a duplicate delivery created it a moment ago
                db.session.rollback()
                return None
    else:
        raise JobRefused("a job needs a record id or a dedupe key")
    if record.status == FINISHED:
        log.info("job %s (%s) already finished: duplicate run skipped", name, record.id)
        return None
    record.status = STARTED
    record.attempts = (record.attempts or 0) + 1
    record.started_at = utcnow()
    record.error = None
    db.session.commit()
    return record


def _finish(record_id: int, status: str, result=None, error: str | None = None) -> None:
    record = db.session.scalars(select(JobRecord).where(JobRecord.id == record_id)).one()
    live = live_progress(record.tenant_id, record_id)
    if live:
        for key, value in live.items():
            setattr(record, key, value)
    record.status = status
    record.ended_at = utcnow()
    if status == FINISHED:
        record.result = result if isinstance(result, dict) or result is None else {"value": result}
        if record.progress_total:
            record.progress_done = record.progress_total
    record.error = error
    db.session.commit()
    forget_live_progress(record.tenant_id, record_id)
