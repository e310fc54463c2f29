"""Tables of changes after the deal (RE-40..43) and of the office's plans and follow-up sheet (RE-51/52).

- :class:`Instalment` — one payment of a subscription's schedule (RE-42): due day, amount, when finance
  recorded it paid, the payment-demand notice (催款通知单) and the breach handling with their decisions.
- :class:`Change` — a swap (换房, RE-40), a rename (换名, RE-41) or a refund (退房, RE-43): what was asked,
  the check's outcome, the fee, the retention attempt, the manager's approval, when it was done.
- :class:`Plan` — a salesperson's (or manager's) daily plan with its end-of-day summary, or the weekly
  plan (RE-52).
- :class:`FollowUpEntry` — a line of the A/B follow-up sheet (客户追踪表, RE-51): a customer's intent class
  and the day's follow-up as reported at the evening meeting.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantScoped, UTCDateTime, db, utcnow
from plugins.real_estate.reception_models import ref_fk, user_fk

CHANGE_KINDS = ("swap", "rename", "refund")
CHANGE_STATUSES = ("requested", "approved", "done", "refused", "withdrawn")
PLAN_KINDS = ("daily", "weekly")


class Instalment(TenantScoped, db.Model):
    __tablename__ = "re_instalments"
    __table_args__ = (
        ref_fk("subscription_id", "re_subscriptions"),
        UniqueConstraint("tenant_id", "subscription_id", "seq"),
        Index("ix_re_instalments_due", "tenant_id", "due_on"),
    )

    subscription_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    receipt_no: Mapped[str | None] = mapped_column(String(50))
    notice_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # RE-42 payment-demand notice issued
    notice_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    breach_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # breach handling started
    breach_decision_id: Mapped[int | None] = mapped_column(BigInteger)


class Change(TenantScoped, db.Model):
    __tablename__ = "re_changes"
    __table_args__ = (
        ref_fk("subscription_id", "re_subscriptions"),
        user_fk("requested_by"),
        Index("ix_re_changes_subscription", "tenant_id", "subscription_id"),
    )

    kind: Mapped[str] = mapped_column(String(10))  # CHANGE_KINDS
    subscription_id: Mapped[int] = mapped_column(BigInteger)
    from_unit_id: Mapped[int | None] = mapped_column(BigInteger)
    to_unit_id: Mapped[int | None] = mapped_column(BigInteger)  # swap
    old_name: Mapped[str | None] = mapped_column(String(100))  # rename
    new_name: Mapped[str | None] = mapped_column(String(100))
    fee: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # rename after the contract (RE-41)
    fee_paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    fee_receipt_no: Mapped[str | None] = mapped_column(String(50))
    retention_note: Mapped[str | None] = mapped_column(Text)  # refund: the retention attempt (RE-43)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="requested")  # CHANGE_STATUSES
    requested_by: Mapped[int] = mapped_column(BigInteger)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)


class Plan(TenantScoped, db.Model):
    __tablename__ = "re_plans"
    __table_args__ = (user_fk("user_id"), UniqueConstraint("tenant_id", "user_id", "kind", "day"))

    user_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))  # PLAN_KINDS
    day: Mapped[dt.date] = mapped_column(Date)  # the day planned (weekly: the weekly-plan day it is for, RE-52)
    plan: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)  # daily: the end-of-day summary
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    summarised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class FollowUpEntry(TenantScoped, db.Model):
    __tablename__ = "re_follow_ups"
    __table_args__ = (
        ref_fk("customer_id", "customers"),
        user_fk("salesperson_id"),
        Index("ix_re_follow_ups_customer", "tenant_id", "customer_id", "day"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    salesperson_id: Mapped[int] = mapped_column(BigInteger)
    intent_class: Mapped[str] = mapped_column(String(1))  # A | B | C at the time
    day: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[int | None] = mapped_column(BigInteger)
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
