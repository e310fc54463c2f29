"""Tables of service contracts and their periods (DOMAIN.md section 5.3, SVC-20..22).

- :class:`ServiceContract` — a customer's service contract or warranty (``kind``) for a product or
  subject: signing and installation dates, the term of a period, its state and the last day covered
  (``ends_on``, the last period's end), the installation work order it is linked to.
- :class:`ServicePeriod` — one coverage period (SVC-20): ``seq`` 1 is the initial period, each paid
  renewal adds the next (SVC-22); its serial number or licence key (unique in the company) is valid
  through its end.
- :class:`ServiceRenewal` — a renewal contract signed by fax, e-signature or on paper, with its amount,
  the payment due date (SVC-22), the payment recorded by finance and the period it added; the alert
  when it was not paid in time.
- :class:`ServiceContractReminder` — the expiry reminder task of one period (SVC-21): due day, who
  calls the customer, the notice rendered from the tenant's template, and the customer's response
  (renew, decline, undecided), kept like a return visit.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow


def _fk(column: str, table: str):
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


class ServiceContract(TenantScoped, db.Model):
    __tablename__ = "service_contracts"
    __table_args__ = (
        _fk("customer_id", "customers"),
        _fk("installation_order_id", "work_orders"),
        _fk("created_by", "users"),
        Index("ix_service_contracts_customer", "tenant_id", "customer_id"),
        Index("ix_service_contracts_state", "tenant_id", "state", "ends_on"),
        Index("ix_service_contracts_order", "tenant_id", "installation_order_id"),
    )

    kind: Mapped[str] = mapped_column(String(20), default="service")  # service | warranty
    customer_id: Mapped[int] = mapped_column(BigInteger)
    subject: Mapped[str] = mapped_column(String(200))  # the product: software name, device...
    reference: Mapped[str | None] = mapped_column(String(60))  # the contract's own number
    signed_on: Mapped[dt.date] = mapped_column(Date)
    installed_on: Mapped[dt.date | None] = mapped_column(Date)
    term: Mapped[str] = mapped_column(String(30))  # a duration: "1 years"
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    state: Mapped[str] = mapped_column(String(20), default="active")  # active | expired | renewal_pending | ended
    period_basis: Mapped[str] = mapped_column(String(20))  # installation | signing: what period 1 starts on
    ends_on: Mapped[dt.date] = mapped_column(Date)  # the last day covered (the last period's end)
    installation_order_id: Mapped[int | None] = mapped_column(BigInteger)  # a work order of type installation
    note: Mapped[str | None] = mapped_column(Text)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)  # svc in force at the signing
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the last SVC-20 decision
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ServicePeriod(TenantScoped, db.Model):
    __tablename__ = "service_periods"
    __table_args__ = (
        UniqueConstraint("tenant_id", "contract_id", "seq"),
        UniqueConstraint("tenant_id", "serial"),
        _fk("contract_id", "service_contracts"),
        Index("ix_service_periods_ends", "tenant_id", "ends_on"),
    )

    contract_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(Integer)  # 1 = initial, 2.. = renewals
    kind: Mapped[str] = mapped_column(String(20))  # initial | renewal
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)  # covered through this day
    serial: Mapped[str | None] = mapped_column(String(64))  # serial number or licence key, valid through ends_on
    serial_source: Mapped[str | None] = mapped_column(String(20))  # generated | given
    serial_issued_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceRenewal(TenantScoped, db.Model):
    __tablename__ = "service_renewals"
    __table_args__ = (
        _fk("contract_id", "service_contracts"),
        _fk("period_id", "service_periods"),
        _fk("new_period_id", "service_periods"),
        _fk("created_by", "users"),
        Index("ix_service_renewals_contract", "tenant_id", "contract_id"),
        Index("ix_service_renewals_due", "tenant_id", "state", "pay_due_at"),
    )

    contract_id: Mapped[int] = mapped_column(BigInteger)
    period_id: Mapped[int] = mapped_column(BigInteger)  # the period it renews (the last one at signing)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))  # fax | e_sign | paper
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    term: Mapped[str] = mapped_column(String(30))
    pay_within: Mapped[str] = mapped_column(String(30))  # svc.renewal.pay_within in force at the signing
    pay_due_on: Mapped[dt.date] = mapped_column(Date)  # paid through this day
    pay_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the instant it is late from
    state: Mapped[str] = mapped_column(String(20), default="awaiting_payment")  # awaiting_payment | paid | cancelled
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    receipt_no: Mapped[str | None] = mapped_column(String(60))
    paid_late: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    payment_recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    new_period_id: Mapped[int | None] = mapped_column(BigInteger)
    alerted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    alert_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # SVC-22: the payment due
    payment_decision_id: Mapped[int | None] = mapped_column(BigInteger)  # SVC-22: the period added
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceContractReminder(TenantScoped, db.Model):
    __tablename__ = "service_contract_reminders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "period_id"),  # one reminder per period (SVC-21)
        _fk("contract_id", "service_contracts"),
        _fk("period_id", "service_periods"),
        _fk("customer_id", "customers"),
        _fk("assignee_id", "users"),
        Index("ix_service_contract_reminders_due", "tenant_id", "state", "due_on"),
        Index("ix_service_contract_reminders_assignee", "tenant_id", "assignee_id", "state"),
        Index("ix_service_contract_reminders_contract", "tenant_id", "contract_id"),
    )

    contract_id: Mapped[int] = mapped_column(BigInteger)
    period_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # the contract's: service | warranty
    due_on: Mapped[dt.date] = mapped_column(Date)  # the reminder day (remind_before the end)
    ends_on: Mapped[dt.date] = mapped_column(Date)  # the period's end
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)  # the customer's owner, else a cs agent
    notice: Mapped[str] = mapped_column(Text)  # rendered from svc.expiry.template
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | responded
    outcome: Mapped[str | None] = mapped_column(String(20))  # renew | decline | undecided
    note: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    responded_by: Mapped[int | None] = mapped_column(BigInteger)
    responses: Mapped[list] = mapped_column(JSONType, default=list)  # every response, in order
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
