"""Before and on site (SVC-06) and the time promised to the customer (SVC-08).

- :func:`tick_checklist` — the assignee's pre-departure checklist (``svc.checklist.items``: job
  details, tools, parts, documents) for the current dispatch.
- :func:`arrive` — ``dispatched → on_site`` by the assignee; when ``svc.checklist.required`` names
  the order's type (or is true) the checklist of the current dispatch must be complete (409 naming the
  items missing). ``requested → on_site`` is the machine's 409 (SVC-02).
- :func:`set_eta` — the arrival time agreed with the customer; a change must be told to the customer
  before the old time (``customer_told_at``): a change after the old time without that is kept but
  flagged (decision SVC-08, the supervisors told).
- :func:`add_work_log` — on-site work: start, end, work done, parts used (repeatable).

None of these commits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.customers.fact_time import fact_time
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.notifications.service import notify
from core.service import dispatch_rules as rules
from core.service import order_types, orders
from core.service.dispatch import (
    current_dispatch, is_manager, name_of, step_time, supervisors_to_tell,
)
from core.service.dispatch_models import WorkOrderChecklist, WorkOrderWorkLog
from core.service.models import OPEN_STATES, WorkOrder
from core.service.orders import SUBJECT, order_policy

#: roles that arrange times with customers besides the assignee
DESK_ROLES = ("cs_agent", "cs_supervisor", "cs_manager")


def acts_for_assignee(order: WorkOrder, user, *, desk: bool = False) -> None:
    """The assignee, a supervisor or manager; the service desk too when ``desk`` or when the order
    went to an outside partner (the desk records what the partner reports). 403 otherwise."""
    if user.id == order.assignee_id or is_manager(user):
        return
    if (desk or order.assignee_id is None) and user.has_role(*DESK_ROLES):
        return
    raise Forbidden("only the assignee (or their supervisor) does this")


def _local(at: dt.datetime) -> str:
    return tenant_calendar(at)[0].local(at).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------------------------------ checklist


def checklist_setting(order: WorkOrder) -> tuple[bool, list[str]]:
    """SVC-06: whether the order's checklist is required, and its items."""
    values = order_policy(order).values["checklist"]
    required = rules.checklist_required(values["required"], order.type, on_site=order_types.is_on_site(order.type))
    return required, list(values["items"])


def latest_checklist(order: WorkOrder) -> WorkOrderChecklist | None:
    record = current_dispatch(order)
    if record is None:
        return None
    return db.session.scalars(select(WorkOrderChecklist).where(
        WorkOrderChecklist.order_id == order.id, WorkOrderChecklist.dispatch_id == record.id)
        .order_by(WorkOrderChecklist.at.desc(), WorkOrderChecklist.id.desc())).first()


def tick_checklist(order: WorkOrder, items: dict, *, user, at: dt.datetime | None = None,
                   note: str | None = None) -> WorkOrderChecklist:
    """SVC-06: the checklist of the current dispatch, before departure (the order dispatched). Items
    not given count as not ticked; an unknown item is 422."""
    if order.status != "dispatched":
        raise Conflict(f"the checklist is run before departure, on a dispatched order (this one is {order.status})",
                       rule_id="SVC-06", state=order.status)
    acts_for_assignee(order, user)
    _required, names = checklist_setting(order)
    unknown = sorted(set(items or {}) - set(names))
    errors = {f"items.{name}": [f"not an item of svc.checklist.items ({', '.join(names)})"] for name in unknown}
    errors.update({f"items.{k}": ["true or false"] for k, v in (items or {}).items()
                   if k not in unknown and not isinstance(v, bool)})
    if errors:
        raise InvalidInput("invalid checklist", fields=errors, rule_id="SVC-06")
    record = current_dispatch(order)
    if record is None:
        raise Conflict("the order has no dispatch in force", rule_id="SVC-06")
    at = step_time(order, at, not_before=record.dispatched_at, label="the order was dispatched")
    ticked = {name: bool((items or {}).get(name)) for name in names}
    missing = rules.checklist_missing(names, ticked)
    row = WorkOrderChecklist(order_id=order.id, dispatch_id=record.id, items=ticked, required_items=names,
                             missing=missing, complete=not missing, note=note, by=user.id, at=at)
    db.session.add(row)
    db.session.flush()
    orders.log_event(order, "checklist", by=user.id, at=at, note=note,
                     data={"checklist_id": row.id, "complete": not missing, "missing": missing})
    return row


# ------------------------------------------------------------------------------------------ arrival


def arrive(order: WorkOrder, *, user, at: dt.datetime | None = None, note: str | None = None):
    """SVC-06: on site (see module doc)."""
    orders.require_move(order, "on_site")
    acts_for_assignee(order, user)
    at = step_time(order, at, not_before=order.dispatched_at, label="the order was dispatched")
    required, names = checklist_setting(order)
    data: dict = {"eta_at": order.eta_at}
    if required:
        checklist = latest_checklist(order)
        missing = names if checklist is None else rules.checklist_missing(names, checklist.items or {})
        if missing:
            raise Conflict(f"the pre-departure checklist is not complete: {', '.join(missing)}", rule_id="SVC-06",
                           reason_zh="出发前检查未完成：" + "、".join(missing), missing=missing)
        data["checklist_id"] = checklist.id
    return orders.move(order, "on_site", by=user.id, at=at, note=note, kind="arrived", data=data)


# ------------------------------------------------------------------------------------------ ETA (SVC-06/08)


def check_eta(order: WorkOrder, eta_at: dt.datetime, *, at: dt.datetime,
              customer_told_at: dt.datetime | None) -> rules.EtaChange:
    """The SVC-08 judgement of changing the order's ETA to ``eta_at`` at ``at``; 422 on bad input."""
    if eta_at is None or eta_at.tzinfo is None:
        raise InvalidInput("invalid time", fields={"eta_at": ["a time with its time zone"]})
    if customer_told_at is not None:
        customer_told_at = fact_time(customer_told_at, "customer_told_at")
    change = rules.eta_change(order.eta_at, eta_at, at=at, customer_told_at=customer_told_at)
    if change.error:
        raise InvalidInput("invalid arrival time", fields={change.error[0]: [change.error[1]]}, rule_id="SVC-08")
    return change


def set_eta(order: WorkOrder, eta_at: dt.datetime, *, by: int | None, at: dt.datetime,
            customer_told_at: dt.datetime | None = None, note: str | None = None) -> rules.EtaChange:
    """Set or change the time agreed with the customer (SVC-06; a change judged under SVC-08)."""
    if order.status not in OPEN_STATES:
        raise Conflict(f"the order is {order.status}: no time to agree any more", rule_id="SVC-06")
    change = check_eta(order, eta_at, at=at, customer_told_at=customer_told_at)
    old = order.eta_at
    order.eta_at = eta_at
    data = {"old_eta_at": old, "eta_at": eta_at, "customer_told_at": customer_told_at, "judged": change.kind}
    if change.kind == "set":
        orders.log_event(order, "eta_set", by=by, at=at, note=note, data=data)
        return change
    flagged = change.kind == "flagged"
    told_zh = f"，已于{_local(customer_told_at)}告知客户" if customer_told_at else "，未在原时间前告知客户"
    told_en = f", the customer told at {_local(customer_told_at)}" if customer_told_at else \
        ", the customer not told before the old time"
    decision = decisions.record(
        "SVC-08", SUBJECT, order.id, policy=order_policy(order), decided_by=by,
        outcome={"eta_change": change.kind, "flagged": flagged, "old_eta_at": old, "eta_at": eta_at,
                 "assignee_id": order.assignee_id},
        facts={"changed_at": at, "customer_told_at": customer_told_at, "by": by, "note": note},
        reason_zh=f"工单{order.number}约定时间由{_local(old)}改为{_local(eta_at)}{told_zh}"
                  + ("；原约定时间已过才变更，已标记并通知主管" if flagged else ""),
        reason_en=f"order {order.number}: the time agreed moved from {_local(old)} to {_local(eta_at)}{told_en}"
                  + ("; changed after the old time passed: flagged, supervisors told" if flagged else ""))
    orders.log_event(order, "eta_changed", by=by, at=at, note=note, data=data, decision_id=decision.id)
    if flagged:
        notify(supervisors_to_tell(order, People()), kind="svc.eta_late_change", rule_id="SVC-08",
               subject_type=SUBJECT, subject_id=order.id, dedupe_key=f"SVC-08:eta:{decision.id}",
               title_zh=f"工单{order.number}约定时间过后才改期（{name_of(by)}）",
               title_en=f"Order {order.number}: the time agreed changed after it passed",
               body_zh=decision.reason_zh, body_en=decision.reason_en)
    return change


def change_eta(order: WorkOrder, eta_at: dt.datetime, *, user, at: dt.datetime | None = None,
               customer_told_at: dt.datetime | None = None, note: str | None = None) -> rules.EtaChange:
    """``POST .../eta``: the assignee, the desk or a supervisor."""
    if order.status not in OPEN_STATES:
        raise Conflict(f"the order is {order.status}: no time to agree any more", rule_id="SVC-06")
    acts_for_assignee(order, user, desk=True)
    at = step_time(order, at)
    return set_eta(order, eta_at, by=user.id, at=at, customer_told_at=customer_told_at, note=note)


# ------------------------------------------------------------------------------------------ work log


def work_logs(order: WorkOrder) -> list[WorkOrderWorkLog]:
    return list(db.session.scalars(select(WorkOrderWorkLog).where(WorkOrderWorkLog.order_id == order.id)
                                   .order_by(WorkOrderWorkLog.started_at, WorkOrderWorkLog.id)))


def add_work_log(order: WorkOrder, data: dict, *, user) -> WorkOrderWorkLog:
    """SVC-06: a stretch of on-site work (``started_at``, ``ended_at``, ``work_done``, ``parts_used``
    [{name, qty, unit}]) on an order on site (or completed, written up afterwards)."""
    if order.status not in ("on_site", "completed"):
        raise Conflict(f"on-site work is recorded on an order on site (this one is {order.status})", rule_id="SVC-06",
                       state=order.status)
    acts_for_assignee(order, user)
    errors: dict[str, list[str]] = {}
    started = ended = None
    try:
        started = fact_time(data.get("started_at"), "started_at") if data.get("started_at") else None
    except InvalidInput as exc:
        errors.update(exc.fields)
    try:
        ended = fact_time(data.get("ended_at"), "ended_at") if data.get("ended_at") else None
    except InvalidInput as exc:
        errors.update(exc.fields)
    if started is None and "started_at" not in errors:
        errors["started_at"] = ["when the work started"]
    if ended is None and "ended_at" not in errors:
        errors["ended_at"] = ["when the work ended"]
    if started and order.on_site_at and started < order.on_site_at:
        errors["started_at"] = [f"before the arrival on site ({order.on_site_at.isoformat()})"]
    if started and ended and ended < started:
        errors["ended_at"] = ["before the start"]
    if not (data.get("work_done") or "").strip():
        errors["work_done"] = ["say what was done"]
    if errors:
        raise InvalidInput("invalid work record", fields=errors, rule_id="SVC-06")
    record = current_dispatch(order)
    parts = [{"name": p["name"].strip(), "qty": p["qty"], **({"unit": p["unit"]} if p.get("unit") else {})}
             for p in data.get("parts_used") or []]
    row = WorkOrderWorkLog(order_id=order.id, dispatch_id=record.id if record else None, started_at=started,
                           ended_at=ended, work_done=data["work_done"].strip(), parts_used=_json(parts), by=user.id)
    db.session.add(row)
    db.session.flush()
    orders.log_event(order, "work_logged", by=user.id, at=ended,
                     data={"work_log_id": row.id, "started_at": started, "ended_at": ended, "parts": len(parts)})
    return row


def _json(value):
    from core.audit.recorder import json_safe

    return json_safe(value)

