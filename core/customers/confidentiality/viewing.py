"""Viewing requests (CUS-72): request, endorsement, approval, time-boxed view-only grant.

A user asks to view a customer's archive they may not see (target, purpose, reason; an outside
viewer is registered with the introduction letter or ID). The head of the requester's department
endorses it (skipped when the department has no head, or the requester is the head); the approver
of the case approves it (``cus.view_request.approver``: own department → dept_manager, another →
gm, classified → cs_manager). The grant lets the requester see the customer (GET and lists) until
``grant_until``; a view-only grant refuses downloads and exports, and never allows changes.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from core.accounts.models import User
from core.calendar.service import tenant_calendar
from core.customers.confidentiality import viewing_rules
from core.customers.confidentiality.access import departments_of
from core.customers.confidentiality.models import CustomerSecrecy, ViewRequest
from core.customers.confidentiality.people import department_head, holders
from core.customers.confidentiality.viewer import Viewer, unrestricted
from core.customers.models import Customer, CustomerOwnership
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound

OVERSEERS = ("tenant_admin", "gm")


def get_request(request_id: int) -> ViewRequest:
    found = db.session.scalars(select(ViewRequest).where(ViewRequest.id == request_id)).first()
    if found is None:
        raise NotFound("viewing request not found")
    return found


def _customer_departments(customer_id: int) -> set[int]:
    """The departments a customer belongs to (ownership department, owner's, or unowned creator's)."""
    deps: set[int] = set()
    row = db.session.scalars(select(CustomerOwnership).where(CustomerOwnership.customer_id == customer_id)).first()
    person = None
    if row is not None and row.department_id is not None:
        deps.add(row.department_id)
    if row is not None and row.owner_id is not None:
        person = row.owner_id
    else:
        person = db.session.scalar(select(Customer.created_by).where(Customer.id == customer_id))
    if person is not None:
        dep = db.session.scalar(select(User.department_id).where(User.id == person))
        if dep is not None:
            deps.add(dep)
    return deps


def create(customer_id: int, requester: User, *, purpose: str, reason: str, external_name: str | None = None,
           external_document: str | None = None, at: dt.datetime | None = None) -> ViewRequest:
    at = at or utcnow()
    if external_name and not external_document:
        raise InvalidInput("invalid viewing request", fields={
            "external_document": ["an outside viewer needs an introduction letter or ID (CUS-72)"]})
    with unrestricted("a viewing request names a customer the requester may not see"):
        exists = db.session.scalar(select(Customer.id).where(Customer.id == customer_id))
    if exists is None:
        raise NotFound("customer not found")
    values = cus_policy(at).values
    level = db.session.scalar(select(CustomerSecrecy.level).where(CustomerSecrecy.customer_id == customer_id))
    mine = departments_of(Viewer.of(requester))
    case = viewing_rules.case_of(level not in (None, "normal"), bool(mine & _customer_departments(customer_id)))
    head = department_head(requester.department_id)
    endorser = head if head not in (None, requester.id) else None
    request = ViewRequest(customer_id=customer_id, requester_id=requester.id, purpose=purpose, reason=reason,
                          case=case, approver_role=viewing_rules.approver_for(case, values),
                          external_name=external_name, external_document=external_document,
                          status="pending_endorsement" if endorser else "pending_approval", endorser_id=endorser,
                          view_only=True, created_at=at)
    db.session.add(request)
    db.session.flush()
    _tell_next(request)
    return request


def _tell_next(request: ViewRequest) -> None:
    from core.notifications.service import notify

    if request.status == "pending_endorsement":
        people, step = [request.endorser_id], "endorse"
    else:
        people, step = holders([request.approver_role]), "approve"
    notify([p for p in people if p != request.requester_id], kind="cus.view_request", rule_id="CUS-72",
           subject_type="view_request", subject_id=request.id, dedupe_key=f"CUS-72:{step}:{request.id}",
           title_zh=f"查阅申请待{'签署' if step == 'endorse' else '审批'}：客户#{request.customer_id}",
           title_en=f"Viewing request to {step}: customer #{request.customer_id}")


def endorse(request: ViewRequest, user: User, at: dt.datetime | None = None) -> ViewRequest:
    if request.status != "pending_endorsement":
        raise Conflict(f"the request is {request.status}, not waiting for an endorsement")
    if user.id != request.endorser_id:
        raise Forbidden("only the head of the requester's department endorses the request")
    request.status, request.endorsed_by, request.endorsed_at = "pending_approval", user.id, at or utcnow()
    db.session.flush()
    _tell_next(request)
    return request


def decide(request: ViewRequest, user: User, *, approve: bool, note: str | None = None,
           at: dt.datetime | None = None) -> ViewRequest:
    """Approve (grant from ``at`` for ``cus.view_request.grant``) or reject; a CUS-72 decision."""
    at = at or utcnow()
    if request.status != "pending_approval":
        raise Conflict(f"the request is {request.status}, not waiting for approval")
    if user.id == request.requester_id:
        raise Forbidden("a requester cannot approve their own request")
    if not user.has_role(request.approver_role):
        raise Forbidden(f"needs role: {request.approver_role} (CUS-72, case {request.case})")
    if request.case == "own":  # the manager of the requester's own department, not any manager
        requester = db.session.scalars(select(User).where(User.id == request.requester_id)).one()
        if requester.department_id not in departments_of(Viewer.of(user)):
            raise Forbidden("the request is approved by a manager of the requester's department (CUS-72)")
    view = cus_policy(at)
    request.decided_by, request.decided_at, request.decision_note = user.id, at, note
    if approve:
        calendar, _ = tenant_calendar(at)
        deadline = viewing_rules.grant_until(calendar, at, view.values)
        request.status, request.grant_from, request.grant_until = "approved", at, deadline.utc
        request.view_only = viewing_rules.view_only(view.values)
        access = "仅可查阅，不得下载" if request.view_only else "可查阅并下载"
        zh = (f"查阅申请（{request.case}）由{request.approver_role}批准：{access}，有效期至"
              f"{deadline.through.isoformat()}（CUS-72）。")
        en = (f"Viewing request ({request.case}) approved by {request.approver_role}: "
              f"{'view only, no download' if request.view_only else 'view and download'}, through "
              f"{deadline.through.isoformat()} (CUS-72).")
    else:
        request.status = "rejected"
        zh = f"查阅申请（{request.case}）被{request.approver_role}驳回：{note or ''}"
        en = f"Viewing request ({request.case}) rejected by {request.approver_role}: {note or ''}"
    decision = decisions.record("CUS-72", "view_request", request.id,
                                outcome={"status": request.status, "grant_until": request.grant_until,
                                         "view_only": request.view_only},
                                reason_zh=zh, reason_en=en, policy=view, decided_by=user.id,
                                facts={"customer_id": request.customer_id, "requester_id": request.requester_id,
                                       "case": request.case})
    request.decision_id = decision.id
    db.session.flush()
    return request


def visible_requests(user: User):
    """Requests the user made, must endorse, may approve; every request for tenant admins and gm."""
    stmt = select(ViewRequest).order_by(ViewRequest.id.desc())
    if user.has_role(*OVERSEERS):
        return stmt
    return stmt.where(or_(ViewRequest.requester_id == user.id, ViewRequest.endorser_id == user.id,
                          ViewRequest.approver_role.in_(user.roles)))
