"""Return visits after resolution (CMP-60..63): selection to the monthly rate, scheduling with the
visitor's seniority, visit records, follow-ups and the issues found on visits.

- :func:`on_resolution` — call when a case is resolved (``status`` resolved, ``resolved_at`` set):
  decides it (and any case of the month resolved before it and not yet decided) in the caller's
  transaction. :func:`schedule` is the same for every undecided resolved case up to ``as_of``: the
  daily sweep ``cmp.return_visits`` runs it as a safety net. Undecided cases are found by one
  set-based query (resolved cases without a decided selection row) and judged in the order they were
  resolved; a decided case is never judged again, so a re-run changes nothing.
- :func:`set_exemption` (CMP-61) — the flag "a superior authority asked only for a written reply",
  with the reply letter, set before the case is decided.
- :func:`assign_visitor` (CMP-60, CMP-21), :func:`record_visit` (CMP-62, CMP-63),
  :func:`assign_issue`, :func:`settle_issue` (CMP-63).
- :func:`alert_overdue_visits`, :func:`escalate_issues` — the sweeps' alerts (once each).

Every case is judged under the ``cmp`` version it was received under (CMP-37), on the tenant
calendar in force at the resolution.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select

from core.accounts.models import User
from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.complaints import return_visit_rules as rules
from core.complaints.consequence_rules import RESOLVED_STATUSES
from core.complaints.models import Complaint
from core.complaints.policy import cmp_policy
from core.complaints.return_visit_models import ReturnVisit, VisitIssue, VisitSelection
from core.complaints.service import SUBJECT, get_complaint, log_event
from core.customers.fact_time import fact_time
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.notifications.service import notify

VISIT_SUBJECT = "complaint_return_visit"
ISSUE_SUBJECT = "complaint_visit_issue"


def _local(calendar, at: dt.datetime) -> str:
    return f"{calendar.local(at):%Y-%m-%d %H:%M}"


# ------------------------------------------------------------------ reading

def selection_of(complaint_id: int) -> VisitSelection | None:
    return db.session.scalars(select(VisitSelection).where(VisitSelection.complaint_id == complaint_id)).first()


def visits_of(complaint_id: int) -> list[ReturnVisit]:
    return list(db.session.scalars(select(ReturnVisit).where(ReturnVisit.complaint_id == complaint_id)
                                   .order_by(ReturnVisit.number)))


def issues_of(complaint_id: int) -> list[VisitIssue]:
    return list(db.session.scalars(select(VisitIssue).where(VisitIssue.complaint_id == complaint_id)
                                   .order_by(VisitIssue.found_at, VisitIssue.id)))


def get_visit(visit_id: int) -> ReturnVisit:
    visit = db.session.scalars(select(ReturnVisit).where(ReturnVisit.id == visit_id)).first()
    if visit is None:
        raise NotFound("return visit not found")
    return visit


def get_issue(issue_id: int) -> VisitIssue:
    issue = db.session.scalars(select(VisitIssue).where(VisitIssue.id == issue_id)).first()
    if issue is None:
        raise NotFound("return-visit issue not found")
    return issue


def _visible(stmt, model):
    """CMP-21: the rows of cases the current viewer is excluded from are left out (they never see them)."""
    from core.complaints import exclusion

    viewer = exclusion.acting_user()
    if viewer is None:
        return stmt
    return stmt.join(Complaint, and_(Complaint.tenant_id == model.tenant_id, Complaint.id == model.complaint_id)) \
        .where(exclusion.not_excluded_condition(viewer))


def search_visits(*, state: str | None = None, visitor_id: int | None = None, due_before: dt.datetime | None = None):
    stmt = _visible(select(ReturnVisit), ReturnVisit)
    if state is not None:
        stmt = stmt.where(ReturnVisit.state == state)
    if visitor_id is not None:
        stmt = stmt.where(ReturnVisit.visitor_id == visitor_id)
    if due_before is not None:
        stmt = stmt.where(ReturnVisit.due_at <= due_before)
    return stmt.order_by(ReturnVisit.due_at, ReturnVisit.id)


def search_issues(*, state: str | None = None, manager_id: int | None = None, assignee_id: int | None = None):
    stmt = _visible(select(VisitIssue), VisitIssue)
    for column, value in ((VisitIssue.state, state), (VisitIssue.manager_id, manager_id),
                          (VisitIssue.assignee_id, assignee_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(VisitIssue.assign_due_at, VisitIssue.id)


# ------------------------------------------------------------------ CMP-61 exemption

def set_exemption(complaint: Complaint, *, written_reply_only: bool, reply_letter: str | None,
                  by: int | None) -> VisitSelection:
    """CMP-61: a superior authority asked only for a written reply (the reply letter is attached):
    the case gets no return visit and leaves the rate's denominator. 409 once the case is decided."""
    row = selection_of(complaint.id)
    if row is not None and row.outcome is not None:
        raise Conflict("the return visit of this case was already decided", rule_id="CMP-61",
                       fields={"written_reply_only": [f"decided {row.outcome} ({row.reason}) on resolution"]})
    if complaint.case_type != "complaint":
        raise InvalidInput("only complaints get return visits", fields={"complaint_id": ["not a complaint"]})
    if row is None:
        row = VisitSelection(complaint_id=complaint.id)
        db.session.add(row)
    row.written_reply_only = bool(written_reply_only)
    row.reply_letter = (reply_letter or "").strip() or None
    row.flagged_by, row.flagged_at = by, utcnow()
    db.session.flush()
    log_event(complaint, "return_visit_exemption", by=by, data={"written_reply_only": row.written_reply_only,
                                                                 "reply_letter": row.reply_letter})
    return row


# ------------------------------------------------------------------ CMP-60 selection and scheduling

def on_resolution(complaint: Complaint, *, people: People | None = None) -> VisitSelection | None:
    """Call when ``complaint`` is resolved: decide its return visit now (CMP-60/61). Returns its
    selection row (None for a case that is not a resolved complaint)."""
    if complaint.resolved_at is None:
        return selection_of(complaint.id)
    schedule(complaint.resolved_at, people=people)
    return selection_of(complaint.id)


def _undecided(since: dt.datetime, as_of: dt.datetime):
    return (select(Complaint, VisitSelection)
            .outerjoin(VisitSelection, and_(VisitSelection.tenant_id == Complaint.tenant_id,
                                            VisitSelection.complaint_id == Complaint.id))
            .where(Complaint.case_type == "complaint", Complaint.status.in_(RESOLVED_STATUSES),
                   Complaint.resolved_at.is_not(None), Complaint.resolved_at >= since, Complaint.resolved_at <= as_of,
                   VisitSelection.outcome.is_(None))
            .order_by(Complaint.resolved_at, Complaint.id))


def _horizon(as_of: dt.datetime) -> dt.datetime:
    """The start of the previous local month: older resolutions are not judged any more (a monthly
    rate, and visits due within days)."""
    calendar, _ = tenant_calendar(as_of)
    first = rules.month_of(calendar.local_date(as_of))
    return calendar.start_of_day(rules.month_of(first - dt.timedelta(days=1)))


def _decided_in(month: dt.date) -> list[tuple[dt.datetime, int, bool]]:
    """The month's counted decisions: (resolved_at, complaint id, selected)."""
    rows = db.session.execute(select(VisitSelection.resolved_at, VisitSelection.complaint_id, VisitSelection.outcome)
                              .where(VisitSelection.month == month,
                                     VisitSelection.outcome.in_(("selected", "not_selected"))))
    return [(at, cid, outcome == "selected") for at, cid, outcome in rows]


def schedule(as_of: dt.datetime | None = None, *, people: People | None = None) -> dict:
    """Decide every complaint resolved up to ``as_of`` (since the start of the previous month) that has
    no decision yet (see module doc)."""
    as_of = as_of or utcnow()
    pending = list(db.session.execute(_undecided(_horizon(as_of), as_of)))
    if not pending:
        return {"selected": 0, "not_selected": 0, "exempt": 0}
    people = people or People()
    counts = {"selected": 0, "not_selected": 0, "exempt": 0}
    months: dict[dt.date, list[tuple[dt.datetime, int, bool]]] = {}
    for complaint, row in pending:
        calendar, _ = tenant_calendar(complaint.resolved_at)
        month = rules.month_of(calendar.local_date(complaint.resolved_at))
        if month not in months:
            months[month] = _decided_in(month)
        decided = months[month]
        key = (complaint.resolved_at, complaint.id)
        before = [selected for at, cid, selected in decided if (at, cid) < key]
        view = cmp_policy(complaint.received_at)
        settings = view.values["return_visit"]
        selection = rules.select_case(
            complaint.severity, visited_before=sum(before), resolved_before=len(before), rate=settings["rate"],
            always=settings["always"], anonymous=complaint.anonymous,
            written_reply_only=bool(row is not None and row.written_reply_only))
        if row is None:
            row = VisitSelection(complaint_id=complaint.id)
            db.session.add(row)
        _decide(complaint, row, selection, month, calendar, view, people)
        if selection.counted:
            decided.append((complaint.resolved_at, complaint.id, selection.selected))
        counts[selection.outcome] += 1
    db.session.flush()
    return counts


def _decide(complaint: Complaint, row: VisitSelection, selection: rules.Selection, month: dt.date, calendar,
            view, people: People) -> None:
    settings = view.values["return_visit"]
    row.outcome, row.reason, row.month = selection.outcome, selection.reason, month
    row.resolved_at, row.severity, row.rate = complaint.resolved_at, complaint.severity, selection.rate
    row.visited_before, row.resolved_count, row.decided_at = selection.visited_before, selection.resolved_count, utcnow()
    facts = {"resolved_at": complaint.resolved_at, "month": month, "severity": complaint.severity,
             "anonymous": complaint.anonymous, "written_reply_only": row.written_reply_only,
             "visited_before": selection.visited_before, "resolved_so_far": selection.resolved_count,
             "rate": selection.rate, "always": settings["always"]}
    outcome = {"outcome": selection.outcome, "reason": selection.reason}
    zh, en = selection.reason_zh, selection.reason_en
    visit = None
    if selection.selected:
        due = rules.visit_due(calendar, complaint.resolved_at, settings["within"])
        roles = list(settings["visitor"][complaint.severity])
        visitor = pick_visitor(complaint, roles, people)
        visit = ReturnVisit(complaint_id=complaint.id, number=1, reason="after_resolution", due_at=due.utc,
                            visitor_roles=roles, visitor_id=visitor, state="planned")
        db.session.add(visit)
        db.session.flush()
        need_zh, need_en = rules.seniority_text(roles)
        outcome.update({"visit_id": visit.id, "due_at": due.utc, "visitor_roles": roles, "visitor_id": visitor})
        facts.update({"within": str(settings["within"]), "due_trace": list(due.trace)})
        zh += f"回访期限：处理完毕后{settings['within']}，至{due.through.isoformat()}止；回访人须为{need_zh}。"
        en += f" Visit due within {settings['within']} of the resolution, through {due.through.isoformat()}; " \
              f"the visitor must be {need_en}."
    decision = decisions.record(selection.rule_id, SUBJECT, complaint.id, policy=view, outcome=outcome, facts=facts,
                                reason_zh=zh, reason_en=en)
    row.decision_id = decision.id
    if visit is not None:
        visit.decision_id = decision.id
        log_event(complaint, "return_visit_planned", by=None, at=complaint.resolved_at, decision_id=decision.id,
                  data={"visit_id": visit.id, "number": 1, "due_at": visit.due_at, "visitor_id": visit.visitor_id})
        _tell_visitor(complaint, visit, calendar)
    else:
        log_event(complaint, f"return_visit_{selection.outcome}", by=None, at=complaint.resolved_at,
                  decision_id=decision.id, data={"reason": selection.reason})


def _case_department(complaint: Complaint, people: People) -> int | None:
    return complaint.handler_department_id or complaint.owner_department_id or people.department_of(complaint.owner_id)


def pick_visitor(complaint: Complaint, roles: list[str], people: People) -> int | None:
    """CMP-60: the nearest active holder of a named role (``company_manager``: gm, vp) in the case's
    department or its parents, else anywhere in the company; when nobody holds one, the same for the
    other roles of that level (cs_supervisor for supervisor). Never an excluded person (CMP-21). None
    when nobody qualifies (a supervisor assigns someone)."""
    excluded = set(complaint.excluded_user_ids or [])
    chain = people.chain(_case_department(complaint, people))
    for tier in (rules.expand(roles), rules.same_level(roles)):
        holders = [(uid, dep) for role in tier for uid, dep in people.holders(role) if uid not in excluded]
        for department_id in chain:
            for uid, dep in holders:
                if dep == department_id:
                    return uid
        if holders:
            return holders[0][0]
    return None


def _tell_visitor(complaint: Complaint, visit: ReturnVisit, calendar) -> None:
    notify([visit.visitor_id], kind="cmp.return_visit_due", rule_id="CMP-60", subject_type=SUBJECT,
           subject_id=complaint.id, dedupe_key=f"CMP-60:visit:{visit.id}:{visit.visitor_id}", due_at=visit.due_at,
           title_zh=f"投诉{complaint.number}第{visit.number}次回访，请于{_local(calendar, visit.due_at)}前完成",
           title_en=f"Return visit {visit.number} of complaint {complaint.number} due {_local(calendar, visit.due_at)}")


# ------------------------------------------------------------------ CMP-60 / CMP-21 visitor

def _user(user_id: int | None, field: str) -> User:
    user = db.session.scalars(select(User).where(User.id == user_id)).first() if user_id is not None else None
    if user is None:
        raise InvalidInput("unknown user", fields={field: ["not an employee of this company"]})
    if not user.is_active:
        raise InvalidInput("inactive user", fields={field: ["this employee is inactive"]})
    return user


def check_visitor(complaint: Complaint, visit: ReturnVisit, user: User) -> None:
    """409 when ``user`` may not visit: the accused (CMP-21) or too junior for the case (CMP-60)."""
    if user.id in (complaint.excluded_user_ids or []):
        raise Conflict("the employee complained about never visits the case", rule_id="CMP-21",
                       fields={"visitor_id": ["the accused (or a listed person) cannot be the return visitor (CMP-21)"]})
    if not rules.qualifies(user.roles, visit.visitor_roles):
        need_zh, need_en = rules.seniority_text(visit.visitor_roles)
        raise Conflict(f"a {complaint.severity} case is visited by {need_en}", rule_id="CMP-60",
                       reason_zh=f"{rules.SEVERITY_ZH.get(complaint.severity, '')}投诉的回访人须为{need_zh}",
                       fields={"visitor_id": [f"{user.display_name} is not senior enough: the visitor must be {need_en} "
                                              f"(CMP-60)"]})


def assign_visitor(visit: ReturnVisit, visitor_id: int, *, by: int | None) -> ReturnVisit:
    """A supervisor names the visitor of a planned visit (CMP-60 seniority, never the accused CMP-21)."""
    complaint = get_complaint(visit.complaint_id)
    if visit.state != "planned":
        raise Conflict(f"this visit is {visit.state}", fields={"visitor_id": [f"the visit is {visit.state}"]})
    user = _user(visitor_id, "visitor_id")
    check_visitor(complaint, visit, user)
    calendar, _ = tenant_calendar(visit.due_at)
    previous = visit.visitor_id
    visit.visitor_id, visit.assigned_by = user.id, by
    previous_decision = decisions.get(visit.decision_id) if visit.decision_id else None
    # a former assignment is superseded; the selection or follow-up decision of the case stays current
    supersedes = previous_decision if previous_decision and previous_decision.subject_type == VISIT_SUBJECT else None
    decision = decisions.record(
        "CMP-60", VISIT_SUBJECT, visit.id, policy=cmp_policy(complaint.received_at), decided_by=by,
        supersedes=supersedes, outcome={"visitor_id": user.id, "previous_visitor_id": previous},
        facts={"complaint_id": complaint.id, "severity": complaint.severity, "visitor_roles": visit.visitor_roles,
               "roles_of_visitor": user.roles},
        reason_zh=f"指派{user.display_name}进行投诉{complaint.number}第{visit.number}次回访",
        reason_en=f"{user.display_name} assigned to return visit {visit.number} of complaint {complaint.number}")
    visit.decision_id = decision.id
    db.session.flush()
    _tell_visitor(complaint, visit, calendar)
    return visit


# ------------------------------------------------------------------ CMP-62 / CMP-63 visit record

def record_visit(visit: ReturnVisit, data: dict, *, by: int | None) -> ReturnVisit:
    """Record a visit as done. ``data``: mode (on_site | phone), visited_at (default now),
    customer_signed, signature_ref, ratings {attitude, skill, outcome} (1..5), notes, visitor_id
    (default the assigned visitor, else the recorder), issues [{description}], next_visit_at (the
    reply time appointed with the customer: required when issues are raised; a follow-up visit is
    planned for it). 422 naming each bad field, 409 for a visit already done or a visitor who may not
    visit; nothing is written then."""
    complaint = get_complaint(visit.complaint_id)
    if visit.state != "planned":
        raise Conflict(f"this visit is {visit.state}", fields={"visit": [f"the visit is already {visit.state}"]})
    view = cmp_policy(complaint.received_at)
    settings = view.values["return_visit"]
    errors: dict[str, list[str]] = {}
    try:
        visited_at = fact_time(data.get("visited_at"), "visited_at")
    except InvalidInput as exc:
        errors.update(exc.fields)
        visited_at = utcnow()
    if complaint.resolved_at is not None and visited_at < complaint.resolved_at:
        errors["visited_at"] = ["a return visit comes after the resolution"]
    label, problems = rules.check_visit(
        number=visit.number, severity=complaint.severity, mode=data.get("mode") or "", customer_signed=bool(
            data.get("customer_signed")), ratings=data.get("ratings") or {},
        phone_allowed_from=settings["phone_allowed_from"], major_on_site=settings["major_on_site"])
    errors.update(problems)
    issues = [i for i in (data.get("issues") or []) if (i.get("description") or "").strip()]
    next_at = data.get("next_visit_at")
    if issues and next_at is None:
        errors["next_visit_at"] = ["new issues need the reply time appointed with the customer (CMP-62)"]
    if next_at is not None and (next_at.tzinfo is None or next_at <= visited_at):
        errors["next_visit_at"] = ["an aware time after the visit"]
    if errors:
        raise InvalidInput("invalid return visit", fields=errors, rule_id="CMP-62")
    visitor = _user(data.get("visitor_id") or visit.visitor_id or by, "visitor_id")
    check_visitor(complaint, visit, visitor)
    ratings = data.get("ratings") or {}
    visit.visitor_id, visit.state, visit.mode, visit.label = visitor.id, "done", data["mode"], label
    visit.customer_signed = bool(data.get("customer_signed")) and data["mode"] == "on_site"
    visit.signature_ref = data.get("signature_ref")
    visit.visited_at, visit.recorded_by, visit.notes = visited_at, by, data.get("notes")
    visit.rating_attitude, visit.rating_skill, visit.rating_outcome = (
        int(ratings["attitude"]), int(ratings["skill"]), int(ratings["outcome"]))
    db.session.flush()
    log_event(complaint, "return_visit_done", by=by, at=visited_at,
              data={"visit_id": visit.id, "number": visit.number, "mode": visit.mode, "label": label,
                    "late": visited_at > visit.due_at, "ratings": ratings, "issues": len(issues)})
    people = People()
    calendar, _ = tenant_calendar(visited_at)
    for item in issues:
        _raise_issue(complaint, visit, item["description"].strip(), visited_at, next_at, settings, view, calendar,
                     people)
    if next_at is not None:
        _follow_up(complaint, visit, next_at, view, calendar, by)
    return visit


def _service_manager(complaint: Complaint, role: str, people: People) -> int | None:
    """CMP-63: the service manager the issue goes to: the nearest holder of ``cmp.return_visit.issue_to``
    in the case's department or its parents, else anywhere, else the head of the case's department."""
    excluded = set(complaint.excluded_user_ids or [])
    holders = [(uid, dep) for uid, dep in people.holders(role) if uid not in excluded]
    chain = people.chain(_case_department(complaint, people))
    for department_id in chain:
        for uid, dep in holders:
            if dep == department_id:
                return uid
    if holders:
        return holders[0][0]
    return next((people.head_of(d) for d in chain if people.head_of(d) is not None), None)


def _raise_issue(complaint, visit, description, found_at, reply_by, settings, view, calendar, people) -> VisitIssue:
    due = rules.issue_assign_due(calendar, found_at, settings["issue_assign_within"])
    manager = _service_manager(complaint, settings["issue_to"], people)
    issue = VisitIssue(complaint_id=complaint.id, visit_id=visit.id, description=description, found_at=found_at,
                       manager_id=manager, assign_due_at=due.utc, reply_by=reply_by, state="open")
    db.session.add(issue)
    db.session.flush()
    decision = decisions.record(
        "CMP-63", ISSUE_SUBJECT, issue.id, policy=view,
        outcome={"manager_id": manager, "assign_due_at": due.utc},
        facts={"complaint_id": complaint.id, "visit_id": visit.id, "found_at": found_at,
               "within": str(settings["issue_assign_within"]), "trace": list(due.trace)},
        reason_zh=f"回访发现问题，直接转服务经理，须于{_local(calendar, due.utc)}前指派专人处理（{settings['issue_assign_within']}）。依据CMP-63。",
        reason_en=f"Issue found on a return visit goes straight to the service manager, who assigns someone by "
                  f"{_local(calendar, due.utc)} ({settings['issue_assign_within']}). Under CMP-63.")
    issue.decision_id = decision.id
    notify([manager], kind="cmp.visit_issue", rule_id="CMP-63", subject_type=ISSUE_SUBJECT, subject_id=issue.id,
           dedupe_key=f"CMP-63:issue:{issue.id}", due_at=due.utc,
           title_zh=f"投诉{complaint.number}回访发现问题，请于{_local(calendar, due.utc)}前指派处理人",
           title_en=f"Issue found on a return visit of complaint {complaint.number}: assign someone by "
                    f"{_local(calendar, due.utc)}", body_zh=description, body_en=description)
    return issue


def _follow_up(complaint, visit, due_at, view, calendar, by) -> ReturnVisit:
    """CMP-62: a further visit at the reply time appointed with the customer, same visitor."""
    follow = ReturnVisit(complaint_id=complaint.id, number=visit.number + 1, reason="follow_up", due_at=due_at,
                         visitor_roles=list(visit.visitor_roles), visitor_id=visit.visitor_id, state="planned")
    db.session.add(follow)
    db.session.flush()
    settings = view.values["return_visit"]
    phone = "可电话回访" if follow.number >= settings["phone_allowed_from"] and not (
        complaint.severity == "major" and settings["major_on_site"]) else "须上门回访"
    decision = decisions.record(
        "CMP-62", SUBJECT, complaint.id, policy=view,
        outcome={"visit_id": follow.id, "number": follow.number, "due_at": due_at},
        facts={"previous_visit_id": visit.id, "appointed_reply_at": due_at, "severity": complaint.severity,
               "phone_allowed_from": settings["phone_allowed_from"]},
        reason_zh=f"回访中客户提出新问题，约定{_local(calendar, due_at)}答复，安排第{follow.number}次回访（{phone}）。依据CMP-62。",
        reason_en=f"New issues on the visit: reply appointed for {_local(calendar, due_at)}, visit {follow.number} "
                  f"planned. Under CMP-62.")
    follow.decision_id = decision.id
    log_event(complaint, "return_visit_planned", by=by, at=visit.visited_at, decision_id=decision.id,
              data={"visit_id": follow.id, "number": follow.number, "due_at": due_at, "visitor_id": follow.visitor_id})
    _tell_visitor(complaint, follow, calendar)
    return follow


# ------------------------------------------------------------------ CMP-63 issue handling

def assign_issue(issue: VisitIssue, assignee_id: int, *, by: int | None, at: dt.datetime | None = None) -> VisitIssue:
    """The service manager assigns someone to an issue (409 when settled or for the accused, CMP-21)."""
    complaint = get_complaint(issue.complaint_id)
    if issue.state == "settled":
        raise Conflict("this issue is settled", fields={"assignee_id": ["the issue already has its outcome"]})
    at = fact_time(at, "assigned_at")
    user = _user(assignee_id, "assignee_id")
    if user.id in (complaint.excluded_user_ids or []):
        raise Conflict("the employee complained about never handles the case", rule_id="CMP-21",
                       fields={"assignee_id": ["the accused cannot handle an issue of the case (CMP-21)"]})
    first = issue.assigned_at is None
    issue.assignee_id, issue.assigned_by, issue.state = user.id, by, "assigned"
    if first:
        issue.assigned_at = at
    db.session.flush()
    on_time = at <= issue.assign_due_at
    calendar, _ = tenant_calendar(at)
    log_event(complaint, "visit_issue_assigned", by=by, at=at,
              data={"issue_id": issue.id, "assignee_id": user.id, "on_time": on_time})
    notify([user.id], kind="cmp.visit_issue_assigned", rule_id="CMP-63", subject_type=ISSUE_SUBJECT,
           subject_id=issue.id, dedupe_key=f"CMP-63:assigned:{issue.id}:{at.isoformat()}", due_at=issue.reply_by,
           title_zh=f"请处理投诉{complaint.number}回访发现的问题", title_en=f"Handle the issue found on a return visit of "
                                                                  f"complaint {complaint.number}",
           body_zh=issue.description, body_en=issue.description)
    return issue


def settle_issue(issue: VisitIssue, outcome: str | None, *, by: int | None, at: dt.datetime | None = None) -> VisitIssue:
    """CMP-63: every raised issue ends with an outcome (事事有回音)."""
    complaint = get_complaint(issue.complaint_id)
    if issue.state == "settled":
        raise Conflict("this issue is settled", fields={"outcome": ["the issue already has its outcome"]})
    if not (outcome or "").strip():
        raise InvalidInput("an outcome is required", fields={"outcome": ["say how the issue was settled (CMP-63)"]})
    at = fact_time(at, "settled_at")
    issue.outcome, issue.outcome_at, issue.outcome_by, issue.state = outcome.strip(), at, by, "settled"
    db.session.flush()
    log_event(complaint, "visit_issue_settled", by=by, at=at, data={"issue_id": issue.id})
    return issue


# ------------------------------------------------------------------ sweeps

def alert_overdue_visits(as_of: dt.datetime | None = None, *, people: People | None = None) -> int:
    """CMP-60: planned visits past their due time → the visitor and their supervisors are told, once."""
    as_of = as_of or utcnow()
    rows = list(db.session.scalars(select(ReturnVisit).where(
        ReturnVisit.state == "planned", ReturnVisit.due_at <= as_of, ReturnVisit.overdue_alerted_at.is_(None))
        .order_by(ReturnVisit.due_at, ReturnVisit.id)))
    if not rows:
        return 0
    people = people or People()
    for visit in rows:
        complaint = get_complaint(visit.complaint_id)
        calendar, _ = tenant_calendar(visit.due_at)
        managers = people.supervisors_of(visit.visitor_id) if visit.visitor_id else [
            uid for uid, _dep in people.holders("cs_supervisor") or people.holders("cs_manager")]
        decision = decisions.record(
            "CMP-60", VISIT_SUBJECT, visit.id, policy=cmp_policy(complaint.received_at),
            outcome={"overdue": True, "told": [visit.visitor_id, *managers]},
            facts={"complaint_id": complaint.id, "due_at": visit.due_at, "as_of": as_of, "number": visit.number},
            reason_zh=f"投诉{complaint.number}第{visit.number}次回访已逾期（期限{_local(calendar, visit.due_at)}）",
            reason_en=f"Return visit {visit.number} of complaint {complaint.number} is overdue (due "
                      f"{_local(calendar, visit.due_at)})")
        notify([visit.visitor_id, *managers], kind="cmp.return_visit_overdue", rule_id="CMP-60",
               subject_type=SUBJECT, subject_id=complaint.id, dedupe_key=f"CMP-60:overdue:{visit.id}",
               due_at=visit.due_at, title_zh=decision.reason_zh, title_en=decision.reason_en)
        visit.overdue_alerted_at = as_of
    db.session.flush()
    return len(rows)


def escalate_issues(as_of: dt.datetime | None = None, *, people: People | None = None) -> int:
    """CMP-63: an issue nobody was assigned to by its limit escalates, once, to the heads above the
    service manager (else the general manager)."""
    as_of = as_of or utcnow()
    rows = list(db.session.scalars(select(VisitIssue).where(
        VisitIssue.state == "open", VisitIssue.assign_due_at <= as_of, VisitIssue.escalated_at.is_(None))
        .order_by(VisitIssue.assign_due_at, VisitIssue.id)))
    if not rows:
        return 0
    people = people or People()
    for issue in rows:
        complaint = get_complaint(issue.complaint_id)
        calendar, _ = tenant_calendar(issue.assign_due_at)
        chain = people.chain(people.department_of(issue.manager_id) if issue.manager_id
                             else _case_department(complaint, people))
        heads = [h for h in (people.head_of(d) for d in chain) if h is not None and h != issue.manager_id]
        told = heads[:1] or [uid for uid, _dep in people.holders("gm")]
        decision = decisions.record(
            "CMP-63", ISSUE_SUBJECT, issue.id, policy=cmp_policy(complaint.received_at),
            outcome={"escalated_to": told}, facts={"complaint_id": complaint.id, "manager_id": issue.manager_id,
                                                   "assign_due_at": issue.assign_due_at, "as_of": as_of},
            reason_zh=f"投诉{complaint.number}回访发现的问题至{_local(calendar, issue.assign_due_at)}仍未指派处理人，升级上报。依据CMP-63。",
            reason_en=f"The issue found on a return visit of complaint {complaint.number} had nobody assigned by "
                      f"{_local(calendar, issue.assign_due_at)}: escalated. Under CMP-63.")
        notify([*told, issue.manager_id], kind="cmp.visit_issue_escalated", rule_id="CMP-63",
               subject_type=ISSUE_SUBJECT, subject_id=issue.id, dedupe_key=f"CMP-63:escalated:{issue.id}",
               title_zh=decision.reason_zh, title_en=decision.reason_en, body_zh=issue.description,
               body_en=issue.description)
        issue.escalated_at, issue.escalated_to = as_of, told
        log_event(complaint, "visit_issue_escalated", by=None, at=as_of, decision_id=decision.id,
                  data={"issue_id": issue.id, "escalated_to": told})
    db.session.flush()
    return len(rows)
