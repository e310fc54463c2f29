"""Fees collected in the field (SVC-15).

:class:`ServiceFee` — one fee collected on a work order: parts, labour and the total, the invoice or
receipt number, when and by whom it was collected (and who entered it), whether the order was in
warranty then, the time the money is due at finance (``remit_due_at``, 24:00 of ``remit_due_on``
unless the calendar says otherwise), and its state: ``collected`` (the collector holds the money),
``remitted`` (finance received it: when, by whom) or ``void`` (entered by mistake: why, by whom). The
remittance job counts its reminders (``reminders``, ``last_reminded_on``: one per fee and day).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantScoped, UTCDateTime, db, utcnow


def _user_fk(column: str):
    return ForeignKeyConstraint(["tenant_id", column], ["users.tenant_id", "users.id"])


class ServiceFee(TenantScoped, db.Model):
    __tablename__ = "service_fees"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "order_id"], ["work_orders.tenant_id", "work_orders.id"]),
        _user_fk("collector_id"),
        _user_fk("recorded_by"),
        _user_fk("remitted_by"),
        _user_fk("voided_by"),
        Index("ix_service_fees_order", "tenant_id", "order_id"),
        Index("ix_service_fees_state_due", "tenant_id", "state", "remit_due_at"),
        Index("ix_service_fees_collector", "tenant_id", "collector_id", "state"),
        Index("ix_service_fees_receipt", "tenant_id", "receipt_no"),
        Index("ix_service_fees_collected", "tenant_id", "collected_at"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    amount_parts: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    amount_labour: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # parts + labour
    receipt_no: Mapped[str] = mapped_column(String(60))  # the invoice or receipt number
    collected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    collector_id: Mapped[int] = mapped_column(BigInteger)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    in_warranty: Mapped[bool] = mapped_column(Boolean)
    warranty_until: Mapped[dt.date | None] = mapped_column(Date)  # the last day covered, when known
    remit_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    remit_due_on: Mapped[dt.date] = mapped_column(Date)  # the last local day in time ("through")
    state: Mapped[str] = mapped_column(String(20), default="collected")  # collected | remitted | void
    remitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    remitted_by: Mapped[int | None] = mapped_column(BigInteger)  # finance
    remit_note: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    voided_by: Mapped[int | None] = mapped_column(BigInteger)
    void_reason: Mapped[str | None] = mapped_column(Text)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_on: Mapped[dt.date | None] = mapped_column(Date)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
