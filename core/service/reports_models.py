"""The stored service report packs (SVC-40).

:class:`ServiceReportPack` — one scheduled pack of one period (the monthly pack: the previous month),
with the period it covers (local days and the instants), when and by which job it was built, the
``svc`` version in force then, the decision SVC-40 that records it, the headline figures (``summary``,
for lists) and the report itself (``data``: the JSON the API shows and the CSV is made from). One pack
per (kind, period): a job run again for the same period finds it and builds nothing.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow


class ServiceReportPack(TenantScoped, db.Model):
    __tablename__ = "service_report_packs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "period_key"),
        Index("ix_service_report_packs_kind", "tenant_id", "kind", "first_day"),
    )

    kind: Mapped[str] = mapped_column(String(30))  # monthly
    period_key: Mapped[str] = mapped_column(String(40))  # 2026-09
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    period_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    summary: Mapped[dict] = mapped_column(JSONType, default=dict)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
