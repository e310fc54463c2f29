"""Tables of inspection checklists (SVC-31; PM-06, PM-12).

- :class:`ChecklistTemplate` — a checklist's items (``[{code, label}]``), e.g. the daily round of a
  building: corridor lights per floor, fire doors, pumps.
- :class:`Checklist` — one inspection done: where (site), when, by whom, from which template (or with
  its own items), optionally the inspection work order it fulfils (a duty order, SVC-30).
- :class:`ChecklistItem` — each item's result (``ok`` | ``damaged``), note and photo (the id of an
  attachment, kept as a number: attachments are their own module). A damaged item opens a repair order
  linked back to the checklist (``source_type = checklist``); when the repair's required intake data
  (``svc.required_fields``) is missing, the item is kept ``repair_pending`` with the reasons, and the
  repair is opened later with the missing data.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

RESULTS = ("ok", "damaged")
REPAIR_STATES = ("opened", "pending")


def _fk(column: str, table: str):
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


class ChecklistTemplate(TenantScoped, db.Model):
    __tablename__ = "service_checklist_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    site: Mapped[str | None] = mapped_column(String(200))  # the usual site (a checklist may name another)
    items: Mapped[list] = mapped_column(JSONType)  # [{code, label}]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Checklist(TenantScoped, db.Model):
    __tablename__ = "service_checklists"
    __table_args__ = (
        _fk("template_id", "service_checklist_templates"),
        _fk("order_id", "work_orders"),
        _fk("inspector_id", "users"),
        Index("ix_service_checklists_at", "tenant_id", "at"),
    )

    template_id: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(200))
    site: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    inspector_id: Mapped[int | None] = mapped_column(BigInteger)
    order_id: Mapped[int | None] = mapped_column(BigInteger)  # the inspection order it fulfils, if any
    note: Mapped[str | None] = mapped_column(Text)
    damaged: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChecklistItem(TenantScoped, db.Model):
    __tablename__ = "service_checklist_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "checklist_id", "position"),
        _fk("checklist_id", "service_checklists"),
        _fk("repair_order_id", "work_orders"),
    )

    checklist_id: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(20))  # ok | damaged
    note: Mapped[str | None] = mapped_column(Text)
    photo_attachment_id: Mapped[int | None] = mapped_column(BigInteger)
    repair_state: Mapped[str | None] = mapped_column(String(20))  # opened | pending (damaged items)
    repair_order_id: Mapped[int | None] = mapped_column(BigInteger)
    repair_errors: Mapped[dict] = mapped_column(JSONType, default=dict)  # why the repair is pending (SVC-03)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
