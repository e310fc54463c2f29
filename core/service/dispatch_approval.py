"""Approval before dispatch (SVC-04).

An order whose type the tenant lists in ``svc.approval`` carries ``approval_roles`` from its intake
(:func:`core.service.orders.approval_roles`) and cannot be dispatched until one holder of one of those
roles signs (the holders nearest the order's department, else any in the company; a department
manager falls back to the department head, as the escalation ladder finds them).

- :func:`submit` — ``requested → approval_pending``: the approvers are told (optional: approving a
  requested order takes it through both states).
- :func:`approve` — ``→ approved``, a decision SVC-04 naming the approver and the role.
- :func:`reject` — ``→ cancelled`` with the reason, a decision SVC-04.

None of these commits.
"""
from __future__ import annotations

import datetime as dt

from core.accounts.people import People
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.notifications.service import notify
from core.service import orders
from core.service.deadlines_events import ladder_holders
from core.service.dispatch import step_time
from core.service.models import WorkOrder
from core.service.orders import SUBJECT, order_policy

PENDING = ("requested", "approval_pending")


def approvers(order: WorkOrder, people: People | None = None) -> dict[int, str]:
    """SVC-04: who may sign the order, with the role each signs as."""
    people = people or People()
    out: dict[int, str] = {}
    for role in order.approval_roles or []:
        for user_id in ladder_holders(role, order, people):
            out.setdefault(user_id, role)
    return out


def _needs_approval(order: WorkOrder) -> None:
    if not order.approval_roles:
        raise Conflict("the order needs no approval (svc.approval)", rule_id="SVC-04",
                       reason_zh="该类工单无需审批，可直接派工")


def _pending(order: WorkOrder) -> None:
    if order.status not in PENDING:
        raise Conflict(f"the order is {order.status}: there is no approval pending", rule_id="SVC-04",
                       state=order.status)


def submit(order: WorkOrder, *, by: int, at: dt.datetime | None = None, note: str | None = None):
    """``requested → approval_pending``; the approvers are told."""
    _needs_approval(order)
    if order.status != "requested":
        raise Conflict(f"the order is {order.status}: only a requested order is submitted for approval",
                       rule_id="SVC-04", state=order.status)
    at = step_time(order, at)
    event = orders.move(order, "approval_pending", by=by, at=at, note=note, kind="approval_requested",
                        data={"approval_roles": order.approval_roles})
    who = approvers(order)
    notify(list(who), kind="svc.approval_requested", rule_id="SVC-04", subject_type=SUBJECT, subject_id=order.id,
           dedupe_key=f"SVC-04:request:{order.id}:{event.id}",
           title_zh=f"工单{order.number}待您审批（{order.customer_name or ''}）",
           title_en=f"Order {order.number} awaits your approval", body_zh=order.description, body_en=order.description)
    return event


def _check_approver(order: WorkOrder, user) -> str:
    who = approvers(order)
    if user.id not in who:
        raise Forbidden(f"only {' or '.join(order.approval_roles)} of the order's department may approve it (SVC-04)")
    return who[user.id]


def approve(order: WorkOrder, *, user, at: dt.datetime | None = None, note: str | None = None):
    """SVC-04: the approver signs; a requested order goes through approval_pending to approved."""
    _needs_approval(order)
    role = _check_approver(order, user)
    _pending(order)
    at = step_time(order, at)
    if order.status == "requested":
        orders.move(order, "approval_pending", by=user.id, at=at, kind="approval_requested",
                    data={"approval_roles": order.approval_roles})
    decision = decisions.record(
        "SVC-04", SUBJECT, order.id, policy=order_policy(order), decided_by=user.id,
        outcome={"approved": True, "approved_by": user.id, "approver": user.display_name, "role": role,
                 "approved_at": at},
        facts={"approval_roles": order.approval_roles, "type": order.type, "note": note},
        reason_zh=f"工单{order.number}经{user.display_name}（{role}）审批同意，可以派工",
        reason_en=f"order {order.number} approved by {user.display_name} ({role}): it may be dispatched")
    event = orders.move(order, "approved", by=user.id, at=at, note=note, kind="approved", decision_id=decision.id,
                        data={"role": role})
    order.approved_by = user.id
    return event


def reject(order: WorkOrder, reason: str, *, user, at: dt.datetime | None = None):
    """SVC-04: the approver refuses with a reason; the order is cancelled (its clocks stop)."""
    _needs_approval(order)
    role = _check_approver(order, user)
    _pending(order)
    if not (reason or "").strip():
        raise InvalidInput("a reason is required", fields={"reason": ["say why the order is not approved"]})
    at = step_time(order, at)
    reason = reason.strip()
    decision = decisions.record(
        "SVC-04", SUBJECT, order.id, policy=order_policy(order), decided_by=user.id,
        outcome={"approved": False, "rejected_by": user.id, "approver": user.display_name, "role": role,
                 "rejected_at": at},
        facts={"approval_roles": order.approval_roles, "type": order.type, "reason": reason},
        reason_zh=f"工单{order.number}未获{user.display_name}（{role}）审批：{reason}，工单取消",
        reason_en=f"order {order.number} not approved by {user.display_name} ({role}): {reason}; cancelled")
    event = orders.move(order, "cancelled", by=user.id, at=at, note=reason, kind="approval_rejected",
                        decision_id=decision.id, data={"role": role})
    order.cancel_reason = reason
    if order.requested_by is not None and order.requested_by != user.id:
        notify([order.requested_by], kind="svc.approval_rejected", rule_id="SVC-04", subject_type=SUBJECT,
               subject_id=order.id, dedupe_key=f"SVC-04:rejected:{order.id}",
               title_zh=f"工单{order.number}未获审批，已取消", title_en=f"Order {order.number} not approved: cancelled",
               body_zh=decision.reason_zh, body_en=decision.reason_en)
    return event
