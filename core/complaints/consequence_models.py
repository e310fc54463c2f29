"""Tables of complaint consequences (CMP-70, CMP-71, CMP-06).

- :class:`ComplaintConsequence` — one occurrence of a CMP-70 event on a case (a grumble noticed, a
  complaint to the GM, a case still unresolved at its limit, a finding...), with the ledger entries it
  wrote. An ``unresolved_after`` row is created ``pending`` at intake, dated at the limit: the sweep
  applies it when the case is still unresolved then, or cancels it. ``occurrence`` is the natural key
  of the occurrence on the case, so that a job run twice writes once.
- :class:`CustomerTransfer` — the CMP-71 transfer of the customer of an unresolved case to an
  employee of another department: the seeded draw (seed, candidates, shuffled order) and the
  customer-resource director's override within the window.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

CONSEQUENCE_STATES = ("pending", "applied", "cancelled", "none")
TRANSFER_STATES = ("transferred", "overridden", "manual", "no_candidate")


def _fk(column: str, table: str):
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


class ComplaintConsequence(TenantScoped, db.Model):
    __tablename__ = "complaint_consequences"
    __table_args__ = (
        UniqueConstraint("tenant_id", "complaint_id", "occurrence"),
        _fk("complaint_id", "complaints"),
        Index("ix_complaint_consequences_due", "tenant_id", "state", "occurred_at"),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(60))  # a CMP-70 event or finding_<finding> (CMP-06)
    occurrence: Mapped[str] = mapped_column(String(120))  # natural key on the case
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # unresolved_after: the limit instant
    state: Mapped[str] = mapped_column(String(20))  # pending | applied | cancelled | none
    policy_version: Mapped[int | None] = mapped_column(Integer)
    liable: Mapped[dict] = mapped_column(JSONType, default=dict)  # who and why (employee, dept manager)
    entry_ids: Mapped[list] = mapped_column(JSONType, default=list)  # STF-01 entries written
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)  # a person recording the event, or None
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerTransfer(TenantScoped, db.Model):
    __tablename__ = "complaint_customer_transfers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "complaint_id"),
        _fk("complaint_id", "complaints"),
        _fk("customer_id", "customers"),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    strategy: Mapped[str] = mapped_column(String(20))  # random_draw | manual
    state: Mapped[str] = mapped_column(String(20))  # transferred | overridden | manual | no_candidate
    from_owner_id: Mapped[int | None] = mapped_column(BigInteger)
    from_department_id: Mapped[int | None] = mapped_column(BigInteger)
    to_owner_id: Mapped[int | None] = mapped_column(BigInteger)
    to_department_id: Mapped[int | None] = mapped_column(BigInteger)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    candidates: Mapped[list] = mapped_column(JSONType, default=list)  # eligible staff ids, ascending
    shuffled: Mapped[list] = mapped_column(JSONType, default=list)  # the seeded shuffle of the candidates
    skipped: Mapped[list] = mapped_column(JSONType, default=list)  # staff left out, with the reason
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    override_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    overridden_by: Mapped[int | None] = mapped_column(BigInteger)
    overridden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
