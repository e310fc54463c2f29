"""Tables of performance credit (STF-30..33).

- :class:`PerformanceCredit` — one deal's credit (``kind = deal``): what was sold (subject), the
  amount, the owner (and a probationer's mentor), when it was recorded, when it counts
  (``recognised_at`` and the local ``recognised_month``; ``state = pending`` until then) and the
  attribution decision in force (``decision_id``). A reversal (STF-33) is a credit of its own
  (``kind = reversal``, negative amount, counted in the reversal month) linked by ``reverses_id``; the
  original is never changed, except that a deal reversed before it counted is ``cancelled``.
- :class:`CreditShare` — one holder's share of one set (``performance`` or ``bonus``) under one
  attribution decision. Shares are never edited: a new decision writes a new set and the credit points
  to it; the old rows stay with the superseded decision.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

CREDIT_KINDS = ("deal", "reversal")
CREDIT_STATES = ("pending", "recognised", "cancelled", "reversal")
#: states whose shares count in their recognised month
COUNTED = ("recognised", "reversal")


class PerformanceCredit(TenantScoped, db.Model):
    __tablename__ = "staff_credits"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "mentor_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
        ForeignKeyConstraint(["tenant_id", "reverses_id"], ["staff_credits.tenant_id", "staff_credits.id"]),
        UniqueConstraint("tenant_id", "subject_type", "subject_id", "kind"),
        Index("ix_staff_credits_month", "tenant_id", "recognised_month"),
        Index("ix_staff_credits_owner", "tenant_id", "owner_id"),
    )

    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))  # deal | reversal
    reference: Mapped[str | None] = mapped_column(String(200))  # what people call it: "car #88"
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # negative for a reversal
    owner_id: Mapped[int] = mapped_column(BigInteger)
    mentor_id: Mapped[int | None] = mapped_column(BigInteger)  # STF-32
    department_id: Mapped[int | None] = mapped_column(BigInteger)  # the owner's, when the deal was made
    deal_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20))
    recognised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recognised_month: Mapped[dt.date | None] = mapped_column(Date)  # first day of the local month it counts in
    reverses_id: Mapped[int | None] = mapped_column(BigInteger)
    facts: Mapped[dict] = mapped_column(JSONType, default=dict)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the attribution decision in force
    recognition_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CreditShare(TenantScoped, db.Model):
    __tablename__ = "staff_credit_shares"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "credit_id"], ["staff_credits.tenant_id", "staff_credits.id"]),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
        Index("ix_staff_credit_shares_credit", "tenant_id", "credit_id", "decision_id"),
        Index("ix_staff_credit_shares_user", "tenant_id", "user_id"),
    )

    credit_id: Mapped[int] = mapped_column(BigInteger)
    decision_id: Mapped[int] = mapped_column(BigInteger)  # the attribution decision that made this set
    kind: Mapped[str] = mapped_column(String(20))  # performance | bonus
    position: Mapped[int] = mapped_column(Integer)  # 0: the first holder (takes the residue)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    department_id: Mapped[int | None] = mapped_column(BigInteger)  # forfeited to the department
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
