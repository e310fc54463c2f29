"""Tables of return visits after resolution (CMP-60..63).

- :class:`VisitSelection` — one row per complaint case: the CMP-61 exemption flag set before
  resolution (a superior authority asked only for a written reply, with the reply letter) and, once
  resolved, the CMP-60 decision: ``selected`` (always or to keep the rate), ``not_selected`` or
  ``exempt``, with the counts the rate was judged on. A case without a decision (``outcome`` null)
  is what the sweep picks up; a decided case is never judged again.
- :class:`ReturnVisit` — one visit of a case (the first after resolution, then follow-ups for new
  issues, CMP-62): due time, the seniority required and the visitor (CMP-60, never the accused
  CMP-21), and once done the mode (on site with the customer's signature, or 电话回访), the ratings of
  attitude, skill and outcome (CMP-63).
- :class:`VisitIssue` — a doubt or old problem found on a visit (CMP-63): sent to the service
  manager, who assigns someone within the limit (else escalation); it ends with an outcome.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

SELECTION_OUTCOMES = ("selected", "not_selected", "exempt")
VISIT_STATES = ("planned", "done", "cancelled")
VISIT_MODES = ("on_site", "phone")
ISSUE_STATES = ("open", "assigned", "settled")


def _fk(column: str, table: str):
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


class VisitSelection(TenantScoped, db.Model):
    __tablename__ = "complaint_visit_selections"
    __table_args__ = (
        UniqueConstraint("tenant_id", "complaint_id"),
        _fk("complaint_id", "complaints"),
        Index("ix_complaint_visit_selections_month", "tenant_id", "month", "resolved_at"),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    # CMP-61: set before resolution by a supervisor
    written_reply_only: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_letter: Mapped[str | None] = mapped_column(Text)  # the reply letter (text or a document reference)
    flagged_by: Mapped[int | None] = mapped_column(BigInteger)
    flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # CMP-60: the decision once resolved
    outcome: Mapped[str | None] = mapped_column(String(20))  # selected | not_selected | exempt
    reason: Mapped[str | None] = mapped_column(String(30))  # always | rate | rate_met | anonymous | written_reply_only
    month: Mapped[dt.date | None] = mapped_column(Date)  # first day of the local month of the resolution
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    severity: Mapped[str | None] = mapped_column(String(20))
    visited_before: Mapped[int | None] = mapped_column(Integer)  # selected cases of the month before this one
    resolved_count: Mapped[int | None] = mapped_column(Integer)  # eligible resolved cases so far, this one counted
    rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # the rate in force (percent)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ReturnVisit(TenantScoped, db.Model):
    __tablename__ = "complaint_return_visits"
    __table_args__ = (
        UniqueConstraint("tenant_id", "complaint_id", "number"),
        _fk("complaint_id", "complaints"),
        _fk("visitor_id", "users"),
        Index("ix_complaint_return_visits_due", "tenant_id", "state", "due_at"),
        Index("ix_complaint_return_visits_visitor", "tenant_id", "visitor_id", "state"),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[int] = mapped_column(Integer)  # 1 = the visit after resolution, 2.. = follow-ups (CMP-62)
    reason: Mapped[str] = mapped_column(String(20))  # after_resolution | follow_up
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the instant it is late from
    visitor_roles: Mapped[list] = mapped_column(JSONType, default=list)  # least seniority (CMP-60)
    visitor_id: Mapped[int | None] = mapped_column(BigInteger)
    assigned_by: Mapped[int | None] = mapped_column(BigInteger)  # None: assigned by the rule
    state: Mapped[str] = mapped_column(String(20), default="planned")
    mode: Mapped[str | None] = mapped_column(String(20))  # on_site | phone (CMP-62)
    label: Mapped[str | None] = mapped_column(String(40))  # 电话回访 for a phone visit
    customer_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    signature_ref: Mapped[str | None] = mapped_column(String(500))
    visited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    rating_attitude: Mapped[int | None] = mapped_column(Integer)  # 1..5 (CMP-63)
    rating_skill: Mapped[int | None] = mapped_column(Integer)
    rating_outcome: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    overdue_alerted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitIssue(TenantScoped, db.Model):
    __tablename__ = "complaint_visit_issues"
    __table_args__ = (
        _fk("complaint_id", "complaints"),
        _fk("visit_id", "complaint_return_visits"),
        _fk("assignee_id", "users"),
        Index("ix_complaint_visit_issues_assign", "tenant_id", "state", "assign_due_at"),
        Index("ix_complaint_visit_issues_case", "tenant_id", "complaint_id"),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    visit_id: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text)
    found_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    manager_id: Mapped[int | None] = mapped_column(BigInteger)  # the service manager it went to
    assign_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reply_by: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the reply time appointed (CMP-62)
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
