"""Tables of referrals and points (CUS-40..CUS-44).

- :class:`CustomerReferral` — CUS-40: the referee (one referral per referee), its referrer and the
  referrer's owner when the referral was recorded, with the decision about the referee's owner.
- :class:`ReferralAttendance` — CUS-42: an attendance of a referee at a meeting, the fact a points
  award cites (one per referee and event).
- :class:`PointsLedgerEntry` — CUS-41: one append-only entry of a customer's points ledger. Rows are
  never updated or deleted (the ORM refuses it); a correction is a new entry that names the one it
  reverses. One entry per (customer, source) so that a retried award never doubles.
- :class:`ReferralReward` — CUS-44: a cash (or fuel) reward owed to a referrer for the referee's
  deal, paid by finance, or its reversal (``direction = reversal``, negative amount) when the deal is
  reversed. One reward and at most one reversal per deal.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantScoped, UTCDateTime, db, utcnow

SOURCE_TYPES = ("attendance", "purchase", "refund", "redemption", "reversal")
REWARD_STATUSES = ("owed", "paid", "reversal")
REWARD_DIRECTIONS = ("reward", "reversal")


def _customer_fk(column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["customers.tenant_id", "customers.id"])


class CustomerReferral(TenantScoped, db.Model):
    """CUS-40: ``referee_id`` was brought by customer ``referrer_id``; ``referrer_owner_id`` is the
    referrer's owner (a user) when the referral was recorded; ``decision_id`` the CUS-40 decision
    about the referee's owner."""

    __tablename__ = "customer_referrals"
    __table_args__ = (
        _customer_fk("referee_id"),
        _customer_fk("referrer_id"),
        UniqueConstraint("tenant_id", "referee_id"),
        Index("ix_customer_referrals_referrer", "tenant_id", "referrer_id"),
    )

    referee_id: Mapped[int] = mapped_column(BigInteger)
    referrer_id: Mapped[int] = mapped_column(BigInteger)
    referrer_owner_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claimed_staff_id: Mapped[int | None] = mapped_column(BigInteger)  # direct relationship claimed (CAR)
    note: Mapped[str | None] = mapped_column(String(500))
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferralAttendance(TenantScoped, db.Model):
    """CUS-42: referee ``customer_id`` attended a meeting (``event_id`` when the event is known) at
    ``at``; ``entry_id`` is the points entry it earned its referrer (``None``: nothing earned, the
    decision says why)."""

    __tablename__ = "referral_attendances"
    __table_args__ = (
        _customer_fk("customer_id"),
        UniqueConstraint("tenant_id", "customer_id", "event_id"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PointsLedgerEntry(TenantScoped, db.Model):
    """CUS-41: ± integer ``points`` on the ledger of ``customer_id`` at ``at``, earned under
    ``rule_id`` from ``source_type``/``source_id`` (attendance, purchase, refund, redemption,
    reversal), for referee ``referee_id``; ``reverses`` names the entry a reversal undoes."""

    __tablename__ = "points_entries"
    __table_args__ = (
        _customer_fk("customer_id"),
        _customer_fk("referee_id"),
        ForeignKeyConstraint(["tenant_id", "reverses"], ["points_entries.tenant_id", "points_entries.id"]),
        UniqueConstraint("tenant_id", "customer_id", "source_type", "source_id"),
        Index("ix_points_entries_customer_at", "tenant_id", "customer_id", "at"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    points: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(60))
    source_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    referee_id: Mapped[int | None] = mapped_column(BigInteger)
    reverses: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason_zh: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(500))
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(PointsLedgerEntry, "before_update")
@event.listens_for(PointsLedgerEntry, "before_delete")
def _append_only(_mapper, _connection, target):
    """CUS-41: entries are never edited or removed, only reversed by a linked entry."""
    raise PermissionError(f"points entry #{target.id} is append-only (CUS-41): reverse it instead")


class ReferralReward(TenantScoped, db.Model):
    """CUS-44: ``amount`` yuan of ``kind`` (cash, fuel) owed to ``referrer_id`` for the deal
    ``deal_type``/``deal_id`` of ``referee_id`` (status ``owed`` → ``paid`` by finance), or, with
    ``direction = reversal``, its reversal (negative amount, ``reverses`` = the reward)."""

    __tablename__ = "referral_rewards"
    __table_args__ = (
        _customer_fk("referrer_id"),
        _customer_fk("referee_id"),
        ForeignKeyConstraint(["tenant_id", "reverses"], ["referral_rewards.tenant_id", "referral_rewards.id"]),
        UniqueConstraint("tenant_id", "deal_type", "deal_id", "direction"),
        Index("ix_referral_rewards_referrer", "tenant_id", "referrer_id"),
        Index("ix_referral_rewards_referee", "tenant_id", "referee_id"),
    )

    referrer_id: Mapped[int] = mapped_column(BigInteger)
    referee_id: Mapped[int] = mapped_column(BigInteger)
    deal_type: Mapped[str] = mapped_column(String(40))
    deal_id: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reverses: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paid_by: Mapped[int | None] = mapped_column(BigInteger)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
