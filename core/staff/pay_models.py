"""The month's commission scheme and scored pay (STF-41, STF-42, STF-44).

- :class:`PayScheme` — a department's scheme for one month, drafted by the department: each
  employee's performance-pay base (``bases``: user id → yuan), the department's targets or its result
  (STF-42) and the tenant's own text (commission rates...). It applies only once the GM approves it
  (``draft → approved``); approving starts the job ``stf.pay_run``.
- :class:`PayResult` — one employee's scored pay for the month: score → band → department modifier
  → pay, or ``held`` with the reason (no score yet, a score under appeal, an unconfirmed statement).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

SCHEME_STATES = ("draft", "approved")
RESULT_STATES = ("computed", "held")
DEPARTMENT_RESULTS = ("challenge", "met", "missed")


class PayScheme(TenantScoped, db.Model):
    __tablename__ = "staff_pay_schemes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
        UniqueConstraint("tenant_id", "department_id", "month"),
    )

    department_id: Mapped[int] = mapped_column(BigInteger)
    month: Mapped[dt.date] = mapped_column(Date)
    bases: Mapped[dict] = mapped_column(JSONType, default=dict)  # {"<user id>": "3000.00"}
    target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # the department's monthly performance target
    challenge_target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    department_result: Mapped[str | None] = mapped_column(String(20))  # challenge | met | missed, when stated
    note: Mapped[str | None] = mapped_column(Text)  # the scheme's own text: commission rates, criteria
    state: Mapped[str] = mapped_column(String(20))
    drafted_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    job_id: Mapped[int | None] = mapped_column(BigInteger)


class PayResult(TenantScoped, db.Model):
    __tablename__ = "staff_pay_results"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "scheme_id"], ["staff_pay_schemes.tenant_id", "staff_pay_schemes.id"]),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        UniqueConstraint("tenant_id", "user_id", "month"),
    )

    scheme_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    month: Mapped[dt.date] = mapped_column(Date)
    base: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    state: Mapped[str] = mapped_column(String(20))  # computed | held
    held_reason: Mapped[str | None] = mapped_column(String(40))  # no_score | score_appealed | statement_unconfirmed
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    band: Mapped[str | None] = mapped_column(String(20))  # "[60, 90)"
    factor: Mapped[Decimal | None] = mapped_column(Numeric(6, 4))
    banded: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    department_result: Mapped[str | None] = mapped_column(String(20))
    modifier_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    modifier: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    pay: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
