"""Work orders (SVC-01..03): taking an order in, reading it, its history and its moves.

:func:`create_order` is the one way an order comes in (a customer's request, a help/repair complaint
CMP-01, a recurring duty SVC-30, a damaged item on a checklist SVC-31): it checks the type (SVC-01)
and the required intake data (SVC-03) under the ``svc`` version in force at the request time,
numbers the order, decides whether it needs approval before dispatch (SVC-04) and starts its
deadlines (SVC-07), all in the caller's transaction.

:func:`move` is the one way an order changes state (SVC-02): the state machine of its type first
(409 naming the states it may go to), then every enabled plugin may veto
(``kehu_work_order_transition``, :class:`Vetoed`), then the state, the step's time, the history and
the deadlines (met, paused, cancelled). The step modules (approval and dispatch, field work) call it
after their own checks. None of these commits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.audit.recorder import json_safe
from core.calendar.service import tenant_calendar
from core.complaints import numbering
from core.customers.fact_time import fact_time
from core.customers.identity import IdentityError, normalise_phone
from core.customers.models import Customer
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput
from core.plugins import get_plugins
from core.service import intake_rules, order_types, states
from core.service.models import OPEN_STATES, WorkOrder, WorkOrderEvent
from core.service.policy import svc_policy
from core.policy import service as policy_service
from core.tenancy import current_tenant_id

SUBJECT = "work_order"
INTAKE_COLUMNS = ("customer_id", "customer_name", "address", "contact_name", "contact_phone", "description")
#: the time column a move to each state stamps
STAMPS = {"approved": "approved_at", "dispatched": "dispatched_at", "on_site": "on_site_at",
          "completed": "completed_at", "recorded": "recorded_at", "closed": "closed_at",
          "cancelled": "cancelled_at"}


class Vetoed(Conflict):
    """A plugin refused the move (SVC-02); ``vetoes`` are the :class:`TransitionVeto` records."""

    def __init__(self, order: WorkOrder, to_state: str, vetoes: list):
        reasons = "; ".join(v.reason_en for v in vetoes)
        super().__init__(f"refused: {reasons}", reasons_zh=[v.reason_zh for v in vetoes],
                         reasons_en=[v.reason_en for v in vetoes], rule_ids=[v.rule_id for v in vetoes])
        self.order_id, self.from_state, self.to_state, self.vetoes = order.id, order.status, to_state, vetoes


def order_policy(order: WorkOrder) -> policy_service.PolicyView:
    """The ``svc`` version the order was requested under (as CMP-37)."""
    return policy_service.version("svc", order.policy_version)


def log_event(order: WorkOrder, kind: str, *, by: int | None, at: dt.datetime | None = None,
              note: str | None = None, data: dict | None = None, decision_id: int | None = None,
              from_state: str | None = None, to_state: str | None = None) -> WorkOrderEvent:
    """One step of the order's history (shown on the order, in order)."""
    event = WorkOrderEvent(order_id=order.id, kind=kind, at=at or utcnow(), by=by, note=note,
                           data=json_safe(data or {}), decision_id=decision_id, from_state=from_state,
                           to_state=to_state)
    db.session.add(event)
    db.session.flush()
    return event


def get_order(order_id: int, *, for_update: bool = False) -> WorkOrder:
    """The order; 404 when the tenant has none with this id. ``for_update``: the row is locked until
    the transaction ends and read afresh, so that two steps on one order (two dispatchers) happen one
    after the other and the second sees the first's result."""
    return get_one(WorkOrder, order_id, "work order", for_update=for_update)


def events_of(order: WorkOrder) -> list[WorkOrderEvent]:
    return list(db.session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.order_id == order.id)
                                   .order_by(WorkOrderEvent.at, WorkOrderEvent.id)))


def search(*, status: str | None = None, type: str | None = None, assignee_id: int | None = None,
           customer_id: int | None = None, priority: str | None = None, number: str | None = None,
           open_only: bool = False):
    stmt = select(WorkOrder)
    for column, value in ((WorkOrder.status, status), (WorkOrder.type, type), (WorkOrder.assignee_id, assignee_id),
                          (WorkOrder.customer_id, customer_id), (WorkOrder.priority, priority),
                          (WorkOrder.number, number)):
        if value is not None:
            stmt = stmt.where(column == value)
    if open_only:
        stmt = stmt.where(WorkOrder.status.in_(OPEN_STATES))
    return stmt.order_by(WorkOrder.requested_at.desc(), WorkOrder.id.desc())


# ------------------------------------------------------------------------------------------ intake


def _type_data(wo_type, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """The type's own fields loaded by their marshmallow fields; errors on ``data.<name>``."""
    from marshmallow import ValidationError, fields as ma_fields

    cleaned, errors = {}, {}
    for name, value in (data or {}).items():
        spec = wo_type.fields.get(name)
        if spec is None:
            errors[f"data.{name}"] = [f"unknown field for type {wo_type.code!r}"]
            continue
        field = spec() if isinstance(spec, type) else spec
        if value is None:
            cleaned[name] = None
            continue
        try:
            loaded = field.deserialize(value, name, data)
            cleaned[name] = field._serialize(loaded, name, None) if isinstance(field, (ma_fields.Date, ma_fields.DateTime)) \
                else loaded
        except ValidationError as exc:
            errors[f"data.{name}"] = exc.messages if isinstance(exc.messages, list) else [str(exc.messages)]
    return cleaned, errors


def approval_roles(type_code: str, values: dict) -> list[str]:
    """SVC-04: the roles that must sign before an order of the type is dispatched (empty: none)."""
    return list(values["approval"].get(type_code) or values["approval"].get("*") or [])


def create_order(data: dict, *, by: int | None, region: str = "CN") -> WorkOrder:
    """Take an order in. ``data``: type, priority, channel, requested_at (default now), customer_id,
    customer_name, address, contact_name, contact_phone, description, data (the type's fields), area,
    skill, department_id, complaint_id, parent_id, source_type, source_id. 422 naming each bad field;
    writes nothing then."""
    errors: dict[str, list[str]] = {}
    try:
        requested_at = fact_time(data.get("requested_at"), "requested_at")
    except InvalidInput as exc:
        errors.update(exc.fields)
        requested_at = utcnow()
    view = svc_policy(requested_at)
    values = view.values
    try:
        wo_type = order_types.type_of(data.get("type") or "")
    except InvalidInput as exc:
        raise InvalidInput("invalid work order", fields={**errors, **exc.fields}, rule_id="SVC-01") from None
    priority = data.get("priority") or values["default_priority"]
    if priority not in values["priorities"]:
        errors["priority"] = [f"one of {', '.join(values['priorities'])} (svc.priorities)"]
    type_data, data_errors = _type_data(wo_type, data.get("data") or {})
    errors.update(data_errors)
    intake = {c: (data.get(c).strip() if isinstance(data.get(c), str) else data.get(c)) for c in INTAKE_COLUMNS}
    if intake.get("contact_phone"):
        try:
            intake["contact_phone"] = normalise_phone(intake["contact_phone"], region, field="contact_phone").e164
        except IdentityError as exc:
            errors["contact_phone"] = [str(exc)]
    if intake.get("customer_id") is not None:
        customer = db.session.scalars(select(Customer).where(Customer.id == intake["customer_id"])).first()
        if customer is None:
            errors["customer_id"] = ["not a customer of this company"]
        elif not intake.get("customer_name"):
            intake["customer_name"] = customer.name
    required = intake_rules.required_for(wo_type.code, wo_type.required, values["required_fields"])
    for name, messages in intake_rules.missing(required, intake, type_data).items():
        errors.setdefault(name, messages)
    for ref, model in (("department_id", "department"), ("complaint_id", "complaint"), ("parent_id", "order")):
        if data.get(ref) is not None and not _exists(model, data[ref]):
            errors[ref] = [f"not a {model} of this company"]
    if errors:
        raise InvalidInput("invalid work order", fields=errors, rule_id="SVC-03")

    calendar, _ = tenant_calendar(requested_at)
    local = calendar.local(requested_at)
    fmt = values["numbering"]["format"]
    period = "wo-" + numbering.period_key(local, "monthly")
    serial = numbering.allocate(period)
    order = WorkOrder(
        number=numbering.format_number(fmt, local, serial), type=wo_type.code, status="requested",
        priority=priority, channel=data.get("channel"), data=json_safe(type_data), area=data.get("area"),
        skill=data.get("skill"), requested_at=requested_at, requested_by=by, department_id=data.get("department_id"),
        complaint_id=data.get("complaint_id"), parent_id=data.get("parent_id"), source_type=data.get("source_type"),
        source_id=data.get("source_id"), approval_roles=approval_roles(wo_type.code, values),
        policy_version=view.version, **intake)
    db.session.add(order)
    db.session.flush()
    decision = decisions.record(
        "SVC-03", SUBJECT, order.id, policy=view,
        outcome={"number": order.number, "type": order.type, "priority": priority,
                 "approval_roles": order.approval_roles},
        facts={"required": required, "channel": order.channel},
        reason_zh=f"工单{order.number}（{wo_type.title_zh}）资料齐全，已受理"
                  + (f"；派工前须经{'、'.join(order.approval_roles)}审批" if order.approval_roles else ""),
        reason_en=f"order {order.number} ({wo_type.code}) taken in with its required data"
                  + (f"; approval by {', '.join(order.approval_roles)} before dispatch" if order.approval_roles else ""))
    log_event(order, "requested", by=by, at=requested_at, to_state="requested", decision_id=decision.id,
              data={"number": order.number, "type": order.type, "priority": priority})
    from core.service import deadlines

    deadlines.start_for(order, view)
    return order


def _exists(model: str, object_id: int) -> bool:
    from core.accounts.models import Department
    from core.complaints.models import Complaint

    table = {"department": Department, "complaint": Complaint, "order": WorkOrder}[model]
    return db.session.scalar(select(table.id).where(table.id == object_id)) is not None


# ------------------------------------------------------------------------------------------ moves


def allowed_moves(order: WorkOrder) -> tuple[str, ...]:
    types = order_types.tenant_types()
    wo_type = types.get(order.type)
    return states.next_states(order.status, on_site=order_types.is_on_site(order.type, types),
                              needs_approval=bool(order.approval_roles),
                              transitions=wo_type.transitions if wo_type else None, held_from=order.held_from)


def require_move(order: WorkOrder, to_state: str) -> None:
    """SVC-02: 409 naming the states allowed when the machine does not let the order go to ``to_state``
    now. Steps call it first, before their own checks; :func:`move` calls it again."""
    allowed = allowed_moves(order)
    if to_state not in allowed:
        zh, en = states.refusal(order.status, to_state, allowed)
        raise Conflict(en, reason_zh=zh, rule_id="SVC-02", state=order.status, allowed=list(allowed))


def check_move(order: WorkOrder, to_state: str, data: dict | None = None) -> None:
    """SVC-02: 409 when the machine does not allow the move, :class:`Vetoed` when a plugin refuses it."""
    require_move(order, to_state)
    relay = get_plugins().for_tenant(current_tenant_id())
    vetoes = [v for v in relay.kehu_work_order_transition(order=order, to_state=to_state, data=dict(data or {})) if v]
    if vetoes:
        raise Vetoed(order, to_state, vetoes)


def move(order: WorkOrder, to_state: str, *, by: int | None, at: dt.datetime | None = None,
         data: dict | None = None, note: str | None = None, kind: str | None = None,
         decision_id: int | None = None) -> WorkOrderEvent:
    """Move the order to ``to_state`` (after :func:`check_move`): the state, the step's time, the
    history (``kind`` defaults to the state), and the deadlines the move meets, pauses or ends."""
    at = at or utcnow()
    check_move(order, to_state, data)
    from_state = order.status
    if to_state == "on_hold":
        order.held_from = from_state
    elif from_state == "on_hold":
        order.held_from = None
    order.status = to_state
    stamp = STAMPS.get(to_state)
    if stamp is not None and from_state != "on_hold":  # a resume returns to a step; it keeps the step's time
        setattr(order, stamp, at)
    if to_state == "rework":
        order.rework_count = (order.rework_count or 0) + 1
    event = log_event(order, kind or to_state, by=by, at=at, note=note, data=data, decision_id=decision_id,
                      from_state=from_state, to_state=to_state)
    from core.service import deadlines

    deadlines.on_move(order, from_state, to_state, at, by=by)
    if from_state == "on_hold":
        order.hold_reason = None
    return event


def record_vetoes(error: Vetoed, *, by: int | None) -> None:
    """Write the decisions of a refused move (SVC-02), in a transaction of their own (the step's was
    rolled back): the order's history keeps the attempt too."""
    order = get_order(error.order_id)
    for veto in error.vetoes:
        decision = decisions.record(
            veto.rule_id, SUBJECT, order.id, decided_by=by,
            outcome={"vetoed": error.to_state, "stays": order.status},
            facts={"from": error.from_state, "to": error.to_state},
            reason_zh=veto.reason_zh, reason_en=veto.reason_en)
        log_event(order, "vetoed", by=by, from_state=order.status, to_state=error.to_state,
                  note=veto.reason_zh, data={"reason_en": veto.reason_en, "rule_id": veto.rule_id},
                  decision_id=decision.id)


def hold(order: WorkOrder, reason: str, *, by: int | None, at: dt.datetime | None = None,
         note: str | None = None) -> WorkOrderEvent:
    """SVC-02 on_hold with a pause reason of ``svc.deadlines.pause_reasons`` (as CMP-33): the clocks
    that reason stops stand still until :func:`resume`."""
    reasons = order_policy(order).values["deadlines"]["pause_reasons"]
    if reason not in reasons:
        raise InvalidInput("unknown pause reason", fields={"reason": [f"one of {', '.join(reasons)}"]})
    at = fact_time(at, "at")
    order.hold_reason = reason  # the clocks it stops are read from it (a refused move rolls it back)
    return move(order, "on_hold", by=by, at=at, note=note, data={"reason": reason}, kind="held")


def resume(order: WorkOrder, *, by: int | None, at: dt.datetime | None = None) -> WorkOrderEvent:
    if order.status != "on_hold":
        raise Conflict("the order is not on hold", rule_id="SVC-02")
    return move(order, order.held_from, by=by, at=fact_time(at, "at"), kind="resumed")


def cancel(order: WorkOrder, reason: str, *, by: int | None, at: dt.datetime | None = None) -> WorkOrderEvent:
    """SVC-02 cancelled, with its reason; the order's clocks stop."""
    if not (reason or "").strip():
        raise InvalidInput("a reason is required", fields={"reason": ["say why the order is cancelled"]})
    event = move(order, "cancelled", by=by, at=fact_time(at, "at"), note=reason.strip(), kind="cancelled")
    order.cancel_reason = reason.strip()
    return event


# ------------------------------------------------------------------------------------------ CMP-01


def open_from_complaint(complaint, data: dict, *, by: int | None, region: str = "CN") -> WorkOrder:
    """CMP-01: a help or repair request taken in as a case opens a work order. The order's intake is
    filled from the case (customer, the complainant as contact, what they said as the description)
    where ``data`` does not say otherwise; the order links the case, the case's history names the
    order, and the decision CMP-01 records both."""
    from core.complaints.service import SUBJECT as CASE, log_event as log_case_event

    prefill = {"customer_id": complaint.customer_id, "contact_name": complaint.complainant_name,
               "contact_phone": complaint.complainant_phone, "description": complaint.content,
               "customer_name": complaint.complainant_name if complaint.customer_id is None else None}
    body = {**{k: v for k, v in prefill.items() if v is not None}, **{k: v for k, v in data.items() if v is not None},
            "complaint_id": complaint.id, "channel": data.get("channel") or "complaint"}
    order = create_order(body, by=by, region=region)
    decision = decisions.record(
        "CMP-01", CASE, complaint.id, policy=None, decided_by=by,
        outcome={"work_order_id": order.id, "number": order.number, "type": order.type},
        facts={"case_type": complaint.case_type, "number": complaint.number},
        reason_zh=f"投诉/求助{complaint.number}需上门处理，已开工单{order.number}",
        reason_en=f"case {complaint.number} needs service work: work order {order.number} opened")
    log_case_event(complaint, "work_order_opened", by=by, data={"work_order_id": order.id, "number": order.number},
                   decision_id=decision.id)
    log_event(order, "from_complaint", by=by, data={"complaint_id": complaint.id, "number": complaint.number},
              decision_id=decision.id)
    return order
