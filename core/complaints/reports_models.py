"""The stored report packs of the complaints module (CMP-80, CMP-81).

:class:`ComplaintReportPack` — one scheduled pack of one period: the monthly statistics, the weekly
report, the half-year review or the daily digest, with the period it covers (local days and the
instants), the day it is due, when and by which job it was built, and the report itself (``data``,
the JSON the API shows and the CSV is made from). One pack per (kind, period): a job run again for
the same period finds it and builds nothing.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow


class ComplaintReportPack(TenantScoped, db.Model):
    __tablename__ = "complaint_report_packs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "period_key"),
        Index("ix_complaint_report_packs_kind", "tenant_id", "kind", "first_day"),
    )

    kind: Mapped[str] = mapped_column(String(30))  # monthly_statistics | weekly_report | half_year_review | daily_digest
    period_key: Mapped[str] = mapped_column(String(40))  # 2026-09, 2026-09-14..2026-09-20, 2026-06..2026-11, 2026-09-20
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(20))  # received | closed
    period_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    summary: Mapped[dict] = mapped_column(JSONType, default=dict)  # the headline figures, for lists
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
