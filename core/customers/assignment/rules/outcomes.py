"""What every assignment outcome carries for its decision record (:class:`Decided`), skipped
candidates with their reasons (:class:`Skip`, CUS-30) and staff as the rules see them
(:class:`StaffMember`, CAL-11 availability)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.calendar.availability import (
    Availability,
)


@dataclass(frozen=True, kw_only=True)
class Decided:
    """What every outcome carries for its decision record (rule id, facts, reason zh + en).

    ``facts`` holds plain JSON-able values (ids, dates, Decimals), each with the id of its record.
    ``decided_by`` is the user id for manual decisions (CUS-34), ``supersedes`` the id of the
    decision this one supersedes.
    """

    rule_id: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    reason_zh: str
    reason_en: str
    decided_by: int | None = None
    supersedes: int | None = None

    subject_type = "customer"

    def subject_id(self) -> int | None:  # pragma: no cover - overridden
        return None

    def outcome(self) -> dict[str, Any]:  # pragma: no cover - overridden
        return {}

    def record_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``core.decisions.service.record`` (add ``policy`` and ``supersedes``)."""
        return {
            "rule_id": self.rule_id,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id(),
            "outcome": self.outcome(),
            "facts": dict(self.facts),
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "decided_by": self.decided_by,
        }


SKIP_REASONS: dict[str, tuple[str, str]] = {
    "inactive": ("已停用", "inactive"),
    "out_of_scope": ("不在分配范围内", "outside the assignment scope"),
    "capacity": ("已达容量上限", "at capacity"),
    "leave": ("休长假", "on long leave"),
    "off_duty": ("不在岗", "off duty"),
    "company_business": ("因公外出", "away on company business"),
    "with_customer": ("正在接待客户", "busy with a customer"),
    "not_in_roster": ("无在岗记录", "no availability record"),
    "not_participant": ("未参加该活动", "did not take part in the event"),
    "leaver": ("即被调整客户的员工本人", "is the person whose customers are redistributed"),
    "no_tier_rule": ("该等级未配置团队", "no team configured for the grade"),
}


@dataclass(frozen=True)
class Skip:
    """A candidate (staff id or team key) passed over, with its reason code (CUS-30).

    ``owed_turn`` is true when the rotation credited the candidate a make-up turn (CUS-31).
    """

    candidate: int | str
    reason: str
    owed_turn: bool = False

    def as_fact(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "reason": self.reason, "owed_turn": self.owed_turn}


@dataclass(frozen=True)
class StaffMember:
    """An employee as the assignment rules see them (CAL-11 availability, CUS-30 eligibility).

    ``in_scope``: inside the department/team/territory of the assignment; ``at_capacity``: the
    member (or their team, ``cus.assign.team_capacity``) already holds the maximum.
    """

    id: int
    name: str = ""
    availability: Availability | str = Availability.ON_DUTY
    active: bool = True
    in_scope: bool = True
    at_capacity: bool = False
    department_id: int | None = None
    team: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "availability", Availability(self.availability))

    @property
    def label(self) -> str:
        return self.name or f"#{self.id}"


def _n(count: int, noun: str) -> str:
    """``1 customer`` / ``2 customers`` for the English reasons."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _label(staff_id: int | None, by_id: Mapping[int, StaffMember]) -> str:
    if staff_id is None:
        return "—"
    member = by_id.get(staff_id)
    return member.label if member else f"#{staff_id}"


def _skip_texts(skips: Iterable[Skip], by_id: Mapping[int, StaffMember],
                owed_after: Mapping[int, int] | None = None) -> tuple[str, str]:
    zh, en = [], []
    for skip in skips:
        name = skip.candidate if isinstance(skip.candidate, str) else _label(skip.candidate, by_id)
        rz, re_ = SKIP_REASONS.get(skip.reason, (skip.reason, skip.reason))
        if skip.owed_turn:
            owes = (owed_after or {}).get(skip.candidate, 0)
            zh.append(f"{name}（{rz}，欠补接+1，共欠{owes}次）")
            en.append(f"{name} ({re_}, owed a make-up turn, now owes {owes})")
        else:
            zh.append(f"{name}（{rz}）")
            en.append(f"{name} ({re_})")
    return "、".join(zh), "; ".join(en)
