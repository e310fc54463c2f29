"""Set-based queries of the complaint reports (CMP-80, CMP-81): each section is one GROUP BY over the
tenant's cases (never a query per case); the figures derived from the counts are computed by the pure
functions of :mod:`core.complaints.reports_rules`, whose module text states the counting rules
(issues, complainants, open, overdue) that the SQL here implements.

Every query goes through the ORM entities, so the tenant's criteria apply to every table, joins and
subqueries included (and row-level security on PostgreSQL): a report never reads another tenant.
Instants are aware UTC datetimes; rows come back as plain dicts.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from core.accounts.models import Department, User
from core.complaints.models import OPEN_STATUSES, Complaint
from core.db import db
from core.sla.models import SlaMilestone

SUBJECT = "complaint"


def _rows(stmt) -> list[dict]:
    return [dict(row) for row in db.session.execute(stmt).mappings()]


def _linked_counts():
    """Cases linked to each master (CMP-13), as a subquery (issue_id, linked)."""
    return (select(Complaint.master_id.label("issue_id"), func.count().label("linked"))
            .where(Complaint.master_id.is_not(None)).group_by(Complaint.master_id).subquery("linked"))


def _members(linked):
    return 1 + func.coalesce(linked.c.linked, 0)


def _complainants(linked):
    """The larger of the master's complainant count and the cases of the issue (see the rules)."""
    members = _members(linked)
    return case((Complaint.complainant_count > members, Complaint.complainant_count), else_=members)


def _responsible():
    """Who is responsible for a case now and in which department: the handler, else the owner (the
    first taker, CMP-20); the handling department, else the owning queue, else the person's own."""
    person = aliased(User, name="responsible")
    handler = func.coalesce(Complaint.handler_id, Complaint.owner_id)
    department = func.coalesce(Complaint.handler_department_id, Complaint.owner_department_id, person.department_id)
    return person, handler, department


def _ended_at():
    """When a case stopped being open: resolved, else closed; a case in another state without those
    times (rejected) ended when it was last changed."""
    return func.coalesce(Complaint.resolved_at, Complaint.closed_at,
                         case((Complaint.status.not_in(OPEN_STATUSES), Complaint.updated_at)))


def open_at(at: dt.datetime):
    """The case was open at ``at``: received by then, not yet resolved, closed or rejected."""
    ended = _ended_at()
    return and_(Complaint.received_at <= at, or_(ended.is_(None), ended > at))


def overdue_at(at: dt.datetime):
    """1 when one of the case's deadlines was breached by ``at``, or was due before ``at`` and not met
    by then (a cancelled deadline is not owed); else 0."""
    m = SlaMilestone
    late = (select(m.id).where(
        m.subject_type == SUBJECT, m.subject_id == Complaint.id,
        or_(and_(m.breached_at.is_not(None), m.breached_at <= at),
            and_(m.state != "cancelled", m.due_at < at, or_(m.met_at.is_(None), m.met_at > at))))
        .exists())
    return case((late, 1), else_=0)


def _basis_column(basis: str):
    return Complaint.closed_at if basis == "closed" else Complaint.received_at


def issues(basis: str, start: dt.datetime, end: dt.datetime):
    """The issues (cases without a master) whose ``basis`` time (received or closed) is in
    [start, end), with their cases and complainants, as a subquery."""
    linked = _linked_counts()
    person, handler, department = _responsible()
    column = _basis_column(basis)
    return (select(Complaint.id, Complaint.case_type, Complaint.category, Complaint.cause, Complaint.cause_class,
                   func.nullif(func.trim(Complaint.root_cause), "").label("root_cause"), Complaint.severity,
                   Complaint.is_repeat, Complaint.satisfaction, Complaint.accused_user_id,
                   handler.label("handler_id"), department.label("department_id"),
                   _members(linked).label("cases"), _complainants(linked).label("complainants"))
            .outerjoin(linked, linked.c.issue_id == Complaint.id)
            .outerjoin(person, person.id == handler)
            .where(Complaint.master_id.is_(None), column >= start, column < end)
            .subquery("issues"))


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def summary_row(basis: str, start: dt.datetime, end: dt.datetime) -> dict:
    i = issues(basis, start, end)
    stmt = select(func.count().label("issues"), func.sum(i.c.complainants).label("complainants"),
                  func.sum(i.c.cases).label("cases"), _flag(i.c.severity == "major").label("major"),
                  _flag(i.c.is_repeat.is_(True)).label("repeats"))
    return _rows(stmt)[0]


def grouped(basis: str, start: dt.datetime, end: dt.datetime, column: str) -> list[dict]:
    """Issues and complainants per value of one column of the issues (category, cause, cause_class,
    root_cause, case_type, severity)."""
    i = issues(basis, start, end)
    key = i.c[column]
    return _rows(select(key.label(column), func.count().label("issues"),
                        func.sum(i.c.complainants).label("complainants")).group_by(key))


def departments(basis: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Issues, complainants, major and repeat issues per responsible department."""
    i = issues(basis, start, end)
    dep = aliased(Department, name="dep")
    return _rows(select(i.c.department_id, dep.name.label("department"), func.count().label("issues"),
                        func.sum(i.c.complainants).label("complainants"),
                        _flag(i.c.severity == "major").label("major"), _flag(i.c.is_repeat.is_(True)).label("repeats"))
                 .outerjoin(dep, dep.id == i.c.department_id)
                 .group_by(i.c.department_id, dep.name))


def employees(basis: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Issues per employee complained about (the accused), with their name and department."""
    i = issues(basis, start, end)
    who = aliased(User, name="accused")
    dep = aliased(Department, name="accused_dep")
    return _rows(select(i.c.accused_user_id.label("user_id"), who.display_name.label("name"),
                        dep.name.label("department"), func.count().label("issues"),
                        func.sum(i.c.complainants).label("complainants"),
                        _flag(i.c.severity == "major").label("major"), _flag(i.c.is_repeat.is_(True)).label("repeats"))
                 .join(who, who.id == i.c.accused_user_id)
                 .outerjoin(dep, dep.id == who.department_id)
                 .group_by(i.c.accused_user_id, who.display_name, dep.name))


def satisfaction(basis: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    i = issues(basis, start, end)
    return _rows(select(i.c.satisfaction.label("score"), func.count().label("issues"))
                 .where(i.c.satisfaction.is_not(None)).group_by(i.c.satisfaction))


def attainment(start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> list[dict]:
    """Per milestone code: deadlines of issues due in (start, min(end, as_of)] — a deadline "through
    09-30" is due at 09-30 24:00, in September; cancelled ones are not owed — and how many were met on
    time (by the due time) or late (after it, by ``as_of``)."""
    m = SlaMilestone
    until = min(end, as_of)
    met = and_(m.met_at.is_not(None), m.met_at <= as_of)
    return _rows(select(m.code.label("milestone"), func.count().label("due"),
                        _flag(and_(met, m.met_at <= m.due_at)).label("met_on_time"),
                        _flag(and_(met, m.met_at > m.due_at)).label("met_late"))
                 .join(Complaint, Complaint.id == m.subject_id)
                 .where(m.subject_type == SUBJECT, Complaint.master_id.is_(None), m.state != "cancelled",
                        m.due_at > start, m.due_at <= until)
                 .group_by(m.code))


def open_overdue(at: dt.datetime) -> list[dict]:
    """Open and overdue issues at ``at`` per (department, handler), with names."""
    linked = _linked_counts()
    person, handler, department = _responsible()
    inner = (select(department.label("department_id"), handler.label("handler_id"), overdue_at(at).label("overdue"),
                    _complainants(linked).label("complainants"))
             .outerjoin(linked, linked.c.issue_id == Complaint.id)
             .outerjoin(person, person.id == handler)
             .where(Complaint.master_id.is_(None), open_at(at))
             .subquery("open_issues"))
    dep = aliased(Department, name="dep")
    who = aliased(User, name="handler")
    return _rows(select(inner.c.department_id, dep.name.label("department"), inner.c.handler_id,
                        who.display_name.label("handler"), func.count().label("open"),
                        func.sum(inner.c.overdue).label("overdue"), func.sum(inner.c.complainants).label("complainants"))
                 .outerjoin(dep, dep.id == inner.c.department_id)
                 .outerjoin(who, who.id == inner.c.handler_id)
                 .group_by(inner.c.department_id, dep.name, inner.c.handler_id, who.display_name))


def _case_columns(person, handler, department, dep, who):
    return (Complaint.id.label("complaint_id"), Complaint.number, Complaint.case_type, Complaint.received_at,
            Complaint.category, Complaint.severity, Complaint.status, department.label("department_id"),
            dep.name.label("department"), dep.head_user_id.label("head_id"), handler.label("handler_id"),
            who.display_name.label("handler"))


def unresolved_issues(at: dt.datetime) -> list[dict]:
    """CMP-81: every issue open at ``at``, with its team (department) and whether it is overdue."""
    linked = _linked_counts()
    person, handler, department = _responsible()
    dep = aliased(Department, name="team")
    who = aliased(User, name="handler")
    stmt = (select(*_case_columns(person, handler, department, dep, who), overdue_at(at).label("overdue"),
                   _complainants(linked).label("complainants"))
            .outerjoin(linked, linked.c.issue_id == Complaint.id)
            .outerjoin(person, person.id == handler)
            .outerjoin(dep, dep.id == department)
            .outerjoin(who, who.id == handler)
            .where(Complaint.master_id.is_(None), open_at(at))
            .order_by(Complaint.received_at, Complaint.id))
    return _rows(stmt)


def new_cases(start: dt.datetime, end: dt.datetime) -> list[dict]:
    """CMP-81: every case received in [start, end), linked ones too (with their master's number)."""
    person, handler, department = _responsible()
    dep = aliased(Department, name="team")
    who = aliased(User, name="handler")
    master = aliased(Complaint, name="master")
    stmt = (select(*_case_columns(person, handler, department, dep, who), master.number.label("master_number"))
            .outerjoin(person, person.id == handler)
            .outerjoin(dep, dep.id == department)
            .outerjoin(who, who.id == handler)
            .outerjoin(master, master.id == Complaint.master_id)
            .where(Complaint.received_at >= start, Complaint.received_at < end)
            .order_by(Complaint.received_at, Complaint.id))
    return _rows(stmt)
