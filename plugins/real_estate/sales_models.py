"""Tables of units and sales control (销控, RE-30..34).

- :class:`Project`, :class:`Building`, :class:`Unit` — what the office sells: a unit has its number
  (``3-1502``), area (m²), price (yuan), orientation, popularity class and state
  (:data:`plugins.real_estate.unit_rules.STATES`). ``version`` grows with every move: a move is an
  ``UPDATE … WHERE state = <expected>`` so two writers never both win.
- :class:`Hold` — a unit checked and held before a deposit (RE-31): at most one active hold per unit
  (a unique index on the active holds, so the database itself refuses the second), its expiry, how it
  ended (converted by a deposit, released, lapsed).
- :class:`Deposit` — a small or big deposit recorded by finance with its receipt number (RE-32), and
  its refund.
- :class:`Subscription` — the 认购书 (RE-33): buyer, unit, price, balance, schedule, mailing address,
  postcode, phone; immutable once signed, an amendment is a new version (``previous_id``) approved by
  the manager; the copies printed.
- :class:`Contract` — the purchase contract (RE-34): number, signing time, custodian of the signed
  documents. The signing list is the contracts in signing order.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow
from plugins.real_estate.reception_models import ref_fk, user_fk

HOLD_STATUSES = ("active", "converted", "released", "lapsed")
DEPOSIT_KINDS = ("small", "big")
SUBSCRIPTION_STATUSES = ("draft", "signed", "superseded", "cancelled")


class Project(TenantScoped, db.Model):
    __tablename__ = "re_projects"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(BigInteger)  # the sales department (RE-25 forfeiture)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Building(TenantScoped, db.Model):
    __tablename__ = "re_buildings"
    __table_args__ = (ref_fk("project_id", "re_projects"), UniqueConstraint("tenant_id", "project_id", "name"))

    project_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(50))  # 3号楼
    floors: Mapped[int | None] = mapped_column(Integer)


class Unit(TenantScoped, db.Model):
    __tablename__ = "re_units"
    __table_args__ = (
        ref_fk("project_id", "re_projects"),
        ref_fk("building_id", "re_buildings"),
        UniqueConstraint("tenant_id", "project_id", "number"),
        Index("ix_re_units_state", "tenant_id", "project_id", "state"),
    )

    project_id: Mapped[int] = mapped_column(BigInteger)
    building_id: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[str] = mapped_column(String(30))  # 3-1502
    floor: Mapped[int | None] = mapped_column(Integer)
    layout: Mapped[str | None] = mapped_column(String(50))  # 三室两厅
    area: Mapped[Decimal] = mapped_column(Numeric(10, 2))  # m²
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # yuan
    orientation: Mapped[str | None] = mapped_column(String(20))
    popularity: Mapped[str] = mapped_column(String(10), default="regular")  # one of re.units.popularity_classes (RE-40: "good → worse" goes down the list)
    state: Mapped[str] = mapped_column(String(20), default="available")
    customer_id: Mapped[int | None] = mapped_column(BigInteger)  # the buyer once deposited
    salesperson_id: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Hold(TenantScoped, db.Model):
    __tablename__ = "re_holds"
    __table_args__ = (
        ref_fk("unit_id", "re_units"),
        ref_fk("customer_id", "customers"),
        user_fk("holder_id"),
        # RE-31: one active hold per unit, refused by the database itself
        Index("uq_re_holds_active_unit", "tenant_id", "unit_id", unique=True,
              postgresql_where=text("status = 'active'"), sqlite_where=text("status = 'active'")),
        Index("ix_re_holds_expiry", "tenant_id", "status", "expires_at"),
    )

    unit_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    holder_id: Mapped[int] = mapped_column(BigInteger)
    held_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="active")  # HOLD_STATUSES
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    extended_by: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the RE-31 lapse


class Deposit(TenantScoped, db.Model):
    __tablename__ = "re_deposits"
    __table_args__ = (
        ref_fk("unit_id", "re_units"),
        ref_fk("customer_id", "customers"),
        user_fk("recorded_by"),
        UniqueConstraint("tenant_id", "receipt_no"),
        Index("ix_re_deposits_at", "tenant_id", "received_at"),
    )

    unit_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    salesperson_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))  # DEPOSIT_KINDS
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    receipt_no: Mapped[str] = mapped_column(String(50))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int] = mapped_column(BigInteger)
    refunded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    refund_receipt_no: Mapped[str | None] = mapped_column(String(50))


class Subscription(TenantScoped, db.Model):
    __tablename__ = "re_subscriptions"
    __table_args__ = (
        ref_fk("unit_id", "re_units"),
        ref_fk("customer_id", "customers"),
        ref_fk("previous_id", "re_subscriptions"),
        user_fk("salesperson_id"),
        UniqueConstraint("tenant_id", "number", "version"),
        Index("ix_re_subscriptions_unit", "tenant_id", "unit_id"),
    )

    number: Mapped[str] = mapped_column(String(30))  # RG-2026-0001, the same for every version
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(BigInteger)
    unit_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    salesperson_id: Mapped[int] = mapped_column(BigInteger)
    buyer_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))  # E.164
    mailing_address: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(6))
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    balance: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    schedule: Mapped[list] = mapped_column(JSONType, default=list)  # [{due_on, amount}]
    status: Mapped[str] = mapped_column(String(20), default="draft")  # SUBSCRIPTION_STATUSES
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    copies: Mapped[dict] = mapped_column(JSONType, default=dict)  # {customer: 1, finance: 1, sales: 2}
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    credit_id: Mapped[int | None] = mapped_column(BigInteger)  # the STF performance credit of the deal
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Contract(TenantScoped, db.Model):
    __tablename__ = "re_contracts"
    __table_args__ = (
        ref_fk("subscription_id", "re_subscriptions"),
        ref_fk("unit_id", "re_units"),
        ref_fk("customer_id", "customers"),
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "subscription_id"),
        Index("ix_re_contracts_signed", "tenant_id", "signed_at"),
    )

    number: Mapped[str] = mapped_column(String(50))
    subscription_id: Mapped[int] = mapped_column(BigInteger)
    unit_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    buyer_name: Mapped[str] = mapped_column(String(100))
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    custodian_id: Mapped[int] = mapped_column(BigInteger)  # RE-34: who keeps the signed documents
    salesperson_id: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
