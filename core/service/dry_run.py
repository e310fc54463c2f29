"""Dry-run of an ``svc`` draft: the deadlines of the open work orders (SVC-07) under the draft's
``svc.sla`` durations, compared with the due times they run to now.

An order keeps the ``svc`` version it was requested under, so these are comparisons: what the draft
would give the same order requested today. New times granted on a delay notice (SVC-08) and paused
clocks are left out."""
from __future__ import annotations

from sqlalchemy import select

from core.calendar.service import tenant_calendar
from core.db import db
from core.policy.dry_run import Change, evaluator
from core.service import deadline_rules, order_types
from core.service.deadlines_events import label
from core.service.models import OPEN_STATES, WorkOrder
from core.sla import dry_run as clocks


@evaluator("svc")
def work_order_deadlines(current, draft: dict, now) -> list[Change]:
    rows = [row for row in clocks.open_milestones(now, "work_order") if clocks.computed_by_policy(row)]
    if not rows:
        return []
    orders = {o.id: o for o in db.session.scalars(select(WorkOrder).where(
        WorkOrder.id.in_({row.subject_id for row in rows}), WorkOrder.status.in_(OPEN_STATES)))}
    types = order_types.tenant_types()
    pauses = clocks.pauses_of(rows)
    calendars: dict = {}
    changes = []
    for row in rows:
        order = orders.get(row.subject_id)
        if order is None:
            continue
        specs = {s.code: s for s in deadline_rules.specs(
            draft, order.type, order.priority, on_site=order_types.is_on_site(order.type, types),
            needs_approval=bool(order.approval_roles))}
        spec = specs.get(row.code)
        if row.department not in calendars:
            calendars[row.department] = tenant_calendar(now, row.department)[0]
        calendar = calendars[row.department]
        before = calendar.local(row.due_at)
        zh, en = label(row.code)
        if spec is None:
            changes.append(Change(
                "work_order", order.id, order.number, row.rule_id, before, None,
                f"按草案，{zh}期限不再设置（原{before:%Y-%m-%d %H:%M}到期）",
                f"under the draft the order runs no {en} clock (now due {before:%Y-%m-%d %H:%M})",
                what=row.code, applies=False))
            continue
        due, _source = clocks.due_under(row, calendar, pauses.get(("work_order", order.id), []), spec.duration)
        if due.utc == row.due_at:
            continue
        changes.append(Change(
            "work_order", order.id, order.number, "SVC-07", before, due.at,
            f"{zh}期限：{order.type}/{order.priority} 由{row.duration}改为{spec.duration}，"
            f"到期时间自{before:%Y-%m-%d %H:%M}变为{due.at:%Y-%m-%d %H:%M}",
            f"{en} deadline: {spec.duration} instead of {row.duration} for {order.type}/{order.priority}, "
            f"due {due.at:%Y-%m-%d %H:%M} instead of {before:%Y-%m-%d %H:%M}",
            what=row.code, applies=False))
    return changes
