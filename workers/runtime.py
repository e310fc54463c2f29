"""Running one job: the function rq calls (``workers.runtime.execute``) and the embedded backend too.

Every job runs the same way, whichever backend delivered it:

1. a fresh application context (so a fresh database session, removed afterwards whatever happens);
2. the tenant's scope and ``job:<name>`` as the acting party (audit);
3. claim the job record in one statement: a record id of another tenant is "not found" and the job
   fails changing nothing; a record (or dedupe key) already finished is skipped, so a duplicate run
   has no effect;
4. call the job function; record "finished" and the result in the same transaction as its effect;
5. on error: roll back; a transient error (database or Redis unavailable) is re-raised while retries
   are left so the backend retries it with backoff; any other error is bad data: recorded as a
   failure with its message and not retried.
"""
from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass

import redis.exceptions
from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from core.audit.recorder import acting_as
from core.db import ID_SEQUENCE, db, utcnow
from core.errors import NotFound
from core.tenancy import tenant_scope
from workers.context import JobContext, forget_live_progress, live_progress
from workers.models import FAILED, FINISHED, RETRYING, STARTED, JobRecord
from workers.registry import get_job

log = logging.getLogger("kehu.jobs")

_application = None
JOBS = JobRecord.__table__
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


def _current_rq_job():
    """The rq job being run by this process, or None (embedded and inline backends)."""
    try:
        from rq import get_current_job

        return get_current_job()
    except Exception:  # noqa: BLE001 - outside an rq worker
        return None


def _retries_left() -> int:
    left = retries_left.get()
    if left is not None:
        return left
    job = _current_rq_job()
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
    job = _current_rq_job()
    if job is not None:
        job.retries_left = 0  # the worker reads this very object to decide on a retry


TENANT_STATUS_TTL = 10.0  # seconds a worker process trusts a tenant's status before looking again
_tenant_status_cache: dict[int, tuple[float, str]] = {}


def _tenant_status(tenant_id: int) -> str:
    """The tenant's status (a disabled or erased tenant runs no jobs), looked up at most every few
    seconds per worker process."""
    from tenants.registry import get_tenant

    now = time.monotonic()
    cached = _tenant_status_cache.get(tenant_id)
    if cached is not None and now - cached[0] < TENANT_STATUS_TTL:
        return cached[1]
    status = get_tenant(tenant_id).status
    _tenant_status_cache[tenant_id] = (now, status)
    return status


def _enabled_plugins(tenant_id: int) -> frozenset[str]:
    from tenants.registry import enabled_plugin_names

    return frozenset(enabled_plugin_names(tenant_id))


def _run(tenant_id, name, args, record_id, dedupe_key):
    spec = get_job(name)
    with tenant_scope(tenant_id), acting_as(f"job:{name}"):
        status = _tenant_status(tenant_id)
        if status != "active":
            log.info("job %s skipped: tenant %s is %s", name, tenant_id, status)
            db.session.rollback()
            return None
        if spec.plugin and spec.plugin not in _enabled_plugins(tenant_id):
            raise JobRefused(f"job {name} belongs to the {spec.plugin} plugin, which tenant {tenant_id} has not enabled")
        claim = _claim(tenant_id, name, args, record_id, dedupe_key)
        if claim is None:
            return None
        job = JobContext(claim.id, tenant_id, name, claim.attempt, claim.dedupe_key)
        try:
            result = spec.func(job, **args)
            _finish(tenant_id, claim.id, FINISHED, result=result)  # the effect and "finished": one commit
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, then classified
            db.session.rollback()
            transient = is_transient(exc)
            will_retry = transient and _retries_left() > 0
            _finish(tenant_id, claim.id, RETRYING if will_retry else FAILED, error=f"{type(exc).__name__}: {exc}")
            db.session.commit()
            log.warning("job %s (%s) for tenant %s failed%s: %s", name, claim.id, tenant_id,
                        ", will retry" if will_retry else "", exc)
            if transient:
                raise
            return None
        finally:
            forget_live_progress(tenant_id, claim.id)
        return result


@dataclass(frozen=True)
class Claim:
    id: int
    attempt: int
    dedupe_key: str | None


def _insert_started(tenant_id, name, args, dedupe_key, now):
    """INSERT the record already started, unless its dedupe key exists (one statement)."""
    values = dict(tenant_id=tenant_id, name=name, args=args, dedupe_key=dedupe_key, status=STARTED,
                  attempts=1, progress_done=0, enqueued_at=now, started_at=now)
    if db.engine.dialect.name == "postgresql":
        insert = pg_insert
        values["id"] = func.nextval(ID_SEQUENCE)  # in the INSERT itself: no extra round trip
    else:
        insert = sqlite_insert
    stmt = (insert(JOBS).values(**values)
            .on_conflict_do_nothing(index_elements=["tenant_id", "dedupe_key"])
            .returning(JOBS.c.id))
    return db.session.execute(stmt).scalar()


def _claim(tenant_id, name, args, record_id, dedupe_key) -> Claim | None:
    """Mark this run's record started (attempts + 1) and commit; None when it already finished."""
    if record_id is None and dedupe_key is None:
        raise JobRefused("a job needs a record id or a dedupe key")
    now = utcnow()
    if record_id is None:
        new_id = _insert_started(tenant_id, name, args, dedupe_key, now)
        if new_id is not None:
            db.session.commit()
            return Claim(new_id, 1, dedupe_key)
    which = (JOBS.c.id == record_id) if record_id is not None else (JOBS.c.dedupe_key == dedupe_key)
    mine = (JOBS.c.tenant_id == tenant_id, which, JOBS.c.name == name)
    row = db.session.execute(
        update(JOBS).where(*mine, JOBS.c.status != FINISHED)
        .values(status=STARTED, attempts=JOBS.c.attempts + 1, started_at=now, error=None)
        .returning(JOBS.c.id, JOBS.c.attempts, JOBS.c.dedupe_key)).first()
    if row is not None:
        db.session.commit()
        return Claim(*row)
    known = db.session.execute(select(JOBS.c.status).where(*mine)).first()
    db.session.rollback()
    if known is None:
        raise JobRefused(f"no {name} job {record_id or dedupe_key} in this tenant")
    log.info("job %s (%s) already finished: duplicate run skipped", name, record_id or dedupe_key)
    return None


def _finish(tenant_id: int, record_id: int, status: str, result=None, error: str | None = None) -> None:
    """Record the outcome (one UPDATE, in the caller's transaction)."""
    values = {"status": status, "ended_at": utcnow(), "error": error}
    values.update(live_progress(tenant_id, record_id) or {})
    if status == FINISHED:
        values["result"] = result if isinstance(result, dict) or result is None else {"value": result}
        values["progress_done"] = case((JOBS.c.progress_total.is_not(None), JOBS.c.progress_total),
                                       else_=values.get("progress_done", JOBS.c.progress_done))
    db.session.execute(update(JOBS).where(JOBS.c.tenant_id == tenant_id, JOBS.c.id == record_id).values(**values))


def warm_up() -> None:
    """Compile the statements of a job run once in the worker's parent process, so that each forked
    work horse starts with them in SQLAlchemy's statement cache (forked children inherit it). The
    statements are run for a tenant that does not exist, then rolled back: nothing is written."""
    from tenants.registry import get_tenant

    with application().app_context():
        with tenant_scope(0):
            try:
                get_tenant(0)
            except NotFound:
                pass
            for step in (lambda: _insert_started(0, "warm.up", {}, "warm-up", utcnow()),
                         lambda: _claim(0, "warm.up", {}, 0, None),
                         lambda: _finish(0, 0, FINISHED, result={})):
                try:
                    with db.session.begin_nested():
                        step()
                except Exception:  # noqa: BLE001 - expected: no such tenant, nothing to claim
                    pass
            db.session.rollback()
        db.session.remove()
