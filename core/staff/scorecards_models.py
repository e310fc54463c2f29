"""Scorecards (STF-40, STF-44): one employee's scores for one month under their role's scheme.

``scores`` maps each dimension code to its points (at most the dimension's weight); ``total`` is
their sum. ``state``: ``scored`` → ``appealed`` (the employee objects, STF-44) → ``upheld`` or
``revised`` once the reviewer answers. The scheme's dimensions are copied into ``dimensions`` so a
later policy version never changes what a past score meant.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

SCORECARD_STATES = ("scored", "appealed", "upheld", "revised")


class Scorecard(TenantScoped, db.Model):
    __tablename__ = "staff_scorecards"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        UniqueConstraint("tenant_id", "user_id", "month"),
        Index("ix_staff_scorecards_scheme_month", "tenant_id", "scheme", "month"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger)
    month: Mapped[dt.date] = mapped_column(Date)  # first day of the month scored
    scheme: Mapped[str] = mapped_column(String(50))  # the role whose scheme applies
    dimensions: Mapped[list] = mapped_column(JSONType, default=list)
    scores: Mapped[dict] = mapped_column(JSONType, default=dict)
    total: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    policy_version: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    scored_by: Mapped[int | None] = mapped_column(BigInteger)
    scored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(BigInteger)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
