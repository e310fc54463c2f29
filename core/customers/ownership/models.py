"""Tables of ownership and protection (CUS-14, CUS-21, CUS-24, CUS-26, CUS-27).

- :class:`CustomerClaim` — one piece of CUS-21 evidence on a customer (register entry, evening-meeting
  record, card signature, on-time submitted list) or a decided assignment; ``void`` claims are kept
  and never count; ``approved_at``/``approved_by`` is the claim approver's approval of a takeover of
  a claimable customer (CUS-24).
- :class:`CustomerDeal` — a deal that locks ownership to its performance owner (CUS-26).
- :class:`OwnershipCase` and :class:`OwnershipCaseEvent` — an arbitration case (判客 / 撞单, CUS-27)
  and its objections, rulings and quarrels.
- :class:`HouseholdLink` — a relation between two customers (CUS-14): counted relations make a
  household (one customer for ownership), the others are referral links.

Current ownership and its history stay in ``core.customers.models`` (``CustomerOwnership``,
``OwnershipChange``), written only by ``core.customers.ownership_store.set_owner``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

#: CUS-21 evidence kinds, plus a decided ``assignment``
CLAIM_KINDS = ("register", "meeting_record", "card_signature", "submitted_list", "assignment")
CASE_STATUSES = ("objection_window", "awaiting_arbiter", "escalated", "final")
CASE_EVENT_KINDS = ("objection", "ruling", "quarrel")


def _customer_fk(column: str = "customer_id") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["customers.tenant_id", "customers.id"])


class CustomerClaim(TenantScoped, db.Model):
    __tablename__ = "customer_claims"
    __table_args__ = (_customer_fk(), Index("ix_customer_claims_customer_at", "tenant_id", "customer_id", "at"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the evidence's effective time
    claimant_id: Mapped[int] = mapped_column(BigInteger)  # user
    department_id: Mapped[int | None] = mapped_column(BigInteger)
    source_type: Mapped[str | None] = mapped_column(String(60))  # e.g. visitor_register, meeting, CUS-31
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    void: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # CUS-24 takeover approval
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerDeal(TenantScoped, db.Model):
    __tablename__ = "customer_deals"
    __table_args__ = (_customer_fk(), Index("ix_customer_deals_customer_at", "tenant_id", "customer_id", "at"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    performance_owner_id: Mapped[int] = mapped_column(BigInteger)  # user (STF-30)
    kind: Mapped[str] = mapped_column(String(60))  # subscription, paid_order...
    source: Mapped[str | None] = mapped_column(String(200))  # the plugin's record, e.g. "re:subscription:17"
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OwnershipCase(TenantScoped, db.Model):
    """An arbitration case (CUS-27). ``claim_ids``: the colliding claims; ``status`` and the final
    fields are the rules' outcome as of the last event; ``decision_id`` the last CUS-27 decision."""

    __tablename__ = "ownership_cases"
    __table_args__ = (_customer_fk(), Index("ix_ownership_cases_customer", "tenant_id", "customer_id"))

    customer_id: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(20))  # collision | dispute
    note: Mapped[str | None] = mapped_column(Text)
    claim_ids: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(30))
    proposed_owner_id: Mapped[int | None] = mapped_column(BigInteger)
    proposal_rule: Mapped[str | None] = mapped_column(String(60))
    objection_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    assigned_roles: Mapped[list] = mapped_column(JSONType, default=list)
    final_owner_id: Mapped[int | None] = mapped_column(BigInteger)
    final_department_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    consequences: Mapped[list] = mapped_column(JSONType, default=list)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    applied: Mapped[bool] = mapped_column(Boolean, default=False)  # final outcome written to ownership
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OwnershipCaseEvent(TenantScoped, db.Model):
    """An objection, ruling (``role``, ``verdict``, ``owner_id`` when overturning) or quarrel
    (``parties``) of a case."""

    __tablename__ = "ownership_case_events"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "case_id"], ["ownership_cases.tenant_id", "ownership_cases.id"]),
        Index("ix_ownership_case_events_case", "tenant_id", "case_id"),
    )

    case_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # who objected / ruled / recorded
    role: Mapped[str | None] = mapped_column(String(50))
    verdict: Mapped[str | None] = mapped_column(String(20))
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    parties: Mapped[list] = mapped_column(JSONType, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class HouseholdLink(TenantScoped, db.Model):
    """``related_id`` is ``customer_id``'s ``relation`` (spouse, parent, child, sibling, friend, other)."""

    __tablename__ = "household_links"
    __table_args__ = (
        _customer_fk(),
        _customer_fk("related_id"),
        UniqueConstraint("tenant_id", "customer_id", "related_id"),
        Index("ix_household_links_related", "tenant_id", "related_id"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    related_id: Mapped[int] = mapped_column(BigInteger)
    relation: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
