"""Tables of field work (DOMAIN.md section 5.2, SVC-10..13).

- :class:`ServiceAsset` — the service-asset register (SVC-10): one terminal, SIM, meter, part or device
  of the tenant by its identifier, the customer it is installed at and its status (``installed``,
  ``in_repair`` while taken back and labelled with a plate number and its fault, ``returned`` from
  repair, ``retired`` when swapped out and not taken back).
- :class:`ServiceAssetEvent` — an asset's history: installed or swapped out on an order, taken back,
  returned, with the counterpart of a swap.
- :class:`WorkOrderSwap` — a swap old → new recorded on an order (SVC-10).
- :class:`WorkOrderFeedback` — the feedback form signed by the customer on completion (SVC-12): result,
  the customer's opinion, the signatory, the signature flag and the photo of the signed form (an id of
  the ``attachments`` table, checked by :func:`core.attachments.service.require`).
- :class:`WorkOrderRecord` — the service record of an order (SVC-13): a summary and the per-type fields
  the tenant requires; moves the order to ``recorded``. An order reworked and completed again gets a
  record of its own each time.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

ASSET_KINDS = ("terminal", "sim", "meter", "part", "device")
ASSET_STATES = ("installed", "in_repair", "returned", "retired")


def _user_fk(column: str):
    return ForeignKeyConstraint(["tenant_id", column], ["users.tenant_id", "users.id"])


def _order_fk(column: str = "order_id"):
    return ForeignKeyConstraint(["tenant_id", column], ["work_orders.tenant_id", "work_orders.id"])


def _asset_fk(column: str):
    return ForeignKeyConstraint(["tenant_id", column], ["service_assets.tenant_id", "service_assets.id"])


class ServiceAsset(TenantScoped, db.Model):
    __tablename__ = "service_assets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "identifier"),
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        _order_fk("last_order_id"),
        Index("ix_service_assets_status", "tenant_id", "status", "kind"),
        Index("ix_service_assets_customer", "tenant_id", "customer_id"),
    )

    kind: Mapped[str] = mapped_column(String(20))  # ASSET_KINDS
    identifier: Mapped[str] = mapped_column(String(100))  # T-0458, SIM 1440098765432, meter number...
    status: Mapped[str] = mapped_column(String(20), default="installed")  # ASSET_STATES
    customer_id: Mapped[int | None] = mapped_column(BigInteger)  # where it is (was) installed
    plate: Mapped[str | None] = mapped_column(String(60))  # the label of a unit taken back: plate number
    fault: Mapped[str | None] = mapped_column(Text)  # the fault it was taken back for
    last_order_id: Mapped[int | None] = mapped_column(BigInteger)  # the last order that touched it
    taken_back_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ServiceAssetEvent(TenantScoped, db.Model):
    __tablename__ = "service_asset_events"
    __table_args__ = (
        _asset_fk("asset_id"),
        _order_fk(),
        _user_fk("by"),
        Index("ix_service_asset_events_asset", "tenant_id", "asset_id", "at"),
    )

    asset_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(30))  # swapped_in, swapped_out, taken_back, returned
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by: Mapped[int | None] = mapped_column(BigInteger)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)  # the swap's counterpart, plate, fault


class WorkOrderSwap(TenantScoped, db.Model):
    __tablename__ = "work_order_swaps"
    __table_args__ = (
        _order_fk(),
        _asset_fk("old_asset_id"),
        _asset_fk("new_asset_id"),
        _user_fk("by"),
        Index("ix_work_order_swaps_order", "tenant_id", "order_id"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    old_asset_id: Mapped[int] = mapped_column(BigInteger)
    new_asset_id: Mapped[int] = mapped_column(BigInteger)
    old_identifier: Mapped[str] = mapped_column(String(100))
    new_identifier: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by: Mapped[int | None] = mapped_column(BigInteger)


class WorkOrderFeedback(TenantScoped, db.Model):
    __tablename__ = "work_order_feedback"
    __table_args__ = (
        _order_fk(),
        _user_fk("by"),
        Index("ix_work_order_feedback_order", "tenant_id", "order_id", "received_at"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    result: Mapped[str | None] = mapped_column(Text)  # the result of the work as the form states it
    opinion: Mapped[str | None] = mapped_column(Text)  # the customer's opinion
    signatory: Mapped[str | None] = mapped_column(String(100))  # the customer's signatory
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    # an id of the attachments table (core.attachments); no foreign key: that table is another module's
    photo_attachment_id: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by: Mapped[int | None] = mapped_column(BigInteger)


class WorkOrderRecord(TenantScoped, db.Model):
    __tablename__ = "work_order_records"
    __table_args__ = (
        _order_fk(),
        _user_fk("recorded_by"),
        Index("ix_work_order_records_order", "tenant_id", "order_id", "recorded_at"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger)
    summary: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict] = mapped_column(JSONType, default=dict)  # the per-type record fields
    required: Mapped[list] = mapped_column(JSONType, default=list)  # the names required when recorded
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # when the work was recorded, as the user says
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it reached Kehu (SVC-16)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
