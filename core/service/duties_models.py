"""Tables of recurring duties (SVC-30, SVC-32).

- :class:`ServiceDuty` — "at least N per period" for a scope (site, building, asset class, optionally a
  customer): the work-order type its orders are of (kind ``work_order``) or a customer survey (kind
  ``survey``, counted from the CUS-64 survey responses), the evidence its orders must carry at
  completion (``sample_test``), the responsible manager (a user, else the holders of a role), the
  department its orders go to, whether it
  is active and the day it starts. Managed through ``/service-duties``; seeded from the ``svc.duties``
  and ``svc.survey.every`` presets (``source = policy``).
- :class:`ServiceDutyRun` — one duty's period: the orders generated at its start (one row per duty and
  period: the generation is idempotent), and at its end the count of what was done and the outcome
  (``met``, ``missed`` with its alert, ``skipped`` when the duty was switched off meanwhile).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

RUN_STATES = ("generated", "failed", "met", "missed", "skipped")


class ServiceDuty(TenantScoped, db.Model):
    __tablename__ = "service_duties"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        ForeignKeyConstraint(["tenant_id", "responsible_user_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
    )

    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="work_order")  # work_order | survey
    site: Mapped[str | None] = mapped_column(String(200))
    building: Mapped[str | None] = mapped_column(String(200))
    asset_class: Mapped[str | None] = mapped_column(String(100))
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    work_order_type: Mapped[str | None] = mapped_column(String(40))
    at_least: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(20))  # day | week | month | quarter | half_year | year
    evidence: Mapped[list] = mapped_column(JSONType, default=list)  # check names, e.g. ["sample_test"]
    responsible_user_id: Mapped[int | None] = mapped_column(BigInteger)
    responsible_role: Mapped[str | None] = mapped_column(String(60))
    # the service department its orders go to (default: the responsible user's): their deadline warnings
    # and breaches reach its head and supervisors while an order is unassigned
    department_id: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)  # the first period is the one holding this day
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual | policy
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ServiceDutyRun(TenantScoped, db.Model):
    __tablename__ = "service_duty_runs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "duty_id", "period", "period_start"),
        ForeignKeyConstraint(["tenant_id", "duty_id"], ["service_duties.tenant_id", "service_duties.id"]),
        Index("ix_service_duty_runs_open", "tenant_id", "state", "period_end"),
    )

    duty_id: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # the last day, inclusive
    required: Mapped[int] = mapped_column(Integer)  # the duty's at_least when the period started
    order_ids: Mapped[list] = mapped_column(JSONType, default=list)
    due_dates: Mapped[list] = mapped_column(JSONType, default=list)  # ISO days, order 1 first
    state: Mapped[str] = mapped_column(String(20), default="generated")  # RUN_STATES
    errors: Mapped[dict] = mapped_column(JSONType, default=dict)  # why the orders could not be generated
    generated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    generation_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    done: Mapped[int | None] = mapped_column(Integer)  # completed orders (surveys) counted at the end
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    check_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    notified: Mapped[list] = mapped_column(JSONType, default=list)
