"""CUS-03 required-document checklists (generic mechanism): pure, no I/O.

A template (the loaded shape of one ``cus.checklists`` entry, or a plugin's
:class:`~core.plugins.records.ChecklistTemplate`) applies to an archive by customer kind, lifecycle
stage, category and an optional condition. Each item is

- **required** (counted), **conditional** (``condition`` set: counted only when it holds on the archive
  fields), or optional (``required = false`` and no condition: never counted);
- a single document with attributes (``form`` original|copy|any, ``both_sides``,
  ``customer_signature``, ``staff_signature``), or an **either-or group** (``any_of``): satisfied by any
  one alternative.

A provided document satisfies a requirement when it is present (not noted missing at a handover,
CUS-02) and has every attribute asked for; an original stands in for a copy. Completeness =
satisfied counted items ÷ counted items, a percentage with 2 decimals rounded half-up (100.00 with
nothing to count). Every unsatisfied item lists its reasons (``not_provided``, ``missing_at_handover``,
``original``, ``both_sides``, ``customer_signature``, ``staff_signature``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

RULE_ID = "CUS-03"
_CENT = Decimal("0.01")

_REASONS = {
    "not_provided": ("not provided", "未提供"),
    "missing_at_handover": ("noted missing at the handover", "交接时注明缺失"),
    "original": ("the original is required, a copy was provided", "须提供原件，现为复印件"),
    "both_sides": ("both sides are required", "须正反面"),
    "customer_signature": ("the customer's signature is missing", "缺客户签字"),
    "staff_signature": ("the staff signature is missing", "缺经办人签字"),
}


@dataclass(frozen=True)
class Provided:
    """A document of the customer's archive (one per item code)."""

    code: str
    form: str = "copy"  # original | copy
    both_sides: bool = False
    customer_signed: bool = False
    staff_signed: bool = False
    missing: bool = False  # noted missing at a handover (CUS-02)


@dataclass(frozen=True)
class Reason:
    code: str
    item: str  # the item (or alternative) it is about
    en: str
    zh: str


@dataclass(frozen=True)
class ItemResult:
    code: str
    label_zh: str
    label_en: str
    counted: bool  # required, or conditional with its condition holding
    satisfied: bool
    status: str  # satisfied | unsatisfied | not_applicable (condition false) | optional
    reasons: tuple[Reason, ...] = ()
    satisfied_by: str | None = None  # the alternative of an either-or group that satisfied it


@dataclass(frozen=True)
class ChecklistResult:
    code: str
    label_zh: str
    label_en: str
    required: int
    satisfied: int
    items: tuple[ItemResult, ...] = field(default=())

    @property
    def percent(self) -> Decimal:
        return percent(self.satisfied, self.required)

    @property
    def missing(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.items if i.counted and not i.satisfied)


def percent(satisfied: int, required: int) -> Decimal:
    """``satisfied ÷ required`` as a percentage, 2 decimals, half-up; 100.00 when nothing is required."""
    if required <= 0:
        return Decimal("100.00")
    return (Decimal(satisfied) * 100 / Decimal(required)).quantize(_CENT, rounding=ROUND_HALF_UP)


def field_value(facts: Mapping[str, Any], name: str) -> Any:
    if name.startswith("extra."):
        return (facts.get("extra") or {}).get(name[len("extra."):])
    return facts.get(name)


def condition_holds(condition: Mapping[str, Any] | None, facts: Mapping[str, Any]) -> bool:
    """A condition (``{field, op, value}``) on the archive fields ``facts``; None always holds."""
    if not condition:
        return True
    actual = field_value(facts, condition["field"])
    op, value = condition.get("op", "eq"), condition.get("value")
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if op == "in":
        return actual in (value or [])
    if op == "not_in":
        return actual not in (value or [])
    if op == "present":
        return actual not in (None, "", [], {})
    if op == "absent":
        return actual in (None, "", [], {})
    if op == "contains":
        return isinstance(actual, (list, tuple, set)) and value in actual
    raise ValueError(f"unknown condition op {op!r}")


def applies(template: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """Whether a template applies to an archive (kind, lifecycle stage, category, condition)."""
    if template.get("kinds") and facts.get("kind") not in template["kinds"]:
        return False
    if template.get("stages") and facts.get("lifecycle_stage") not in template["stages"]:
        return False
    if template.get("categories") and facts.get("category") not in template["categories"]:
        return False
    return condition_holds(template.get("when"), facts)


def _reason(code: str, item: str) -> Reason:
    en, zh = _REASONS[code]
    return Reason(code, item, en, zh)


def check_document(requirement: Mapping[str, Any], doc: Provided | None) -> tuple[Reason, ...]:
    """Why ``doc`` does not satisfy ``requirement`` (empty: it does)."""
    code = requirement["code"]
    if doc is None:
        return (_reason("not_provided", code),)
    if doc.missing:
        return (_reason("missing_at_handover", code),)
    reasons = []
    if requirement.get("form", "any") == "original" and doc.form != "original":
        reasons.append(_reason("original", code))
    for attribute, provided in (("both_sides", doc.both_sides), ("customer_signature", doc.customer_signed),
                                ("staff_signature", doc.staff_signed)):
        if requirement.get(attribute) and not provided:
            reasons.append(_reason(attribute, code))
    return tuple(reasons)


def evaluate_item(item: Mapping[str, Any], facts: Mapping[str, Any],
                  documents: Mapping[str, Provided]) -> ItemResult:
    label = (item["code"], item.get("label_zh", item["code"]), item.get("label_en", ""))
    conditional = item.get("condition") is not None
    if conditional:
        counted = condition_holds(item["condition"], facts)
    else:
        counted = bool(item.get("required", True))
    alternatives = item.get("any_of") or [item]
    reasons: list[Reason] = []
    satisfied_by = None
    for alternative in alternatives:
        why = check_document(alternative, documents.get(alternative["code"]))
        if not why:
            satisfied_by = alternative["code"]
            break
        reasons.extend(why)
    satisfied = satisfied_by is not None
    if not counted:
        status = "not_applicable" if conditional else "optional"
    else:
        status = "satisfied" if satisfied else "unsatisfied"
    return ItemResult(*label, counted=counted, satisfied=satisfied, status=status,
                      reasons=() if satisfied else tuple(reasons),
                      satisfied_by=satisfied_by if item.get("any_of") else None)


def evaluate(code: str, template: Mapping[str, Any], facts: Mapping[str, Any],
             documents: Mapping[str, Provided] | Iterable[Provided]) -> ChecklistResult:
    """The completeness of an archive under one template (CUS-03)."""
    if not isinstance(documents, Mapping):
        documents = {d.code: d for d in documents}
    items = tuple(evaluate_item(item, facts, documents) for item in template["items"])
    required = sum(1 for i in items if i.counted)
    satisfied = sum(1 for i in items if i.counted and i.satisfied)
    return ChecklistResult(code, template.get("label_zh", code), template.get("label_en", ""), required,
                           satisfied, items)


def overall_percent(results: Iterable[ChecklistResult]) -> Decimal:
    """Completeness over several templates: all their counted items together."""
    results = list(results)
    return percent(sum(r.satisfied for r in results), sum(r.required for r in results))
