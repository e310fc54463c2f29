"""Which module handles what a deadline event means for each kind of subject.

The engine and the sweep are the same for every subject; what a warning, a breach or an escalation
step means (who is told, what else follows) belongs to the subject's module. :data:`HANDLERS` names
that module per ``subject_type``; a subject type without one gets :mod:`core.sla.default_handler`
(a decision per event, nobody told). A handler module defines:

- ``warned(rows, now)`` — open milestones whose warning time came (CMP-34);
- ``breached(rows, now)`` — milestones just past due (their ``state`` is ``breached``); a handler may
  still find the awaited event happened in time and :func:`core.sla.engine.meet` the row instead;
- ``hard_breached(rows, now)`` — breached milestones past their hard limit too (CMP-32);
- ``escalated(steps, now)`` — ``(row, step_at)`` pairs: the row went up to ``row.escalation_level``
  (1 = the first role of ``row.escalation_ladder``) at ``step_at`` (CMP-40);
- ``met(row, at)`` — a milestone was met (clocks that start when another ends).

"""
from __future__ import annotations

import importlib
from types import ModuleType

HANDLERS: dict[str, str] = {
    "complaint": "core.complaints.deadlines_events",
    "work_order": "core.service.deadlines_events",
}
DEFAULT = "core.sla.default_handler"


def handler(subject_type: str) -> ModuleType:
    return importlib.import_module(HANDLERS.get(subject_type, DEFAULT))


def met(row, at) -> None:
    handler(row.subject_type).met(row, at)
