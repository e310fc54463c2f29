"""Tables of follow-ups, visits and surveys (DOMAIN.md 3.7, CUS-61..CUS-64).

- :class:`DueVisit` — one visit a performer owes a customer in a period (CUS-61), by natural key
  (customer, role, period, slot): re-generating never duplicates it. ``status`` open | done |
  overdue; ``contact_entry_id`` names the contact-log entry that fulfilled it.
- :class:`VisitPlan` / :class:`PlannedVisit` — a salesperson's monthly visit plan, reviewed by a
  supervisor; each planned visit has a purpose, expenses and gifts requested (CUS-62). A plan row
  with status ``missing`` is the flag of a plan not submitted in time.
- :class:`VisitReport` — the report of a visit (a contact-log entry of a visit channel), due
  ``cus.visits.report_within`` after it and reviewed (CUS-62).
- :class:`Commitment` — a promise to a customer with an owner and a due time (CUS-63).
- :class:`SurveyRound` / :class:`SurveyResponse` / :class:`CorrectiveAction` — satisfaction
  surveys with scored items, and the CAPA task opened when a round's mean is below the threshold
  (CUS-64).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

VISIT_STATUSES = ("open", "done", "overdue")
PLAN_STATUSES = ("missing", "submitted", "approved", "returned")
REPORT_STATUSES = ("submitted", "approved", "returned")
COMMITMENT_STATUSES = ("open", "fulfilled", "cancelled")
ROUND_STATUSES = ("open", "closed")
ACTION_STATUSES = ("open", "closed")


def _customer_fk():
    return ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"])


def _entry_fk():
    return ForeignKeyConstraint(["tenant_id", "contact_entry_id"], ["contact_log.tenant_id", "contact_log.id"])


class DueVisit(TenantScoped, db.Model):
    __tablename__ = "due_visits"
    __table_args__ = (
        UniqueConstraint("tenant_id", "customer_id", "role", "period_key", "slot"),
        _customer_fk(),
        _entry_fk(),
        Index("ix_due_visits_performer", "tenant_id", "performer_id", "status", "due_at"),
        Index("ix_due_visits_status_due", "tenant_id", "status", "due_at"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # cadence | holiday
    role: Mapped[str] = mapped_column(String(50))  # agent (the owner) or a role code
    per: Mapped[str] = mapped_column(String(10))  # month | quarter | year | holiday
    period_key: Mapped[str] = mapped_column(String(40))  # 2026-10 | 2026-Q4 | 2026 | holiday:2026-10-01
    slot: Mapped[int] = mapped_column(Integer)
    times: Mapped[int] = mapped_column(Integer)  # visits of the cadence in the period
    period_first: Mapped[dt.date] = mapped_column(Date)
    period_last: Mapped[dt.date] = mapped_column(Date)
    available_from: Mapped[dt.date] = mapped_column(Date)  # holiday visits: lead days before the holiday
    due_on: Mapped[dt.date] = mapped_column(Date)  # due through this local day
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # 24:00 of due_on, tenant time
    mode: Mapped[str] = mapped_column(String(20))  # phone_ok | on_site
    tier: Mapped[str] = mapped_column(String(20))
    holiday: Mapped[str | None] = mapped_column(String(60))
    performer_id: Mapped[int | None] = mapped_column(BigInteger)  # None: nobody holds the role
    status: Mapped[str] = mapped_column(String(20), default="open")
    contact_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the fulfilling contact's time
    overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitPlan(TenantScoped, db.Model):
    __tablename__ = "visit_plans"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "month"),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    )

    user_id: Mapped[int] = mapped_column(BigInteger)
    month: Mapped[dt.date] = mapped_column(Date)  # first day of the planned month
    due_on: Mapped[dt.date] = mapped_column(Date)  # submit through this day (cus.visits.plan_due)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    flag_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    visits: Mapped[list[PlannedVisit]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="(PlannedVisit.planned_on, PlannedVisit.id)",
        lazy="selectin")


class PlannedVisit(TenantScoped, db.Model):
    __tablename__ = "planned_visits"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "plan_id"], ["visit_plans.tenant_id", "visit_plans.id"]),
        _customer_fk(),
        Index("ix_planned_visits_plan", "tenant_id", "plan_id"),
    )

    plan_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    planned_on: Mapped[dt.date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(40))
    expenses: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    gifts: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[VisitPlan] = relationship(back_populates="visits")


class VisitReport(TenantScoped, db.Model):
    __tablename__ = "visit_reports"
    __table_args__ = (
        UniqueConstraint("tenant_id", "contact_entry_id"),
        _customer_fk(),
        _entry_fk(),
        ForeignKeyConstraint(["tenant_id", "planned_visit_id"], ["planned_visits.tenant_id", "planned_visits.id"]),
        Index("ix_visit_reports_customer", "tenant_id", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    contact_entry_id: Mapped[int] = mapped_column(BigInteger)  # the visit
    planned_visit_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)  # the author
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)


class Commitment(TenantScoped, db.Model):
    __tablename__ = "commitments"
    __table_args__ = (
        _customer_fk(),
        _entry_fk(),
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["users.tenant_id", "users.id"]),
        Index("ix_commitments_customer", "tenant_id", "customer_id"),
        Index("ix_commitments_status_due", "tenant_id", "status", "due_at"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    owner_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="open")
    source_type: Mapped[str | None] = mapped_column(String(40))  # visit_report, complaint...
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    contact_entry_id: Mapped[int | None] = mapped_column(BigInteger)  # the contact that kept it
    fulfilled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    fulfilled_by: Mapped[int | None] = mapped_column(BigInteger)
    fulfil_note: Mapped[str | None] = mapped_column(Text)
    alerted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    alert_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyRound(TenantScoped, db.Model):
    __tablename__ = "survey_rounds"

    name: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(20))  # online | phone | call_recording
    items: Mapped[list] = mapped_column(JSONType)  # [{code, label}]
    status: Mapped[str] = mapped_column(String(20), default="open")
    note: Mapped[str | None] = mapped_column(Text)
    mean: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    item_means: Mapped[list | None] = mapped_column(JSONType)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyResponse(TenantScoped, db.Model):
    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("tenant_id", "round_id", "customer_id"),
        ForeignKeyConstraint(["tenant_id", "round_id"], ["survey_rounds.tenant_id", "survey_rounds.id"]),
        _customer_fk(),
        Index("ix_survey_responses_round", "tenant_id", "round_id"),
    )

    round_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    scores: Mapped[dict] = mapped_column(JSONType)  # {item code: 0..100}
    responded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(BigInteger)


class CorrectiveAction(TenantScoped, db.Model):
    __tablename__ = "corrective_actions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "round_id"),
        ForeignKeyConstraint(["tenant_id", "round_id"], ["survey_rounds.tenant_id", "survey_rounds.id"]),
    )

    round_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(300))
    items: Mapped[list] = mapped_column(JSONType)  # the weak items, lowest first: [{code, label, mean}]
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="open")
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    close_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
