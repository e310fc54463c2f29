"""Return visits after service (SVC-14) and the issues found on them (CMP-63).

Entry points called by other steps (none of them commits):

- :func:`on_feedback` ``(order, received_at)`` — the completion step calls it when the customer's
  signed feedback form is received (SVC-12), after the order moved to ``completed``.
- :func:`on_completed_remote` ``(order, at)`` — the completion step of a remote type (``on_site =
  False``) calls it after the move to ``completed``; the daily sweep does it too for any remote order
  completed since the start of the previous month that has no decision yet (a safety net).
- :func:`on_recorded` ``(order, at)`` — the record step (SVC-13) calls it after the move to
  ``recorded``; the daily sweep does it too for every recorded order whose visit is decided (and
  closes orders whose visit is done with no open issue, e.g. after a plugin refused the closure).

Each completed order gets one decision per round (its rework count: a reworked order is visited again
after its next form): visited or not under the monthly rate (``svc.return_visit.rate``, default 100%),
the visit due within ``svc.return_visit.after`` (default the next working day), a visitor (the nearest
holder of ``svc.return_visit.visitor``). The order moves on only from ``recorded`` (the state machine
allows nothing else): while it is still ``completed`` it waits for its record, then :func:`on_recorded`
takes it to ``return_visit_due`` (a visit to make), or to ``closed`` (no visit selected, or the visit
already done with no open issue).

:func:`record_visit` records the visit (mode, who came as the customer says, attitude and skill 1..5,
result), writes it on the customer's timeline and closes the order once no issue found on it is open
(issues go to the service manager, CMP-63; the last one settled closes the order). An order waiting in
``return_visit_due`` may still go to rework. :func:`alert_overdue_visits` and :func:`escalate_issues`
are the sweep's alerts (once each).

Every order is judged under the ``svc`` version it was requested under (its policy); the issues under
the ``cmp`` settings of CMP-63 in force when found.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, or_, select

from core.accounts.models import User
from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.complaints.policy import cmp_policy
from core.customers.fact_time import fact_time
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.notifications.service import notify
from core.service import order_types, orders
from core.service import return_visit_rules as rules
from core.service.models import DONE_STATES, WorkOrder
from core.service.return_visit_models import OPEN_VISIT_STATES, ServiceReturnVisit, ServiceVisitIssue

SUBJECT = orders.SUBJECT
VISIT_SUBJECT = "service_return_visit"
ISSUE_SUBJECT = "service_visit_issue"


def _local(calendar, at: dt.datetime) -> str:
    return f"{calendar.local(at):%Y-%m-%d %H:%M}"


# ------------------------------------------------------------------ reading

def get_visit(visit_id: int, *, for_update: bool = False) -> ServiceReturnVisit:
    return get_one(ServiceReturnVisit, visit_id, "return visit", for_update=for_update)


def get_issue(issue_id: int, *, for_update: bool = False) -> ServiceVisitIssue:
    return get_one(ServiceVisitIssue, issue_id, "return-visit issue", for_update=for_update)


def visits_of(order_id: int) -> list[ServiceReturnVisit]:
    return list(db.session.scalars(select(ServiceReturnVisit).where(ServiceReturnVisit.order_id == order_id)
                                   .order_by(ServiceReturnVisit.round)))


def issues_of_visit(visit_id: int) -> list[ServiceVisitIssue]:
    return list(db.session.scalars(select(ServiceVisitIssue).where(ServiceVisitIssue.visit_id == visit_id)
                                   .order_by(ServiceVisitIssue.found_at, ServiceVisitIssue.id)))


def issues_of_order(order_id: int) -> list[ServiceVisitIssue]:
    return list(db.session.scalars(select(ServiceVisitIssue).where(ServiceVisitIssue.order_id == order_id)
                                   .order_by(ServiceVisitIssue.found_at, ServiceVisitIssue.id)))


def current_visit(order: WorkOrder) -> ServiceReturnVisit | None:
    """The decision of the order's current round (None before it is decided)."""
    return db.session.scalars(select(ServiceReturnVisit).where(
        ServiceReturnVisit.order_id == order.id, ServiceReturnVisit.round == (order.rework_count or 0))).first()


def search_visits(*, state: str | None = None, due_before: dt.datetime | None = None, visitor_id: int | None = None,
                  order_id: int | None = None):
    stmt = select(ServiceReturnVisit)
    if state is not None:
        stmt = stmt.where(ServiceReturnVisit.state == state)
    if due_before is not None:
        stmt = stmt.where(ServiceReturnVisit.due_at <= due_before)
    if visitor_id is not None:
        stmt = stmt.where(ServiceReturnVisit.visitor_id == visitor_id)
    if order_id is not None:
        stmt = stmt.where(ServiceReturnVisit.order_id == order_id)
    return stmt.order_by(ServiceReturnVisit.due_at, ServiceReturnVisit.id)


def search_issues(*, state: str | None = None, manager_id: int | None = None, assignee_id: int | None = None):
    stmt = select(ServiceVisitIssue)
    for column, value in ((ServiceVisitIssue.state, state), (ServiceVisitIssue.manager_id, manager_id),
                          (ServiceVisitIssue.assignee_id, assignee_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(ServiceVisitIssue.assign_due_at, ServiceVisitIssue.id)


# ------------------------------------------------------------------ people

def _order_department(order: WorkOrder, people: People) -> int | None:
    return order.department_id or people.department_of(order.assignee_id)


def _nearest(people: People, role: str, department_id: int | None, *, exclude=()) -> int | None:
    """The nearest active holder of ``role`` in the department or its parents, else anywhere, else the
    head of the nearest department that has one."""
    holders = [(uid, dep) for uid, dep in people.holders(role) if uid not in exclude]
    chain = people.chain(department_id)
    for department in chain:
        for uid, dep in holders:
            if dep == department:
                return uid
    if holders:
        return holders[0][0]
    return next((people.head_of(d) for d in chain if people.head_of(d) is not None), None)


def _user(user_id: int | None, field: str) -> User:
    user = db.session.scalars(select(User).where(User.id == user_id)).first() if user_id is not None else None
    if user is None:
        raise InvalidInput("unknown user", fields={field: ["not an employee of this company"]})
    if not user.is_active:
        raise InvalidInput("inactive user", fields={field: ["this employee is inactive"]})
    return user


# ------------------------------------------------------------------ planning (SVC-14)

def on_feedback(order: WorkOrder, received_at: dt.datetime, *, people: People | None = None) -> ServiceReturnVisit:
    """SVC-14: the customer's signed feedback form of ``order`` was received at ``received_at``: decide
    its return visit (once per round; a second call returns the first decision)."""
    return _plan(order, received_at, "feedback", people)


def on_completed_remote(order: WorkOrder, at: dt.datetime | None = None, *,
                        people: People | None = None) -> ServiceReturnVisit:
    """SVC-14: a remote order (a type done off site) was completed at ``at`` (default its completion
    time): decide its return visit (once per round)."""
    if order_types.is_on_site(order.type):
        raise Conflict("an on-site order is visited after its feedback form", rule_id="SVC-14",
                       fields={"order_id": [f"{order.type} is done on site: call on_feedback"]})
    return _plan(order, at or order.completed_at, "remote_completion", people)


def _month_counts(month: dt.date) -> tuple[int, int]:
    """(decided, selected) orders of the month."""
    decided, selected = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((ServiceReturnVisit.selected.is_(True), 1), else_=0)), 0))
        .where(ServiceReturnVisit.month == month)).one()
    return int(decided or 0), int(selected or 0)


def _plan(order: WorkOrder, at: dt.datetime | None, reason: str, people: People | None) -> ServiceReturnVisit:
    existing = current_visit(order)
    if existing is not None:
        return existing
    if order.status not in DONE_STATES or order.completed_at is None:
        raise Conflict("the order is not completed", rule_id="SVC-14", state=order.status,
                       fields={"order_id": [f"the order is {order.status}: a return visit follows its completion"]})
    if at is None or at.tzinfo is None:
        raise InvalidInput("invalid time", fields={"received_at": ["needs a time zone (e.g. +08:00)"]})
    people = people or People()
    view = orders.order_policy(order)
    settings = view.values["return_visit"]
    calendar, _ = tenant_calendar(at)
    month = rules.month_of(calendar.local_date(at))
    decided, visited = _month_counts(month)
    selection = rules.select_order(visited_before=visited, decided_before=decided, rate=settings["rate"])
    due = rules.visit_due(calendar, at, settings["after"])
    visitor = _nearest(people, settings["visitor"], _order_department(order, people),
                       exclude=(order.assignee_id,)) if selection.selected else None
    visit = ServiceReturnVisit(
        order_id=order.id, round=order.rework_count or 0, customer_id=order.customer_id, reason=reason,
        trigger_at=at, month=month, selected=selection.selected, selection_reason=selection.reason,
        rate=selection.rate, visited_before=selection.visited_before, decided_count=selection.decided_count,
        due_on=due.through, due_at=due.utc, state="due" if selection.selected else "not_selected",
        visitor_id=visitor)
    db.session.add(visit)
    db.session.flush()
    why_zh, why_en = rules.REASON_ZH[reason], rules.REASON_EN[reason]
    zh = f"工单{order.number}{why_zh}（{_local(calendar, at)}）。{selection.reason_zh}"
    en = f"Order {order.number}: {why_en} ({_local(calendar, at)}). {selection.reason_en}"
    if selection.selected:
        zh += f"回访期限：{settings['after']}，至{due.through.isoformat()}止。"
        en += f" Return visit due within {settings['after']}, through {due.through.isoformat()}."
    decision = decisions.record(
        "SVC-14", SUBJECT, order.id, policy=view,
        outcome={"visit_id": visit.id, "selected": selection.selected, "reason": selection.reason,
                 "due_on": due.through, "due_at": due.utc, "visitor_id": visitor},
        facts={"trigger": reason, "at": at, "after": str(settings["after"]), "due_trace": list(due.trace),
               "rate": selection.rate, "month": month, "visited_before": selection.visited_before,
               "decided_so_far": selection.decided_count, "round": visit.round,
               "visitor_role": settings["visitor"]},
        reason_zh=zh, reason_en=en)
    visit.decision_id = decision.id
    orders.log_event(order, "return_visit_planned" if selection.selected else "return_visit_not_selected",
                     by=None, at=at, decision_id=decision.id,
                     data={"visit_id": visit.id, "due_on": due.through, "visitor_id": visitor})
    if selection.selected:
        notify([visitor], kind="svc.return_visit_due", rule_id="SVC-14", subject_type=VISIT_SUBJECT,
               subject_id=visit.id, dedupe_key=f"SVC-14:visit:{visit.id}", due_at=visit.due_at,
               title_zh=f"工单{order.number}服务回访，请于{due.through.isoformat()}前完成",
               title_en=f"Return visit of order {order.number} due through {due.through.isoformat()}")
    if order.status == "recorded":
        _advance(order, visit, max(at, order.recorded_at or at))
    return visit


def on_recorded(order: WorkOrder, at: dt.datetime | None = None):
    """SVC-14: the order was recorded: on to ``return_visit_due`` (a visit to make) or ``closed`` (no
    visit selected, or the visit done with no open issue). Nothing when its visit is not decided yet or
    the order is not ``recorded``. Returns the order's history event of the move (or None)."""
    visit = current_visit(order)
    if visit is None:
        return None
    return _advance(order, visit, at or order.recorded_at)


def _open_issues(visit: ServiceReturnVisit) -> int:
    return db.session.scalar(select(func.count()).select_from(ServiceVisitIssue).where(
        ServiceVisitIssue.visit_id == visit.id, ServiceVisitIssue.state != "settled")) or 0


def _target(visit: ServiceReturnVisit) -> str:
    if visit.state in OPEN_VISIT_STATES or (visit.state == "done" and _open_issues(visit)):
        return "return_visit_due"
    return "closed"


def _advance(order: WorkOrder, visit: ServiceReturnVisit, at: dt.datetime | None):
    """Move the order on after its visit, where the machine allows it; a plugin's veto is kept as a
    decision and the order stays (the sweep tries again)."""
    if visit.round != (order.rework_count or 0):
        return None
    to_state = _target(visit)
    if order.status == to_state or to_state not in orders.allowed_moves(order):
        return None
    try:
        return orders.move(order, to_state, by=None, at=at or utcnow(), decision_id=visit.decision_id,
                           kind="return_visit_due" if to_state == "return_visit_due" else "closed",
                           data={"visit_id": visit.id, "visit_state": visit.state, "rule_id": "SVC-14"})
    except orders.Vetoed as vetoed:
        orders.record_vetoes(vetoed, by=None)
        return None


# ------------------------------------------------------------------ the visit (SVC-14, CMP-63)

def record_visit(visit: ServiceReturnVisit, data: dict, *, by: int | None) -> ServiceReturnVisit:
    """Record a visit as done. ``data``: mode (phone | on_site), visited_at (default now), attitude and
    skill (1..5), outcome (resolved | partly | unresolved), who_came (the technician as the customer
    names them) and who_came_id, notes, visitor_id (default the planned visitor, else the recorder),
    issues [{description}]. A result not resolved raises an issue even when none is written (CMP-63).
    422 naming each bad field, 409 for a visit that is not due; nothing is written then."""
    if visit.state not in OPEN_VISIT_STATES:
        raise Conflict(f"this visit is {visit.state}", rule_id="SVC-14",
                       fields={"visit": [f"the visit is {visit.state}" + (" (no visit selected)"
                                                                          if visit.state == "not_selected" else "")]})
    order = orders.get_order(visit.order_id, for_update=True)
    errors: dict[str, list[str]] = {}
    try:
        visited_at = fact_time(data.get("visited_at"), "visited_at")
    except InvalidInput as exc:
        errors.update(exc.fields)
        visited_at = utcnow()
    if "visited_at" not in errors and visited_at < visit.trigger_at:
        errors["visited_at"] = ["a return visit comes after the feedback form (or the remote completion)"]
    label, problems = rules.check_record(mode=data.get("mode"), outcome=data.get("outcome"),
                                         ratings={"attitude": data.get("attitude"), "skill": data.get("skill")})
    errors.update(problems)
    who_came_id = data.get("who_came_id")
    for field, user_id in (("who_came_id", who_came_id), ("visitor_id", data.get("visitor_id"))):
        if user_id is not None:
            try:
                _user(user_id, field)
            except InvalidInput as exc:
                errors.update(exc.fields)
    if errors:
        raise InvalidInput("invalid return visit", fields=errors, rule_id="SVC-14")
    visitor = _user(data.get("visitor_id") or visit.visitor_id or by, "visitor_id")
    order = orders.get_order(visit.order_id)
    if order.assignee_id is not None and order.assignee_id in (visitor.id, by):  # as CMP-21: not one's own work
        raise Forbidden("the technician who did the work does not visit the customer about it (SVC-14)",
                        rule_id="SVC-14")
    notes = (data.get("notes") or "").strip() or None
    issues = [i["description"].strip() for i in (data.get("issues") or []) if (i.get("description") or "").strip()]
    if rules.raises_issue(data["outcome"]) and not issues:
        issues = [rules.unresolved_text(data["outcome"], notes)]
    visit.state, visit.visitor_id, visit.visited_at, visit.recorded_by = "done", visitor.id, visited_at, by
    visit.mode, visit.label, visit.notes = data["mode"], label, notes
    visit.who_came = (data.get("who_came") or "").strip() or None
    visit.who_came_id = who_came_id
    visit.attitude, visit.skill, visit.outcome = data["attitude"], data["skill"], data["outcome"]
    db.session.flush()
    calendar, _ = tenant_calendar(visited_at)
    other_came = who_came_id is not None and order.assignee_id is not None and who_came_id != order.assignee_id
    late = visited_at >= visit.due_at
    zh = (f"工单{order.number}{rules.MODE_ZH[visit.mode]}（{_local(calendar, visited_at)}，{visitor.display_name}）："
          f"服务态度{visit.attitude}分，技术水平{visit.skill}分，结果{rules.OUTCOME_ZH[visit.outcome]}"
          + ("；客户所说上门人员与派工不符" if other_came else "") + (f"；发现问题{len(issues)}项，转服务经理" if issues else "")
          + (f"；逾期（期限{visit.due_on.isoformat()}）" if late else "") + "。依据SVC-14。")
    en = (f"Order {order.number}: {visit.mode} return visit ({_local(calendar, visited_at)}, {visitor.display_name}): "
          f"attitude {visit.attitude}, skill {visit.skill}, result {visit.outcome}"
          + ("; the technician the customer names is not the one dispatched" if other_came else "")
          + (f"; {len(issues)} issue(s) sent to the service manager" if issues else "")
          + (f"; late (due through {visit.due_on.isoformat()})" if late else "") + ". Under SVC-14.")
    decision = decisions.record(
        "SVC-14", VISIT_SUBJECT, visit.id, policy=orders.order_policy(order), decided_by=by,
        outcome={"state": "done", "issues": len(issues), "late": late, "other_technician": other_came},
        facts={"order_id": order.id, "mode": visit.mode, "attitude": visit.attitude, "skill": visit.skill,
               "outcome": visit.outcome, "who_came": visit.who_came, "who_came_id": who_came_id,
               "assignee_id": order.assignee_id, "due_on": visit.due_on, "visited_at": visited_at},
        reason_zh=zh, reason_en=en)
    orders.log_event(order, "return_visit_done", by=by, at=visited_at, decision_id=decision.id, note=notes,
                     data={"visit_id": visit.id, "mode": visit.mode, "label": label, "attitude": visit.attitude,
                           "skill": visit.skill, "outcome": visit.outcome, "who_came": visit.who_came,
                           "issues": len(issues), "late": late})
    if issues:
        people = People()
        cmp_view = cmp_policy(visited_at)
        for description in issues:
            _raise_issue(order, visit, description, visited_at, cmp_view, calendar, people)
    _advance(order, visit, visited_at)
    return visit


def _raise_issue(order, visit, description, found_at, cmp_view, calendar, people) -> ServiceVisitIssue:
    """CMP-63: straight to the service manager, who assigns someone within the limit."""
    settings = cmp_view.values["return_visit"]
    due = calendar.add_duration(found_at, settings["issue_assign_within"])
    manager = _nearest(people, settings["issue_to"], _order_department(order, people))
    issue = ServiceVisitIssue(visit_id=visit.id, order_id=order.id, description=description, found_at=found_at,
                              manager_id=manager, assign_due_at=due.utc, state="open")
    db.session.add(issue)
    db.session.flush()
    decision = decisions.record(
        "CMP-63", ISSUE_SUBJECT, issue.id, policy=cmp_view,
        outcome={"manager_id": manager, "assign_due_at": due.utc},
        facts={"order_id": order.id, "visit_id": visit.id, "found_at": found_at,
               "within": str(settings["issue_assign_within"]), "trace": list(due.trace)},
        reason_zh=f"工单{order.number}回访发现问题，直接转服务经理，须于{_local(calendar, due.utc)}前指派专人处理"
                  f"（{settings['issue_assign_within']}）。依据CMP-63。",
        reason_en=f"Issue found on the return visit of order {order.number} goes straight to the service manager, "
                  f"who assigns someone by {_local(calendar, due.utc)} ({settings['issue_assign_within']}). "
                  f"Under CMP-63.")
    issue.decision_id = decision.id
    orders.log_event(order, "visit_issue_raised", by=None, at=found_at, decision_id=decision.id,
                     data={"issue_id": issue.id, "manager_id": manager, "assign_due_at": due.utc})
    notify([manager], kind="svc.visit_issue", rule_id="CMP-63", subject_type=ISSUE_SUBJECT, subject_id=issue.id,
           dedupe_key=f"CMP-63:svc-issue:{issue.id}", due_at=due.utc,
           title_zh=f"工单{order.number}回访发现问题，请于{_local(calendar, due.utc)}前指派处理人",
           title_en=f"Issue found on the return visit of order {order.number}: assign someone by "
                    f"{_local(calendar, due.utc)}", body_zh=description, body_en=description)
    return issue


def assign_issue(issue: ServiceVisitIssue, assignee_id: int, *, by: int | None,
                 at: dt.datetime | None = None) -> ServiceVisitIssue:
    """CMP-63: the service manager assigns someone (409 once settled)."""
    if issue.state == "settled":
        raise Conflict("this issue is settled", fields={"assignee_id": ["the issue already has its outcome"]})
    at = fact_time(at, "assigned_at")
    user = _user(assignee_id, "assignee_id")
    order = orders.get_order(issue.order_id)
    first = issue.assigned_at is None
    issue.assignee_id, issue.assigned_by, issue.state = user.id, by, "assigned"
    if first:
        issue.assigned_at = at
    db.session.flush()
    orders.log_event(order, "visit_issue_assigned", by=by, at=at,
                     data={"issue_id": issue.id, "assignee_id": user.id, "on_time": at <= issue.assign_due_at})
    notify([user.id], kind="svc.visit_issue_assigned", rule_id="CMP-63", subject_type=ISSUE_SUBJECT,
           subject_id=issue.id, dedupe_key=f"CMP-63:svc-assigned:{issue.id}:{at.isoformat()}",
           title_zh=f"请处理工单{order.number}回访发现的问题",
           title_en=f"Handle the issue found on the return visit of order {order.number}",
           body_zh=issue.description, body_en=issue.description)
    return issue


def settle_issue(issue: ServiceVisitIssue, outcome: str | None, *, by: int | None,
                 at: dt.datetime | None = None, may_settle_unassigned: bool = False) -> ServiceVisitIssue:
    """CMP-63: every issue ends with an outcome, given by the person assigned to it
    (``may_settle_unassigned``: the service manager, who may also settle it directly); never by the
    technician whose work it is about. The last one settled closes an order waiting in
    ``return_visit_due``."""
    if issue.state == "settled":
        raise Conflict("this issue is settled", fields={"outcome": ["the issue already has its outcome"]})
    if not (outcome or "").strip():
        raise InvalidInput("an outcome is required", fields={"outcome": ["say how the issue was settled (CMP-63)"]})
    at = fact_time(at, "settled_at")
    order = orders.get_order(issue.order_id, for_update=True)
    if issue.assignee_id is None and not may_settle_unassigned:
        raise Conflict("the issue is not assigned yet: the service manager assigns it first (CMP-63)",
                       rule_id="SVC-14")
    if not may_settle_unassigned and by != issue.assignee_id:
        raise Forbidden("only the person assigned to the issue (or the service manager) settles it (CMP-63)",
                        rule_id="SVC-14")
    if by is not None and by == order.assignee_id:
        raise Forbidden("the technician whose work the issue is about does not settle it (CMP-63)", rule_id="SVC-14")
    issue.outcome, issue.outcome_at, issue.outcome_by, issue.state = outcome.strip(), at, by, "settled"
    db.session.flush()
    orders.log_event(order, "visit_issue_settled", by=by, at=at, data={"issue_id": issue.id})
    visit = get_visit(issue.visit_id)
    if order.status == "return_visit_due":
        _advance(order, visit, at)
    return issue


# ------------------------------------------------------------------ sweeps

def _horizon(as_of: dt.datetime) -> dt.datetime:
    """The start of the previous local month: older completions are not planned by the sweep."""
    calendar, _ = tenant_calendar(as_of)
    first = rules.month_of(calendar.local_date(as_of))
    return calendar.start_of_day(rules.month_of(first - dt.timedelta(days=1)))


def plan_remote(as_of: dt.datetime | None = None, *, people: People | None = None) -> int:
    """SVC-14 safety net: remote orders completed (since the previous month) with no decision for their
    round get it, dated at their completion."""
    as_of = as_of or utcnow()
    remote = [code for code, t in order_types.tenant_types().items() if not t.on_site]
    if not remote:
        return 0
    rows = list(db.session.scalars(
        select(WorkOrder).outerjoin(ServiceReturnVisit, and_(
            ServiceReturnVisit.tenant_id == WorkOrder.tenant_id, ServiceReturnVisit.order_id == WorkOrder.id,
            ServiceReturnVisit.round == WorkOrder.rework_count))
        .where(WorkOrder.type.in_(remote), WorkOrder.status.in_(DONE_STATES), WorkOrder.completed_at.is_not(None),
               WorkOrder.completed_at >= _horizon(as_of), WorkOrder.completed_at <= as_of,
               ServiceReturnVisit.id.is_(None))
        .order_by(WorkOrder.completed_at, WorkOrder.id)))
    if not rows:
        return 0
    people = people or People()
    for order in rows:
        _plan(order, order.completed_at, "remote_completion", people)
    return len(rows)


def advance_orders(as_of: dt.datetime | None = None) -> int:
    """SVC-14 safety net: recorded orders whose visit is decided move on (see :func:`on_recorded`), and
    orders waiting in ``return_visit_due`` whose visit is done with no open issue close (a closure a
    plugin refused before, a record step that forgot its hook)."""
    as_of = as_of or utcnow()
    rows = list(db.session.execute(
        select(WorkOrder, ServiceReturnVisit).join(ServiceReturnVisit, and_(
            ServiceReturnVisit.tenant_id == WorkOrder.tenant_id, ServiceReturnVisit.order_id == WorkOrder.id,
            ServiceReturnVisit.round == WorkOrder.rework_count))
        .where(or_(WorkOrder.status == "recorded",
                   and_(WorkOrder.status == "return_visit_due", ServiceReturnVisit.state == "done")))
        .order_by(WorkOrder.id)))
    moved = 0
    for order, visit in rows:
        if _advance(order, visit, max(as_of, order.recorded_at or as_of)) is not None:
            moved += 1
    return moved


def alert_overdue_visits(as_of: dt.datetime | None = None, *, people: People | None = None) -> int:
    """SVC-14: visits still due at their due time become overdue; the visitor, their supervisors and the
    service manager are told, once."""
    as_of = as_of or utcnow()
    rows = list(db.session.scalars(select(ServiceReturnVisit).where(
        ServiceReturnVisit.state == "due", ServiceReturnVisit.due_at <= as_of)
        .order_by(ServiceReturnVisit.due_at, ServiceReturnVisit.id)))
    if not rows:
        return 0
    people = people or People()
    for visit in rows:
        order = orders.get_order(visit.order_id)
        view = orders.order_policy(order)
        manager = _nearest(people, cmp_policy(as_of).values["return_visit"]["issue_to"],
                           _order_department(order, people))
        told = [visit.visitor_id, *people.supervisors_of(visit.visitor_id), manager]
        decision = decisions.record(
            "SVC-14", VISIT_SUBJECT, visit.id, policy=view,
            outcome={"overdue": True, "told": sorted({u for u in told if u is not None})},
            facts={"order_id": order.id, "due_on": visit.due_on, "due_at": visit.due_at, "as_of": as_of},
            reason_zh=f"工单{order.number}服务回访已逾期（期限{visit.due_on.isoformat()}）。依据SVC-14。",
            reason_en=f"The return visit of order {order.number} is overdue (due through "
                      f"{visit.due_on.isoformat()}). Under SVC-14.")
        visit.state, visit.overdue_at = "overdue", as_of
        orders.log_event(order, "return_visit_overdue", by=None, at=as_of, decision_id=decision.id,
                         data={"visit_id": visit.id, "due_on": visit.due_on})
        notify(told, kind="svc.return_visit_overdue", rule_id="SVC-14", subject_type=VISIT_SUBJECT,
               subject_id=visit.id, dedupe_key=f"SVC-14:overdue:{visit.id}", due_at=visit.due_at,
               title_zh=decision.reason_zh, title_en=decision.reason_en)
    db.session.flush()
    return len(rows)


def escalate_issues(as_of: dt.datetime | None = None, *, people: People | None = None) -> int:
    """CMP-63: an issue nobody was assigned to by its limit escalates, once, to the heads above the
    service manager (else the general manager)."""
    as_of = as_of or utcnow()
    rows = list(db.session.scalars(select(ServiceVisitIssue).where(
        ServiceVisitIssue.state == "open", ServiceVisitIssue.assign_due_at <= as_of,
        ServiceVisitIssue.escalated_at.is_(None)).order_by(ServiceVisitIssue.assign_due_at, ServiceVisitIssue.id)))
    if not rows:
        return 0
    people = people or People()
    for issue in rows:
        order = orders.get_order(issue.order_id)
        calendar, _ = tenant_calendar(issue.assign_due_at)
        chain = people.chain(people.department_of(issue.manager_id) if issue.manager_id
                             else _order_department(order, people))
        heads = [h for h in (people.head_of(d) for d in chain) if h is not None and h != issue.manager_id]
        told = heads[:1] or [uid for uid, _dep in people.holders("gm")]
        decision = decisions.record(
            "CMP-63", ISSUE_SUBJECT, issue.id, policy=cmp_policy(issue.found_at),
            outcome={"escalated_to": told}, facts={"order_id": order.id, "manager_id": issue.manager_id,
                                                   "assign_due_at": issue.assign_due_at, "as_of": as_of},
            reason_zh=f"工单{order.number}回访发现的问题至{_local(calendar, issue.assign_due_at)}仍未指派处理人，升级上报。"
                      f"依据CMP-63。",
            reason_en=f"The issue found on the return visit of order {order.number} had nobody assigned by "
                      f"{_local(calendar, issue.assign_due_at)}: escalated. Under CMP-63.")
        notify([*told, issue.manager_id], kind="svc.visit_issue_escalated", rule_id="CMP-63",
               subject_type=ISSUE_SUBJECT, subject_id=issue.id, dedupe_key=f"CMP-63:svc-escalated:{issue.id}",
               title_zh=decision.reason_zh, title_en=decision.reason_en, body_zh=issue.description,
               body_en=issue.description)
        issue.escalated_at, issue.escalated_to = as_of, told
        orders.log_event(order, "visit_issue_escalated", by=None, at=as_of, decision_id=decision.id,
                         data={"issue_id": issue.id, "escalated_to": told})
    db.session.flush()
    return len(rows)
