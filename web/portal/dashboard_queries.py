"""What the home pages and the dashboards show, read through the core: the complaint and service report
queries (:mod:`core.complaints.reports`, :mod:`core.service.reports_queries`), the customers' visit,
commitment and credit services. The few lists the core has no function for (my open cases with their
next deadline, overdue work orders, follow-ups per person) are plain ORM selects here, tenant-scoped by
the ORM like every query, and every list that names customers is limited to the customers the viewer
may see (CUS-70, :func:`core.customers.confidentiality.access.restrict`), exactly as the API is.

Instants are aware UTC; "today" and "this month" are the tenant's local days.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select

from core.accounts.models import Department, User
from core.calendar.service import tenant_calendar
from core.complaints import reports as cmp_reports
from core.complaints import reports_queries as cmp_queries
from core.complaints import reports_rules as cmp_rules
from core.complaints.exclusion import not_excluded_condition
from core.complaints.models import OPEN_STATUSES, Complaint
from core.customers.confidentiality import access, visibility_rules
from core.customers.grades.models import CustomerGrade
from core.customers.models import Customer, CustomerOwnership
from core.customers.ownership import service as ownership_service
from core.customers.ownership.models import CustomerDeal
from core.customers.ownership.vocabulary import EXPIRING, PROTECTED
from core.customers.visits import due_visits
from core.customers.visits.models import Commitment, DueVisit, PlannedVisit, VisitPlan
from core.db import db
from core.service import reports_queries as svc_queries
from core.service import reports_rules as svc_rules
from core.service.models import OPEN_STATES, WorkOrder
from core.sla.models import SlaMilestone
from core.staff import credit as staff_credit

#: a protection window ending within this many days is "about to be lost" on a salesperson's home page
EXPIRY_DAYS = 14
#: months on the SLA attainment line
TREND_MONTHS = 6


# ---------------------------------------------------------------- time

@dataclass(frozen=True)
class Month:
    """A local calendar month: its first and last day and its instants [start, end)."""

    first: dt.date
    last: dt.date
    start: dt.datetime
    end: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"


def tenant_zone() -> ZoneInfo:
    calendar, _ = tenant_calendar()
    return ZoneInfo(calendar.timezone)


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(tenant_zone()).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = tenant_zone()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_of(first: dt.date) -> Month:
    """The month starting ``first`` (a first day), its instants by the complaint reports' rule."""
    first = first.replace(day=1)
    last = shift_month(first, 1) - dt.timedelta(days=1)
    start, end = cmp_reports.bounds(cmp_rules.custom_period(first, last, "received"))
    return Month(first, last, start, end)


def parse_month(text: str | None, now: dt.datetime) -> tuple[Month, bool]:
    """``?month=2026-11`` → (that month, True); empty or malformed → (this month, ok = not malformed)."""
    if text:
        try:
            first = dt.datetime.strptime(text.strip(), "%Y-%m").date()
        except ValueError:
            first = None
        if first is not None and 1900 <= first.year <= 2999:  # months the page can step back and forward from
            return month_of(first), True
        return month_of(local_today(now)), False
    return month_of(local_today(now)), True


# ---------------------------------------------------------------- helpers

def _visible_customer_ids():
    """The ids of the customers the current viewer may see (a subquery), as the API's lists."""
    return access.restrict(select(Customer.id))


def _names(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _customer_names(customer_ids) -> dict[int, str]:
    ids = {i for i in customer_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all())


def _next_deadlines(subject_type: str, ids: list[int]) -> dict[int, SlaMilestone]:
    """The earliest deadline still owed (open or breached, not met) of each subject."""
    if not ids:
        return {}
    rows = db.session.scalars(select(SlaMilestone).where(
        SlaMilestone.subject_type == subject_type, SlaMilestone.subject_id.in_(ids),
        SlaMilestone.state.in_(("open", "breached")), SlaMilestone.met_at.is_(None))
        .order_by(SlaMilestone.due_at, SlaMilestone.id))
    out: dict[int, SlaMilestone] = {}
    for row in rows:
        out.setdefault(row.subject_id, row)
    return out


def _by_deadline(items: list[dict]) -> list[dict]:
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return sorted(items, key=lambda i: (i["due_at"] or far, i["id"]))


# ---------------------------------------------------------------- salesperson

def follow_ups_today(user_id: int, now: dt.datetime) -> dict:
    """Today's follow-ups of ``user_id``: due visits (CUS cadence, open or overdue, due by the end of
    today), open commitments due by the end of today, and the visits planned for today in the month's
    plan — all on customers the viewer may see."""
    today = local_today(now)
    _, end_of_today = day_bounds(today)
    visible = _visible_customer_ids()
    visits = list(db.session.scalars(due_visits.due_list(user_id=user_id, now=now)
                                      .where(DueVisit.due_at <= end_of_today, DueVisit.customer_id.in_(visible))))
    commitments = list(db.session.scalars(
        select(Commitment).where(Commitment.owner_id == user_id, Commitment.status == "open",
                                 Commitment.due_at <= end_of_today, Commitment.customer_id.in_(visible))
        .order_by(Commitment.due_at, Commitment.id)))
    planned = list(db.session.scalars(
        select(PlannedVisit).join(VisitPlan, VisitPlan.id == PlannedVisit.plan_id)
        .where(VisitPlan.user_id == user_id, PlannedVisit.planned_on == today, PlannedVisit.customer_id.in_(visible))
        .order_by(PlannedVisit.id)))
    names = _customer_names([r.customer_id for r in visits + commitments + planned])
    return {
        "visits": [{"id": v.id, "customer_id": v.customer_id, "customer": names.get(v.customer_id), "due_at": v.due_at,
                    "mode": v.mode, "holiday": v.holiday, "status": due_visits.effective_status(v, now)} for v in visits],
        "commitments": [{"id": c.id, "customer_id": c.customer_id, "customer": names.get(c.customer_id),
                         "due_at": c.due_at, "kind": c.kind, "text": c.text} for c in commitments],
        "planned": [{"id": p.id, "customer_id": p.customer_id, "customer": names.get(p.customer_id),
                     "purpose": p.purpose, "note": p.note} for p in planned],
    }


def expiring_customers(user_id: int, now: dt.datetime, days: int = EXPIRY_DAYS) -> list[dict]:
    """The customers ``user_id`` owns whose protection window (CUS-22..25) ends within ``days``, the
    soonest first, with the decision that set the window (the "why")."""
    horizon = now + dt.timedelta(days=days)
    rows = db.session.execute(
        select(CustomerOwnership, Customer.name).join(Customer, Customer.id == CustomerOwnership.customer_id)
        .where(CustomerOwnership.owner_id == user_id, CustomerOwnership.state.in_((PROTECTED, EXPIRING)),
               CustomerOwnership.until.is_not(None), CustomerOwnership.until <= horizon,
               CustomerOwnership.customer_id.in_(_visible_customer_ids()))
        .order_by(CustomerOwnership.until, CustomerOwnership.customer_id)).all()
    calendar, _ = tenant_calendar()
    return [{"customer_id": o.customer_id, "customer": name, "until": o.until,
             "through": ownership_service.local_through(o.until, calendar), "state": o.state,
             "decision_id": o.decision_id} for o, name in rows]


def own_results(user_id: int, month: Month) -> dict:
    """The month's deals recorded for ``user_id`` (CUS-23 performance owner) on customers the viewer may
    see, and the performance and commission counting in the month (STF-34)."""
    deals = db.session.scalar(select(func.count()).select_from(CustomerDeal).where(
        CustomerDeal.performance_owner_id == user_id, CustomerDeal.at >= month.start, CustomerDeal.at < month.end,
        CustomerDeal.customer_id.in_(_visible_customer_ids()))) or 0
    figures = staff_credit.month_figures(user_id, month.first)
    return {"deals": int(deals), "performance": figures["performance"], "commission": figures["commission"],
            "credits": len(figures["lines"])}


# ---------------------------------------------------------------- customer service

def my_open_cases(user_id: int) -> list[dict]:
    """The open cases ``user_id`` handles (or owns with no handler yet), the nearest deadline first."""
    cases = list(db.session.scalars(select(Complaint).where(
        Complaint.status.in_(OPEN_STATUSES),
        or_(Complaint.handler_id == user_id, and_(Complaint.handler_id.is_(None), Complaint.owner_id == user_id)),
        not_excluded_condition(user_id))))
    deadlines = _next_deadlines(cmp_queries.SUBJECT, [c.id for c in cases])
    return _by_deadline([{"id": c.id, "number": c.number, "category": c.category, "severity": c.severity,
                          "status": c.status, "complainant": c.complainant_name,
                          "milestone": deadlines[c.id].code if c.id in deadlines else None,
                          "due_at": deadlines[c.id].due_at if c.id in deadlines else None,
                          "escalation_level": c.escalation_level} for c in cases])


# ---------------------------------------------------------------- technician

def my_open_orders(user_id: int) -> list[dict]:
    """The open work orders assigned to ``user_id``, the nearest deadline (or agreed time) first."""
    orders = list(db.session.scalars(select(WorkOrder).where(WorkOrder.assignee_id == user_id,
                                                             WorkOrder.status.in_(OPEN_STATES))))
    deadlines = _next_deadlines(svc_queries.SUBJECT, [o.id for o in orders])
    return _by_deadline([{"id": o.id, "number": o.number, "type": o.type, "status": o.status,
                          "priority": o.priority, "customer": o.customer_name, "address": o.address,
                          "eta_at": o.eta_at, "milestone": deadlines[o.id].code if o.id in deadlines else None,
                          "due_at": deadlines[o.id].due_at if o.id in deadlines else None} for o in orders])


# ---------------------------------------------------------------- managers

#: managers who answer for the whole company; other managers see their departments' overdue items
COMPANY_WIDE = ("tenant_admin", "gm", "vp")


def team_of(user) -> frozenset[int] | None:
    """The departments whose overdue items a manager sees: None (the whole company) for
    :data:`COMPANY_WIDE` roles and for a manager without a department; else their department and
    those they head, with every sub-department (the CUS-70 department tree)."""
    if user.has_role(*COMPANY_WIDE):
        return None
    rows = db.session.execute(select(Department.id, Department.parent_id, Department.head_user_id)).all()
    tree = visibility_rules.department_tree(rows, user.id, user.department_id)
    return tree or None


def _excluded_cases(user_id: int) -> set[int]:
    """The open cases ``user_id`` may never see (the accused and those listed, CMP-21)."""
    return set(db.session.scalars(select(Complaint.id).where(Complaint.status.in_(OPEN_STATUSES),
                                                             ~not_excluded_condition(user_id))))


def overdue_complaints(now: dt.datetime, user_id: int, team: frozenset[int] | None = None) -> list[dict]:
    """CMP-81: the issues open and overdue now, with team and handler (the digest's query), of the
    ``team``'s departments (None: all), without the cases ``user_id`` is excluded from (CMP-21)."""
    hidden = _excluded_cases(user_id)
    return [r for r in cmp_queries.unresolved_issues(now)
            if r["overdue"] and (team is None or r["department_id"] in team) and r["complaint_id"] not in hidden]


def overdue_orders(now: dt.datetime, team: frozenset[int] | None = None) -> list[dict]:
    """Open work orders with a deadline breached or past due now (the service report's rule), of the
    ``team``'s departments (the order's department or its technician's; None: all)."""
    stmt = (select(WorkOrder.id, WorkOrder.number, WorkOrder.type, WorkOrder.status, WorkOrder.assignee_id,
                   WorkOrder.customer_name)
            .where(WorkOrder.status.in_(OPEN_STATES), svc_queries.overdue_at(now) == 1)
            .order_by(WorkOrder.requested_at, WorkOrder.id))
    if team is not None:
        members = select(User.id).where(User.department_id.in_(sorted(team)))
        stmt = stmt.where(or_(WorkOrder.department_id.in_(sorted(team)), WorkOrder.assignee_id.in_(members)))
    rows = db.session.execute(stmt).mappings().all()
    names = _names(r["assignee_id"] for r in rows)
    return [{**r, "technician": names.get(r["assignee_id"])} for r in rows]


def overdue_follow_ups(now: dt.datetime) -> dict:
    """Due visits past due and open commitments past due, on customers the viewer may see."""
    visible = _visible_customer_ids()
    visits = list(db.session.scalars(due_visits.due_list(status="overdue", now=now)
                                     .where(DueVisit.customer_id.in_(visible))))
    commitments = list(db.session.scalars(select(Commitment).where(
        Commitment.status == "open", Commitment.due_at < now, Commitment.customer_id.in_(visible))
        .order_by(Commitment.due_at, Commitment.id)))
    names = _customer_names([r.customer_id for r in visits + commitments])
    people = _names([v.performer_id for v in visits] + [c.owner_id for c in commitments])
    return {"visits": [{"id": v.id, "customer_id": v.customer_id, "customer": names.get(v.customer_id),
                        "due_at": v.due_at, "person": people.get(v.performer_id)} for v in visits],
            "commitments": [{"id": c.id, "customer_id": c.customer_id, "customer": names.get(c.customer_id),
                             "due_at": c.due_at, "text": c.text, "person": people.get(c.owner_id)} for c in commitments]}


def escalations(user_id: int, team: frozenset[int] | None = None) -> list[dict]:
    """Open complaints escalated at least one step (CMP-40/41; not those ``user_id`` is excluded from,
    CMP-21) and open work orders whose deadlines were escalated (SVC-07), the highest level first; of the
    ``team``'s departments (a complaint handled or owned there, an order of it or of its technicians;
    None: all)."""
    out = []
    cases = select(Complaint).where(Complaint.status.in_(OPEN_STATUSES), Complaint.escalation_level > 0,
                                    not_excluded_condition(user_id))
    if team is not None:
        cases = cases.where(or_(Complaint.handler_department_id.in_(sorted(team)),
                                Complaint.owner_department_id.in_(sorted(team))))
    for c in db.session.scalars(cases):
        out.append({"kind": "complaint", "id": c.id, "number": c.number, "level": c.escalation_level})
    stmt = (select(WorkOrder.id, WorkOrder.number, func.max(SlaMilestone.escalation_level).label("level"))
            .join(SlaMilestone, and_(SlaMilestone.subject_type == svc_queries.SUBJECT,
                                     SlaMilestone.subject_id == WorkOrder.id))
            .where(WorkOrder.status.in_(OPEN_STATES), SlaMilestone.escalation_level > 0, SlaMilestone.met_at.is_(None))
            .group_by(WorkOrder.id, WorkOrder.number))
    if team is not None:
        members = select(User.id).where(User.department_id.in_(sorted(team)))
        stmt = stmt.where(or_(WorkOrder.department_id.in_(sorted(team)), WorkOrder.assignee_id.in_(members)))
    for row in db.session.execute(stmt).mappings():
        out.append({"kind": "work_order", "id": row["id"], "number": row["number"], "level": int(row["level"])})
    return sorted(out, key=lambda r: (-r["level"], r["kind"], r["number"]))


def _rate(rows: list[dict]) -> dict:
    due = sum(r["due"] for r in rows)
    on_time = sum(r["met_on_time"] for r in rows)
    return {"due": due, "met_on_time": on_time, "rate": cmp_rules.ratio(on_time, due)}


def month_figures(month: Month, now: dt.datetime) -> dict:
    """The month's headline figures: new customers (visible to the viewer), complaints (issues) received
    and closed, complaint SLA attainment (all milestones due in the month, met on time ÷ due), work
    orders completed and their on-time rate."""
    new_customers = db.session.scalar(select(func.count()).select_from(Customer).where(
        Customer.created_at >= month.start, Customer.created_at < month.end, Customer.merged_into_id.is_(None),
        Customer.id.in_(_visible_customer_ids()))) or 0
    received = cmp_rules.summary(cmp_queries.summary_row("received", month.start, month.end))
    closed = cmp_rules.summary(cmp_queries.summary_row("closed", month.start, month.end))
    attainment = cmp_rules.attainment(cmp_queries.attainment(month.start, month.end, now))
    until = min(month.end, now)
    completed = len(svc_queries.completions(month.start, month.end, now))
    on_time = svc_rules.on_time(svc_queries.on_time(month.start, month.end, now))
    return {"new_customers": int(new_customers), "complaints_received": received["issues"],
            "complaints_closed": closed["issues"], "sla": _rate(attainment), "sla_by_milestone": attainment,
            "orders_completed": completed, "orders_on_time": _rate(on_time), "as_of": until}


# ---------------------------------------------------------------- dashboards

def complaint_statistics(month: Month, now: dt.datetime) -> dict:
    """CMP-80's statistics of the month (cases received in it): categories, departments, open and
    overdue by department, SLA attainment — the report every export and pack shows."""
    period = cmp_rules.custom_period(month.first, month.last, "received")
    return cmp_reports.statistics(period, as_of=now)


def overdue_by_department(statistics: dict) -> list[dict]:
    """Open and overdue issues per department, from the report's open/overdue rows (by handler)."""
    departments: dict = {}
    for r in statistics["open_overdue"]["rows"]:
        d = departments.setdefault(r["department_id"], {"department": r["department"], "open": 0, "overdue": 0})
        d["open"] += r["open"]
        d["overdue"] += r["overdue"]
    return sorted(departments.values(), key=lambda d: (-d["overdue"], -d["open"], d["department"] or ""))


def sla_trend(month: Month, now: dt.datetime, months: int = TREND_MONTHS) -> list[dict]:
    """SLA attainment of complaints for the ``months`` months ending with ``month``: per month the
    rate per milestone and overall (None where nothing was due)."""
    out = []
    for back in range(months - 1, -1, -1):
        m = month_of(shift_month(month.first, -back))
        if m.start > now:
            out.append({"month": m.key, "overall": None, "due": None, "milestones": {}})
            continue
        rows = cmp_rules.attainment(cmp_queries.attainment(m.start, m.end, now))
        out.append({"month": m.key, "overall": _rate(rows)["rate"], "due": _rate(rows)["due"],
                    "milestones": {r["milestone"]: r["rate"] for r in rows}})
    return out


def open_orders_by_technician(now: dt.datetime) -> list[dict]:
    """SVC-40: open and overdue work orders per technician now."""
    return svc_rules.open_orders(svc_queries.open_orders(now))["by_technician"]


def customers_by_grade_and_owner(scheme: str = "grade") -> dict:
    """The customers the viewer may see, counted per owner (public pool: None) and grade (ungraded:
    None) of ``scheme``."""
    visible = _visible_customer_ids()
    grade = select(CustomerGrade.customer_id, CustomerGrade.tier).where(CustomerGrade.scheme == scheme).subquery()
    rows = db.session.execute(
        select(CustomerOwnership.owner_id, grade.c.tier, func.count().label("customers"))
        .select_from(Customer)
        .outerjoin(CustomerOwnership, CustomerOwnership.customer_id == Customer.id)
        .outerjoin(grade, grade.c.customer_id == Customer.id)
        .where(Customer.id.in_(visible), Customer.merged_into_id.is_(None))
        .group_by(CustomerOwnership.owner_id, grade.c.tier)).mappings().all()
    names = _names(r["owner_id"] for r in rows)
    tiers = sorted({r["tier"] for r in rows}, key=lambda t: (t is None, t or ""))
    owners: dict = {}
    for r in rows:
        o = owners.setdefault(r["owner_id"], {"owner_id": r["owner_id"], "owner": names.get(r["owner_id"]),
                                              "tiers": {}, "total": 0})
        o["tiers"][r["tier"]] = o["tiers"].get(r["tier"], 0) + int(r["customers"])
        o["total"] += int(r["customers"])
    by_tier = {t: sum(o["tiers"].get(t, 0) for o in owners.values()) for t in tiers}
    ordered = sorted(owners.values(), key=lambda o: (o["owner_id"] is None, -o["total"], o["owner"] or ""))
    return {"tiers": tiers, "owners": ordered, "by_tier": by_tier, "total": sum(by_tier.values())}


def follow_up_completion(month: Month, now: dt.datetime) -> list[dict]:
    """Per person: the due visits due in the month (done, overdue, still open) and the commitments due
    in it (kept or not), on customers the viewer may see; the completion rate = done ÷ due by now."""
    visible = _visible_customer_ids()
    people: dict = {}

    def row(user_id):
        return people.setdefault(user_id, {"user_id": user_id, "visits_due": 0, "visits_done": 0, "visits_overdue": 0,
                                           "commitments_due": 0, "commitments_kept": 0})

    visits = db.session.execute(
        select(DueVisit.performer_id, DueVisit.status, func.count().label("n"),
               func.sum(case((DueVisit.due_at <= now, 1), else_=0)).label("past"))
        .where(DueVisit.due_on >= month.first, DueVisit.due_on <= month.last, DueVisit.customer_id.in_(visible),
               DueVisit.status != "cancelled")
        .group_by(DueVisit.performer_id, DueVisit.status)).mappings().all()
    for v in visits:
        r = row(v["performer_id"])
        r["visits_due"] += int(v["n"])
        if v["status"] == "done":
            r["visits_done"] += int(v["n"])
        elif v["status"] == "overdue":
            r["visits_overdue"] += int(v["n"])
        else:  # open: overdue once past due (due_visits.effective_status)
            r["visits_overdue"] += int(v["past"] or 0)
    commitments = db.session.execute(
        select(Commitment.owner_id, Commitment.status, func.count().label("n"))
        .where(Commitment.due_at >= month.start, Commitment.due_at < month.end, Commitment.customer_id.in_(visible))
        .group_by(Commitment.owner_id, Commitment.status)).mappings().all()
    for c in commitments:
        r = row(c["owner_id"])
        r["commitments_due"] += int(c["n"])
        if c["status"] == "fulfilled":
            r["commitments_kept"] += int(c["n"])
    names = _names(people)
    out = []
    for r in people.values():
        due = r["visits_due"] + r["commitments_due"]
        done = r["visits_done"] + r["commitments_kept"]
        out.append({**r, "person": names.get(r["user_id"]), "rate": cmp_rules.ratio(done, due)})
    return sorted(out, key=lambda r: (r["user_id"] is None, r["rate"] if r["rate"] is not None else 2, r["person"] or ""))


def department_names() -> dict[int, str]:
    return dict(db.session.execute(select(Department.id, Department.name)).all())
