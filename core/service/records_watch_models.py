"""Tables of service documents and the checks after completion (SVC-16, SVC-23).

- :class:`ServiceDocument` — a customer original attached to an order (a faxed request, a sealed
  form, a signed application...) and archived with a custodian (SVC-16); losing it is a penalty event
  on the custodian (per sheet).
- :class:`ServicePostDoc` — a post-completion document of the order's type recorded (SVC-23:
  implementation form, acceptance form, go-live plan...), once per order and document.
- :class:`ServiceOrderCheck` — the outcome of a check at its limit, once per order, kind and round
  (the order's rework count): ``missing_record`` (SVC-16: completed and not recorded within
  ``svc.record_within``) or ``post_docs`` (SVC-23: ``missing``, ``complete`` — also written as soon as
  the last document is recorded — or ``not_required``), with the decision and the staff ledger entries
  it proposed. The sweep never judges an order, kind and round twice.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

DOCUMENT_STATES = ("archived", "lost")
CHECK_KINDS = ("missing_record", "post_docs")
CHECK_RESULTS = ("missing", "complete", "not_required")


def _fk(column: str, table: str):
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


class ServiceDocument(TenantScoped, db.Model):
    __tablename__ = "service_documents"
    __table_args__ = (
        _fk("order_id", "work_orders"),
        _fk("custodian_id", "users"),
        Index("ix_service_documents_order", "tenant_id", "order_id"),
        Index("ix_service_documents_custodian", "tenant_id", "custodian_id", "state"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))  # request_fax, sealed_form, application, feedback_form, ...
    description: Mapped[str | None] = mapped_column(Text)
    sheets: Mapped[int] = mapped_column(Integer, default=1)
    attachment_id: Mapped[int | None] = mapped_column(BigInteger)  # the scan: an attachment of the order
    custodian_id: Mapped[int] = mapped_column(BigInteger)
    archived_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    archived_by: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(20), default="archived")
    lost_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lost_by: Mapped[int | None] = mapped_column(BigInteger)  # who reported the loss
    lost_reason: Mapped[str | None] = mapped_column(Text)
    entry_ids: Mapped[list] = mapped_column(JSONType, default=list)  # the staff ledger entries proposed
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServicePostDoc(TenantScoped, db.Model):
    __tablename__ = "service_post_docs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id", "doc"),
        _fk("order_id", "work_orders"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    doc: Mapped[str] = mapped_column(String(60))  # a code of svc.post_docs.<type>.docs
    attachment_id: Mapped[int | None] = mapped_column(BigInteger)  # the scan: an attachment of the order
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceOrderCheck(TenantScoped, db.Model):
    __tablename__ = "service_order_checks"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id", "kind", "round"),
        _fk("order_id", "work_orders"),
        Index("ix_service_order_checks_kind", "tenant_id", "kind", "result"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # missing_record | post_docs
    round: Mapped[int] = mapped_column(Integer, default=0)
    rule_id: Mapped[str] = mapped_column(String(20))  # SVC-16 | SVC-23
    result: Mapped[str] = mapped_column(String(20))  # missing | complete | not_required | in_time
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    missing: Mapped[list] = mapped_column(JSONType, default=list)  # the documents missing (SVC-23)
    liable_user_id: Mapped[int | None] = mapped_column(BigInteger)
    liable_department_id: Mapped[int | None] = mapped_column(BigInteger)
    entry_ids: Mapped[list] = mapped_column(JSONType, default=list)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
