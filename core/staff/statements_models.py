"""Monthly statements (STF-34): one per employee and month, issued on ``stf.statement.day`` for the
previous month and confirmed (signed) by the employee before payroll.

The figures are a snapshot taken when the statement is issued: performance and commission (the
employee's shares of the deals counting in the month, reversals included), penalties and rewards of
the staff ledger on that month's pay; ``lines`` lists the shares.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db

STATEMENT_STATES = ("issued", "confirmed")


class Statement(TenantScoped, db.Model):
    __tablename__ = "staff_statements"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        UniqueConstraint("tenant_id", "user_id", "month"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger)
    month: Mapped[dt.date] = mapped_column(Date)  # first day of the month it covers
    performance: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    commission: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    penalty_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    penalty_points: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reward_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reward_points: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    lines: Mapped[list] = mapped_column(JSONType, default=list)
    state: Mapped[str] = mapped_column(String(20))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
