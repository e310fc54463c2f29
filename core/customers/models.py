"""The customer archive (DOMAIN.md CUS-01): customers, their phones and their duplicate look-up keys.

- :class:`Customer` — a person or an organisation of one tenant, with its identity data normalised
  (CUS-10/11/12): ``resident_id`` (18 characters, upper-case ``X``), ``uscc``, and the CUS-12 name
  keys ``name_key`` (exact), ``name_pinyin`` and ``name_initials`` kept for search.
- :class:`CustomerPhone` — a phone of a customer, stored E.164 (CUS-10), kind mobile|landline|other.
- :class:`CustomerKey` — one row per :func:`core.customers.duplicates.match_keys` key of a customer,
  so that CUS-13 loads only the customers sharing a key with a new one. The primary key
  ``(tenant_id, key, customer_id)`` is also the look-up index by ``(tenant_id, key)``; keys never cross
  tenants (ORM scoping and row-level security, as every tenant table). Keys hold PII in clear (they
  must compare equal): they are protected like the values they come from.
- :class:`ContactLogEntry` — one contact with a customer (CUS-60): channel with outcome, time, who,
  content, outcome, next step; the ownership rules read it (CUS-23/24), so do visits (CUS-61/62)
  and the timeline (CUS-05).
- :class:`CustomerTransaction` — money facts of a customer: purchases, refunds, shipments,
  collections, prepayments. Points (CUS-43), key-account thresholds (CUS-51) and credit
  (CUS-93/94) are computed from them.
"""
from __future__ import annotations

import datetime as dt

from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import JSONType, TenantOwned, TenantScoped, UTCDateTime, db, utcnow

PERSON = "person"
ORGANISATION = "organisation"
KINDS = (PERSON, ORGANISATION)
PHONE_KINDS = ("mobile", "landline", "other")
GENDERS = ("male", "female")


class Customer(TenantScoped, db.Model):
    __tablename__ = "customers"

    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # CUS-12 exact key (search)
    name_pinyin: Mapped[str] = mapped_column(String(1000))  # CUS-12 toneless pinyin (search)
    name_initials: Mapped[str] = mapped_column(String(200))
    resident_id: Mapped[str | None] = mapped_column(String(18))  # CUS-11, normalised
    uscc: Mapped[str | None] = mapped_column(String(18))  # CUS-11, normalised
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(10))
    district: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # the user who created it
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # archive record (CUS-01, CUS-06; core.customers.archive): vocabularies of cus.archive.*, the extra
    # fields of the tenant and its plugins, the confirmation signature and the time the archive took effect
    category: Mapped[str | None] = mapped_column(String(50))
    lifecycle_stage: Mapped[str | None] = mapped_column(String(50))
    flags: Mapped[list] = mapped_column(JSONType, default=list)
    extra: Mapped[dict] = mapped_column(JSONType, default=dict)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[int | None] = mapped_column(BigInteger)
    effective_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # None: awaiting confirmation
    # CUS-15 (core.customers.merging): a merged customer is a tombstone pointing to the survivor
    merged_into_id: Mapped[int | None] = mapped_column(BigInteger)
    merged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    phones: Mapped[list[CustomerPhone]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerPhone.id", lazy="selectin"
    )
    key_rows: Mapped[list[CustomerKey]] = relationship(cascade="all, delete-orphan", lazy="select")


class CustomerPhone(TenantScoped, db.Model):
    __tablename__ = "customer_phones"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        Index("ix_customer_phones_customer", "tenant_id", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    e164: Mapped[str] = mapped_column(String(32))  # CUS-10: +8613800138000, +868302345678
    kind: Mapped[str] = mapped_column(String(20))  # mobile | landline | other
    extension: Mapped[str | None] = mapped_column(String(10))  # landlines: kept apart (CUS-10)
    label: Mapped[str | None] = mapped_column(String(50))

    customer: Mapped[Customer] = relationship(back_populates="phones")


class CustomerKey(TenantOwned, db.Model):
    __tablename__ = "customer_keys"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        Index("ix_customer_keys_customer", "tenant_id", "customer_id"),
    )

    key: Mapped[str] = mapped_column(String(1000), primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


#: CUS-60 channels, each with its outcome where it matters (the names of ``cus.ownership.rolling``)
CONTACT_CHANNELS = (
    "phone_answered", "phone_unanswered", "sms", "visit", "home_visit", "on_site", "im", "email",
    "letter", "fax", "event_attended", "event_invited",
)
CONTACT_STATUSES = ("logged", "pending_signature")


class ContactLogEntry(TenantScoped, db.Model):
    """A contact with a customer (CUS-60). ``status`` is ``pending_signature`` for an on-site visit
    captured offline without the customer's signature; ``confirmed_at`` is the supervisor's
    confirmation of its valid date (CUS-23, CAR-12)."""

    __tablename__ = "contact_log"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        Index("ix_contact_log_customer_at", "tenant_id", "customer_id", "at"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # who made the contact
    content: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(500))
    next_step: Mapped[str | None] = mapped_column(String(500))
    return_visit: Mapped[bool] = mapped_column(Boolean, default=False)  # 电话回访 and other return visits
    customer_signed: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), default="logged")
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


TRANSACTION_KINDS = ("purchase", "refund", "shipment", "collection", "prepayment")


class CustomerTransaction(TenantScoped, db.Model):
    """A money fact of a customer. ``amount`` is positive yuan (Decimal, 2 places); a refund names the
    purchase it refunds (``refund_of``); ``event_id`` ties a purchase to an event (CUS-43
    ``event_sales``); ``gross_profit`` feeds the key-account profit share (CUS-51)."""

    __tablename__ = "customer_transactions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        Index("ix_customer_transactions_customer_at", "tenant_id", "customer_id", "at"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    refund_of: Mapped[int | None] = mapped_column(BigInteger)
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    gross_profit: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    reference: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # the salesperson of the transaction
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


OWNERSHIP_STATES = ("unowned", "protected", "expiring", "claimable", "locked")  # CUS-20


class CustomerOwnership(TenantOwned, db.Model):
    """Who owns a customer now (CUS-20): one row per owned or once-owned customer; no row = unowned.
    Written only through :func:`core.customers.ownership_store.set_owner`, which keeps the history
    and the decision of every change."""

    __tablename__ = "customer_ownership"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        Index("ix_customer_ownership_owner", "tenant_id", "owner_id"),
        Index("ix_customer_ownership_department", "tenant_id", "department_id"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger)  # user; None = public pool
    department_id: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(20))
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # end of the protection window
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the decision of the last change
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OwnershipChange(TenantScoped, db.Model):
    """One change of a customer's owner or ownership state (CUS-20 OwnershipHistory), with its rule
    and decision."""

    __tablename__ = "ownership_changes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        Index("ix_ownership_changes_customer", "tenant_id", "customer_id", "at"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    from_owner_id: Mapped[int | None] = mapped_column(BigInteger)
    to_owner_id: Mapped[int | None] = mapped_column(BigInteger)
    from_department_id: Mapped[int | None] = mapped_column(BigInteger)
    to_department_id: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(20))
    until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rule_id: Mapped[str] = mapped_column(String(60))
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)  # a user for manual changes
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
