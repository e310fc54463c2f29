"""Tables of grades, tiers and key accounts (CUS-50..CUS-52).

- :class:`CustomerGrade` — a customer's current tier in one scheme (one row per customer and scheme).
- :class:`GradeChange` — every change of a tier, automatic (numeric criterion) or manual (reason and
  approver), with its decision (CUS-50 grade history).
- :class:`KeyAccount` — a customer marked key account (CUS-51): qualified by the thresholds, or
  flagged manually as a potential one with a reason; one row per customer.
- :class:`GradingTask` — a grading that is due (CUS-52): the formal grade of a new customer
  (``kind = formal``) or the annual review of a year (``kind = annual``, ``cycle = "2027"``); done
  when a non-temporary grade decision of the scheme is made.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, TenantScoped, UTCDateTime, db, utcnow

CHANGE_KINDS = ("automatic", "manual")
KA_STATUSES = ("key_account", "potential")
TASK_KINDS = ("formal", "annual")
TASK_STATUSES = ("open", "done")


def _customer_fk():
    return ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"])


class CustomerGrade(TenantOwned, db.Model):
    """A customer's current tier in ``scheme`` (CUS-50)."""

    __tablename__ = "customer_grades"
    __table_args__ = (_customer_fk(), Index("ix_customer_grades_scheme_tier", "tenant_id", "scheme", "tier"))

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(30), primary_key=True)
    tier: Mapped[str] = mapped_column(String(30))
    temporary: Mapped[bool] = mapped_column(Boolean, default=False)
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    change_id: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class GradeChange(TenantScoped, db.Model):
    """One change (or confirmation) of a customer's tier in a scheme, with its decision (CUS-50)."""

    __tablename__ = "grade_changes"
    __table_args__ = (_customer_fk(), Index("ix_grade_changes_customer", "tenant_id", "customer_id", "scheme", "at"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    scheme: Mapped[str] = mapped_column(String(30))
    from_tier: Mapped[str | None] = mapped_column(String(30))
    to_tier: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))  # automatic | manual
    temporary: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    rule_id: Mapped[str] = mapped_column(String(60))
    decision_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeyAccount(TenantOwned, db.Model):
    """A customer marked key account (CUS-51)."""

    __tablename__ = "key_accounts"
    __table_args__ = (_customer_fk(), Index("ix_key_accounts_status", "tenant_id", "status"))

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # key_account | potential
    basis: Mapped[str] = mapped_column(String(100))  # purchases,profit_share | potential
    reason: Mapped[str | None] = mapped_column(Text)  # the reason of a manual flag
    marked_by: Mapped[int | None] = mapped_column(BigInteger)  # a user for a manual flag
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decision_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class GradingTask(TenantScoped, db.Model):
    """A grading due for a customer (CUS-52); the natural key is (customer, scheme, kind, cycle)."""

    __tablename__ = "grading_tasks"
    __table_args__ = (
        _customer_fk(),
        UniqueConstraint("tenant_id", "customer_id", "scheme", "kind", "cycle"),
        Index("ix_grading_tasks_open", "tenant_id", "status", "due_at"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    scheme: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))  # formal | annual
    cycle: Mapped[str] = mapped_column(String(20))  # "formal" | the year of the annual window
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # 24:00 of the last day in time
    due_through: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    change_id: Mapped[int | None] = mapped_column(BigInteger)  # the grade decision that did it
    overdue_decision_id: Mapped[int | None] = mapped_column(BigInteger)  # listed as ungraded (CUS-52)
    decision_id: Mapped[int] = mapped_column(BigInteger)  # why it is due
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
