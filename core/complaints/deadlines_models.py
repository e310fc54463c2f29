"""Tables of complaint deadlines follow-up (CMP-35).

- :class:`ComplaintReminder` — a reminder (催办单) to the responsible department of an overdue open
  case: one at the breach and one every working day after while the case stays overdue (one per case
  and local day).
- :class:`InvestigationOrder` — an investigation order (查办单) for a case closed after a breach,
  asking the responsible department why; answered by the department (one per case).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

ORDER_STATUSES = ("open", "answered")


def _complaint_fk():
    return ForeignKeyConstraint(["tenant_id", "complaint_id"], ["complaints.tenant_id", "complaints.id"])


def _department_fk():
    return ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"])


class ComplaintReminder(TenantScoped, db.Model):
    __tablename__ = "complaint_reminders"
    __table_args__ = (
        _complaint_fk(),
        _department_fk(),
        UniqueConstraint("tenant_id", "complaint_id", "dated"),
        Index("ix_complaint_reminders_dated", "tenant_id", "dated"),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    dated: Mapped[dt.date] = mapped_column(Date)  # the local day of the reminder
    department_id: Mapped[int | None] = mapped_column(BigInteger)  # the responsible department
    recipients: Mapped[list] = mapped_column(JSONType, default=list)
    overdue: Mapped[list] = mapped_column(JSONType, default=list)  # [{code, due_at}] of the breached milestones
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class InvestigationOrder(TenantScoped, db.Model):
    __tablename__ = "complaint_investigations"
    __table_args__ = (
        _complaint_fk(),
        _department_fk(),
        ForeignKeyConstraint(["tenant_id", "answered_by"], ["users.tenant_id", "users.id"]),
        UniqueConstraint("tenant_id", "complaint_id"),
        Index("ix_complaint_investigations_status", "tenant_id", "status", "department_id"),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    department_id: Mapped[int | None] = mapped_column(BigInteger)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    breaches: Mapped[list] = mapped_column(JSONType, default=list)  # [{code, due_at, breached_at, met_at}]
    status: Mapped[str] = mapped_column(String(20), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(BigInteger)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
