"""Tables of credit rating and limits (CUS-90..CUS-96).

- :class:`CreditRecord` — the credit investigation record of a counterparty (CUS-90): its sections
  as structured JSON, the assessment the grade reads (CUS-91), who filled, reviewed and filed it,
  the last full refresh and when the next one is due.
- :class:`CreditRating` — a credit-grade proposal and its approval chain (CUS-92): effective only
  when approved.
- :class:`CreditLine` — the customer's current limit and term (CUS-93).
- :class:`CreditApproval` — a written approval of the higher authority to go over the limit once
  (CUS-94) or to raise a limit (CUS-95 exception).
- :class:`CreditEvaluation` — the monthly limit-execution evaluation of a customer (CUS-96).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantOwned, TenantScoped, UTCDateTime, db, utcnow

RATING_STATUSES = ("proposed", "reviewing", "approved", "rejected")
LINE_KINDS = ("long", "temporary")
APPROVAL_KINDS = ("order", "shipment", "prepayment", "limit_increase")


def _customer_fk():
    return ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"])


class CreditRecord(TenantOwned, db.Model):
    __tablename__ = "credit_records"
    __table_args__ = (_customer_fk(), Index("ix_credit_records_refresh_due", "tenant_id", "refresh_due"))

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sections: Mapped[dict] = mapped_column(JSONType, default=dict)
    assessment: Mapped[dict] = mapped_column(JSONType, default=dict)
    filled_by: Mapped[int | None] = mapped_column(BigInteger)  # the business supervisor (truthfulness)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)  # the department manager
    filed_by: Mapped[int | None] = mapped_column(BigInteger)  # finance
    refreshed_on: Mapped[dt.date] = mapped_column(Date)  # the last full refresh (local day)
    refresh_due: Mapped[dt.date] = mapped_column(Date)  # through this day (quarter end)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CreditRating(TenantScoped, db.Model):
    __tablename__ = "credit_ratings"
    __table_args__ = (_customer_fk(), Index("ix_credit_ratings_customer", "tenant_id", "customer_id", "created_at"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    grade: Mapped[str] = mapped_column(String(1))  # proposed
    rule_grade: Mapped[str] = mapped_column(String(1))  # what CUS-91 gave
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    proposed_by: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[list] = mapped_column(JSONType, default=list)  # [{step, user_id, approve, at, note}]
    grade_decision_id: Mapped[int] = mapped_column(BigInteger)  # CUS-91
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the last CUS-92 step
    effective_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CreditLine(TenantOwned, db.Model):
    __tablename__ = "credit_lines"
    __table_args__ = (_customer_fk(),)

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    grade: Mapped[str] = mapped_column(String(1))
    kind: Mapped[str] = mapped_column(String(20))  # long | temporary
    credit_limit: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    term: Mapped[str] = mapped_column(String(30))  # "1 months", "15 days"
    mortgage_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    granted_by: Mapped[int] = mapped_column(BigInteger)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decision_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CreditApproval(TenantScoped, db.Model):
    __tablename__ = "credit_approvals"
    __table_args__ = (_customer_fk(), Index("ix_credit_approvals_customer", "tenant_id", "customer_id"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    used_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CreditEvaluation(TenantScoped, db.Model):
    __tablename__ = "credit_evaluations"
    __table_args__ = (_customer_fk(), UniqueConstraint("tenant_id", "customer_id", "month"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    month: Mapped[str] = mapped_column(String(7))  # 2026-09
    status: Mapped[str] = mapped_column(String(20), default="open")
    credit_limit: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    exposure: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    decision_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
