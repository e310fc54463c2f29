"""A notification for one user of the tenant."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantScoped, UTCDateTime, db, utcnow


class Notification(TenantScoped, db.Model):
    """``kind`` names what it is about (``cus.ownership_expiring``…), ``rule_id`` the rule that raised
    it; ``subject_type``/``subject_id`` the thing to open; ``dedupe_key`` makes raising it again a no-op
    (a job re-run or retry never notifies twice)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedupe_key"),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        Index("ix_notifications_user", "tenant_id", "user_id", "created_at"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(60))
    rule_id: Mapped[str | None] = mapped_column(String(60))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    body_zh: Mapped[str | None] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dedupe_key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
