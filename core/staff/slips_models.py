"""Tables of penalty slips (处罚单, STF-20/22) and of the monthly penalty list (STF-23).

- :class:`PenaltySlip` — the slip of one approved penalty entry (one slip per entry): the facts, the
  penalty opinion and the amount; ``state`` ``issued → effective`` when the employee signs (receipt,
  not agreement), or ``issued → refused → effective`` when enough witnesses sign after a refusal.
  ``appeal_window_ends_at`` is the end of the STF-21 appeal window (24:00 of its last day);
  ``hr_flag_entry_id`` the STF-22 flag written on a refusal with evidence and bad attitude.
- :class:`SlipWitness` — one witness's signature on a refused slip (each user once).
- :class:`PenaltyPublication` — the approved penalties of a payroll month compiled for HR (STF-23):
  a snapshot of the list as published, one per month.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

SLIP_STATES = ("issued", "refused", "effective")
EFFECTIVE_BY = ("signature", "witnesses")


def _user_fk(column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["users.tenant_id", "users.id"])


def _entry_fk(column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["staff_entries.tenant_id", "staff_entries.id"])


class PenaltySlip(TenantScoped, db.Model):
    __tablename__ = "staff_slips"
    __table_args__ = (
        UniqueConstraint("tenant_id", "staff_entry_id"),
        _entry_fk("staff_entry_id"),
        _entry_fk("hr_flag_entry_id"),
        _user_fk("user_id"),
        _user_fk("issued_by"),
        Index("ix_staff_slips_user", "tenant_id", "user_id", "issued_at"),
        Index("ix_staff_slips_window", "tenant_id", "appeal_window_closed_at", "appeal_window_ends_at"),
    )

    staff_entry_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)  # the penalised employee
    facts: Mapped[str] = mapped_column(Text)  # 违纪事实
    opinion: Mapped[str] = mapped_column(Text)  # 处罚意见
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # the entry's amount when issued
    unit: Mapped[str] = mapped_column(String(10))  # yuan | points
    evidence: Mapped[list] = mapped_column(JSONType, default=list)  # references of photos, records...
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(20), default="issued")
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    refused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    refusal_recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    refusal_note: Mapped[str | None] = mapped_column(Text)
    bad_attitude: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    effective_by: Mapped[str | None] = mapped_column(String(20))  # signature | witnesses
    appeal_window_ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    appeal_window_closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # set by stf.appeal_timers
    hr_flag_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    policy_version: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlipWitness(TenantScoped, db.Model):
    __tablename__ = "staff_slip_witnesses"
    __table_args__ = (
        UniqueConstraint("tenant_id", "slip_id", "user_id"),
        ForeignKeyConstraint(["tenant_id", "slip_id"], ["staff_slips.tenant_id", "staff_slips.id"]),
        _user_fk("user_id"),
        _user_fk("recorded_by"),
    )

    slip_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)  # the witness
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int] = mapped_column(BigInteger)  # the witness, or a manager copying a paper slip
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PenaltyPublication(TenantScoped, db.Model):
    __tablename__ = "staff_penalty_publications"
    __table_args__ = (UniqueConstraint("tenant_id", "month"),)

    month: Mapped[dt.date] = mapped_column(Date)  # first day of the payroll month listed
    due_on: Mapped[dt.date] = mapped_column(Date)  # published to HR by this day (the 10th of the next month)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    items: Mapped[list] = mapped_column(JSONType, default=list)
    entry_count: Mapped[int] = mapped_column(Integer)
    totals: Mapped[dict] = mapped_column(JSONType, default=dict)  # {yuan: "...", points: "..."}
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
