"""Dry-run of a policy draft: which current outcomes would change under it, changing nothing.

Each policy module may register evaluators (:func:`evaluator`). An evaluator is a function
``fn(current_view, draft_values, now) -> list[Change]``: ``current_view`` the
:class:`~core.policy.service.PolicyView` in force, ``draft_values`` the draft loaded by the module's
schema (defaults filled in), ``now`` an aware instant. It recomputes, with the module's pure rule
functions and the DRAFT values, the outcomes of the tenant's open things (open complaints' deadlines,
customers' protection windows, ...) and returns one :class:`Change` per outcome that differs from the
stored one. Evaluators only read; :func:`run` refuses a session left with pending writes (and rolls
it back), so a dry-run never saves anything.

A change either ``applies`` — the stored outcome is recomputed once the draft is in force (a calendar
change moves open deadlines, CAL-09) — or is a comparison: the subject keeps the version it started
under (a complaint its ``cmp`` version, CMP-37; a work order its ``svc`` version; a protection window
the ``cus`` version of its start), and the change shows what the draft would decide for such a
subject started today.

The core modules register their evaluators in ``core/<module>/dry_run.py`` (listed in
:data:`CORE_EVALUATORS`, imported on first use); a plugin registers its own from a module its hooks
module imports.
"""
from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Callable

from core.db import db, utcnow

#: modules of the core whose import registers evaluators
CORE_EVALUATORS = ("core.calendar.dry_run", "core.complaints.dry_run", "core.customers.dry_run",
                   "core.service.dry_run")

_EVALUATORS: dict[str, list[Callable]] = {}


@dataclass(frozen=True)
class Change:
    """One outcome of one subject that the draft changes."""

    subject_type: str  # complaint | customer | work_order | ...
    subject_id: int
    label: str  # how the subject is known to people: a case number, a customer's name
    rule_id: str
    before: object  # the stored outcome (an instant, a date, a state)
    after: object  # the outcome under the draft (None: the draft gives none)
    reason_zh: str
    reason_en: str
    what: str = ""  # which outcome of the subject: a milestone code, "protection"
    applies: bool = True  # recomputed once the draft is in force; False: a comparison (see the module doc)


@dataclass
class DryRun:
    module: str
    now: dt.datetime
    evaluated: bool  # False: the module has no evaluator, nothing was checked
    changes: list[Change] = field(default_factory=list)

    @property
    def applying(self) -> list[Change]:
        return [c for c in self.changes if c.applies]

    @property
    def comparisons(self) -> list[Change]:
        return [c for c in self.changes if not c.applies]


def evaluator(module: str):
    """Register ``fn(current_view, draft_values, now) -> list[Change]`` for the policy ``module``."""

    def register(fn: Callable) -> Callable:
        found = _EVALUATORS.setdefault(module, [])
        if fn not in found:
            found.append(fn)
        return fn

    return register


def _load_core() -> None:
    for name in CORE_EVALUATORS:
        importlib.import_module(name)


def evaluators(module: str) -> list[Callable]:
    _load_core()
    return list(_EVALUATORS.get(module, ()))


def has_evaluator(module: str) -> bool:
    return bool(evaluators(module))


def run(module: str, draft_body: dict, now: dt.datetime | None = None) -> DryRun:
    """Dry-run ``draft_body`` for ``module`` in the current tenant as of ``now`` (default now).
    Raises InvalidInput (field errors) for an invalid draft, as publishing would."""
    from core.policy import service as policies

    now = now or utcnow()
    stored = policies.validate(module, draft_body)
    draft_values = policies.schemas()[module].schema().load(stored)
    current = policies.in_force(module, now)
    fns = evaluators(module)
    result = DryRun(module, now, bool(fns))
    session = db.session
    try:
        with session.no_autoflush:
            for fn in fns:
                result.changes.extend(fn(current, draft_values, now))
        if session.new or session.dirty or session.deleted:
            raise RuntimeError(f"a dry-run evaluator of {module!r} changed rows; nothing was saved")
    except BaseException:
        session.rollback()
        raise
    result.changes.sort(key=lambda c: (not c.applies, c.subject_type, str(c.label), c.what))
    return result
