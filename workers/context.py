"""What a running job sees: its record, its tenant, and ``progress()``.

Progress is written outside the job's own transaction, so the job-status API shows it while the job
works and before it commits: on PostgreSQL through a short separate transaction; on SQLite (embedded
mode, one process) in a process-local table that the API reads, because a second SQLite writer would
wait for the job's own write lock."""
from __future__ import annotations

import threading

from sqlalchemy import text, update

from core.db import db
from workers.models import JobRecord

_live: dict[tuple[int, int], dict] = {}
_live_lock = threading.Lock()


def live_progress(tenant_id: int, job_id: int) -> dict | None:
    with _live_lock:
        return dict(_live[(tenant_id, job_id)]) if (tenant_id, job_id) in _live else None


def forget_live_progress(tenant_id: int, job_id: int) -> None:
    with _live_lock:
        _live.pop((tenant_id, job_id), None)


class JobContext:
    def __init__(self, job_id: int, tenant_id: int, name: str, attempt: int, dedupe_key: str | None = None):
        self.job_id = job_id
        self.tenant_id = tenant_id
        self.name = name
        self.attempt = attempt
        self.dedupe_key = dedupe_key

    def progress(self, done: int, total: int | None = None, step: str | None = None) -> None:
        """Report ``done`` of ``total`` units, currently at ``step`` (shown as a progress bar)."""
        values = {"progress_done": int(done), "progress_total": total, "step": (step or "")[:200] or None}
        engine = db.engine
        if engine.dialect.name != "postgresql":
            with _live_lock:
                _live[(self.tenant_id, self.job_id)] = values
            return
        with engine.begin() as conn:
            conn.execute(text("select set_config('kehu.tenant_id', :t, true)"), {"t": str(self.tenant_id)})
            conn.execute(update(JobRecord.__table__)
                         .where(JobRecord.__table__.c.tenant_id == self.tenant_id,
                                JobRecord.__table__.c.id == self.job_id)
                         .values(**values))
