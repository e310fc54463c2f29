"""The table of merges (CUS-15).

:class:`CustomerMerge` — one merge of the customer ``merged_id`` (B) into ``survivor_id`` (A), with what
the merge did so that an undo restores exactly that:

- ``moved``: ``{table: {column: [row ids]}}`` — the rows of every table referring to a customer that
  were moved from B to A (only those move back on undo; rows added to A later stay with A);
- ``kept``: the rows of B that stayed with the tombstone, with the reason (``unique``: A already has
  the row of the same natural key, e.g. the same checklist item; ``self``: the row links A and B, so
  moving it would link A to itself);
- ``merged_keys``: B's CUS-13 match keys, removed so that B never matches again, restored on undo;
- ``survivor_owner_before`` / ``merged_owner_before`` / ``survivor_owner_after``: the ownership rows
  (owner, department, state, since, until) of A and B before, and of A after the re-judging;
- ``decision_id`` / ``undo_decision_id``: the CUS-15 decisions of the merge and of its undo;
- ``undo_deadline``: the end of ``cus.merge.undo_window`` from the merge (exclusive, UTC).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

MERGED = "merged"
UNDONE = "undone"
STATUSES = (MERGED, UNDONE)


class CustomerMerge(TenantScoped, db.Model):
    __tablename__ = "customer_merges"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "survivor_id"], ["customers.tenant_id", "customers.id"]),
        ForeignKeyConstraint(["tenant_id", "merged_id"], ["customers.tenant_id", "customers.id"]),
        Index("ix_customer_merges_survivor", "tenant_id", "survivor_id"),
        Index("ix_customer_merges_merged", "tenant_id", "merged_id"),
    )

    survivor_id: Mapped[int] = mapped_column(BigInteger)  # A
    merged_id: Mapped[int] = mapped_column(BigInteger)  # B, the tombstone
    status: Mapped[str] = mapped_column(String(20), default=MERGED)
    reason: Mapped[str] = mapped_column(Text)
    merged_by: Mapped[int | None] = mapped_column(BigInteger)
    merged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    undo_deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    moved: Mapped[dict] = mapped_column(JSONType, default=dict)
    kept: Mapped[dict] = mapped_column(JSONType, default=dict)
    merged_keys: Mapped[list] = mapped_column(JSONType, default=list)
    survivor_owner_before: Mapped[dict | None] = mapped_column(JSONType)
    merged_owner_before: Mapped[dict | None] = mapped_column(JSONType)
    survivor_owner_after: Mapped[dict | None] = mapped_column(JSONType)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[int | None] = mapped_column(BigInteger)
    undo_reason: Mapped[str | None] = mapped_column(Text)
    undo_decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
