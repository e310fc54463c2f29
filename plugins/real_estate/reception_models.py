"""Tables of the sales office's reception and of the facts attribution reads (RE-01..05, RE-10..27).

- :class:`ReceptionDay` — one day of one project's rotation (RE-01): the manager's order, the rotation
  state (pointer, owed make-up turns, absences: :class:`plugins.real_estate.rotation_rules.DayRotation`
  as JSON). Locked (``SELECT … FOR UPDATE``) while an arrival is judged: two arrivals never take the
  same turn.
- :class:`Reception` — one visit or call as the sales office received it: the core's register line
  (``register_entry_id``, CUS-80) plus what the office records around it: the answer to "visited
  before? who received you?" (RE-05), who was named, designated or refused, who assisted for whom
  (RE-14), who was on the floor, the standby, the event (launch/fair, RE-24), a referral (RE-21),
  the late-entry flag (RE-03), the intent class and the record of the visit (background, deal status,
  reasons for no deal or cancellation).
- :class:`MeetingMinutes` and :class:`MeetingLine` — the evening meeting (晚会) record of a day: one line
  per customer discussed, with the salesperson; the second piece of attribution evidence (RE-03, RE-10).
- :class:`AttributionEvent` — facts that change an attribution: a complaint against a salesperson
  (RE-15, with the CMP case and its verification), discount-seeking (RE-17), a quarrel (RE-25).
- :class:`AttributionOverride` — a manager's attribution of a customer (RE-24 launch days and fairs,
  one reason for a batch; CUS-34).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

RECEPTION_KINDS = ("visit", "call")
#: how the visit was received (rotation_rules.Reception.kind)
RECEIVED_AS = ("regular", "make_up", "returning", "designated", "assisted", "none")
VISITED_BEFORE = ("yes", "no")
EVENTS = ("launch", "fair", "promotion")
INTENT_CLASSES = ("A", "B", "C")
DEAL_STATUSES = ("none", "considering", "small_deposit", "big_deposit", "subscribed", "contracted", "cancelled")
ATTRIBUTION_EVENT_KINDS = ("complaint", "discount_seeking", "quarrel")
ATTRIBUTION_EVENT_STATUSES = ("pending", "verified", "rejected")


def user_fk(column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["users.tenant_id", "users.id"])


def ref_fk(column: str, table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


class ReceptionDay(TenantScoped, db.Model):
    """One project's rotation on one local day (RE-01)."""

    __tablename__ = "re_reception_days"
    __table_args__ = (
        ref_fk("project_id", "re_projects"),
        UniqueConstraint("tenant_id", "project_id", "day"),
    )

    project_id: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[dt.date] = mapped_column(Date)
    order: Mapped[list] = mapped_column(JSONType, default=list)  # user ids, the manager's order of the day
    state: Mapped[dict] = mapped_column(JSONType, default=dict)  # DayRotation.to_json()
    set_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Reception(TenantScoped, db.Model):
    """One visitor or caller as the sales office received them."""

    __tablename__ = "re_receptions"
    __table_args__ = (
        ref_fk("project_id", "re_projects"),
        ref_fk("customer_id", "customers"),
        ref_fk("register_entry_id", "register_entries"),
        user_fk("receiver_id"),
        Index("ix_re_receptions_day", "tenant_id", "project_id", "day"),
        Index("ix_re_receptions_customer", "tenant_id", "customer_id", "at"),
    )

    project_id: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[dt.date] = mapped_column(Date)  # local day of ``at``
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # when the customer came or called
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it was written
    late_entry: Mapped[bool] = mapped_column(Boolean, default=False)  # RE-03: not written the same day
    kind: Mapped[str] = mapped_column(String(10))  # RECEPTION_KINDS
    customer_id: Mapped[int] = mapped_column(BigInteger)
    register_entry_id: Mapped[int | None] = mapped_column(BigInteger)  # the core's CUS-80 line
    visited_before: Mapped[str] = mapped_column(String(5))  # RE-05 answer: yes | no
    said_received_by: Mapped[int | None] = mapped_column(BigInteger)  # RE-05 "who received you?"
    named: Mapped[list] = mapped_column(JSONType, default=list)  # user ids the customer named, in order
    designated_id: Mapped[int | None] = mapped_column(BigInteger)
    refused_id: Mapped[int | None] = mapped_column(BigInteger)  # RE-13: the customer refuses this salesperson
    receiver_id: Mapped[int | None] = mapped_column(BigInteger)
    received_as: Mapped[str] = mapped_column(String(20))  # RECEIVED_AS
    turn_consumed: Mapped[bool] = mapped_column(Boolean, default=False)
    assisting_for: Mapped[int | None] = mapped_column(BigInteger)  # RE-14: the absent owner
    standby_id: Mapped[int | None] = mapped_column(BigInteger)
    present: Mapped[list] = mapped_column(JSONType, default=list)  # salespeople on the floor at ``at``
    forgot: Mapped[bool] = mapped_column(Boolean, default=False)  # RE-18: could not say who received them
    event: Mapped[str | None] = mapped_column(String(20))  # RE-24: EVENTS
    referred_by_customer_id: Mapped[int | None] = mapped_column(BigInteger)  # RE-21
    intent_class: Mapped[str | None] = mapped_column(String(1))  # RE-51
    background: Mapped[str | None] = mapped_column(Text)
    deal_status: Mapped[str] = mapped_column(String(20), default="none")
    no_deal_reason: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    suggestions: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the RE-01/02/14 decision
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingMinutes(TenantScoped, db.Model):
    """The evening meeting of one project's day (RE-03)."""

    __tablename__ = "re_meeting_minutes"
    __table_args__ = (
        ref_fk("project_id", "re_projects"),
        user_fk("recorded_by"),
        UniqueConstraint("tenant_id", "project_id", "day"),
    )

    project_id: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingLine(TenantScoped, db.Model):
    """One customer in the evening minutes, with the salesperson who received them."""

    __tablename__ = "re_meeting_lines"
    __table_args__ = (
        ref_fk("minutes_id", "re_meeting_minutes"),
        ref_fk("customer_id", "customers"),
        user_fk("salesperson_id"),
        UniqueConstraint("tenant_id", "minutes_id", "customer_id"),
        Index("ix_re_meeting_lines_customer", "tenant_id", "customer_id"),
    )

    minutes_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    salesperson_id: Mapped[int] = mapped_column(BigInteger)
    new_customer: Mapped[bool] = mapped_column(Boolean, default=True)
    follow_up: Mapped[str | None] = mapped_column(Text)  # RE-51: the day's follow-up reported


class AttributionEvent(TenantScoped, db.Model):
    """A complaint against a salesperson (RE-15), discount-seeking (RE-17) or a quarrel (RE-25)."""

    __tablename__ = "re_attribution_events"
    __table_args__ = (
        ref_fk("customer_id", "customers"),
        Index("ix_re_attribution_events_customer", "tenant_id", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # ATTRIBUTION_EVENT_KINDS
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    against_id: Mapped[int | None] = mapped_column(BigInteger)  # complaint: the salesperson complained about
    approached_id: Mapped[int | None] = mapped_column(BigInteger)  # discount-seeking: who was asked
    parties: Mapped[list] = mapped_column(JSONType, default=list)  # quarrel: the salespeople
    unit_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # complaint: ATTRIBUTION_EVENT_STATUSES
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    complaint_id: Mapped[int | None] = mapped_column(BigInteger)  # the CMP case (RE-15)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttributionOverride(TenantScoped, db.Model):
    """A manager's attribution of one customer (RE-24): the sets as ``[{user_id|department_id, percent}]``."""

    __tablename__ = "re_attribution_overrides"
    __table_args__ = (
        ref_fk("customer_id", "customers"),
        user_fk("decided_by"),
        Index("ix_re_attribution_overrides_customer", "tenant_id", "customer_id"),
    )

    batch: Mapped[str] = mapped_column(String(40))  # one reason for the batch
    customer_id: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str | None] = mapped_column(String(20))
    performance: Mapped[list] = mapped_column(JSONType, default=list)
    bonus: Mapped[list] = mapped_column(JSONType, default=list)
    follow_up_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
