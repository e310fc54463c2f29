"""Tables of the correction loop (STF-11).

- :class:`StaffCorrection` — an order to correct a violation (a ledger entry): by when each limit ends,
  how many limits were missed (each one a repeat entry of the violation, dated at the end of the
  limit), and when it was corrected. One order per violation.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantScoped, UTCDateTime, db, utcnow

STATES = ("open", "corrected")


class StaffCorrection(TenantScoped, db.Model):
    __tablename__ = "staff_corrections"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "entry_id"], ["staff_entries.tenant_id", "staff_entries.id"]),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        UniqueConstraint("tenant_id", "entry_id"),
        Index("ix_staff_corrections_due", "tenant_id", "state", "next_check_at"),
    )

    entry_id: Mapped[int] = mapped_column(BigInteger)  # the violation ordered corrected
    user_id: Mapped[int] = mapped_column(BigInteger)
    offence: Mapped[str] = mapped_column(String(80))
    ordered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ordered_by: Mapped[int | None] = mapped_column(BigInteger)
    within: Mapped[str] = mapped_column(String(40))  # the correction limit, e.g. "1 working_days"
    state: Mapped[str] = mapped_column(String(20), default="open")
    repeats: Mapped[int] = mapped_column(Integer, default=0)  # limits missed so far (repeat entries written)
    next_check_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # end of the running limit
    corrected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    corrected_by: Mapped[int | None] = mapped_column(BigInteger)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
