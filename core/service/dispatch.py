"""Dispatch (SVC-05): the technicians' pool, who may take an order, assigning it once, reassigning it,
and the department manager's approval of a partner or of staff of another department.

- :func:`save_technician` / :func:`technicians` — a user's dispatch profile (skills, areas, in the
  pool); on duty is the user's CAL-11 availability.
- :func:`candidates` — the technicians eligible for an order (:func:`core.service.dispatch_rules.ineligibility`),
  least busy first; with ``include_all`` the others too, with their reasons.
- :func:`dispatch` — assign an order to one technician or an outside partner: after approval
  (SVC-04), never twice (the order's row is locked by the step and a dispatched order is 409; one
  open dispatch per order in the database too), an ineligible technician only with a supervisor's
  override reason, a partner or staff of another department with the approval of
  ``svc.dispatch.partner_approval`` (given before, or verbally in an emergency and recorded afterwards
  with :func:`record_approval`). A decision SVC-05 per dispatch; the technician is told.
- :func:`dispatch` with ``reassign=True`` — a supervisor moves a dispatched order to someone else with
  a reason; the previous dispatch ends.

None of these commits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from core.accounts.models import User
from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.customers.fact_time import fact_time
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications.service import notify
from core.service import dispatch_rules as rules
from core.service import orders
from core.service.deadlines_events import ladder_holders
from core.service.dispatch_models import ServiceTechnician, WorkOrderDispatch
from core.service.models import WorkOrder
from core.service.orders import SUBJECT, order_policy

#: who may override eligibility, reassign, decide delay notices and act for a technician
MANAGERS = ("supervisor", "cs_supervisor", "cs_manager", "dept_manager", "gm", "vp", "tenant_admin")
ACTIVE_WORK = ("dispatched", "on_site")


# ------------------------------------------------------------------------------------------ helpers


def step_time(order: WorkOrder, at: dt.datetime | None, field: str = "at", *,
              not_before: dt.datetime | None = None, label: str = "the order was requested") -> dt.datetime:
    """When a step happened: aware, not in the future, not before ``not_before`` (default the request)."""
    at = fact_time(at, field)
    floor = not_before or order.requested_at
    if at < floor:
        raise InvalidInput("invalid time", fields={field: [f"cannot be before {label} ({floor.isoformat()})"]})
    return at


def user_of(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return db.session.scalars(select(User).where(User.id == user_id)).first()


def name_of(user_id: int | None) -> str:
    user = user_of(user_id)
    return user.display_name if user else str(user_id)


def is_manager(user) -> bool:
    return user.has_role(*MANAGERS)


def current_dispatch(order: WorkOrder) -> WorkOrderDispatch | None:
    """The order's open dispatch (the one in force)."""
    return db.session.scalars(select(WorkOrderDispatch).where(
        WorkOrderDispatch.order_id == order.id, WorkOrderDispatch.ended_at.is_(None))
        .order_by(WorkOrderDispatch.dispatched_at.desc(), WorkOrderDispatch.id.desc())).first()


def dispatches_of(order: WorkOrder) -> list[WorkOrderDispatch]:
    return list(db.session.scalars(select(WorkOrderDispatch).where(WorkOrderDispatch.order_id == order.id)
                                   .order_by(WorkOrderDispatch.dispatched_at, WorkOrderDispatch.id)))


def supervisors_to_tell(order: WorkOrder, people: People) -> list[int]:
    """The assignee's supervisors; the order department's head and supervisors when nobody is
    assigned (an outside partner)."""
    from core.complaints.deadlines_events import department_people

    if order.assignee_id is not None:
        found = people.supervisors_of(order.assignee_id)
        if found:
            return found
    return department_people(order.department_id or people.department_of(order.dispatched_by), people)


# ------------------------------------------------------------------------------------------ technicians


def technician_of(user_id: int) -> ServiceTechnician | None:
    return db.session.scalars(select(ServiceTechnician).where(ServiceTechnician.user_id == user_id)).first()


def technicians(*, active: bool | None = None, skill: str | None = None, area: str | None = None):
    stmt = select(ServiceTechnician)
    if active is not None:
        stmt = stmt.where(ServiceTechnician.active.is_(active))
    rows = list(db.session.scalars(stmt.order_by(ServiceTechnician.user_id)))
    if skill or area:
        rows = [r for r in rows if rules._matches(skill, tuple(r.skills or ())) and rules._matches(area, tuple(r.areas or ()))]
    return rows


def _codes(values, field: str) -> list[str]:
    out = []
    for value in values or []:
        text = value.strip() if isinstance(value, str) else ""
        if not text or len(text) > 100:
            raise InvalidInput("invalid technician", fields={field: ["each entry: 1 to 100 characters"]})
        if text not in out:
            out.append(text)
    return out


def save_technician(user_id: int, data: dict, *, by: int | None) -> tuple[ServiceTechnician, bool]:
    """Create or update ``user_id``'s dispatch profile (skills, areas, active, note); 404 for a user
    the tenant does not have. Returns the row and whether it was created."""
    if user_of(user_id) is None:
        raise NotFound("user not found")
    row = technician_of(user_id)
    created = row is None
    if created:
        row = ServiceTechnician(user_id=user_id, skills=[], areas=[], active=True)
        db.session.add(row)
    for key in ("skills", "areas"):
        if data.get(key) is not None:
            setattr(row, key, _codes(data[key], key))
    if data.get("active") is not None:
        row.active = bool(data["active"])
    if "note" in data:
        row.note = data["note"]
    row.updated_by = by
    db.session.flush()
    return row, created


def remove_technician(user_id: int) -> None:
    row = technician_of(user_id)
    if row is None:
        raise NotFound("not a service technician")
    db.session.delete(row)
    db.session.flush()


def _as_rule(row: ServiceTechnician, user: User, people: People) -> rules.Technician:
    return rules.Technician(user_id=row.user_id, skills=tuple(row.skills or ()), areas=tuple(row.areas or ()),
                            active=bool(row.active), user_active=bool(user.is_active),
                            availability=user.availability or "on_duty",
                            department_chain=tuple(people.chain(user.department_id)))


def open_load(user_ids: list[int]) -> dict[int, int]:
    """How many dispatched or on-site orders each user has now."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(WorkOrder.assignee_id, func.count()).where(
        WorkOrder.assignee_id.in_(user_ids), WorkOrder.status.in_(ACTIVE_WORK)).group_by(WorkOrder.assignee_id))
    return {uid: n for uid, n in rows}


def candidates(order: WorkOrder, *, include_all: bool = False) -> list[dict]:
    """SVC-05: the technicians who may take ``order`` (skill, area, on duty, in the pool), least busy
    first; ``include_all`` adds the others after them with their reasons."""
    people = People()
    rows = technicians()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r.user_id for r in rows])))} \
        if rows else {}
    load = open_load(list(users))
    out = []
    for row in rows:
        user = users.get(row.user_id)
        if user is None:
            continue
        tech = _as_rule(row, user, people)
        reasons = rules.ineligibility(tech, skill=order.skill, area=order.area)
        if reasons and not include_all:
            continue
        zh, en = rules.describe(reasons, tech.availability)
        out.append({"user_id": row.user_id, "display_name": user.display_name, "skills": list(row.skills or []),
                    "areas": list(row.areas or []), "availability": tech.availability, "eligible": not reasons,
                    "reasons": reasons, "reason_zh": zh or None, "reason_en": en or None,
                    "open_orders": load.get(row.user_id, 0), "department_id": user.department_id})
    out.sort(key=lambda c: (not c["eligible"], c["open_orders"], c["user_id"]))
    return out


# ------------------------------------------------------------------------------------------ dispatch


def _check_state(order: WorkOrder, *, reassign: bool) -> None:
    if reassign:
        if order.status != "dispatched":
            raise Conflict(f"only a dispatched order is reassigned; this one is {order.status}", rule_id="SVC-05",
                           reason_zh="只有已派工（未到场）的工单可以改派", state=order.status)
        return
    if order.status == "on_hold" and order.held_from == "dispatched":  # a hold is no way round reassignment
        raise Conflict("the order is on hold while dispatched: resume it first (a supervisor may then reassign it)",
                       rule_id="SVC-05", reason_zh="工单暂停中（已派工）：请先恢复；如需改派由主管填写原因改派",
                       state=order.status)
    if order.status == "dispatched":
        who = name_of(order.assignee_id) if order.assignee_id else order.partner_name
        raise Conflict(f"the order is already dispatched to {who}; a supervisor may reassign it with a reason",
                       rule_id="SVC-05", reason_zh=f"工单已派给{who}，不能重复派工；如需改派请主管填写原因改派",
                       state=order.status)
    if order.approval_roles and order.status in ("requested", "approval_pending"):
        roles = ", ".join(order.approval_roles)
        raise Conflict(f"the order must be approved by {roles} before dispatch", rule_id="SVC-04",
                       reason_zh=f"工单须经{'、'.join(order.approval_roles)}审批后方可派工", state=order.status)
    orders.require_move(order, "dispatched")


def _approval(order: WorkOrder, data: dict, *, needed: str | None, role: str | None, at: dt.datetime,
              people: People) -> dict:
    """SVC-05: the approval fields of the dispatch record; 409 when one is needed and neither given
    nor an emergency, 422 when the approver does not hold the role for the order."""
    if needed is None or role is None:
        return {"approval_needed": None}
    approval = data.get("approval") or None
    out = {"approval_needed": needed, "approval_role": role, "emergency": bool(data.get("emergency"))}
    what_zh = "外部合作方" if needed == "partner" else "其他部门人员"
    what_en = "an outside partner" if needed == "partner" else "staff of another department"
    if approval is None:
        if not data.get("emergency"):
            raise Conflict(f"dispatching {what_en} needs the approval of the {role}; give it (approval) or, in an "
                           "emergency, dispatch with emergency=true and record the verbal approval afterwards",
                           rule_id="SVC-05", reason_zh=f"派给{what_zh}须经{role}批准（紧急情况可先派工，事后补记口头批准及时间）",
                           approval_needed=needed, approval_role=role)
        return out
    approver = approval.get("by")
    holders = ladder_holders(role, order, people)
    if approver is None or approver not in holders:
        raise InvalidInput("invalid approval", rule_id="SVC-05", fields={"approval.by": [
            f"not a {role} for this order's department (svc.dispatch.partner_approval)"]})
    given_at = fact_time(approval.get("at") or at, "approval.at")
    if given_at > at:
        raise InvalidInput("invalid approval", fields={"approval.at": [
            "after the dispatch: dispatch with emergency=true and record the approval afterwards"]})
    out.update({"approval_by": approver, "approval_at": given_at, "approval_verbal": bool(approval.get("verbal")),
                "emergency": False})
    return out


def dispatch(order: WorkOrder, data: dict, *, user, reassign: bool = False) -> WorkOrderDispatch:
    """SVC-05: assign ``order`` (see module doc). ``data``: assignee_id or partner_name, reason,
    override_reason, approval {by, at, verbal}, emergency, eta_at, customer_told_at, at."""
    from core.service import dispatch_field

    if reassign and not is_manager(user):
        raise Forbidden("only a supervisor or manager reassigns an order")
    people = People()
    assignee_id, partner = data.get("assignee_id"), (data.get("partner_name") or "").strip() or None
    if (assignee_id is None) == (partner is None):
        raise InvalidInput("who does the job", fields={"assignee_id": ["give assignee_id or partner_name, not both"],
                                                       "partner_name": ["give assignee_id or partner_name, not both"]})
    reason = (data.get("reason") or "").strip() or None
    if reassign and reason is None:
        raise InvalidInput("a reason is required", fields={"reason": ["say why the order is reassigned"]})
    _check_state(order, reassign=reassign)
    if reassign:
        at = step_time(order, data.get("at"), not_before=order.dispatched_at, label="the order was dispatched")
    else:
        at = step_time(order, data.get("at"), not_before=order.approved_at or order.requested_at,
                       label="the order was approved" if order.approved_at else "the order was requested")
    if reassign and ((assignee_id is not None and assignee_id == order.assignee_id)
                     or (partner is not None and partner == order.partner_name)):
        raise Conflict("the order is already assigned there", rule_id="SVC-05")

    values = order_policy(order).values
    ineligible: list[str] = []
    tech_chain: tuple[int, ...] = ()
    override = (data.get("override_reason") or "").strip() or None
    if assignee_id is not None:
        tech_user = user_of(assignee_id)
        if tech_user is None:
            raise InvalidInput("unknown assignee", fields={"assignee_id": ["not a user of this company"]})
        profile = technician_of(assignee_id)
        if profile is None:
            raise InvalidInput("not a technician", rule_id="SVC-05", fields={"assignee_id": [
                "not a service technician (no profile under /service-technicians)"]})
        tech = _as_rule(profile, tech_user, people)
        tech_chain = tech.department_chain
        ineligible = rules.ineligibility(tech, skill=order.skill, area=order.area)
        if ineligible:
            zh, en = rules.describe(ineligible, tech.availability)
            if override is None:
                raise InvalidInput("not eligible", rule_id="SVC-05", reasons=ineligible, reason_zh=zh,
                                   fields={"assignee_id": [f"not eligible: {en} (a supervisor may dispatch anyway "
                                                           "with override_reason)"]})
            if not is_manager(user):
                raise Forbidden("only a supervisor or manager may dispatch an ineligible technician")
        if not tech_user.is_active:
            raise InvalidInput("inactive", fields={"assignee_id": ["the user is inactive"]})
    if override is not None and not ineligible:
        override = None  # nothing to override
    order_department = order.department_id or people.department_of(user.id)
    needed = rules.approval_reason(partner=partner is not None, order_department=order_department,
                                   technician_chain=tech_chain)
    role = values["dispatch"]["partner_approval"]
    approval = _approval(order, data, needed=needed, role=role, at=at, people=people)
    eta = data.get("eta_at")
    if eta is not None:
        dispatch_field.check_eta(order, eta, at=at, customer_told_at=data.get("customer_told_at"))

    previous = current_dispatch(order)
    old_assignee = order.assignee_id
    if previous is not None:
        previous.ended_at, previous.ended_by = at, user.id
        previous.end_reason = "reassigned" if reassign else "redispatched"
        db.session.flush()
    record = WorkOrderDispatch(order_id=order.id, kind="reassign" if reassign else "dispatch", assignee_id=assignee_id,
                               partner_name=partner, dispatched_by=user.id, dispatched_at=at, reason=reason,
                               ineligible=ineligible, override_reason=override if ineligible else None, **approval)
    db.session.add(record)
    db.session.flush()

    target_zh = name_of(assignee_id) if assignee_id is not None else f"合作方{partner}"
    target_en = name_of(assignee_id) if assignee_id is not None else f"partner {partner}"
    approval_zh = approval_en = ""
    if approval.get("approval_by"):
        how_zh = "口头" if approval["approval_verbal"] else ""
        approval_zh = f"；经{name_of(approval['approval_by'])}（{role}）{how_zh}批准"
        approval_en = f"; approved{' verbally' if approval['approval_verbal'] else ''} by " \
                      f"{name_of(approval['approval_by'])} ({role})"
    elif approval.get("emergency"):
        approval_zh, approval_en = f"；紧急派工，{role}的口头批准待补记", f"; emergency: the {role}'s verbal approval to be recorded"
    override_zh = override_en = ""
    if ineligible:
        zh, en = rules.describe(ineligible)
        override_zh, override_en = f"；不符合条件（{zh}），主管特批：{override}", f"; not eligible ({en}), overridden: {override}"
    decision = decisions.record(
        "SVC-05", SUBJECT, order.id, policy=order_policy(order), decided_by=user.id,
        outcome={"dispatch_id": record.id, "kind": record.kind, "assignee_id": assignee_id, "partner_name": partner,
                 "approval_needed": approval.get("approval_needed"), "approval_by": approval.get("approval_by"),
                 "approval_at": approval.get("approval_at"), "approval_verbal": approval.get("approval_verbal"),
                 "emergency": approval.get("emergency", False), "override": bool(ineligible)},
        facts={"skill": order.skill, "area": order.area, "ineligible": ineligible, "previous_assignee_id": old_assignee,
               "previous_dispatch_id": previous.id if previous else None, "reason": reason,
               "order_department": order_department, "dispatched_by": user.id},
        reason_zh=f"工单{order.number}{'改派' if reassign else '派'}给{target_zh}" + (f"（{reason}）" if reason else "")
                  + approval_zh + override_zh,
        reason_en=f"order {order.number} {'reassigned' if reassign else 'dispatched'} to {target_en}"
                  + (f" ({reason})" if reason else "") + approval_en + override_en)
    record.decision_id = decision.id
    order.assignee_id, order.partner_name = assignee_id, partner
    orders.move(order, "dispatched", by=user.id, at=at, kind="reassigned" if reassign else "dispatched",
                decision_id=decision.id, note=reason,
                data={"dispatch_id": record.id, "assignee_id": assignee_id, "partner_name": partner,
                      "previous_assignee_id": old_assignee})
    order.dispatched_by = user.id
    if eta is not None:
        dispatch_field.set_eta(order, eta, by=user.id, at=at, customer_told_at=data.get("customer_told_at"))
    _tell_dispatched(order, record, old_assignee, approval, role, people)
    return record


def _tell_dispatched(order: WorkOrder, record: WorkOrderDispatch, old_assignee: int | None, approval: dict,
                     role: str | None, people: People) -> None:
    where = order.address or order.customer_name or ""
    if record.assignee_id is not None:
        notify([record.assignee_id], kind="svc.dispatched", rule_id="SVC-05", subject_type=SUBJECT,
               subject_id=order.id, dedupe_key=f"SVC-05:dispatch:{record.id}", due_at=order.eta_at,
               title_zh=f"新派工单{order.number}：{where}", title_en=f"Order {order.number} dispatched to you: {where}",
               body_zh=order.description, body_en=order.description)
    if old_assignee is not None and old_assignee != record.assignee_id:
        notify([old_assignee], kind="svc.reassigned", rule_id="SVC-05", subject_type=SUBJECT, subject_id=order.id,
               dedupe_key=f"SVC-05:reassigned:{record.id}",
               title_zh=f"工单{order.number}已改派他人", title_en=f"Order {order.number} was reassigned",
               body_zh=record.reason, body_en=record.reason)
    if approval.get("approval_by"):
        notify([approval["approval_by"]], kind="svc.dispatch_approval_recorded", rule_id="SVC-05",
               subject_type=SUBJECT, subject_id=order.id, dedupe_key=f"SVC-05:approval:{record.id}",
               title_zh=f"工单{order.number}派工记为经您批准", title_en=f"Order {order.number}: dispatch recorded as "
                                                                   "approved by you")
    elif approval.get("emergency") and role:
        notify(ladder_holders(role, order, people), kind="svc.dispatch_approval_due", rule_id="SVC-05",
               subject_type=SUBJECT, subject_id=order.id, dedupe_key=f"SVC-05:approval_due:{record.id}",
               title_zh=f"工单{order.number}紧急派工，请补记批准", title_en=f"Order {order.number}: emergency dispatch, "
                                                                    "approval to be recorded")


def record_approval(order: WorkOrder, data: dict, *, user) -> WorkOrderDispatch:
    """SVC-05: the department manager's approval of the current dispatch, recorded afterwards (a
    verbal approval in an emergency, with the time it was given). ``data``: by (default the caller),
    at (when it was given; required), verbal, note. 409 when the dispatch needs none or has one."""
    record = current_dispatch(order)
    if record is None or order.status not in ACTIVE_WORK:
        raise Conflict("the order has no dispatch in force", rule_id="SVC-05")
    if record.approval_needed is None:
        raise Conflict("this dispatch needs no approval", rule_id="SVC-05")
    if record.approval_by is not None:
        raise Conflict(f"the approval was recorded already ({name_of(record.approval_by)})", rule_id="SVC-05")
    approver = data.get("by") or user.id
    if not (user.id in (approver, record.dispatched_by) or user.has_role("cs_agent", *MANAGERS)):
        raise Forbidden("the approver, the dispatcher, the desk or a supervisor records the approval")
    people = People()
    if approver not in ladder_holders(record.approval_role, order, people):
        raise InvalidInput("invalid approval", rule_id="SVC-05", fields={"by": [
            f"not a {record.approval_role} for this order's department (svc.dispatch.partner_approval)"]})
    if data.get("at") is None:
        raise InvalidInput("when", fields={"at": ["when the approval was given"]})
    given_at = step_time(order, data["at"], not_before=order.requested_at)
    now = fact_time(None, "at")
    record.approval_by, record.approval_at = approver, given_at
    record.approval_verbal = bool(data.get("verbal"))
    record.approval_recorded_by, record.approval_recorded_at = user.id, now
    local = tenant_calendar(given_at)[0].local
    after = given_at > record.dispatched_at
    decision = decisions.record(
        "SVC-05", SUBJECT, order.id, policy=order_policy(order), decided_by=user.id,
        outcome={"dispatch_id": record.id, "approval_by": approver, "approval_at": given_at,
                 "approval_verbal": record.approval_verbal, "recorded_at": now, "given_after_dispatch": after},
        facts={"approval_needed": record.approval_needed, "role": record.approval_role,
               "dispatched_at": record.dispatched_at, "emergency": record.emergency, "note": data.get("note")},
        reason_zh=f"补记：{name_of(approver)}（{record.approval_role}）于{local(given_at):%Y-%m-%d %H:%M}"
                  f"{'口头' if record.approval_verbal else ''}批准工单{order.number}的派工",
        reason_en=f"recorded afterwards: {name_of(approver)} ({record.approval_role}) approved the dispatch of order "
                  f"{order.number}{' verbally' if record.approval_verbal else ''} at {local(given_at):%Y-%m-%d %H:%M}")
    orders.log_event(order, "dispatch_approval", by=user.id, at=now, decision_id=decision.id, note=data.get("note"),
                     data={"dispatch_id": record.id, "approval_by": approver, "approval_at": given_at,
                           "verbal": record.approval_verbal})
    if approver != user.id:
        notify([approver], kind="svc.dispatch_approval_recorded", rule_id="SVC-05", subject_type=SUBJECT,
               subject_id=order.id, dedupe_key=f"SVC-05:approval:{record.id}",
               title_zh=f"工单{order.number}派工记为经您批准", title_en=f"Order {order.number}: dispatch recorded as "
                                                                   "approved by you",
               body_zh=decision.reason_zh, body_en=decision.reason_en)
    db.session.flush()
    return record
