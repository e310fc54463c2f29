"""Monthly visit plans and visit reports (CUS-62).

- :func:`submit_plan` — a salesperson's plan for a month: planned visits with purpose, expenses and
  gifts requested; checked against the role quota (``cus.visits.quota``); late when submitted after
  ``cus.visits.plan_due``; a flagged (missing) or returned plan is submitted again the same way.
- :func:`review_plan` / :func:`review_report` — the supervisor approves or returns.
- :func:`submit_report` — the report of a visit (a contact-log entry of a visit channel), due
  ``cus.visits.report_within`` after it; its promises become commitments (CUS-63).
- :func:`remind_reports`, :func:`remind_plans` and :func:`flag_missing_plans` — what the job
  ``cus.visit_plans_reports`` does: a reminder on the plan's due day from 18:00; a plan not
  submitted by its due day is flagged (a ``missing`` plan row, a ``CUS-62`` decision,
  notifications to the user and their supervisor); a visit without a report by its due time gets a
  reminder to its visitor. Each once (natural keys, dedupe keys).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from core.accounts.models import User
from core.calendar.model import add_months_to_date
from core.calendar.service import tenant_calendar
from core.customers import contact_log
from core.customers.models import ContactLogEntry, Customer
from core.customers.policy import cus_policy
from core.customers.visits import plan_rules as rules
from core.customers.visits.cadence_rules import ON_SITE_CHANNELS
from core.customers.visits.commitments import create_commitment
from core.customers.visits.models import PlannedVisit, VisitPlan, VisitReport
from core.accounts.people import People
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.notifications.service import notify

CENT = Decimal("0.01")
#: visits older than this are not chased for their report any more (the reminder went out long ago)
REPORT_LOOKBACK = dt.timedelta(days=62)
#: the month-end reminder of next month's plan goes out from this local time on its due day (§13)
PLAN_REMINDER_TIME = dt.time(18, 0)


def get_plan(plan_id: int) -> VisitPlan:
    plan = db.session.scalars(select(VisitPlan).where(VisitPlan.id == plan_id)).first()
    if plan is None:
        raise NotFound("visit plan not found")
    return plan


def plans(*, user_id: int | None = None, month: dt.date | None = None, status: str | None = None):
    stmt = select(VisitPlan).order_by(VisitPlan.month.desc(), VisitPlan.id.desc())
    if user_id is not None:
        stmt = stmt.where(VisitPlan.user_id == user_id)
    if month is not None:
        stmt = stmt.where(VisitPlan.month == month)
    if status:
        stmt = stmt.where(VisitPlan.status == status)
    return stmt


def submit_plan(user: User, month: dt.date, visits: list[dict], *, note: str | None = None,
                now: dt.datetime | None = None) -> VisitPlan:
    """Submit ``user``'s plan for ``month`` (its first day)."""
    now = now or utcnow()
    calendar, _ = tenant_calendar(now)
    settings = cus_policy(now).values["visits"]
    errors: dict = {}
    last = add_months_to_date(month, 1) - dt.timedelta(days=1)
    known = set(db.session.scalars(select(Customer.id).where(
        Customer.id.in_([v["customer_id"] for v in visits])))) if visits else set()
    for i, visit in enumerate(visits):
        problems = {}
        if visit["customer_id"] not in known:
            problems["customer_id"] = ["no such customer"]
        if not month <= visit["planned_on"] <= last:
            problems["planned_on"] = [f"must be in {rules.month_key(month)}"]
        if problems:
            errors.setdefault("visits", {})[i] = problems
    quota = rules.quota_for(user.roles, settings["quota"])
    if quota is not None and len(visits) < quota and "visits" not in errors:
        errors["visits"] = [f"at least {quota} planned visits a month for your role (cus.visits.quota)"]
    if errors:
        raise InvalidInput("invalid visit plan", fields=errors, rule_id="CUS-62")
    plan = db.session.scalars(select(VisitPlan).where(VisitPlan.user_id == user.id, VisitPlan.month == month)).first()
    if plan is not None and plan.status in ("submitted", "approved"):
        raise Conflict(f"the plan for {rules.month_key(month)} is already {plan.status}", plan_id=plan.id)
    due = rules.plan_due_date(month, settings["plan_due"])
    if plan is None:
        plan = VisitPlan(user_id=user.id, month=month, due_on=due)
        db.session.add(plan)
    plan.visits = [PlannedVisit(customer_id=v["customer_id"], planned_on=v["planned_on"], purpose=v["purpose"],
                                expenses=Decimal(v.get("expenses") or 0).quantize(CENT, rounding=ROUND_HALF_UP),
                                gifts=v.get("gifts"), note=v.get("note")) for v in visits]
    plan.status, plan.note, plan.submitted_at = "submitted", note, now
    plan.late = calendar.local_date(now) > plan.due_on
    plan.reviewed_by = plan.reviewed_at = plan.review_note = None
    db.session.flush()
    notify(People().supervisors_of(user.id), kind="cus.visit_plan_submitted", rule_id="CUS-62",
           subject_type="visit_plan", subject_id=plan.id,
           dedupe_key=f"CUS-62:plan-submitted:{plan.id}:{now.isoformat()}",
           title_zh=f"{user.display_name}提交了{rules.month_key(month)}月度拜访计划，请审核",
           title_en=f"{user.username} submitted the visit plan for {rules.month_key(month)}: please review")
    return plan


def review_plan(plan: VisitPlan, reviewer_id: int, *, approved: bool, note: str | None = None) -> VisitPlan:
    if plan.status != "submitted":
        raise Conflict(f"only a submitted plan can be reviewed; this one is {plan.status}")
    if plan.user_id == reviewer_id:
        raise Conflict("nobody reviews their own visit plan")
    if not approved and not (note or "").strip():
        raise InvalidInput("say why the plan is returned", fields={"note": ["required when returning a plan"]})
    plan.status = "approved" if approved else "returned"
    plan.reviewed_by, plan.reviewed_at, plan.review_note = reviewer_id, utcnow(), note
    db.session.flush()
    month = rules.month_key(plan.month)
    notify([plan.user_id], kind="cus.visit_plan_reviewed", rule_id="CUS-62", subject_type="visit_plan",
           subject_id=plan.id, dedupe_key=f"CUS-62:plan-reviewed:{plan.id}:{plan.reviewed_at.isoformat()}",
           title_zh=f"{month}月度拜访计划已{'批准' if approved else '退回'}",
           title_en=f"Your visit plan for {month} was {'approved' if approved else 'returned'}",
           body_zh=note, body_en=note)
    return plan


def _plan_users(settings, people: People, month: dt.date) -> list[int]:
    """Users of ``cus.visits.plan_roles`` without any plan row for ``month``."""
    user_ids = sorted({uid for role in settings["plan_roles"] for uid, _dep in people.holders(role)})
    if not user_ids:
        return []
    have = set(db.session.scalars(select(VisitPlan.user_id).where(VisitPlan.month == month,
                                                                  VisitPlan.user_id.in_(user_ids))))
    return [u for u in user_ids if u not in have]


def remind_plans(as_of: dt.datetime | None = None) -> int:
    """On the due day of next month's plan, from :data:`PLAN_REMINDER_TIME`: one reminder to each user
    who has not submitted it yet."""
    as_of = as_of or utcnow()
    calendar, _ = tenant_calendar(as_of)
    local = calendar.local(as_of)
    settings = cus_policy(as_of).values["visits"]
    month = add_months_to_date(local.date().replace(day=1), 1)
    due = rules.plan_due_date(month, settings["plan_due"])
    if local.date() != due or local.time() < PLAN_REMINDER_TIME:
        return 0
    people = People()
    created = 0
    for user_id in _plan_users(settings, people, month):
        created += len(notify([user_id], kind="cus.visit_plan_reminder", rule_id="CUS-62", subject_type="user",
                              subject_id=user_id, due_at=calendar.end_of_day(due),
                              dedupe_key=f"CUS-62:plan-reminder:{user_id}:{rules.month_key(month)}",
                              title_zh=f"请于今天24:00前提交{rules.month_key(month)}月度拜访计划",
                              title_en=f"Submit your visit plan for {rules.month_key(month)} by 24:00 today"))
    return created


def flag_missing_plans(as_of: dt.datetime | None = None) -> list[VisitPlan]:
    """Flag the users of ``cus.visits.plan_roles`` without a plan for the latest month past its due."""
    as_of = as_of or utcnow()
    calendar, _ = tenant_calendar(as_of)
    settings = cus_policy(as_of).values["visits"]
    month = rules.month_to_flag(calendar.local_date(as_of), settings["plan_due"])
    due = rules.plan_due_date(month, settings["plan_due"])
    policy = cus_policy(due)
    deadline = calendar.end_of_day(due)
    people = People()
    user_ids = _plan_users(settings, people, month)
    if not user_ids:
        return []
    joined = dict(db.session.execute(select(User.id, User.created_at).where(User.id.in_(user_ids))).all())
    flagged = []
    for user_id in user_ids:
        if joined[user_id] >= deadline:  # joined after the due day: nothing was asked of them
            continue
        plan = VisitPlan(user_id=user_id, month=month, due_on=due, status="missing", flagged_at=as_of)
        db.session.add(plan)
        db.session.flush()
        zh, en = rules.plan_flag_reason(month, due)
        decision = decisions.record("CUS-62", "visit_plan", plan.id, policy=policy,
                                    outcome={"flagged": True, "user_id": user_id, "month": rules.month_key(month)},
                                    facts={"due_on": due, "plan_due": settings["plan_due"], "submitted": False},
                                    reason_zh=zh, reason_en=en)
        plan.flag_decision_id = decision.id
        notify([user_id, *people.supervisors_of(user_id)], kind="cus.visit_plan_missing", rule_id="CUS-62",
               subject_type="visit_plan", subject_id=plan.id,
               dedupe_key=f"CUS-62:plan-missing:{user_id}:{rules.month_key(month)}", due_at=deadline,
               title_zh=f"{rules.month_key(month)}月度拜访计划逾期未提交",
               title_en=f"The visit plan for {rules.month_key(month)} was not submitted in time",
               body_zh=zh, body_en=en)
        flagged.append(plan)
    db.session.flush()
    return flagged


# ------------------------------------------------------------------------------------------ reports

def report_due_at(entry: ContactLogEntry):
    """The report deadline of a visit (``cus.visits.report_within`` in force at the visit)."""
    calendar, _ = tenant_calendar(entry.at)
    return rules.report_due(calendar, entry.at, cus_policy(entry.at).values["visits"]["report_within"])


def submit_report(customer_id: int, *, contact_entry_id: int, author_id: int, content: str,
                  planned_visit_id: int | None = None, promises: list[dict] | None = None,
                  now: dt.datetime | None = None) -> VisitReport:
    now = now or utcnow()
    try:
        entry = contact_log.get_entry(customer_id, contact_entry_id)
    except NotFound:
        raise InvalidInput("invalid visit report", fields={"contact_entry_id": ["no such contact of this customer"]})
    if entry.channel not in ON_SITE_CHANNELS:
        raise InvalidInput("invalid visit report", fields={"contact_entry_id": [
            f"a report is for a visit ({', '.join(ON_SITE_CHANNELS)}), not {entry.channel}"]}, rule_id="CUS-62")
    if planned_visit_id is not None and db.session.scalars(select(PlannedVisit.id).where(
            PlannedVisit.id == planned_visit_id, PlannedVisit.customer_id == customer_id)).first() is None:
        raise InvalidInput("invalid visit report",
                           fields={"planned_visit_id": ["no such planned visit of this customer"]})
    if db.session.scalars(select(VisitReport.id).where(VisitReport.contact_entry_id == entry.id)).first():
        raise Conflict("this visit already has its report")
    due = report_due_at(entry)
    report = VisitReport(customer_id=customer_id, contact_entry_id=entry.id, planned_visit_id=planned_visit_id,
                         user_id=author_id, content=content, status="submitted", due_at=due.utc, submitted_at=now,
                         late=now >= due.utc)
    db.session.add(report)
    db.session.flush()
    report.commitments = [
        create_commitment(customer_id, owner_id=p.get("owner_id") or author_id, due_at=p["due_at"], kind=p["kind"],
                          text=p["text"], source_type="visit_report", source_id=report.id, made_at=entry.at,
                          created_by=author_id)
        for p in promises or []]
    notify(People().supervisors_of(author_id), kind="cus.visit_report_submitted", rule_id="CUS-62",
           subject_type="visit_report", subject_id=report.id, dedupe_key=f"CUS-62:report-submitted:{report.id}",
           title_zh="拜访报告待审核", title_en="A visit report awaits your review")
    return report


def get_report(report_id: int) -> VisitReport:
    report = db.session.scalars(select(VisitReport).where(VisitReport.id == report_id)).first()
    if report is None:
        raise NotFound("visit report not found")
    return report


def reports_of(customer_id: int):
    return (select(VisitReport).where(VisitReport.customer_id == customer_id)
            .order_by(VisitReport.submitted_at.desc(), VisitReport.id.desc()))


def review_report(report: VisitReport, reviewer_id: int, *, approved: bool, note: str | None = None) -> VisitReport:
    if report.status != "submitted":
        raise Conflict(f"only a submitted report can be reviewed; this one is {report.status}")
    if report.user_id == reviewer_id:
        raise Conflict("nobody reviews their own visit report")
    if not approved and not (note or "").strip():
        raise InvalidInput("say why the report is returned", fields={"note": ["required when returning a report"]})
    report.status = "approved" if approved else "returned"
    report.reviewed_by, report.reviewed_at, report.review_note = reviewer_id, utcnow(), note
    db.session.flush()
    notify([report.user_id], kind="cus.visit_report_reviewed", rule_id="CUS-62", subject_type="visit_report",
           subject_id=report.id, dedupe_key=f"CUS-62:report-reviewed:{report.id}:{report.reviewed_at.isoformat()}",
           title_zh=f"拜访报告已{'批准' if approved else '退回'}",
           title_en=f"Your visit report was {'approved' if approved else 'returned'}", body_zh=note, body_en=note)
    return report


def remind_reports(as_of: dt.datetime | None = None) -> int:
    """Visits (of the last :data:`REPORT_LOOKBACK`) past their report deadline without a report:
    one reminder to the visitor each."""
    as_of = as_of or utcnow()
    reported = select(VisitReport.contact_entry_id)
    visits = list(db.session.scalars(select(ContactLogEntry).where(
        ContactLogEntry.channel.in_(ON_SITE_CHANNELS), ContactLogEntry.status == "logged",
        ContactLogEntry.user_id.is_not(None), ContactLogEntry.at >= as_of - REPORT_LOOKBACK,
        ContactLogEntry.at <= as_of, ContactLogEntry.id.not_in(reported)).order_by(ContactLogEntry.at)))
    reminded = 0
    for entry in visits:
        due = report_due_at(entry)
        if as_of < due.utc:
            continue
        created = notify([entry.user_id], kind="cus.visit_report_due", rule_id="CUS-62",
                         subject_type="contact_log", subject_id=entry.id,
                         dedupe_key=f"CUS-62:report-missing:{entry.id}", due_at=due.utc,
                         title_zh=f"拜访报告逾期：{entry.at.astimezone(due.at.tzinfo).date().isoformat()}的拜访报告"
                                  f"应于{due.through.isoformat()}前提交",
                         title_en=f"Visit report overdue: the report of the visit on "
                                  f"{entry.at.astimezone(due.at.tzinfo).date().isoformat()} was due through "
                                  f"{due.through.isoformat()}")
        reminded += len(created)
    return reminded
