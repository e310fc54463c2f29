"""Daily and weekly plans (RE-52): every salesperson and manager writes the day's plan each morning and
its summary at the end of the day, and the weekly plan by the weekly-plan day (``re.plans.weekly_day``,
Saturday) 24:00.

- :func:`submit` — a plan: ``daily`` for a local day (today, or a day ahead), ``weekly`` for the
  weekly-plan day the day written falls to (:func:`plugins.real_estate.report_rules.weekly_plan_due_day`,
  stored in ``day``); one of each per person and day (a second → 409).
- :func:`summarise` — the end-of-day summary of one's own daily plan.
- :func:`plans_for` / :func:`get_plan` — one's own plans; managers see everyone's, a salesperson only
  their own (403 for another's).
- :func:`send_reminders` — the daily job's work: whoever has no weekly plan for the last weekly-plan day
  that has ended is reminded once (dedupe key per person and day), with a decision (RE-52).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.calendar.service import tenant_calendar
from core.customers.confidentiality.people import holders
from core.db import db, get_one, utcnow
from core.errors import Conflict, Forbidden, InvalidInput
from plugins.real_estate.office_models import PLAN_KINDS, Plan
from plugins.real_estate.policy import re_policy
from plugins.real_estate.portal import OFFICE_MANAGERS
from plugins.real_estate.report_rules import weekly_plan_due_day, weekly_plan_reminder

#: who writes plans (RE-52: "managers too")
PLANNERS = ("salesperson", "sales_supervisor", "sales_manager")
#: who reads everyone's plans
PLAN_READERS = OFFICE_MANAGERS
TEXT_MAX = 4000


def _today() -> dt.date:
    cal, _view = tenant_calendar()
    return cal.local_date(utcnow())


def _text(value, name: str, errors: dict) -> str:
    text = (value or "").strip()
    if not text:
        errors[name] = ["required"]
    elif len(text) > TEXT_MAX:
        errors[name] = [f"at most {TEXT_MAX} characters"]
    return text


def submit(data: dict, by) -> Plan:
    """RE-52: ``data``: ``kind`` (daily | weekly), ``plan`` (text), ``day`` (daily: the day planned,
    default today, not in the past)."""
    errors: dict = {}
    kind = data.get("kind")
    if kind not in PLAN_KINDS:
        errors["kind"] = ["daily or weekly"]
    text = _text(data.get("plan"), "plan", errors)
    today = _today()
    day = data.get("day") or today
    if kind == "daily" and day < today:
        errors["day"] = ["a daily plan is written for today or a day ahead"]
    if errors:
        raise InvalidInput("invalid plan", fields=errors)
    if kind == "weekly":
        day = weekly_plan_due_day(re_policy().values, today)
    exists = db.session.scalar(select(Plan.id).where(Plan.user_id == by.id, Plan.kind == kind, Plan.day == day))
    if exists:
        raise Conflict(f"a {kind} plan for {day} is already handed in", plan_id=exists,
                       reason_zh=f"{day}的{'日' if kind == 'daily' else '周'}计划已提交",
                       reason_en=f"a {kind} plan for {day} is already handed in")
    plan = Plan(user_id=by.id, kind=kind, day=day, plan=text, submitted_at=utcnow())
    db.session.add(plan)
    db.session.flush()
    return plan


def get_plan(plan_id: int, viewer) -> Plan:
    plan = get_one(Plan, plan_id, "plan")
    if plan.user_id != viewer.id and not viewer.has_role(*PLAN_READERS):
        raise Forbidden("only managers see other people's plans")
    return plan


def summarise(plan_id: int, data: dict, by) -> Plan:
    """RE-52: the end-of-day summary of one's own daily plan (written again: replaced)."""
    plan = get_one(Plan, plan_id, "plan")
    if plan.user_id != by.id:
        raise Forbidden("only the plan's author writes its summary")
    errors: dict = {}
    text = _text(data.get("summary"), "summary", errors)
    if errors:
        raise InvalidInput("invalid summary", fields=errors)
    if plan.kind != "daily":
        raise Conflict("only a daily plan has an end-of-day summary", reason_zh="只有日计划需要填写当日总结",
                       reason_en="only a daily plan has an end-of-day summary")
    plan.summary, plan.summarised_at = text, utcnow()
    db.session.flush()
    return plan


def plans_for(viewer, *, user_id: int | None = None, kind: str | None = None, limit: int = 60) -> list[Plan]:
    """Plans, latest day first: one's own; a manager may name anyone (``user_id``) or see everyone's."""
    stmt = select(Plan)
    if not viewer.has_role(*PLAN_READERS):
        if user_id not in (None, viewer.id):
            raise Forbidden("only managers see other people's plans")
        user_id = viewer.id
    if user_id is not None:
        stmt = stmt.where(Plan.user_id == user_id)
    if kind:
        if kind not in PLAN_KINDS:
            raise InvalidInput("invalid filter", fields={"kind": ["daily or weekly"]})
        stmt = stmt.where(Plan.kind == kind)
    return list(db.session.scalars(stmt.order_by(Plan.day.desc(), Plan.id.desc()).limit(limit)))


def _planners() -> list[tuple[int, dt.datetime]]:
    """The active users who write plans, with the time each became a user."""
    from core.accounts.models import User

    ids = holders(PLANNERS)
    if not ids:
        return []
    return list(db.session.execute(select(User.id, User.created_at).where(User.id.in_(ids)).order_by(User.id)).all())


def send_reminders(now: dt.datetime) -> dict:
    """RE-52 (daily job): everyone who writes plans and has none for the last weekly-plan day that has
    ended (Sat 2026-09-26 24:00) is reminded once; a re-run adds nothing."""
    from core.decisions.service import record
    from core.notifications.service import notify

    view = re_policy(now)
    cal, _cal_view = tenant_calendar(now)
    sent = []
    for user_id, created_at in _planners():
        days = db.session.scalars(select(Plan.day).where(Plan.user_id == user_id, Plan.kind == "weekly"))
        reminder = weekly_plan_reminder(view.values, cal, person_id=user_id, plans_for=list(days), now=now)
        if reminder is None or created_at >= reminder.due_from:
            continue  # handed in, or not yet a user when it was due
        due_day = cal.local_date(reminder.due_from) - dt.timedelta(days=1)
        created = notify([user_id], kind="re.weekly_plan_missing", rule_id="RE-52", subject_type="user",
                         subject_id=user_id, dedupe_key=f"RE-52:weekly_plan:{due_day}", due_at=reminder.due_from,
                         title_zh=f"请提交{due_day}的周计划", title_en=f"Hand in your weekly plan for {due_day}",
                         body_zh=reminder.reason_zh, body_en=reminder.reason_en)
        if created:
            record("RE-52", "user", user_id, outcome=reminder.outcome(), reason_zh=reminder.reason_zh,
                   reason_en=reminder.reason_en, policy=view, facts={"weekly_plan_day": due_day})
            sent.append(user_id)
    return {"reminded": sent}
