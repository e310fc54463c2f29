"""Credit rating and limits (CUS-90..CUS-96): load the facts, call :mod:`core.customers.credit.rules`,
write the rows and the decisions. Everything here first asks :func:`require_enabled`: with
``cus.credit.enabled = false`` (the default) credit management is off and every write answers 409.

- CUS-90 :func:`save_record`, :func:`get_record` (refresh due at quarter end).
- CUS-91/92 :func:`propose_rating`, :func:`rating_step`, :func:`effective_grade`.
- CUS-93/95 :func:`averages`, :func:`limit_for`, :func:`grant_limit`.
- CUS-94 :func:`exposure`, :func:`create_approval`, :func:`check_exposure`.
- CUS-96 :func:`open_evaluations` (the body of job ``cus.credit_evaluation``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from core.accounts.models import User, UserRole
from core.calendar.durations import format_duration
from core.customers.credit import rules
from core.customers.credit.models import CreditApproval, CreditEvaluation, CreditLine, CreditRating, CreditRecord
from core.customers.grades import key_accounts
from core.customers.grades.outcome import money
from core.customers.grades.service import (
    cooperation_since, local_today, tenant_tz, transaction_sums,
)
from core.customers.models import CustomerTransaction
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications import service as notifications

ZERO = Decimal("0.00")
OPEN_RATING = ("proposed", "reviewing")


def require_enabled(at=None):
    """The ``cus`` policy view in force, when credit management is on; Conflict (409) otherwise."""
    view = cus_policy(at)
    if not view.values["credit"]["enabled"]:
        raise Conflict("credit management is off for this tenant: a manager turns it on with the cus policy "
                       "setting credit.enabled = true (CUS-90)", rule_id="CUS-90")
    return view


# --------------------------------------------------------------------------------------------------
# CUS-90 · the investigation record
# --------------------------------------------------------------------------------------------------

def get_record(customer_id: int) -> CreditRecord | None:
    return db.session.scalars(select(CreditRecord).where(CreditRecord.customer_id == customer_id)).first()


def save_record(customer_id: int, *, sections: dict, assessment: dict, refreshed_on: dt.date | None,
                filled_by: int, reviewed_by: int | None = None, filed_by: int | None = None) -> CreditRecord:
    """A full refresh of the record: its sections replace the old ones; the refresh is due again at
    the end of the quarter after ``refreshed_on`` (default today)."""
    view = require_enabled()
    refreshed_on = refreshed_on or local_today()
    if refreshed_on > local_today():
        raise InvalidInput("invalid credit record", fields={"refreshed_on": ["cannot be in the future"]})
    unknown = sorted(set(sections) - set(rules.SECTIONS))
    bad_assessment = sorted(set(assessment) - set(rules.A_CONDITIONS) - set(rules.C_TRIGGERS))
    errors = {}
    if unknown:
        errors["sections"] = [f"unknown sections {', '.join(unknown)}; expected {', '.join(rules.SECTIONS)}"]
    if bad_assessment:
        errors["assessment"] = [f"unknown items {', '.join(bad_assessment)}"]
    if errors:
        raise InvalidInput("invalid credit record", fields=errors)
    due = rules.refresh_due(refreshed_on, view.values["credit"]["refresh_every"], tenant_tz())
    row = get_record(customer_id)
    if row is None:
        row = CreditRecord(customer_id=customer_id)
        db.session.add(row)
    row.sections, row.assessment = sections, assessment
    row.filled_by, row.reviewed_by, row.filed_by = filled_by, reviewed_by, filed_by
    row.refreshed_on, row.refresh_due = refreshed_on, due.through
    db.session.flush()
    return row


def overdue_records(on: dt.date | None = None):
    """Records whose refresh is overdue on local day ``on`` (CUS-90)."""
    on = on or local_today()
    return select(CreditRecord).where(CreditRecord.refresh_due < on).order_by(CreditRecord.refresh_due)


# --------------------------------------------------------------------------------------------------
# CUS-91/92 · grade and approval chain
# --------------------------------------------------------------------------------------------------

def _months_back(on: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    """The ``n`` complete calendar months before ``on``'s month, oldest first."""
    months = []
    end = on.replace(day=1) - dt.timedelta(days=1)
    for _ in range(n):
        start = end.replace(day=1)
        months.append((start, end))
        end = start - dt.timedelta(days=1)
    return list(reversed(months))


def credit_facts(customer_id: int, on: dt.date, credit: dict) -> rules.CreditFacts:
    record = get_record(customer_id)
    first, last = key_accounts.trailing_window(on, "12 months")
    year = transaction_sums(first, last, customer_id)
    turnover = []
    for start, end in _months_back(on, max(12, credit["falling_months_for_c"] + 1)):
        sums = transaction_sums(start, end, customer_id)
        turnover.append(sums["net_purchases"] + sums["shipments"])
    has_data = year["shipments"] > 0 or year["collections"] > 0
    return rules.CreditFacts(on=on, cooperation_since=cooperation_since([customer_id]).get(customer_id),
                             assessment=dict(record.assessment) if record else {},
                             annual_collections=year["collections"] if has_data else None,
                             annual_shipments=year["shipments"] if has_data else None,
                             falling_months=rules.falling_months(turnover))


def open_rating(customer_id: int) -> CreditRating | None:
    return db.session.scalars(select(CreditRating).where(CreditRating.customer_id == customer_id,
                                                         CreditRating.status.in_(OPEN_RATING))).first()


def latest_rating(customer_id: int) -> CreditRating | None:
    return db.session.scalars(select(CreditRating).where(CreditRating.customer_id == customer_id)
                              .order_by(CreditRating.created_at.desc(), CreditRating.id.desc()).limit(1)).first()


def effective_grade(customer_id: int) -> CreditRating | None:
    """The last approved rating (CUS-92: a grade is effective only when approved)."""
    return db.session.scalars(select(CreditRating).where(CreditRating.customer_id == customer_id,
                                                         CreditRating.status == "approved")
                              .order_by(CreditRating.effective_at.desc(), CreditRating.id.desc()).limit(1)).first()


def propose_rating(customer_id: int, *, grade: str, note: str | None, by: int) -> CreditRating:
    """CUS-91 + CUS-92: the proposal of the marketing manager, salesperson and credit supervisor. The
    rule's grade is recorded (decision CUS-91); a proposal better than the rule allows is refused
    (422 on ``grade``: C takes precedence, new customers and missing data are never A)."""
    view = require_enabled()
    if get_record(customer_id) is None:
        raise Conflict("the customer has no credit investigation record yet (CUS-90)", rule_id="CUS-91")
    if open_rating(customer_id) is not None:
        raise Conflict("a rating proposal of this customer is already under approval", rule_id="CUS-92")
    credit = view.values["credit"]
    outcome = rules.credit_grade(credit, customer_id, credit_facts(customer_id, local_today(), credit))
    if rules.better(grade, outcome.grade):
        raise InvalidInput("the proposed grade is better than the criteria allow",
                           fields={"grade": [f"at most {outcome.grade}: {outcome.reason_en}"]}, rule_id="CUS-91")
    decision = decisions.record(**outcome.record_kwargs(), policy=view)
    rating = CreditRating(customer_id=customer_id, grade=grade, rule_grade=outcome.grade, status="proposed",
                          proposed_by=by, note=note, steps=[], grade_decision_id=decision.id)
    db.session.add(rating)
    db.session.flush()
    return rating


def rating_step(customer_id: int, *, step: str, approve: bool, note: str | None, user) -> CreditRating:
    """CUS-92: one step on the open proposal (409 without one); a decision per step."""
    view = require_enabled()
    rating = open_rating(customer_id) or latest_rating(customer_id)
    if rating is None:
        raise NotFound("no rating proposal for this customer")
    at = utcnow()
    steps = [rules.Step(s["step"], s["user_id"], s["approve"], dt.datetime.fromisoformat(s["at"]))
             for s in rating.steps]
    outcome = rules.apply_step(view.values["credit"], rating.id, customer_id, rating.grade, steps, step=step,
                               approve=approve, user_id=user.id, roles=tuple(user.roles), at=at, status=rating.status)
    previous = decisions.get(rating.decision_id) if rating.decision_id else None
    decision = decisions.record(**outcome.record_kwargs(), policy=view, supersedes=previous)
    rating.steps = [*rating.steps, {"step": step, "user_id": user.id, "approve": approve, "at": at.isoformat(),
                                    "note": note}]
    rating.status, rating.decision_id = outcome.status, decision.id
    if outcome.effective:
        rating.effective_at = at
    db.session.flush()
    return rating


# --------------------------------------------------------------------------------------------------
# CUS-93/95 · limits
# --------------------------------------------------------------------------------------------------

def averages(customer_id: int, on: dt.date, credit: dict) -> dict:
    """Average monthly shipments and collections over ``cus.credit.average_window`` ending with
    ``on`` (2 places, half-up)."""
    window = credit["average_window"]
    months = int(window.amount) * (12 if window.unit == "years" else 1)
    first, last = key_accounts.trailing_window(on, window)
    sums = transaction_sums(first, last, customer_id)
    return {"window": format_duration(window), "first_day": first, "last_day": last, "months": months,
            "avg_monthly_shipments": (sums["shipments"] / months).quantize(Decimal("0.01"), ROUND_HALF_UP),
            "avg_monthly_collections": (sums["collections"] / months).quantize(Decimal("0.01"), ROUND_HALF_UP)}


def current_line(customer_id: int) -> CreditLine | None:
    return db.session.scalars(select(CreditLine).where(CreditLine.customer_id == customer_id)).first()


def limit_for(customer_id: int, *, kind: str = "long", mortgage_value: Decimal | None = None,
              on: dt.date | None = None) -> rules.LimitOutcome:
    """CUS-93: the highest limit and term the customer's approved grade allows today."""
    view = cus_policy(on)
    credit = view.values["credit"]
    rating = effective_grade(customer_id)
    avg = averages(customer_id, on or local_today(), credit)
    line = current_line(customer_id)
    return rules.max_limit(credit, customer_id, rating.grade if rating else None, kind=kind,
                           has_history=line is not None, avg_shipments=avg["avg_monthly_shipments"],
                           avg_collections=avg["avg_monthly_collections"], mortgage_value=mortgage_value,
                           existing_limit=None)


def _approval(customer_id: int, approval_id: int | None, field: str) -> CreditApproval | None:
    if approval_id is None:
        return None
    row = db.session.scalars(select(CreditApproval).where(CreditApproval.id == approval_id,
                                                          CreditApproval.customer_id == customer_id)).first()
    if row is None:
        raise InvalidInput("no such approval", fields={field: ["no approval with this id for this customer"]})
    if row.used_at is not None:
        raise InvalidInput("approval already used", fields={field: ["this approval was used already"]})
    return row


def grant_limit(customer_id: int, *, limit: Decimal, kind: str, mortgage_value: Decimal | None, by: int,
                exception_approval_id: int | None = None) -> CreditLine:
    """CUS-93 + CUS-95: grant or adjust the limit. 422 on ``limit`` when it exceeds what the grade
    allows, or raises the existing limit without an approved exception."""
    view = require_enabled()
    credit = view.values["credit"]
    limit = money(limit)
    line = current_line(customer_id)
    exception = _approval(customer_id, exception_approval_id, "exception_approval_id")
    if exception is not None and (exception.kind != "limit_increase" or money(exception.amount) < limit):
        raise InvalidInput("the approval does not cover this limit",
                           fields={"exception_approval_id": ["needs a limit_increase approval of at least the new "
                                                             "limit"]})
    rules.check_adjustment(credit, existing=line.credit_limit if line else None, new=limit,
                           exception_approved=exception is not None)
    rating = effective_grade(customer_id)
    avg = averages(customer_id, local_today(), credit)
    outcome = rules.max_limit(credit, customer_id, rating.grade if rating else None, kind=kind,
                              has_history=line is not None, avg_shipments=avg["avg_monthly_shipments"],
                              avg_collections=avg["avg_monthly_collections"], mortgage_value=mortgage_value)
    if outcome.kind == "none" or limit > outcome.max_limit or (outcome.kind != kind):
        why = (f"at most {outcome.max_limit:,.2f} as {outcome.kind} credit" if outcome.kind != "none"
               else "no credit for this customer")
        raise InvalidInput("the limit exceeds what the credit grade allows",
                           fields={"limit": [f"{why}: {outcome.reason_en}"]}, rule_id="CUS-93")
    facts = {**outcome.facts, "granted_limit": limit, "previous_limit": line.credit_limit if line else None,
             "exception_approval_id": exception.id if exception else None}
    previous = decisions.get(line.decision_id) if line else None
    decision = decisions.record("CUS-93", "customer", customer_id, policy=view, facts=facts, decided_by=by,
                                supersedes=previous,
                                outcome={**outcome.outcome(), "limit": limit},
                                reason_zh=outcome.reason_zh + f" 核定额度{limit:,.2f}元。",
                                reason_en=outcome.reason_en + f" Limit granted: ¥{limit:,.2f}.")
    if exception is not None:
        exception.used_at, exception.used_decision_id = utcnow(), decision.id
    if line is None:
        line = CreditLine(customer_id=customer_id)
        db.session.add(line)
    line.grade, line.kind, line.credit_limit = outcome.grade, kind, limit
    line.term, line.mortgage_value = format_duration(outcome.term), money(mortgage_value) if mortgage_value else None
    line.granted_by, line.granted_at, line.decision_id = by, utcnow(), decision.id
    db.session.flush()
    return line


# --------------------------------------------------------------------------------------------------
# CUS-94 · exposure
# --------------------------------------------------------------------------------------------------

def exposure(customer_id: int) -> dict:
    """Exposure = receivables (shipments − collections, never below 0) + prepayments whose goods have
    not arrived and passed acceptance (a prepayment is accepted once a shipment carries its
    ``reference``)."""
    sums = dict(db.session.execute(select(CustomerTransaction.kind, func.coalesce(func.sum(CustomerTransaction.amount), 0))
                                   .where(CustomerTransaction.customer_id == customer_id)
                                   .group_by(CustomerTransaction.kind)).all())
    receivables = max(ZERO, money(sums.get("shipment", 0)) - money(sums.get("collection", 0)))
    shipped_refs = select(CustomerTransaction.reference).where(
        CustomerTransaction.customer_id == customer_id, CustomerTransaction.kind == "shipment",
        CustomerTransaction.reference.is_not(None))
    open_prepayments = money(db.session.scalar(select(func.coalesce(func.sum(CustomerTransaction.amount), 0)).where(
        CustomerTransaction.customer_id == customer_id, CustomerTransaction.kind == "prepayment",
        (CustomerTransaction.reference.is_(None)) | (CustomerTransaction.reference.not_in(shipped_refs)))))
    return {"receivables": receivables, "open_prepayments": open_prepayments,
            "exposure": receivables + open_prepayments}


def create_approval(customer_id: int, *, kind: str, amount: Decimal, reason: str | None, user) -> CreditApproval:
    """A written approval of the higher authority (``cus.credit.exception_roles``) for one operation
    over the limit (CUS-94) or a limit increase (CUS-95)."""
    view = require_enabled()
    roles = list(view.values["credit"]["exception_roles"])
    if not set(user.roles) & set(roles):
        raise Forbidden(f"a credit approval needs one of the roles {', '.join(roles)} (cus.credit.exception_roles)")
    if not (reason or "").strip():
        raise InvalidInput("an approval needs a reason", fields={"reason": ["required"]})
    row = CreditApproval(customer_id=customer_id, kind=kind, amount=money(amount), reason=reason.strip(),
                         approved_by=user.id)
    db.session.add(row)
    db.session.flush()
    return row


def check_exposure(customer_id: int, kind: str, amount: Decimal, approval: int | None = None) -> rules.ExposureCheck:
    """CUS-94: raise Conflict (409, with the reasons) when ``kind`` of ``amount`` would take the
    customer's exposure over its limit and no recorded approval (id) is attached. Passing with an
    approval writes a CUS-94 decision and uses the approval up."""
    view = require_enabled()
    row = _approval(customer_id, approval, "approval_id")
    facts = None if row is None else rules.ApprovalFacts(row.id, row.approved_by, row.kind, row.amount)
    line = current_line(customer_id)
    current = exposure(customer_id)
    outcome = rules.check_exposure(view.values["credit"], customer_id, limit=line.credit_limit if line else None,
                                   exposure=current["exposure"], kind=kind, amount=amount, approval=facts)
    if not outcome.allowed:
        raise Conflict(outcome.reason_en, rule_id="CUS-94", reason_zh=outcome.reason_zh, reason_en=outcome.reason_en,
                       exposure=str(outcome.exposure), exposure_after=str(outcome.after),
                       limit=None if outcome.limit is None else str(outcome.limit))
    if outcome.approval_id is not None:
        decision = decisions.record(**outcome.record_kwargs(), policy=view)
        row.used_at, row.used_decision_id = utcnow(), decision.id
        db.session.flush()
        outcome = replace(outcome, decision_id=decision.id)
    return outcome


def over_limit() -> list[dict]:
    """Customers whose exposure exceeds their limit, for remediation within
    ``cus.credit.remediation_within`` (CUS-94)."""
    out = []
    for line in db.session.scalars(select(CreditLine).order_by(CreditLine.customer_id)):
        current = exposure(line.customer_id)
        if current["exposure"] > line.credit_limit:
            out.append({"customer_id": line.customer_id, "limit": line.credit_limit, **current})
    return out


# --------------------------------------------------------------------------------------------------
# CUS-96 · monthly evaluation
# --------------------------------------------------------------------------------------------------

def open_evaluations(on: dt.date, progress=None) -> dict:
    """CUS-96, the body of job ``cus.credit_evaluation``: on local day ``on`` open the previous
    month's limit-execution evaluation for every customer with a limit, and on the first day of a
    quarter also the quarterly review of the quarter just ended (``2026-Q3``: review and dynamic
    adjustment of the limit); once per customer and period (the natural key). Finance is notified of
    the quarterly reviews."""
    view = cus_policy(on)
    if not view.values["credit"]["enabled"]:
        return {"on": on.isoformat(), "skipped": "credit management is off"}
    month = rules.evaluation_month(on)
    quarter = rules.review_quarter(on)
    lines = list(db.session.scalars(select(CreditLine).where(CreditLine.credit_limit > 0)
                                    .order_by(CreditLine.customer_id)))
    periods = [p for p in (month, quarter) if p]
    done = set(db.session.execute(select(CreditEvaluation.customer_id, CreditEvaluation.month)
                                  .where(CreditEvaluation.month.in_(periods))).all())
    opened, reviews = [], []
    for i, line in enumerate(lines):
        if progress:
            progress(i, len(lines))
        for period in periods:
            if (line.customer_id, period) not in done:
                _open_evaluation(line, period, on, view)
                (reviews if period == quarter else opened).append(line.customer_id)
    if reviews:
        finance = db.session.scalars(select(User.id).join(UserRole, UserRole.user_id == User.id)
                                     .where(UserRole.role == "finance", User.is_active.is_(True)))
        notifications.notify(list(finance), kind="cus.credit_review", rule_id="CUS-96",
                             title_zh=f"{quarter}季度信用额度复核：{len(reviews)}个客户",
                             title_en=f"{quarter} quarterly credit review: {len(reviews)} customers",
                             dedupe_key=f"CUS-96:review:{quarter}")
    db.session.flush()
    result = {"on": on.isoformat(), "month": month, "opened": opened}
    if quarter:
        result.update(quarter=quarter, reviews=reviews)
    return result


def _open_evaluation(line: CreditLine, period: str, on: dt.date, view) -> CreditEvaluation:
    current = exposure(line.customer_id)
    quarterly = "Q" in period
    what_zh = "季度信用额度复核" if quarterly else "月度信用额度执行评价"
    what_en = "quarterly credit review" if quarterly else "limit-execution evaluation"
    decision = decisions.record(
        "CUS-96", "customer", line.customer_id, policy=view,
        outcome={"evaluation": period, "kind": "quarterly_review" if quarterly else "monthly", "status": "open"},
        facts={"limit": line.credit_limit, **current, "opened_on": on},
        reason_zh=f"{on.isoformat()}开启客户#{line.customer_id}{period}{what_zh}（额度"
                  f"{line.credit_limit:,.2f}元，占用{current['exposure']:,.2f}元）。依据CUS-96。",
        reason_en=f"On {on.isoformat()} the {period} {what_en} of customer #{line.customer_id} "
                  f"opens (limit ¥{line.credit_limit:,.2f}, exposure ¥{current['exposure']:,.2f}). Under CUS-96.")
    row = CreditEvaluation(customer_id=line.customer_id, month=period, status="open", credit_limit=line.credit_limit,
                           exposure=current["exposure"], decision_id=decision.id)
    db.session.add(row)
    return row


def evaluations(month: str | None = None):
    stmt = select(CreditEvaluation).order_by(CreditEvaluation.month.desc(), CreditEvaluation.customer_id)
    return stmt.where(CreditEvaluation.month == month) if month else stmt
