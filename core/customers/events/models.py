"""Events and invitations (CUS-81), the lists departments hand in for joint events (CUS-82).

- :class:`CustomerEvent` — a lecture, club meeting, joint meeting, roadshow, fair or launch: start time
  (UTC), session (afternoon | evening).
- :class:`EventDivision` — a department taking part in an event, with its code for the settings
  (``div1``, ``div2``: ``cus.events.plan_lead_days``, ``next_day_plan_required``).
- :class:`EventInvitation` — customer, department, employee, invited and confirmed times, effective day
  (CAL-07), state planned → confirmed → listed → attended → sold (``lost`` when CUS-83 judged the
  customer another department's; ``lost_to_id`` names the winner).
- :class:`EventList` — a list a department handed in (or, written by the nightly check, failed to hand
  in): confirmed customers of a day, or the plan of a day; its cut-off, status and the CUS-82 finding.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantOwned, TenantScoped, UTCDateTime, db, utcnow


def _fk(columns: list[str], table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", f"{table}.id"])


class CustomerEvent(TenantScoped, db.Model):
    __tablename__ = "customer_events"
    __table_args__ = (Index("ix_customer_events_starts_at", "tenant_id", "starts_at"),)

    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    session: Mapped[str] = mapped_column(String(20))
    venue: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventDivision(TenantOwned, db.Model):
    __tablename__ = "customer_event_divisions"
    __table_args__ = (
        _fk(["event_id"], "customer_events"),
        _fk(["department_id"], "departments"),
        UniqueConstraint("tenant_id", "event_id", "code"),
    )

    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    department_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer)


class EventInvitation(TenantScoped, db.Model):
    __tablename__ = "event_invitations"
    __table_args__ = (
        _fk(["event_id"], "customer_events"),
        _fk(["customer_id"], "customers"),
        _fk(["department_id"], "departments"),
        _fk(["employee_id"], "users"),
        Index("ix_event_invitations_event_customer", "tenant_id", "event_id", "customer_id"),
        Index("ix_event_invitations_customer", "tenant_id", "customer_id"),
    )

    event_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    department_id: Mapped[int] = mapped_column(BigInteger)
    employee_id: Mapped[int] = mapped_column(BigInteger)  # the inviting employee
    state: Mapped[str] = mapped_column(String(20))
    invited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    effective_day: Mapped[dt.date | None] = mapped_column(Date)  # CAL-07 day of the confirmation
    listed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    list_id: Mapped[int | None] = mapped_column(BigInteger)
    listed_on_time: Mapped[bool | None] = mapped_column(Boolean)
    attended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attendance_by: Mapped[int | None] = mapped_column(BigInteger)
    sold_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lost_to_id: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the CUS-83 judgement, when contested
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventList(TenantScoped, db.Model):
    __tablename__ = "event_lists"
    __table_args__ = (
        _fk(["event_id"], "customer_events"),
        _fk(["department_id"], "departments"),
        UniqueConstraint("tenant_id", "event_id", "department_id", "kind", "day"),
    )

    event_id: Mapped[int] = mapped_column(BigInteger)
    department_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # confirmed | plan
    day: Mapped[dt.date] = mapped_column(Date)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # None: missing
    submitted_by: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))  # on_time | late | missing
    customer_ids: Mapped[list] = mapped_column(JSONType, default=list)
    fine: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    fined_user_id: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the CUS-82 finding of the check
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
