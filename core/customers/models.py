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
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TenantOwned, TenantScoped, UTCDateTime, db, utcnow

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
