"""Tables of service work orders (DOMAIN.md section 5.1).

- :class:`WorkOrder` — one order (SVC-01..08): its type and state (SVC-02), the intake data
  (SVC-03: customer, address, contact, description and the type's own fields in ``data``), priority,
  approval (SVC-04), assignee or partner (SVC-05), the times of each step, the ``svc`` policy version
  it was requested under. Its deadlines are :class:`core.sla.models.SlaMilestone` rows with
  ``subject_type = "work_order"`` (SVC-07, the CMP engine).
- :class:`WorkOrderEvent` — the order's history: every step with who, when, the data given and the
  decision behind it, in order.

Numbers come from the case counters of :mod:`core.complaints.numbering` under their own periods
(``wo-YYYYMM``), gap-free under concurrency like case numbers.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

STATES = ("requested", "approval_pending", "approved", "dispatched", "on_site", "completed", "recorded",
          "return_visit_due", "closed", "on_hold", "cancelled", "rework")
OPEN_STATES = ("requested", "approval_pending", "approved", "dispatched", "on_site", "on_hold", "rework")
DONE_STATES = ("completed", "recorded", "return_visit_due", "closed")


def _user_fk(column: str):
    return ForeignKeyConstraint(["tenant_id", column], ["users.tenant_id", "users.id"])


class WorkOrder(TenantScoped, db.Model):
    __tablename__ = "work_orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
        ForeignKeyConstraint(["tenant_id", "complaint_id"], ["complaints.tenant_id", "complaints.id"]),
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["work_orders.tenant_id", "work_orders.id"]),
        _user_fk("assignee_id"),
        _user_fk("requested_by"),
        Index("ix_work_orders_status", "tenant_id", "status", "requested_at"),
        Index("ix_work_orders_assignee", "tenant_id", "assignee_id", "status"),
        Index("ix_work_orders_customer", "tenant_id", "customer_id", "requested_at"),
        Index("ix_work_orders_type", "tenant_id", "type", "requested_at"),
    )

    number: Mapped[str] = mapped_column(String(30))
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30), default="requested")
    held_from: Mapped[str | None] = mapped_column(String(30))  # the state an on_hold order returns to
    hold_reason: Mapped[str | None] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(40))
    # SVC-03 intake
    channel: Mapped[str | None] = mapped_column(String(30))  # phone, walk_in, complaint, duty, checklist...
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    customer_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))  # E.164
    description: Mapped[str | None] = mapped_column(Text)  # the fault, the request
    data: Mapped[dict] = mapped_column(JSONType, default=dict)  # the type's own fields
    area: Mapped[str | None] = mapped_column(String(100))  # where: matches technicians' areas (SVC-05)
    skill: Mapped[str | None] = mapped_column(String(60))  # what: matches technicians' skills (SVC-05)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[int | None] = mapped_column(BigInteger)
    department_id: Mapped[int | None] = mapped_column(BigInteger)  # the responsible service department
    # links: the complaint a help/repair request came from (CMP-01), the order it reworks or came from,
    # a duty or checklist that generated it (SVC-30/31)
    complaint_id: Mapped[int | None] = mapped_column(BigInteger)
    parent_id: Mapped[int | None] = mapped_column(BigInteger)
    source_type: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    # SVC-04 approval
    approval_roles: Mapped[list] = mapped_column(JSONType, default=list)  # empty: no approval needed
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # SVC-05 dispatch
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    partner_name: Mapped[str | None] = mapped_column(String(200))
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dispatched_by: Mapped[int | None] = mapped_column(BigInteger)
    eta_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # SVC-06/08 time agreed with the customer
    # SVC-06..16 field work
    on_site_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class WorkOrderEvent(TenantScoped, db.Model):
    __tablename__ = "work_order_events"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "order_id"], ["work_orders.tenant_id", "work_orders.id"]),
        Index("ix_work_order_events_order", "tenant_id", "order_id", "at"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))  # requested, approved, dispatched, on_site, ... , vetoed
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str | None] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
