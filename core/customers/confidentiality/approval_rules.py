"""Approval steps of loans (CUS-73) and exports (CUS-74): pure.

A requirement is a list of steps, all needed; a step is one role or several separated by ``|``
(any of them). Each approver counts for one step only, so ``["info_supervisor", "cs_manager"]``
needs two people even when one of them holds both roles.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence


def step_roles(step: str) -> frozenset[str]:
    return frozenset(part.strip() for part in step.split("|") if part.strip())


def progress(steps: Sequence[str], approvers: Iterable[Iterable[str]]) -> tuple[list[str], list[str]]:
    """``(met, missing)`` steps given the roles of each approver (a maximum matching: every
    approver fills at most one step)."""
    approvers = [frozenset(a) for a in approvers]
    owner: dict[int, int] = {}  # step index -> approver index

    def assign(a: int, seen: set[int]) -> bool:
        for s, step in enumerate(steps):
            if s in seen or not (step_roles(step) & approvers[a]):
                continue
            seen.add(s)
            if s not in owner or assign(owner[s], seen):
                owner[s] = a
                return True
        return False

    for a in range(len(approvers)):
        assign(a, set())
    met = [step for s, step in enumerate(steps) if s in owner]
    missing = [step for s, step in enumerate(steps) if s not in owner]
    return met, missing


def can_approve(steps: Sequence[str], approvers: Iterable[Iterable[str]], roles: Iterable[str]) -> bool:
    """Whether one more approver with ``roles`` fills a missing step."""
    before = progress(steps, approvers)[1]
    after = progress(steps, [*approvers, roles])[1]
    return len(after) < len(before)


def describe(steps: Sequence[str]) -> str:
    return " & ".join(steps) if steps else "none"
