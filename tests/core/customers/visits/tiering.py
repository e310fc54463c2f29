"""The one way the visit tests give a customer a tier (CUS-50): a ``CUS-50`` decision with
``{"scheme": ..., "tier": ...}``, what ``core.customers.visits.tiers.tiers_of`` reads until the grades
tables exist (then only this helper and ``tiers.py`` change). Call inside the tenant's scope."""
from __future__ import annotations

from core.decisions import service as decisions


def set_tier(customer_id: int, tier: str, scheme: str = "grade") -> None:
    decisions.record("CUS-50", "customer", customer_id, outcome={"scheme": scheme, "tier": tier},
                     reason_zh=f"测试：评为{tier}类", reason_en=f"test: graded {tier}")
