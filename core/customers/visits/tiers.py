"""The one read of customers' tiers (CUS-50) for the visit cadences (CUS-61).

For now a customer's tier is the latest decision with rule id ``CUS-50`` about it whose outcome is
``{"scheme": ..., "tier": ...}`` for the scheme asked; the grades module will replace this read with
its own tables (only this module changes).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from core.db import db
from core.decisions.models import Decision

CHUNK = 1000


def tiers_of(customer_ids: Iterable[int], scheme: str = "grade") -> dict[int, str]:
    """``{customer_id: tier}`` in ``scheme`` for the given customers (customers without one are absent)."""
    ids = sorted(set(customer_ids))
    result: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows = db.session.execute(
            select(Decision.subject_id, Decision.outcome)
            .where(Decision.rule_id == "CUS-50", Decision.subject_type == "customer",
                   Decision.subject_id.in_(chunk))
            .order_by(Decision.created_at, Decision.id))
        for customer_id, outcome in rows:
            if isinstance(outcome, dict) and outcome.get("scheme") == scheme and outcome.get("tier"):
                result[customer_id] = str(outcome["tier"])  # the latest one wins
    return result
