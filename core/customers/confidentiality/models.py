"""Tables of confidentiality, archive lending and retention (CUS-07, CUS-70..75).

- :class:`CustomerView` — the access log of CUS-70: every view of a full record (and every
  download or export of one) with who, when and on what ground (owner, department, role, grant…).
- :class:`CustomerSecrecy` and :class:`SecrecyViewer` — a customer's level above ``normal``
  (CUS-71), its custodian, its secrecy period and the designated viewers. No row = ``normal``.
- :class:`ViewRequest` — a viewing request (CUS-72) and, once approved, the time-boxed grant.
- :class:`ArchiveLoan` and :class:`LoanBan` — archive lending (借阅, CUS-73) and borrowing bans.
- :class:`CustomerExport` — an export or copy of customer data with its approvals (CUS-74).
- :class:`Approval` — one approval of a loan or an export (steps of ``cus.loan.approvers`` and
  ``cus.export.approval``).
- :class:`LeakReport` and :class:`ArchiveInspection` — CUS-75.
- :class:`RetentionEntry` — a record past its retention in the destruction queue (CUS-07).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantOwned, TenantScoped, UTCDateTime, db, utcnow


def _customer_fk():
    return ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"])


VIEW_ACTIONS = ("view", "download", "export")


class CustomerView(TenantScoped, db.Model):
    """One view of a full customer record (CUS-70), or a download/export of it (CUS-74). ``basis`` is
    why the viewer could see it: owner, creator, department, role, custodian, designated, grant,
    system. Written outside the ORM flush: it is a log of its own, not audited again."""

    __tablename__ = "customer_views"
    __table_args__ = (
        _customer_fk(),
        Index("ix_customer_views_customer_at", "tenant_id", "customer_id", "at"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(20))
    unmasked: Mapped[bool] = mapped_column(Boolean)
    grant_id: Mapped[int | None] = mapped_column(BigInteger)
    export_id: Mapped[int | None] = mapped_column(BigInteger)


class CustomerSecrecy(TenantOwned, db.Model):
    """A customer's confidentiality level (CUS-71). ``secret_until`` is the last day of the secrecy
    period ("through"); the day after, ``cus.declassify`` makes it ``normal`` (a CUS-71 decision)
    unless the period was extended."""

    __tablename__ = "customer_secrecy"
    __table_args__ = (_customer_fk(),)

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    level: Mapped[str] = mapped_column(String(20))
    custodian_id: Mapped[int | None] = mapped_column(BigInteger)
    secret_until: Mapped[dt.date | None] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    set_by: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SecrecyViewer(TenantOwned, db.Model):
    """A user on the designated viewer list of a classified customer (CUS-71 need to know)."""

    __tablename__ = "customer_secrecy_viewers"
    __table_args__ = (_customer_fk(),)

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


VIEW_REQUEST_CASES = ("own", "other", "classified")
VIEW_REQUEST_STATUSES = ("pending_endorsement", "pending_approval", "approved", "rejected")


class ViewRequest(TenantScoped, db.Model):
    """A request to view a customer's archive (CUS-72): target, purpose, reason, requester; endorsed
    by the requester's department head, approved by the role of its ``case``; once approved, the
    requester may view it from ``grant_from`` until ``grant_until`` (``view_only``: no download)."""

    __tablename__ = "view_requests"
    __table_args__ = (
        _customer_fk(),
        Index("ix_view_requests_requester", "tenant_id", "requester_id", "status"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    requester_id: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    case: Mapped[str] = mapped_column(String(20))
    approver_role: Mapped[str] = mapped_column(String(50))
    external_name: Mapped[str | None] = mapped_column(String(200))  # an outside viewer, registered
    external_document: Mapped[str | None] = mapped_column(String(200))  # introduction letter or ID
    status: Mapped[str] = mapped_column(String(30))
    endorser_id: Mapped[int | None] = mapped_column(BigInteger)  # the head who must endorse
    endorsed_by: Mapped[int | None] = mapped_column(BigInteger)
    endorsed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    view_only: Mapped[bool] = mapped_column(Boolean, default=True)
    grant_from: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    grant_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


LOAN_STATUSES = ("pending", "out", "returned", "lost", "rejected")


class ArchiveLoan(TenantScoped, db.Model):
    """A loan of archive material (借阅, CUS-73): what, how many copies, why, who borrowed it and
    signed; approved per ``cus.loan.approvers``; out from ``borrowed_at`` to ``due_at`` (the end of
    the day ``due_through``); closed by its return, or by a loss. Fines are CUS-73 decisions."""

    __tablename__ = "archive_loans"
    __table_args__ = (
        _customer_fk(),
        Index("ix_archive_loans_status_due", "tenant_id", "status", "due_at"),
        Index("ix_archive_loans_borrower", "tenant_id", "borrower_id"),
    )

    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    material: Mapped[str] = mapped_column(String(300))
    copies: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str] = mapped_column(String(500))
    borrower_id: Mapped[int] = mapped_column(BigInteger)
    borrower_signature: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    steps: Mapped[list] = mapped_column(JSONType, default=list)  # approval steps required
    borrowed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_through: Mapped[dt.date | None] = mapped_column(Date)
    returned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lost_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    late_fine: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    loss_fine: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    late_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # due date
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoanBan(TenantOwned, db.Model):
    """A borrower banned from borrowing (CUS-73 ``ban_on_late``, loss): new loans are refused (409)."""

    __tablename__ = "loan_bans"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    loan_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(20))  # late | lost
    decision_id: Mapped[int | None] = mapped_column(BigInteger)


EXPORT_STATUSES = ("pending", "approved", "rejected", "done")


class CustomerExport(TenantScoped, db.Model):
    """An export or copy of customer data (CUS-74): the purpose (never a private copy without one),
    the kind (ordinary, important, external with its recipient), the customers, the level it
    inherits (CUS-71), the approval steps and its state. Downloads are logged as ``customer_views``."""

    __tablename__ = "customer_exports"
    __table_args__ = (Index("ix_customer_exports_requester", "tenant_id", "requester_id"),)

    requester_id: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str | None] = mapped_column(String(200))
    customer_ids: Mapped[list] = mapped_column(JSONType, default=list)
    level: Mapped[str] = mapped_column(String(20))
    steps: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(20))
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Approval(TenantScoped, db.Model):
    """One approval (or refusal) of a loan or an export by a user, counted for one step."""

    __tablename__ = "cus_approvals"
    __table_args__ = (UniqueConstraint("tenant_id", "subject_type", "subject_id", "user_id"),)

    subject_type: Mapped[str] = mapped_column(String(20))  # loan | export
    subject_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    roles: Mapped[list] = mapped_column(JSONType, default=list)  # the approver's roles at the time
    approved: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeakReport(TenantScoped, db.Model):
    """A reported (suspected) leak of customer information (CUS-75) with its remedial actions
    (``actions``: ``[{at, by, text}]``)."""

    __tablename__ = "leak_reports"
    __table_args__ = (_customer_fk(),)

    reporter_id: Mapped[int | None] = mapped_column(BigInteger)
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    actions: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ArchiveInspection(TenantScoped, db.Model):
    """The custody inspection of one period (CUS-75), due at the period's end, with its findings."""

    __tablename__ = "archive_inspections"
    __table_args__ = (UniqueConstraint("tenant_id", "period_start"),)

    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # due through this day
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done
    findings: Mapped[str | None] = mapped_column(Text)
    done_by: Mapped[int | None] = mapped_column(BigInteger)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


RETENTION_STATUSES = ("queued", "destroyed", "kept")


class RetentionEntry(TenantScoped, db.Model):
    """A record past its retention waiting for destruction (CUS-07). Destruction needs
    ``cus.retention.destroy_approver``; it is logged here (what, when, approver). ``kept`` is a
    refusal: the record stays and is not queued again for the same expiry."""

    __tablename__ = "retention_queue"
    __table_args__ = (UniqueConstraint("tenant_id", "subject_type", "subject_id", "kept_through",
                                       name="uq_retention_queue_subject"),)

    subject_type: Mapped[str] = mapped_column(String(30))  # customer
    subject_id: Mapped[int] = mapped_column(BigInteger)
    retention_class: Mapped[str] = mapped_column(String(30))
    last_activity_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kept_through: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(500))
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
