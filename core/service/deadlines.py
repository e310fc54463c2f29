"""Work-order deadlines (SVC-07) on the CMP deadline engine (:mod:`core.sla`): started when the order is
requested, met by the moves of :data:`core.service.deadline_rules.MET_BY`, paused while the order is on
hold (its reason, as CMP-33), cancelled with the order. Warnings, breaches and escalation steps are
handled by :mod:`core.service.deadlines_events` (the sweep ``cmp.sla_timers`` serves both)."""
from __future__ import annotations

import datetime as dt

from core.sla import engine as sla

from core.service import deadline_rules, order_types
from core.service.models import WorkOrder

SUBJECT = "work_order"


def start_for(order: WorkOrder, view) -> list:
    """Start the order's deadlines under the ``svc`` version ``view`` it was requested under."""
    specs = deadline_rules.specs(view.values, order.type, order.priority, on_site=order_types.is_on_site(order.type),
                                 needs_approval=bool(order.approval_roles))
    if not specs:
        return []
    return sla.start(SUBJECT, order.id, specs, order.requested_at, policy=view,
                     warn_at=view.values["deadlines"]["warn_at"],
                     facts={"type": order.type, "priority": order.priority, "number": order.number})


def on_move(order: WorkOrder, from_state: str, to_state: str, at: dt.datetime, *, by: int | None = None) -> None:
    """The deadlines a move meets, pauses, resumes or ends."""
    if to_state == "on_hold":
        sla.pause(SUBJECT, order.id, order.hold_reason or "on_hold", at, by=by)
        return
    if from_state == "on_hold" and sla.open_pause(SUBJECT, order.id) is not None:
        sla.resume(SUBJECT, order.id, at, by=by)
    if to_state == "cancelled":
        sla.cancel(SUBJECT, order.id)
        return
    for code, state in deadline_rules.MET_BY.items():
        if state == to_state:
            sla.meet(SUBJECT, order.id, code, at)
    if to_state == "completed":  # steps skipped on the way (a remote order never arrives) end here
        sla.cancel(SUBJECT, order.id, [c for c in deadline_rules.MET_BY if c != "complete"])
