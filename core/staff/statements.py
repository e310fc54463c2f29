"""Monthly statements (STF-34): issued for the previous month on ``stf.statement.day`` by the job
``stf.monthly_close``, one per employee and month however often the job runs; the employee confirms
(signs) their own. With ``stf.statement.hold_pay_if_missing`` an unconfirmed statement holds that
month's scored pay (:mod:`core.staff.pay`), which is computed once the employee confirms.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.accounts.models import User
from core.calendar.service import tenant_calendar
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, NotFound
from core.notifications.service import notify
from core.staff import credit, ledger
from core.staff import statements_rules as rules
from core.staff.credit_rules import month_label
from core.staff.policy import stf_policy
from core.staff.scorecards_models import Scorecard
from core.staff.statements_models import Statement

SUBJECT = "staff_statement"
ZERO = Decimal("0.00")


def get_statement(statement_id: int) -> Statement:
    statement = db.session.scalars(select(Statement).where(Statement.id == statement_id)).first()
    if statement is None:
        raise NotFound("statement not found")
    return statement


def statement_for(user_id: int, month: dt.date) -> Statement | None:
    return db.session.scalars(select(Statement).where(Statement.user_id == user_id,
                                                      Statement.month == month.replace(day=1))).first()


def statements(*, user_id: int | None = None, month: dt.date | None = None, state: str | None = None):
    stmt = select(Statement).order_by(Statement.month.desc(), Statement.user_id)
    if user_id is not None:
        stmt = stmt.where(Statement.user_id == user_id)
    if month is not None:
        stmt = stmt.where(Statement.month == month.replace(day=1))
    if state is not None:
        stmt = stmt.where(Statement.state == state)
    return stmt


def _employees() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id)))


def issue(as_of: dt.datetime) -> dict:
    """STF-34: the previous month's statement of each active employee who has none yet. Without any
    figure (shares, ledger entries, a scorecard of the month), a statement is issued only to an
    employee who was already there during the month and holds a role besides ``tenant_admin``."""
    calendar, _ = tenant_calendar(as_of)
    today = calendar.local_date(as_of)
    view = stf_policy(today)
    month = rules.statement_month(today, view.values["statement"]["day"])
    if month is None:
        return {"month": None, "issued": []}
    label = month_label(month)
    end = calendar.start_of_day(rules.next_month(month))
    have = set(db.session.scalars(select(Statement.user_id).where(Statement.month == month)))
    scored = set(db.session.scalars(select(Scorecard.user_id).where(Scorecard.month == month)))
    issued = []
    for user in _employees():
        if user.id in have:
            continue
        figures = credit.month_figures(user.id, month)
        totals = ledger.month_totals(user.id, month)
        empty = not figures["lines"] and all(v == ZERO for v in totals.values()) and user.id not in scored
        if empty and (set(user.roles) <= {"tenant_admin"} or user.created_at >= end):
            continue
        statement = Statement(user_id=user.id, month=month, performance=figures["performance"],
                              commission=figures["commission"], lines=figures["lines"], state="issued",
                              issued_at=as_of, **totals)
        db.session.add(statement)
        db.session.flush()
        statement.decision_id = decisions.record(
            "STF-34", SUBJECT, statement.id, policy=view,
            outcome={"user_id": user.id, "month": label, "performance": statement.performance,
                     "commission": statement.commission, **totals},
            facts={"shares": len(figures["lines"]), "issued_on": today},
            reason_zh=f"{month.year}年{month.month}月个人业绩与奖惩确认单：业绩{statement.performance}元，"
                      f"提成{statement.commission}元，罚款{totals['penalty_yuan']}元，奖励{totals['reward_yuan']}元。",
            reason_en=f"Statement for {label}: performance ¥{statement.performance}, commission "
                      f"¥{statement.commission}, penalties ¥{totals['penalty_yuan']}, rewards ¥{totals['reward_yuan']}.").id
        notify([user.id], kind="stf_statement", rule_id="STF-34", subject_type=SUBJECT, subject_id=statement.id,
               dedupe_key=f"STF-34:{label}", title_zh=f"请确认{month.year}年{month.month}月业绩与奖惩确认单",
               title_en=f"Please confirm your statement for {label}")
        issued.append(statement.id)
    return {"month": label, "issued": issued}


def confirm(statement: Statement, *, by: int) -> Statement:
    """The employee confirms (signs) their own statement; pay held for it is computed now."""
    from core.staff import pay

    if statement.user_id != by:
        raise Forbidden("only the employee confirms their own statement", rule_id="STF-34")
    if statement.state == "confirmed":
        raise Conflict("this statement is confirmed already", rule_id="STF-34")
    statement.state = "confirmed"
    statement.confirmed_at = utcnow()
    db.session.flush()
    pay.release(statement.user_id, statement.month)
    return statement
