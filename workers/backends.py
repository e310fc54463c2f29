"""Where jobs run.

- ``RQBackend``: Redis queues (one per ``JobSpec.queue``), rq workers (``kehu worker``), JSON
  serializer, rq's retry with backoff for transient failures.
- ``EmbeddedBackend``: no Redis (the one-command run): a thread in the app process runs the jobs in
  order, with the same retries.
- ``InlineBackend``: runs each job at once, in the committing thread (unit tests).

Every backend calls the same ``workers.runtime.execute``; a job function never knows which one ran it.
"""
from __future__ import annotations

import logging
import queue
import threading
import time

from workers.registry import JobSpec

log = logging.getLogger("kehu.jobs")
EXECUTE = "workers.runtime.execute"


def _payload(tenant_id, spec: JobSpec, args, record_id, dedupe_key) -> dict:
    return {"tenant_id": tenant_id, "name": spec.name, "args": args, "record_id": record_id,
            "dedupe_key": dedupe_key}


class RQBackend:
    def __init__(self, redis_url: str):
        import redis

        self.redis_url = redis_url
        self.connection = redis.Redis.from_url(redis_url)

    def queue(self, name: str):
        from rq import Queue
        from rq.serializers import JSONSerializer

        return Queue(name, connection=self.connection, serializer=JSONSerializer)

    def is_pending(self, tenant_id: int, record_id: int) -> bool:
        """Whether rq still holds the job of this record (queued, scheduled for a retry, or running)."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job, JobStatus

        try:
            job = Job.fetch(f"kehu-{tenant_id}-{record_id}", connection=self.connection)
        except NoSuchJobError:
            return False
        return job.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED,
                                                 JobStatus.DEFERRED)

    def submit(self, spec: JobSpec, tenant_id: int, args: dict, record_id: int | None = None,
               dedupe_key: str | None = None, job_id: str | None = None, pipeline=None):
        from rq import Retry

        retry = Retry(max=spec.max_retries, interval=list(spec.retry_intervals)) if spec.max_retries else None
        return self.queue(spec.queue).enqueue_call(
            EXECUTE,
            kwargs=_payload(tenant_id, spec, args, record_id, dedupe_key),
            job_id=job_id or (f"kehu-{tenant_id}-{record_id}" if record_id else None),
            timeout=spec.timeout,
            retry=retry,
            result_ttl=24 * 3600,
            failure_ttl=7 * 24 * 3600,
            pipeline=pipeline,
        )


class InlineBackend:
    """Runs the job immediately in a fresh application context (tests)."""

    def __init__(self):
        self.runs = 0

    def is_pending(self, tenant_id: int, record_id: int) -> bool:
        return False  # an inline job has run by the time anyone asks

    def submit(self, spec: JobSpec, tenant_id: int, args: dict, record_id: int | None = None,
               dedupe_key: str | None = None, job_id: str | None = None, pipeline=None):
        from workers.runtime import execute, retries_left

        self.runs += 1
        token = retries_left.set(0)
        try:
            return execute(tenant_id, spec.name, args, record_id=record_id, dedupe_key=dedupe_key)
        except Exception as exc:  # noqa: BLE001 - the record holds the failure
            log.info("inline job %s failed: %s", spec.name, exc)
            return None
        finally:
            retries_left.reset(token)


class EmbeddedBackend:
    """A worker thread inside the app process; transient failures are retried after the spec's
    intervals (scaled by ``interval_scale``, for tests)."""

    def __init__(self, interval_scale: float = 1.0):
        self._queue: queue.Queue = queue.Queue()
        self._pending: set[tuple[int, int]] = set()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.interval_scale = interval_scale

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="kehu-jobs", daemon=True)
                self._thread.start()

    def submit(self, spec: JobSpec, tenant_id: int, args: dict, record_id: int | None = None,
               dedupe_key: str | None = None, job_id: str | None = None, pipeline=None):
        self._ensure_thread()
        if record_id is not None:
            self._pending.add((tenant_id, record_id))
        self._queue.put((spec, tenant_id, args, record_id, dedupe_key, 0))

    def is_pending(self, tenant_id: int, record_id: int) -> bool:
        return (tenant_id, record_id) in self._pending

    def _loop(self) -> None:
        from workers.runtime import execute, is_transient, retries_left

        while True:
            item = self._queue.get()
            if item is None:
                return
            spec, tenant_id, args, record_id, dedupe_key, attempt = item
            token = retries_left.set(spec.max_retries - attempt)
            try:
                execute(tenant_id, spec.name, args, record_id=record_id, dedupe_key=dedupe_key)
            except Exception as exc:  # noqa: BLE001 - recorded by execute; maybe retried here
                if is_transient(exc) and attempt < spec.max_retries:
                    delay = spec.retry_intervals[attempt] * self.interval_scale
                    retry = (spec, tenant_id, args, record_id, dedupe_key, attempt + 1)
                    threading.Timer(delay, self._queue.put, args=(retry,)).start()
                    continue
                log.warning("embedded job %s failed for good: %s", spec.name, exc)
            finally:
                retries_left.reset(token)
                self._queue.task_done()
            self._pending.discard((tenant_id, record_id))

    def join(self, timeout: float = 30.0) -> bool:
        """Wait until every submitted job (not counting pending retries) has run."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._queue.unfinished_tasks


def backend_for(app):
    mode = app.config.get("KEHU_JOBS_MODE") or ("rq" if app.config.get("KEHU_REDIS_URL") else "embedded")
    if mode == "rq":
        return RQBackend(app.config["KEHU_REDIS_URL"])
    if mode == "inline":
        return InlineBackend()
    if mode == "embedded":
        return EmbeddedBackend()
    raise ValueError(f"KEHU_JOBS_MODE must be rq, embedded or inline, not {mode!r}")
