"""Tables of the deadline engine.

- :class:`SlaMilestone` — one deadline of a subject (``subject_type`` complaint | work_order, and its
  id): what it measures (``code``: reply, solution, resolve, stage.<name>), the duration and how the
  due time was computed (start, unit, calendar, pauses, policy version: ``computed_from``), its state
  (open → met | breached | cancelled), warnings and escalation steps (the ladder and interval it
  started under, CMP-40). ``next_check_at`` is the next instant the sweep has something to do for it
  (warn, breach, hard breach, escalate; None while paused or when done): the sweep selects on it.
- :class:`SlaPause` — a pause of a subject's clocks with its reason (CMP-33).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

MILESTONE_STATES = ("open", "met", "breached", "cancelled")


class SlaMilestone(TenantScoped, db.Model):
    __tablename__ = "sla_milestones"
    __table_args__ = (
        UniqueConstraint("tenant_id", "subject_type", "subject_id", "code"),
        Index("ix_sla_milestones_check", "tenant_id", "next_check_at"),
        # the fan-out's probe across tenants (workers.due, migration 0024)
        Index("ix_sla_milestones_due", "next_check_at", postgresql_where=text("next_check_at IS NOT NULL"),
              sqlite_where=text("next_check_at IS NOT NULL")),
        Index("ix_sla_milestones_subject", "tenant_id", "subject_type", "subject_id"),
    )

    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(80))  # reply | solution | resolve | stage.<name> | stage.<a>.<b>
    parent_code: Mapped[str | None] = mapped_column(String(80))  # a sub-stage's stage (CMP-32)
    rule_id: Mapped[str] = mapped_column(String(20))  # CMP-31, CMP-32, SVC-07...
    duration: Mapped[str] = mapped_column(String(40))  # "3 working_days", "24 hours"
    hard_duration: Mapped[str | None] = mapped_column(String(40))  # a hard limit after the target (CMP-32)
    department: Mapped[str | None] = mapped_column(String(100))  # whose calendar counts (CAL-01)
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    hard_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    warn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # CAL-02
    computed_from: Mapped[dict] = mapped_column(JSONType, default=dict)
    policy_module: Mapped[str | None] = mapped_column(String(40))
    policy_version: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="open")
    met_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    warned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    hard_breached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalation_ladder: Mapped[list] = mapped_column(JSONType, default=list)  # roles, level 1 first (CMP-40)
    escalation_interval: Mapped[str | None] = mapped_column(String(40))  # between two levels, e.g. "1 working_days"
    next_escalation_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # None: nothing left to do
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # how the due time was computed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlaPause(TenantScoped, db.Model):
    __tablename__ = "sla_pauses"
    __table_args__ = (Index("ix_sla_pauses_subject", "tenant_id", "subject_type", "subject_id"),)

    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_by: Mapped[int | None] = mapped_column(BigInteger)
    ended_by: Mapped[int | None] = mapped_column(BigInteger)
