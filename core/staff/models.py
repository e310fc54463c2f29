"""Tables of the staff ledger (STF-01).

- :class:`StaffEntry` — one penalty, reward or HR flag on an employee (``user_id``) or on a unit
  (``department_id``, STF-14), in yuan or points, for an offence under a rule, about a subject (a
  complaint, an archive, a visit...). Entries are never deleted nor edited in amount: a reversal is
  a new entry linked by ``reverses_id`` with the opposite amount (STF-01). ``state`` follows
  ``proposed → approved → effective → (appealed → upheld | modified | revoked) → deducted``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

KINDS = ("penalty", "reward", "flag")
UNITS = ("yuan", "points")
STATES = ("proposed", "approved", "effective", "appealed", "upheld", "modified", "revoked", "deducted",
          "reversal")


class StaffEntry(TenantScoped, db.Model):
    __tablename__ = "staff_entries"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
        ForeignKeyConstraint(["tenant_id", "reverses_id"], ["staff_entries.tenant_id", "staff_entries.id"]),
        Index("ix_staff_entries_user_month", "tenant_id", "user_id", "payroll_month"),
        Index("ix_staff_entries_offence", "tenant_id", "user_id", "offence", "occurred_at"),
        Index("ix_staff_entries_subject", "tenant_id", "subject_type", "subject_id"),
        Index("ix_staff_entries_dedupe", "tenant_id", "dedupe_key", unique=True),
    )

    user_id: Mapped[int | None] = mapped_column(BigInteger)  # the employee, or None for a unit entry
    department_id: Mapped[int | None] = mapped_column(BigInteger)  # the unit (STF-14), or the employee's
    role: Mapped[str | None] = mapped_column(String(50))  # the role the entry was priced for (STF-02/10)
    kind: Mapped[str] = mapped_column(String(10))  # penalty | reward | flag
    unit: Mapped[str] = mapped_column(String(10))  # yuan | points
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # positive; a reversal carries the opposite sign
    base_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # before the multiplier (STF-10)
    multiplier: Mapped[int] = mapped_column(Integer, default=1)
    offence: Mapped[str] = mapped_column(String(80))  # offence code of the catalog, or an event code
    rule_id: Mapped[str] = mapped_column(String(60))  # CMP-70, STF-11, CUS-73...
    label: Mapped[str | None] = mapped_column(String(80))  # HR flag action label (STF-12)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sequence_in_month: Mapped[int | None] = mapped_column(Integer)  # n-th occurrence of the offence family
    payroll_month: Mapped[dt.date] = mapped_column(Date)  # first day of the month it is deducted in
    state: Mapped[str] = mapped_column(String(20))
    pay_in_cash_by: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # STF-13: paid to finance the same day
    reverses_id: Mapped[int | None] = mapped_column(BigInteger)  # a reversal names the entry it reverses
    reason_zh: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict] = mapped_column(JSONType, default=dict)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))  # one entry per automatic event
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class StaffFundPosting(TenantScoped, db.Model):
    """The fines of a pay month credited to the tenant's department fund (``stf.fund``, STF-01): one row
    per month and fund, added to when a late fine of the month is deducted."""

    __tablename__ = "staff_fund_postings"
    __table_args__ = (UniqueConstraint("tenant_id", "month", "fund"),)

    month: Mapped[dt.date] = mapped_column(Date)
    fund: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    entries: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
