"""Tables of return visits after service (SVC-14) and the issues found on them (CMP-63).

- :class:`ServiceReturnVisit` — one decision per completed order and round (``round`` = the order's
  rework count: a reworked order gets a visit of its own after its next feedback form): selected for
  a visit (``due`` → ``overdue`` when the sweep finds it late → ``done`` once recorded) or
  ``not_selected`` when the month's rate ``svc.return_visit.rate`` is met. It keeps what the rate was
  judged on, the due date (``due_on`` the last local day, ``due_at`` the instant it is late from), the
  visitor, and once done the mode, who came as the customer says, the ratings and the result.
- :class:`ServiceVisitIssue` — a doubt or unresolved problem found on a visit (CMP-63): sent to the
  service manager, who assigns someone within ``cmp.return_visit.issue_assign_within`` (else it
  escalates); it ends with an outcome.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, \
    UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

VISIT_STATES = ("due", "overdue", "done", "not_selected")
OPEN_VISIT_STATES = ("due", "overdue")
VISIT_REASONS = ("feedback", "remote_completion")
VISIT_MODES = ("phone", "on_site")
VISIT_OUTCOMES = ("resolved", "partly", "unresolved")
ISSUE_STATES = ("open", "assigned", "settled")


def _fk(column: str, table: str):
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


class ServiceReturnVisit(TenantScoped, db.Model):
    __tablename__ = "service_return_visits"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id", "round"),
        _fk("order_id", "work_orders"),
        _fk("customer_id", "customers"),
        _fk("visitor_id", "users"),
        _fk("who_came_id", "users"),
        Index("ix_service_return_visits_due", "tenant_id", "state", "due_at"),
        Index("ix_service_return_visits_month", "tenant_id", "month"),
        Index("ix_service_return_visits_customer", "tenant_id", "customer_id", "visited_at"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    round: Mapped[int] = mapped_column(Integer, default=0)  # the order's rework count when decided
    customer_id: Mapped[int | None] = mapped_column(BigInteger)  # the order's, for the customer's timeline
    reason: Mapped[str] = mapped_column(String(20))  # feedback | remote_completion
    trigger_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the form received / the remote completion
    # the monthly rate (svc.return_visit.rate), as CMP-60
    month: Mapped[dt.date] = mapped_column(Date)  # first day of the local month of trigger_at
    selected: Mapped[bool] = mapped_column(Boolean, default=True)
    selection_reason: Mapped[str] = mapped_column(String(20))  # all | rate | rate_met
    rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    visited_before: Mapped[int] = mapped_column(Integer, default=0)  # selected orders of the month before it
    decided_count: Mapped[int] = mapped_column(Integer, default=1)  # decided orders of the month, this one counted
    due_on: Mapped[dt.date] = mapped_column(Date)  # the last local day in time ("through")
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the instant it is late from
    state: Mapped[str] = mapped_column(String(20), default="due")
    visitor_id: Mapped[int | None] = mapped_column(BigInteger)
    # the visit once recorded
    visited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    mode: Mapped[str | None] = mapped_column(String(20))  # phone | on_site
    label: Mapped[str | None] = mapped_column(String(40))  # 电话回访 for a phone visit
    who_came: Mapped[str | None] = mapped_column(String(200))  # the technician as the customer names them
    who_came_id: Mapped[int | None] = mapped_column(BigInteger)  # ... when the visitor could tell who it was
    attitude: Mapped[int | None] = mapped_column(Integer)  # 1..5
    skill: Mapped[int | None] = mapped_column(Integer)  # 1..5
    outcome: Mapped[str | None] = mapped_column(String(20))  # resolved | partly | unresolved
    notes: Mapped[str | None] = mapped_column(Text)
    overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # when the sweep found it late
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceVisitIssue(TenantScoped, db.Model):
    __tablename__ = "service_visit_issues"
    __table_args__ = (
        _fk("visit_id", "service_return_visits"),
        _fk("order_id", "work_orders"),
        _fk("manager_id", "users"),
        _fk("assignee_id", "users"),
        Index("ix_service_visit_issues_assign", "tenant_id", "state", "assign_due_at"),
        Index("ix_service_visit_issues_visit", "tenant_id", "visit_id"),
    )

    visit_id: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text)
    found_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    manager_id: Mapped[int | None] = mapped_column(BigInteger)  # the service manager it went to
    assign_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    assigned_by: Mapped[int | None] = mapped_column(BigInteger)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default="open")
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome_by: Mapped[int | None] = mapped_column(BigInteger)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_to: Mapped[list] = mapped_column(JSONType, default=list)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
