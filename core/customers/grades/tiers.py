"""CUS-50 · Tier schemes, as pure rules.

A tenant has one or more ordered schemes (``cus.tiers.schemes``, best tier first: ``grade: [A, B,
C]``, ``vip: [A, B, C, D]``, ``metal: [gold, diamond, platinum, white_gold, silver]``...). A tier is
reached either by a numeric criterion (``cus.tiers.criteria``: a metric of the customer's
transactions over the trailing ``cus.tiers.period`` against a minimum) or manually, with a reason and
an approver who holds one of ``cus.tiers.approver_roles`` and is not the person making the change.

- :func:`numeric_tier` — the best tier whose criterion holds (``None``: no numeric tier applies).
- :func:`check_manual_change` — validates a manual change (422 naming the field) and gives the
  outcome for the decision and the history row.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.customers.grades.outcome import Decided, money, yuan
from core.errors import InvalidInput, NotFound

METRIC_NAMES = {
    "net_purchases": ("购买净额", "net purchases"),
    "gross_profit": ("毛利", "gross profit"),
    "shipments": ("发货额", "shipments"),
    "collections": ("回款额", "collections"),
}


def scheme_tiers(tiers_settings: Mapping[str, Any], scheme: str) -> list[str]:
    """The ordered tiers of ``scheme``; NotFound (404) for a scheme the tenant does not have."""
    tiers = tiers_settings["schemes"].get(scheme)
    if tiers is None:
        raise NotFound(f"no tier scheme {scheme!r} (cus.tiers.schemes)")
    return list(tiers)


def rank(tiers: Sequence[str], tier: str | None) -> int | None:
    """0 for the best tier; ``None`` for no tier or a tier the scheme no longer has."""
    return tiers.index(tier) if tier in tiers else None


@dataclass(frozen=True, kw_only=True)
class TierEvaluation(Decided):
    """The numeric tier of a customer in one scheme (CUS-50)."""

    scheme: str
    tier: str | None
    previous: str | None

    @property
    def changed(self) -> bool:
        return self.tier is not None and self.tier != self.previous

    def outcome(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "tier": self.tier, "previous": self.previous, "kind": "automatic"}


def _holds(criterion: Mapping[str, Any], value: Decimal) -> bool:
    minimum = Decimal(criterion["min"])
    return value >= minimum if criterion.get("inclusive", True) else value > minimum


def numeric_tier(tiers_settings: Mapping[str, Any], scheme: str, customer_id: int, metrics: Mapping[str, Decimal],
                 *, previous: str | None = None, period: str = "") -> TierEvaluation:
    """The best tier of ``scheme`` whose numeric criterion holds for ``metrics`` (``{metric: yuan}``
    over the trailing period). Tiers without a criterion are manual and skipped. ``tier`` is
    ``None`` when no criterion holds (the current tier is then left as it is)."""
    tiers = scheme_tiers(tiers_settings, scheme)
    criteria = tiers_settings["criteria"].get(scheme, {})
    checked = []
    chosen = None
    for tier in tiers:
        criterion = criteria.get(tier)
        if criterion is None:
            continue
        value = money(metrics.get(criterion["metric"], 0))
        ok = _holds(criterion, value)
        checked.append({"tier": tier, "metric": criterion["metric"], "value": value, "min": money(criterion["min"]),
                        "inclusive": criterion.get("inclusive", True), "holds": ok})
        if ok:
            chosen = tier
            break
    facts = {"scheme": scheme, "tiers": tiers, "period": period, "metrics": {k: money(v) for k, v in metrics.items()},
             "criteria_checked": checked, "previous": previous}
    if chosen is None:
        zh = f"客户#{customer_id}在{scheme}方案中没有满足任何数值标准的等级，等级保持{previous or '未定'}。依据CUS-50。"
        en = (f"Customer #{customer_id} meets no numeric criterion of scheme {scheme}; the tier stays "
              f"{previous or 'unset'}. Under CUS-50.")
    else:
        c = checked[-1]
        zh_metric, en_metric = METRIC_NAMES[c["metric"]]
        op_zh = "≥" if c["inclusive"] else ">"
        zh = (f"客户#{customer_id}近{period}{zh_metric}{yuan(c['value'])}{op_zh}{yuan(c['min'])}，"
              f"{scheme}方案等级为{chosen}（原{previous or '未定'}）。依据CUS-50。")
        en = (f"Customer #{customer_id}: {en_metric} over the trailing {period} {yuan(c['value'])} {op_zh} "
              f"{yuan(c['min'])}; tier {chosen} in scheme {scheme} (was {previous or 'unset'}). Under CUS-50.")
    return TierEvaluation(rule_id="CUS-50", subject_id=customer_id, facts=facts, reason_zh=zh, reason_en=en,
                          scheme=scheme, tier=chosen, previous=previous)


@dataclass(frozen=True)
class Approver:
    """The approver of a manual change as the rule sees them."""

    id: int
    name: str
    roles: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class ManualChange(Decided):
    """A manual tier change (CUS-50): reason and approver recorded."""

    scheme: str
    tier: str
    previous: str | None
    approver_id: int
    reason: str
    temporary: bool = False

    def outcome(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "tier": self.tier, "previous": self.previous, "kind": "manual",
                "approved_by": self.approver_id, "temporary": self.temporary}


def check_manual_change(tiers_settings: Mapping[str, Any], scheme: str, customer_id: int, *, tier: str | None,
                        reason: str | None, approver: Approver | None, approver_id: int | None, decided_by: int,
                        previous: str | None = None, temporary: bool = False) -> ManualChange:
    """CUS-50: a manual change needs a tier of the scheme, a reason, and an approver (a user of the
    tenant, active, holding one of ``cus.tiers.approver_roles``, other than ``decided_by``).
    Raises InvalidInput (422) naming every bad field; nothing is decided then."""
    tiers = scheme_tiers(tiers_settings, scheme)
    roles = list(tiers_settings["approver_roles"])
    errors: dict[str, list[str]] = {}
    if tier not in tiers:
        errors["tier"] = [f"not a tier of scheme {scheme}: expected one of {', '.join(tiers)}"]
    if not (reason or "").strip():
        errors["reason"] = ["a manual change needs a reason (CUS-50)"]
    if approver_id is None:
        errors["approver_id"] = ["a manual change needs an approver (CUS-50)"]
    elif approver is None:
        errors["approver_id"] = ["no such user"]
    elif not approver.active:
        errors["approver_id"] = ["the approver is not an active user"]
    elif not set(approver.roles) & set(roles):
        errors["approver_id"] = [f"the approver needs one of the roles {', '.join(roles)} (cus.tiers.approver_roles)"]
    elif approver.id == decided_by:
        errors["approver_id"] = ["the approver must be another person than the one making the change"]
    if errors:
        raise InvalidInput("invalid manual grade change", fields=errors, rule_id="CUS-50")
    assert approver is not None and tier is not None
    reason = reason.strip()
    kind_zh, kind_en = ("临时等级", "temporary tier") if temporary else ("等级", "tier")
    zh = (f"客户#{customer_id}在{scheme}方案中的{kind_zh}由{previous or '未定'}人工调整为{tier}，"
          f"经{approver.name}批准。理由：{reason}。依据CUS-50。")
    en = (f"Customer #{customer_id}: {kind_en} in scheme {scheme} changed manually from {previous or 'unset'} to "
          f"{tier}, approved by {approver.name}. Reason: {reason}. Under CUS-50.")
    facts = {"scheme": scheme, "tiers": tiers, "previous": previous, "approver": {"id": approver.id,
             "roles": list(approver.roles)}, "approver_roles": roles, "reason": reason}
    return ManualChange(rule_id="CUS-50", subject_id=customer_id, facts=facts, reason_zh=zh, reason_en=en,
                        decided_by=decided_by, scheme=scheme, tier=tier, previous=previous, approver_id=approver.id,
                        reason=reason, temporary=temporary)
