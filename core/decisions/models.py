"""The decision log: every automatic (or manual override) decision with its rule and reason."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow


class Decision(TenantScoped, db.Model):
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_subject", "tenant_id", "subject_type", "subject_id"),)

    rule_id: Mapped[str] = mapped_column(String(60))
    policy_module: Mapped[str | None] = mapped_column(String(50))
    policy_version: Mapped[int | None] = mapped_column(Integer)
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    facts: Mapped[dict] = mapped_column(JSONType, default=dict)
    outcome: Mapped[dict] = mapped_column(JSONType, default=dict)
    reason_zh: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)  # a user for manual overrides
    supersedes_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
