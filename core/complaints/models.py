"""Tables of complaints (DOMAIN.md section 4).

- :class:`Complaint` — one case (咨询/建议/投诉/表扬/异常): intake facts (CMP-01..03), category and
  severity (CMP-04, CMP-10/11), links (repeat CMP-12, master CMP-13, parent on reopen CMP-54),
  ownership and handling (CMP-20..22), solution, reply and closure (CMP-50..55). Its deadlines are
  :class:`core.sla.models.SlaMilestone` rows with ``subject_type = "complaint"``.
- :class:`ComplaintEvent` — the case history: every step (accepted, transferred, paused, replied...)
  with who, when and the decision behind it, in order.
- :class:`ComplaintCounter` — the last serial of each numbering period (CMP-05), locked per create so
  that numbers are consecutive without gaps under concurrency.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger, Boolean, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

CASE_TYPES = ("inquiry", "suggestion", "complaint", "praise", "anomaly")
SEVERITIES = ("general", "important", "major")
STATUSES = ("received", "accepted", "in_progress", "resolved", "closed", "rejected")
OPEN_STATUSES = ("received", "accepted", "in_progress")


def _complaint_fk(column: str):
    return ForeignKeyConstraint(["tenant_id", column], ["complaints.tenant_id", "complaints.id"])


class Complaint(TenantScoped, db.Model):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "handler_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "owner_department_id"], ["departments.tenant_id", "departments.id"]),
        ForeignKeyConstraint(["tenant_id", "handler_department_id"], ["departments.tenant_id", "departments.id"]),
        _complaint_fk("master_id"),
        _complaint_fk("parent_id"),
        _complaint_fk("repeat_of_id"),
        Index("ix_complaints_status", "tenant_id", "status", "received_at"),
        Index("ix_complaints_customer", "tenant_id", "customer_id", "received_at"),
        Index("ix_complaints_owner", "tenant_id", "owner_id", "status"),
    )

    # CMP-05 numbering
    number: Mapped[str] = mapped_column(String(30))
    number_period: Mapped[str] = mapped_column(String(20))
    serial: Mapped[int] = mapped_column(Integer)
    # CMP-01..03 intake
    case_type: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(30))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    received_by: Mapped[int | None] = mapped_column(BigInteger)
    complainant_name: Mapped[str | None] = mapped_column(String(100))
    complainant_phone: Mapped[str | None] = mapped_column(String(40))  # E.164
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    subject_ref: Mapped[str | None] = mapped_column(String(200))  # what it is about, e.g. a unit or a vehicle
    content: Mapped[str] = mapped_column(Text)
    demands: Mapped[list] = mapped_column(JSONType, default=list)  # price_reduction, return, exchange, ...
    demand_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # compensation asked (CMP-41/50)
    accused_user_id: Mapped[int | None] = mapped_column(BigInteger)  # CMP-03/21
    excluded_user_ids: Mapped[list] = mapped_column(JSONType, default=list)  # CMP-21: accused and listed
    witnesses: Mapped[list] = mapped_column(JSONType, default=list)
    evidence: Mapped[list] = mapped_column(JSONType, default=list)
    complainant_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict] = mapped_column(JSONType, default=dict)  # plugin intake fields (CMP-03)
    warnings: Mapped[list] = mapped_column(JSONType, default=list)  # e.g. not_verified (CMP-03)
    tags: Mapped[list] = mapped_column(JSONType, default=list)  # CMP-14, never changes SLA
    reported_to: Mapped[list] = mapped_column(JSONType, default=list)  # CMP-11: also to_manufacturer/authority/media
    promised_reply_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # CMP-01 suggestion reply date
    adopted: Mapped[bool | None] = mapped_column(Boolean)  # CMP-01 suggestion adopted or not
    # CMP-04 classification, CMP-10/11 severity
    category: Mapped[str] = mapped_column(String(60))
    cause: Mapped[str | None] = mapped_column(String(60))
    timing: Mapped[str | None] = mapped_column(String(20))  # during | after (consumption)
    cause_class: Mapped[str | None] = mapped_column(String(20))  # quality | non_quality
    severity: Mapped[str] = mapped_column(String(20), default="general")
    severity_reason: Mapped[str | None] = mapped_column(Text)
    major_criteria: Mapped[list] = mapped_column(JSONType, default=list)  # the CMP-11 criteria that hold
    # CMP-12/13/54 links
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_of_id: Mapped[int | None] = mapped_column(BigInteger)
    master_id: Mapped[int | None] = mapped_column(BigInteger)
    complainant_count: Mapped[int] = mapped_column(Integer, default=1)  # of the issue on a master (CMP-13)
    intake_complainant_count: Mapped[int] = mapped_column(Integer, default=1)  # as taken in (CMP-13)
    parent_id: Mapped[int | None] = mapped_column(BigInteger)
    # CMP-06/20..22/43 handling
    status: Mapped[str] = mapped_column(String(20), default="received")
    owner_id: Mapped[int | None] = mapped_column(BigInteger)  # the first taker (CMP-20)
    owner_department_id: Mapped[int | None] = mapped_column(BigInteger)  # a queue when nobody may own it (CMP-21)
    handler_id: Mapped[int | None] = mapped_column(BigInteger)
    handler_department_id: Mapped[int | None] = mapped_column(BigInteger)  # routed / transferred to (CMP-22)
    level: Mapped[str | None] = mapped_column(String(30))  # agent | supervisor | dept_manager (CMP-43)
    supplier: Mapped[str | None] = mapped_column(String(200))  # CMP-22: a supplier / other company responsible
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)  # CMP-40/41 steps taken
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_by: Mapped[int | None] = mapped_column(BigInteger)
    rejection_reply: Mapped[str | None] = mapped_column(Text)
    finding: Mapped[str | None] = mapped_column(String(30))  # CMP-06
    grounds_sufficient: Mapped[bool | None] = mapped_column(Boolean)
    demand_reasonable: Mapped[bool | None] = mapped_column(Boolean)
    special: Mapped[bool] = mapped_column(Boolean, default=False)  # CMP-31/33 special extension
    special_reason: Mapped[str | None] = mapped_column(Text)
    customer_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # CMP-33 customer-set
    customer_reply_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # CMP-42 reply time fixed
    # CMP-50..55 solution, reply, closure
    solution: Mapped[str | None] = mapped_column(Text)
    compensation: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    approval_status: Mapped[str | None] = mapped_column(String(20))  # pending | approved | returned
    approver_role: Mapped[str | None] = mapped_column(String(50))
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approval_text: Mapped[str | None] = mapped_column(Text)
    resolution_method: Mapped[str | None] = mapped_column(String(40))
    action_taken: Mapped[str | None] = mapped_column(Text)
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_method: Mapped[str | None] = mapped_column(String(20))  # on_the_spot | phone | letter | visit | sms
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    satisfaction: Mapped[int | None] = mapped_column(Integer)  # 1..5
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    customer_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    root_cause: Mapped[str | None] = mapped_column(Text)
    corrective_action: Mapped[str | None] = mapped_column(Text)
    preventive_action: Mapped[str | None] = mapped_column(Text)
    gap_in_standard: Mapped[bool] = mapped_column(Boolean, default=False)
    human_negligence: Mapped[bool] = mapped_column(Boolean, default=False)  # CMP-55: exempt from tracking
    improvement_tracked: Mapped[bool | None] = mapped_column(Boolean)  # CMP-55, decided at closure
    internal_notes: Mapped[str | None] = mapped_column(Text)  # never shown to the customer (CMP-51)
    # the cmp version the case started under (CMP-37)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ComplaintEvent(TenantScoped, db.Model):
    __tablename__ = "complaint_events"
    __table_args__ = (
        _complaint_fk("complaint_id"),
        Index("ix_complaint_events_case", "tenant_id", "complaint_id", "at"),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))  # received, accepted, transferred, paused, replied, ...
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)


class ComplaintCounter(TenantScoped, db.Model):
    __tablename__ = "complaint_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "period"),)

    period: Mapped[str] = mapped_column(String(20))  # e.g. 2609 for a monthly reset, "all" for none
    last_serial: Mapped[int] = mapped_column(Integer, default=0)
