"""Tables of dispatch and field work (SVC-05, SVC-06, SVC-08).

- :class:`ServiceTechnician` — a user in the dispatch pool: skills and areas (matched against the
  order's ``skill`` and ``area``), in the pool or not. Being on duty is the user's CAL-11 availability
  (``users.availability``), not a copy here.
- :class:`WorkOrderDispatch` — each assignment of an order (SVC-05): to a technician or an outside
  partner, by whom and when, why, the eligibility overridden, and the department manager's approval
  when one is needed (partner or staff of another department: who, when, verbal or written, and when
  a verbal approval given in an emergency was recorded afterwards). ``ended_at`` closes it when the
  order is reassigned or dispatched again; at most one open dispatch per order (a unique index, beside
  the row lock every step takes).
- :class:`WorkOrderChecklist` — a pre-departure checklist ticked by the assignee (SVC-06), for one
  dispatch; the latest of the current dispatch counts.
- :class:`WorkOrderWorkLog` — on-site work (SVC-06): start, end, work done, parts used; repeatable.
- :class:`WorkOrderDelayNotice` — a delay notice filed before a deadline (SVC-08) with the time
  proposed, and the supervisor's decision: a new due time fixed on the milestone, or refused.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKeyConstraint, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

NOTICE_STATES = ("pending", "granted", "refused")
APPROVAL_REASONS = ("partner", "other_department")


def _fk(column: str, table: str):
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


class ServiceTechnician(TenantScoped, db.Model):
    __tablename__ = "service_technicians"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        _fk("user_id", "users"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger)
    skills: Mapped[list] = mapped_column(JSONType, default=list)  # matched against work_orders.skill; * any
    areas: Mapped[list] = mapped_column(JSONType, default=list)  # matched against work_orders.area; * any
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # in the dispatch pool
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class WorkOrderDispatch(TenantScoped, db.Model):
    __tablename__ = "work_order_dispatches"
    __table_args__ = (
        _fk("order_id", "work_orders"),
        _fk("assignee_id", "users"),
        Index("ix_work_order_dispatches_order", "tenant_id", "order_id", "dispatched_at"),
        Index("ix_work_order_dispatches_open", "tenant_id", "order_id", unique=True,
              postgresql_where=text("ended_at IS NULL"), sqlite_where=text("ended_at IS NULL")),
        Index("ix_work_order_dispatches_approval", "tenant_id", "approval_needed", "approval_at"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # dispatch | reassign
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    partner_name: Mapped[str | None] = mapped_column(String(200))
    dispatched_by: Mapped[int | None] = mapped_column(BigInteger)
    dispatched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)  # why (required for a reassignment)
    ineligible: Mapped[list] = mapped_column(JSONType, default=list)  # reasons overridden (SVC-05)
    override_reason: Mapped[str | None] = mapped_column(Text)
    # SVC-05 approval of a partner or of staff of another department
    approval_needed: Mapped[str | None] = mapped_column(String(20))  # partner | other_department | None
    approval_role: Mapped[str | None] = mapped_column(String(40))
    approval_by: Mapped[int | None] = mapped_column(BigInteger)
    approval_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # when the approver said yes
    approval_verbal: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)  # dispatched before the approval was recorded
    approval_recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    approval_recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[int | None] = mapped_column(BigInteger)
    end_reason: Mapped[str | None] = mapped_column(String(30))  # reassigned | redispatched
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkOrderChecklist(TenantScoped, db.Model):
    __tablename__ = "work_order_checklists"
    __table_args__ = (
        _fk("order_id", "work_orders"),
        _fk("dispatch_id", "work_order_dispatches"),
        Index("ix_work_order_checklists_order", "tenant_id", "order_id", "at"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    dispatch_id: Mapped[int | None] = mapped_column(BigInteger)
    items: Mapped[dict] = mapped_column(JSONType, default=dict)  # item → ticked
    required_items: Mapped[list] = mapped_column(JSONType, default=list)  # svc.checklist.items then
    missing: Mapped[list] = mapped_column(JSONType, default=list)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    by: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkOrderWorkLog(TenantScoped, db.Model):
    __tablename__ = "work_order_work_logs"
    __table_args__ = (
        _fk("order_id", "work_orders"),
        _fk("dispatch_id", "work_order_dispatches"),
        Index("ix_work_order_work_logs_order", "tenant_id", "order_id", "started_at"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    dispatch_id: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    work_done: Mapped[str] = mapped_column(Text)
    parts_used: Mapped[list] = mapped_column(JSONType, default=list)  # [{name, qty}]
    by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkOrderDelayNotice(TenantScoped, db.Model):
    __tablename__ = "work_order_delay_notices"
    __table_args__ = (
        _fk("order_id", "work_orders"),
        _fk("milestone_id", "sla_milestones"),
        Index("ix_work_order_delay_notices_order", "tenant_id", "order_id", "filed_at"),
        Index("ix_work_order_delay_notices_state", "tenant_id", "state", "filed_at"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    milestone: Mapped[str] = mapped_column(String(80))  # the deadline's code (arrive, complete)
    milestone_id: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the deadline in force when filed
    reason: Mapped[str] = mapped_column(Text)
    proposed_due: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    filed_by: Mapped[int | None] = mapped_column(BigInteger)
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | granted | refused
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    new_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
