"""Job records: one row per job run for a tenant, the source of truth for status, progress, results
and failures (in Redis and embedded mode alike). ``dedupe_key`` makes a job idempotent per tenant:
a periodic job's key is ``<job>@<slot>``, so a slot runs once whatever happens to the queue."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

QUEUED, STARTED, RETRYING, FINISHED, FAILED = "queued", "started", "retrying", "finished", "failed"


class JobRecord(TenantScoped, db.Model):
    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("tenant_id", "dedupe_key"), Index("ix_jobs_status", "tenant_id", "status"))

    name: Mapped[str] = mapped_column(String(100))
    args: Mapped[dict] = mapped_column(JSONType, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    step: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    enqueued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
