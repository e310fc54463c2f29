"""The ``tenant_job`` decorator and the registry of job functions by name.

    @tenant_job("tenants.export", queue="long", timeout=3600)
    def export(job, *, include_audit: bool = True):
        job.progress(0, 10, "users")
        ...
        return {"file": "..."}

A job function receives a :class:`~workers.context.JobContext` and keyword arguments that are JSON
primitives (ids, strings, numbers). It runs inside its tenant's scope, in a fresh app context whose
session is cleaned up whatever happens. Its return value (JSON) is the job's result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

DEFAULT_RETRY_INTERVALS = (10, 60, 300)  # seconds: backoff for transient failures


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable
    queue: str = "default"
    timeout: int = 600
    retry_intervals: tuple[int, ...] = field(default=DEFAULT_RETRY_INTERVALS)
    plugin: str | None = None  # an optional plugin's job: refused for tenants that have not enabled it

    @property
    def max_retries(self) -> int:
        return len(self.retry_intervals)


JOBS: dict[str, JobSpec] = {}


def tenant_job(name: str, *, queue: str = "default", timeout: int = 600,
               retry_intervals: tuple[int, ...] = DEFAULT_RETRY_INTERVALS, plugin: str | None = None):
    """Register a job function under ``name`` (unique). ``plugin``: the optional plugin the job belongs
    to; for a tenant without it the job does not exist (refused, nothing runs)."""

    def register(func):
        existing = JOBS.get(name)
        if existing is not None and existing.func is not func and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"two job functions are named {name!r}")
        JOBS[name] = JobSpec(name, func, queue, timeout, tuple(retry_intervals), plugin)
        return func

    return register


def get_job(name: str) -> JobSpec:
    spec = JOBS.get(name)
    if spec is None:
        raise LookupError(f"no job named {name!r} is registered")
    return spec


def check_primitives(value, path: str = "args") -> None:
    """Job arguments are ids and primitives only (JSON), never objects."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_primitives(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings")
            check_primitives(item, f"{path}.{key}")
        return
    raise TypeError(f"{path} is a {type(value).__name__}: pass ids and primitives to jobs, not objects")
