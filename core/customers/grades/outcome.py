"""The shape of a rule's outcome for its decision record (rule id, facts, reasons zh + en), shared by
the pure grade and credit rules."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """Yuan, 2 places, half-up (section 1)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """``¥1,000,000.00`` for the reasons."""
    return f"¥{money(value):,.2f}"


@dataclass(frozen=True, kw_only=True)
class Decided:
    """What an outcome carries for ``core.decisions.service.record``: ``record_kwargs()`` + ``policy``."""

    rule_id: str
    subject_id: int | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    reason_zh: str
    reason_en: str
    decided_by: int | None = None

    subject_type = "customer"

    def outcome(self) -> dict[str, Any]:  # pragma: no cover - overridden
        return {}

    def record_kwargs(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "subject_type": self.subject_type, "subject_id": self.subject_id,
                "outcome": self.outcome(), "facts": dict(self.facts), "reason_zh": self.reason_zh,
                "reason_en": self.reason_en, "decided_by": self.decided_by}


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
