"""Pure rules of who is liable (STF-03 supervisor liability, STF-14 liability when nobody is identified).
No database.

- STF-14: an entry goes on the person identified; with nobody identified, on the smallest unit that is
  (the team, else the unit the caller names: factory, store, sales branch); when the catalog entry says
  ``when_unidentified: head`` (vehicle doors left open → the group leader), on the unit's head if it has one.
- STF-03: a supervisor who failed to supervise loses the offence's amount × ``supervisor_multiplier``
  (2 when not set: "double").
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.staff.ledger_rules import money

DEFAULT_SUPERVISOR_MULTIPLIER = 2


@dataclass(frozen=True)
class Liable:
    """Who an entry goes on: a ``user_id`` or a ``department_id`` (a unit), and why (``basis``)."""

    user_id: int | None
    department_id: int | None
    basis: str  # person | team | unit | head


def liable(user_id: int | None, team_id: int | None, department_id: int | None, *, when_unidentified: str = "unit",
           head_of=None) -> Liable | None:
    """STF-14 (see module doc). ``head_of(department_id)`` gives a unit's head; None when nobody and no
    unit is named."""
    if user_id is not None:
        return Liable(user_id, None, "person")
    unit = team_id if team_id is not None else department_id
    if unit is None:
        return None
    if when_unidentified == "head" and head_of is not None:
        head = head_of(unit)
        if head is not None:
            return Liable(head, None, "head")
    return Liable(None, unit, "team" if team_id is not None else "unit")


def supervisor_amount(amount: Decimal, multiplier: int | None) -> Decimal:
    """STF-03: the supervisor's share of an offence (−3 points → −6 with the default multiplier)."""
    return money(Decimal(amount) * (multiplier or DEFAULT_SUPERVISOR_MULTIPLIER))
