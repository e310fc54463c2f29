"""CUS-41: a customer's points ledger, append-only.

Every entry is checked by :func:`core.customers.points.rules.append_entry` against the ledger as
stored (non-zero integer points, reversals of the opposite sign that never exceed their original,
no plain debit beyond the balance) and written with its decision (rule id, reasons zh + en, the
``cus`` policy version in force at the entry's time). Entries are never updated or deleted (the ORM
refuses it, and the API has no such call); the balance is their sum and may be negative only through
the reversal of points already spent: it then shows the debt.

Writers of one ledger are serialised on PostgreSQL by locking the customer's row, so two concurrent
spends cannot both pass the balance check.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, select

from core.customers.models import Customer
from core.customers.points import rules
from core.customers.points.models import PointsLedgerEntry
from core.customers.policy import cus_policy
from core.customers.fact_time import FUTURE_TOLERANCE
from core.db import db, utcnow
from core.decisions import service as decisions
from core.decisions.models import Decision
from core.errors import InvalidInput, NotFound



def lock_ledger(customer_id: int) -> None:
    """Serialise writers of one customer's ledger (PostgreSQL row lock; SQLite writes are serial)."""
    db.session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())


def entries_of(customer_id: int) -> list[PointsLedgerEntry]:
    """The customer's entries, oldest first."""
    return list(db.session.scalars(select(PointsLedgerEntry).where(PointsLedgerEntry.customer_id == customer_id)
                                   .order_by(PointsLedgerEntry.at, PointsLedgerEntry.id)))


def balance_of(customer_id: int) -> int:
    """CUS-41: the balance is the sum of the entries."""
    return int(db.session.scalar(select(func.coalesce(func.sum(PointsLedgerEntry.points), 0))
                                 .where(PointsLedgerEntry.customer_id == customer_id)) or 0)


def get_entry(customer_id: int, entry_id: int) -> PointsLedgerEntry:
    row = db.session.scalars(select(PointsLedgerEntry).where(
        PointsLedgerEntry.id == entry_id, PointsLedgerEntry.customer_id == customer_id)).first()
    if row is None:
        raise NotFound("points entry not found")
    return row


def as_rule_entry(row: PointsLedgerEntry) -> rules.PointsEntry:
    return rules.PointsEntry(id=row.id, rule_id=row.rule_id, customer_id=row.customer_id, points=row.points,
                             at=row.at, source_type=row.source_type, source_id=row.source_id,
                             referee_id=row.referee_id, reverses=row.reverses, reason_zh=row.reason_zh,
                             reason_en=row.reason_en)


def rule_ledger(customer_id: int) -> tuple[rules.PointsEntry, ...]:
    """The stored ledger as the pure rules see it."""
    return tuple(as_rule_entry(r) for r in entries_of(customer_id))


def reversed_by(entries) -> dict[int, int]:
    """``{entry id: points reversed so far}`` over a list of rows."""
    out: dict[int, int] = {}
    for e in entries:
        if e.reverses is not None:
            out[e.reverses] = out.get(e.reverses, 0) + e.points
    return out


def append(entry: rules.PointsEntry, *, policy=None, decided_by: int | None = None, note: str | None = None,
           supersedes: Decision | None = None, outcome: dict | None = None) -> PointsLedgerEntry:
    """Append ``entry`` (from a rule) to its customer's ledger with its decision; refused
    (:class:`~core.errors.InvalidInput`) when :func:`rules.append_entry` refuses it."""
    lock_ledger(entry.customer_id)
    rules.append_entry(rule_ledger(entry.customer_id), replace(entry, id=None))
    policy = policy if policy is not None else cus_policy(entry.at)
    kwargs = entry.record_kwargs()
    decision = decisions.record(
        kwargs["rule_id"], "customer", entry.customer_id, outcome={**kwargs["outcome"], **(outcome or {})},
        reason_zh=entry.reason_zh, reason_en=entry.reason_en, facts=kwargs["facts"], policy=policy,
        decided_by=decided_by, supersedes=supersedes)
    row = PointsLedgerEntry(customer_id=entry.customer_id, points=entry.points, rule_id=entry.rule_id,
                            source_type=entry.source_type, source_id=entry.source_id, referee_id=entry.referee_id,
                            reverses=entry.reverses, at=entry.at, reason_zh=entry.reason_zh,
                            reason_en=entry.reason_en, note=note, decision_id=decision.id, created_by=decided_by)
    db.session.add(row)
    db.session.flush()
    return row


def _check_time(at: dt.datetime | None) -> dt.datetime:
    at = at or utcnow()
    if at.tzinfo is None:
        raise InvalidInput("invalid time", fields={"at": ["needs a time zone (e.g. +08:00)"]})
    if at > utcnow() + FUTURE_TOLERANCE:
        raise InvalidInput("invalid time", fields={"at": ["cannot be in the future"]})
    return at


def spend(customer_id: int, points, *, by: int | None, at: dt.datetime | None = None,
          note: str | None = None) -> PointsLedgerEntry:
    """CUS-41: spend (redeem) ``points`` of the customer's balance; 422 on ``points`` when the
    balance does not cover them."""
    at = _check_time(at)
    lock_ledger(customer_id)
    entry = rules.spend_points(rule_ledger(customer_id), customer_id, points, at=at)
    if note:
        entry = replace(entry, reason_zh=f"{entry.reason_zh.removesuffix('依据CUS-41。')}（{note}）依据CUS-41。",
                        reason_en=f"{entry.reason_en} Note: {note}")
    return append(entry, decided_by=by, note=note)


def reverse(customer_id: int, entry_id: int, *, by: int, reason: str, points: int | None = None,
            at: dt.datetime | None = None) -> PointsLedgerEntry:
    """CUS-41: a manual reversal of entry ``entry_id`` (all that is not yet reversed, or ``points``
    of it) with the user's mandatory ``reason``; its decision supersedes the entry's decision."""
    at = _check_time(at)
    if not (reason or "").strip():
        raise InvalidInput("a reason is required", fields={"reason": ["required for a manual reversal"]})
    original = get_entry(customer_id, entry_id)
    if points is not None and (isinstance(points, bool) or not isinstance(points, int) or points <= 0):
        raise InvalidInput("invalid points", fields={"points": ["a positive integer (the points to reverse)"]})
    if original.reverses is not None:
        raise InvalidInput("a reversal is not reversed", fields={
            "points_entry_id": ["a reversal cannot itself be reversed; append a new entry"]})
    lock_ledger(customer_id)
    ledger = rule_ledger(customer_id)
    supersedes = decisions.get(original.decision_id) if original.decision_id else None
    try:
        entry = rules.reverse_entry(
            ledger, original.id, at=at, points=points, source_type="reversal", rule_id="CUS-41",
            reason_zh=f"人工冲销第{original.id}条积分记录（原{original.points:+d}分，{original.rule_id}）：{reason}。依据CUS-41。",
            reason_en=(f"Manual reversal of entry #{original.id} ({original.points:+d} points, {original.rule_id}): "
                       f"{reason}. Under CUS-41."),
            facts={"original": {"id": original.id, "points": original.points, "rule_id": original.rule_id,
                                "decision_id": original.decision_id}, "reason": reason})
        return append(entry, policy=cus_policy(at), decided_by=by, note=reason, supersedes=supersedes)
    except InvalidInput as err:
        if "reverses" in err.fields:
            raise InvalidInput(err.message, fields={"points_entry_id": err.fields["reverses"]}) from err
        raise
