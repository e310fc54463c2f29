"""Pure rules of the case from handling to closure (no database): CMP-41, CMP-50, CMP-52, CMP-53, CMP-55.

- :func:`next_authority_level` — CMP-41: where a case goes when the customer is still dissatisfied
  or the amount at stake exceeds the authority of the level holding it (one level at a time:
  handler → department head → VP in charge → GM).
- :func:`approver_role` — CMP-50: who approves the solution under ``cmp.approval.mode``; with the
  matrix, the first tier whose amount covers the compensation (inclusive, CAL-10).
- :func:`may_approve` — CMP-50: a holder of the approver's role, or of a role above it.
- :func:`reply_form_gap` — CMP-52: a written complaint needs a written reply.
- :func:`closing_gaps` — CMP-52/53: what is missing before a case may close.
- :func:`improvement_tracked` — CMP-55: improvement is tracked unless the cause is human negligence.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.complaints.resolution_settings import ABOVE, AUTHORITY_LADDER

REASONS = ("beyond_authority", "dissatisfied")
#: approver roles from the lowest to the highest (a higher one may approve for a lower one)
APPROVER_ORDER = ("dept_manager", "vp", "gm")


@dataclass(frozen=True)
class AuthorityStep:
    """The case moves from ``from_level`` to ``level``; ``limit`` is the authority of ``from_level``
    (None: unlimited or not about money)."""

    from_level: str
    level: str
    reason: str
    amount: Decimal | None
    limit: Decimal | None


def limit_of(level: str, limits: dict) -> Decimal | None:
    """The authority of ``level`` in yuan; None means no limit (the GM, or a level not listed)."""
    if level == "gm":
        return None
    return limits.get(level)


def beyond_authority(level: str, amount: Decimal | None, limits: dict) -> bool:
    """Whether ``amount`` exceeds what ``level`` may grant (the limit itself is within, CAL-10)."""
    limit = limit_of(level, limits)
    return amount is not None and limit is not None and amount > limit


def next_authority_level(current: str, reason: str, amount: Decimal | None, limits: dict) -> AuthorityStep | None:
    """CMP-41. ``dissatisfied``: the next level up. ``beyond_authority``: the next level up when
    ``amount`` exceeds the current level's limit, else None. None as well at the top (the GM)."""
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {', '.join(REASONS)}")
    if current not in AUTHORITY_LADDER:
        raise ValueError(f"level must be one of {', '.join(AUTHORITY_LADDER)}")
    position = AUTHORITY_LADDER.index(current)
    if position == len(AUTHORITY_LADDER) - 1:
        return None
    if reason == "beyond_authority" and not beyond_authority(current, amount, limits):
        return None
    return AuthorityStep(current, AUTHORITY_LADDER[position + 1], reason, amount, limit_of(current, limits))


def matrix_tiers(matrix: dict) -> list[tuple[str, Decimal | None]]:
    """The approval matrix as (role, up to amount) from the lowest tier; the ``above`` tier last (None)."""
    tiers = sorted(((role, limit) for role, limit in matrix.items() if limit != ABOVE), key=lambda t: t[1])
    tiers += [(role, None) for role, limit in matrix.items() if limit == ABOVE]
    return tiers


def approver_role(mode: str, matrix: dict, amount: Decimal | None) -> str | None:
    """CMP-50. ``none`` → None (no approval); ``gm`` / ``vp`` → that role; ``matrix`` → the first tier
    whose amount is at least the compensation (no compensation counts as ¥0: the lowest tier)."""
    if mode == "none":
        return None
    if mode in ("gm", "vp"):
        return mode
    if mode != "matrix":
        raise ValueError(f"unknown approval mode {mode!r}")
    amount = amount or Decimal("0")
    for role, limit in matrix_tiers(matrix):
        if limit is None or amount <= limit:
            return role
    raise ValueError("the approval matrix has no tier above the others")


def may_approve(required: str, roles: set[str]) -> bool:
    """CMP-50: the approver's role, or a role above it in dept_manager → vp → gm."""
    if required in roles:
        return True
    if required not in APPROVER_ORDER:
        return False
    return any(role in roles for role in APPROVER_ORDER[APPROVER_ORDER.index(required) + 1:])


def reply_form_gap(channel: str, final_methods: list[str], forms: dict, follows_channel: bool) -> list[str] | None:
    """CMP-52: the reply forms a case of ``channel`` still lacks (None when satisfied): a final reply
    in one of ``forms[channel]``. A channel not listed, or a company that lets any form do, has no
    requirement."""
    required = forms.get(channel)
    if not follows_channel or not required:
        return None
    if set(final_methods) & set(required):
        return None
    return list(required)


def closing_gaps(*, resolution_method: str | None, action_taken: str | None, replied: bool,
                 requires_confirmation: bool, customer_confirmed: bool) -> dict[str, list[str]]:
    """CMP-52/53: each missing closing condition, by field (件件有落实，事事有回复)."""
    gaps: dict[str, list[str]] = {}
    if not (resolution_method or "").strip():
        gaps["resolution_method"] = ["record how the case was resolved before closing it (CMP-52)"]
    if not (action_taken or "").strip():
        gaps["action_taken"] = ["record the action taken before closing the case (CMP-52)"]
    if not replied:
        gaps["reply"] = ["the customer has had no reply: log the reply before closing (CMP-52)"]
    if requires_confirmation and not customer_confirmed:
        gaps["customer_confirmed"] = ["the customer must confirm (sign) the handling record first (CMP-53)"]
    return gaps


def improvement_tracked(human_negligence: bool) -> bool:
    """CMP-55: improvement is tracked, except when the cause is human negligence."""
    return not human_negligence
