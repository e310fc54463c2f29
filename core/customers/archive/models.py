"""Tables of the customer archive (CUS-01..04, CUS-06).

- :class:`CustomerContact` — a contact person of a customer (CUS-01): name, title, department, mobile
  and landline (E.164, CUS-10), email, IM handle.
- :class:`CustomerAddress` — an address of a customer: kind, text, district.
- :class:`CustomerDocument` — a checklist item the archive holds (CUS-03): form, both sides,
  signatures, scan reference; ``missing`` when a handover noted it missing (CUS-02). One per item code.
- :class:`PaperArchive` — where the paper archive is (cabinet, pouch no.) and its custodian (CUS-02).
- :class:`ArchiveHandover` — one entry of the handover log (签收簿, CUS-02).
- :class:`CustomerFiling` — a filing duty (备案) of a new customer or a change (CUS-04), and
  :class:`FilingReminder` — one reminder of an overdue filing per local day (the job's natural key).

The customer's own archive columns (category, lifecycle stage, flags, ``extra``, the confirmation
of CUS-06) are on :class:`~core.customers.models.Customer`; its ``contacts`` and ``addresses`` are
attached here.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.customers.models import Customer
from core.db import JSONType, TenantOwned, TenantScoped, UTCDateTime, db, utcnow

ADDRESS_KINDS = ("registered", "office", "home", "delivery", "billing", "other")
DOCUMENT_FORMS = ("original", "copy")


def _customer_fk():
    return ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"])


class CustomerContact(TenantScoped, db.Model):
    __tablename__ = "customer_contacts"
    __table_args__ = (_customer_fk(), Index("ix_customer_contacts_customer", "tenant_id", "customer_id"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    mobile: Mapped[str | None] = mapped_column(String(32))  # E.164 (CUS-10)
    landline: Mapped[str | None] = mapped_column(String(32))  # E.164 (CUS-10)
    landline_extension: Mapped[str | None] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(200))
    im: Mapped[str | None] = mapped_column(String(100))  # WeChat / QQ handle
    note: Mapped[str | None] = mapped_column(String(500))


class CustomerAddress(TenantScoped, db.Model):
    __tablename__ = "customer_addresses"
    __table_args__ = (_customer_fk(), Index("ix_customer_addresses_customer", "tenant_id", "customer_id"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    district: Mapped[str | None] = mapped_column(String(100))


Customer.contacts = relationship(CustomerContact, order_by=CustomerContact.position,
                                 cascade="all, delete-orphan", lazy="selectin")
Customer.addresses = relationship(CustomerAddress, order_by=CustomerAddress.position,
                                  cascade="all, delete-orphan", lazy="selectin")


class CustomerDocument(TenantScoped, db.Model):
    __tablename__ = "customer_documents"
    __table_args__ = (_customer_fk(), UniqueConstraint("tenant_id", "customer_id", "item_code"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    item_code: Mapped[str] = mapped_column(String(50))
    form: Mapped[str] = mapped_column(String(10), default="copy")  # original | copy
    both_sides: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    staff_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    scan_ref: Mapped[str | None] = mapped_column(String(500))  # where the scan is kept
    missing: Mapped[bool] = mapped_column(Boolean, default=False)  # noted missing at a handover (CUS-02)
    handover_id: Mapped[int | None] = mapped_column(BigInteger)  # the handover that last recorded it
    note: Mapped[str | None] = mapped_column(String(500))
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PaperArchive(TenantOwned, db.Model):
    """Where a customer's paper archive is kept and who keeps it (CUS-02)."""

    __tablename__ = "paper_archives"
    __table_args__ = (_customer_fk(),)

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    cabinet: Mapped[str] = mapped_column(String(100))
    pouch_no: Mapped[str] = mapped_column(String(50))
    custodian_id: Mapped[int | None] = mapped_column(BigInteger)  # a user (archive administrator)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ArchiveHandover(TenantScoped, db.Model):
    """An entry of the handover log (签收簿, CUS-02): the paper handed from a department to the archive
    administrator, both signatures, the items received and those noted missing."""

    __tablename__ = "archive_handovers"
    __table_args__ = (_customer_fk(), Index("ix_archive_handovers_customer", "tenant_id", "customer_id", "on"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    on: Mapped[dt.date] = mapped_column(Date)
    from_user_id: Mapped[int] = mapped_column(BigInteger)
    to_user_id: Mapped[int] = mapped_column(BigInteger)
    from_signed: Mapped[bool] = mapped_column(Boolean)
    to_signed: Mapped[bool] = mapped_column(Boolean)
    received: Mapped[list] = mapped_column(JSONType)  # item codes
    missing: Mapped[list] = mapped_column(JSONType)  # item codes
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerFiling(TenantScoped, db.Model):
    """A filing duty (备案, CUS-04): a new customer (from its first contact) or a change."""

    __tablename__ = "customer_filings"
    __table_args__ = (_customer_fk(), Index("ix_customer_filings_customer", "tenant_id", "customer_id"),
                      Index("ix_customer_filings_open", "tenant_id", "filed_at", "due_at"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))  # new | change
    basis_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # first contact or the change
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # end of the period (exclusive)
    due_through: Mapped[dt.date] = mapped_column(Date)  # last local day in time
    policy_version: Mapped[int] = mapped_column(default=0)
    filed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    filed_by: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the CUS-04 decision of the due date
    penalty_decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the KPI deduction proposal
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FilingReminder(TenantScoped, db.Model):
    """One reminder of an overdue filing, at most one per filing and local day (the job's natural key)."""

    __tablename__ = "filing_reminders"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "filing_id"], ["customer_filings.tenant_id", "customer_filings.id"]),
        UniqueConstraint("tenant_id", "filing_id", "day"),
    )

    filing_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[dt.date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # who is reminded (owner or creator)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
