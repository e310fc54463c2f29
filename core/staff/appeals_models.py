"""Table of written appeals against penalty slips (STF-21).

:class:`SlipAppeal` — one appeal per slip, received within the appeal window; the written reply is
due ``reply_due_at`` (24:00 of its last day); ``state`` ``open → replied`` with an ``outcome``
(upheld | modified | revoked, the last two reversing part or all of the entry by ``reversal_entry_id``).
An open appeal past its due time is escalated once (``escalated_at`` = the due instant,
``escalated_to`` = the department head's superior).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantScoped, UTCDateTime, db, utcnow

APPEAL_STATES = ("open", "replied")
OUTCOMES = ("upheld", "modified", "revoked")


class SlipAppeal(TenantScoped, db.Model):
    __tablename__ = "staff_appeals"
    __table_args__ = (
        UniqueConstraint("tenant_id", "slip_id"),
        ForeignKeyConstraint(["tenant_id", "slip_id"], ["staff_slips.tenant_id", "staff_slips.id"]),
        ForeignKeyConstraint(["tenant_id", "staff_entry_id"], ["staff_entries.tenant_id", "staff_entries.id"]),
        ForeignKeyConstraint(["tenant_id", "reversal_entry_id"], ["staff_entries.tenant_id", "staff_entries.id"]),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        Index("ix_staff_appeals_due", "tenant_id", "state", "reply_due_at"),
    )

    slip_id: Mapped[int] = mapped_column(BigInteger)
    staff_entry_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)  # the appellant (the penalised employee)
    text: Mapped[str] = mapped_column(Text)  # the written appeal
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    submitted_by: Mapped[int] = mapped_column(BigInteger)  # the employee, or a manager entering a paper appeal
    reply_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default="open")
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    replied_by: Mapped[int | None] = mapped_column(BigInteger)
    reply_text: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(20))
    new_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    reversal_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_to: Mapped[int | None] = mapped_column(BigInteger)
    escalation_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    policy_version: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
