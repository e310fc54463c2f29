"""Grades, tiers and key accounts (CUS-50..CUS-52): load the facts, call the pure rules, write the rows
and a decision for every change.

- Tiers (CUS-50): :func:`current_tiers`, :func:`set_manual_tier` (reason + approver),
  :func:`evaluate_tier` (numeric criteria), :func:`history`.
- Key accounts (CUS-51): :func:`ka_figures`, :func:`ka_evaluation`, :func:`flag_potential`,
  :func:`unflag_potential`, :func:`review_key_accounts` (the body of job ``cus.ka_review``).
- Regrading cycles (CUS-52): :func:`cooperation_since`, :func:`open_grading_tasks` (the body of job
  ``cus.grading_cycle``), :func:`ungraded_after_window`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from core.accounts.models import User
from core.calendar.durations import format_duration
from core.customers.grades import cycles, key_accounts, tiers
from core.customers.grades.models import CustomerGrade, GradeChange, GradingTask, KeyAccount
from core.customers.grades.outcome import Decided, money
from core.customers.models import CustomerTransaction
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import InvalidInput, NotFound
from core.tenancy import current_tenant_id

ZERO = Decimal("0.00")


def tenant_tz() -> str:
    from tenants.registry import get_tenant

    return get_tenant(current_tenant_id()).timezone


def local_today() -> dt.date:
    return dt.datetime.now(ZoneInfo(tenant_tz())).date()


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), ZoneInfo(tenant_tz()))


def _local_end(day: dt.date) -> dt.datetime:
    """24:00 of ``day`` local (the policy in force on ``day`` is looked up with this minus a moment)."""
    return local_midnight(day + dt.timedelta(days=1))


# --------------------------------------------------------------------------------------------------
# Transactions → sums (CUS-50 metrics, CUS-51)
# --------------------------------------------------------------------------------------------------

def _signed(kind_plus: str, kind_minus: str | None, column):
    whens = [(CustomerTransaction.kind == kind_plus, column)]
    if kind_minus:
        whens.append((CustomerTransaction.kind == kind_minus, -column))
    return func.coalesce(func.sum(case(*whens, else_=0)), 0)


def transaction_sums(first_day: dt.date, last_day: dt.date, customer_id: int | None = None) -> dict[str, Decimal]:
    """Sums over the local days ``first_day..last_day``: ``net_purchases`` (purchases − refunds),
    ``gross_profit`` (of purchases − of refunds), ``shipments``, ``collections``, ``prepayments``;
    for one customer, or the whole company when ``customer_id`` is None."""
    stmt = select(
        _signed("purchase", "refund", CustomerTransaction.amount),
        _signed("purchase", "refund", func.coalesce(CustomerTransaction.gross_profit, 0)),
        _signed("shipment", None, CustomerTransaction.amount),
        _signed("collection", None, CustomerTransaction.amount),
        _signed("prepayment", None, CustomerTransaction.amount),
    ).where(CustomerTransaction.at >= local_midnight(first_day), CustomerTransaction.at < _local_end(last_day))
    if customer_id is not None:
        stmt = stmt.where(CustomerTransaction.customer_id == customer_id)
    row = db.session.execute(stmt).one()
    names = ("net_purchases", "gross_profit", "shipments", "collections", "prepayments")
    return {name: money(value or 0) for name, value in zip(names, row)}


# --------------------------------------------------------------------------------------------------
# CUS-50 · tiers
# --------------------------------------------------------------------------------------------------

def current(customer_id: int, scheme: str) -> CustomerGrade | None:
    return db.session.scalars(select(CustomerGrade).where(CustomerGrade.customer_id == customer_id,
                                                          CustomerGrade.scheme == scheme)).first()


def current_tiers(customer_id: int) -> dict[str, str]:
    """``{scheme: tier}`` of the customer now (schemes without a tier are absent)."""
    rows = db.session.execute(select(CustomerGrade.scheme, CustomerGrade.tier)
                              .where(CustomerGrade.customer_id == customer_id))
    return dict(rows.all())


def tiers_of(customer_ids: Iterable[int], scheme: str = "grade") -> dict[int, str]:
    """``{customer_id: tier}`` in ``scheme`` for many customers (CUS-53 orderings)."""
    ids = list(customer_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(CustomerGrade.customer_id, CustomerGrade.tier)
                              .where(CustomerGrade.scheme == scheme, CustomerGrade.customer_id.in_(ids)))
    return dict(rows.all())


def history(customer_id: int, scheme: str | None = None):
    """The statement of the customer's grade changes, newest first."""
    stmt = (select(GradeChange).where(GradeChange.customer_id == customer_id)
            .order_by(GradeChange.at.desc(), GradeChange.id.desc()))
    if scheme is not None:
        stmt = stmt.where(GradeChange.scheme == scheme)
    return stmt


def _apply(customer_id: int, outcome: Decided, *, scheme: str, tier: str, previous: str | None, kind: str,
           at: dt.datetime, policy, temporary: bool = False, reason: str | None = None,
           approved_by: int | None = None) -> GradeChange:
    row = current(customer_id, scheme)
    supersedes = decisions.get(row.decision_id) if (row is not None and row.decision_id and kind == "manual") else None
    decision = decisions.record(**outcome.record_kwargs(), policy=policy, supersedes=supersedes)
    change = GradeChange(customer_id=customer_id, scheme=scheme, from_tier=previous, to_tier=tier, kind=kind,
                         temporary=temporary, at=at, reason=reason, decided_by=outcome.decided_by,
                         approved_by=approved_by, rule_id=outcome.rule_id, decision_id=decision.id)
    db.session.add(change)
    db.session.flush()
    if row is None:
        row = CustomerGrade(customer_id=customer_id, scheme=scheme)
        db.session.add(row)
    row.tier, row.temporary, row.since = tier, temporary, at
    row.change_id, row.decision_id = change.id, decision.id
    if not temporary:
        for task in db.session.scalars(select(GradingTask).where(
                GradingTask.customer_id == customer_id, GradingTask.scheme == scheme, GradingTask.status == "open",
                GradingTask.opens_at <= at)):
            task.status, task.change_id = "done", change.id
    db.session.flush()
    return change


def approver_facts(user_id: int | None) -> tiers.Approver | None:
    if user_id is None:
        return None
    user = db.session.scalars(select(User).where(User.id == user_id)).first()
    if user is None:
        return None
    return tiers.Approver(user.id, user.display_name or user.username, tuple(user.roles), bool(user.is_active))


def set_manual_tier(customer_id: int, scheme: str, *, tier: str | None, reason: str | None,
                    approver_id: int | None, decided_by: int, temporary: bool = False) -> GradeChange:
    """CUS-50: a manual change with reason and approver (422 without); history row + decision that
    supersedes the decision of the tier it replaces."""
    at = utcnow()
    view = cus_policy(at)
    row = current(customer_id, scheme)
    outcome = tiers.check_manual_change(view.values["tiers"], scheme, customer_id, tier=tier, reason=reason,
                                        approver=approver_facts(approver_id), approver_id=approver_id,
                                        decided_by=decided_by, previous=row.tier if row else None,
                                        temporary=temporary)
    return _apply(customer_id, outcome, scheme=scheme, tier=outcome.tier, previous=outcome.previous, kind="manual",
                  at=at, policy=view, temporary=temporary, reason=outcome.reason, approved_by=outcome.approver_id)


def evaluate_tier(customer_id: int, scheme: str, on: dt.date | None = None) -> tuple[tiers.TierEvaluation,
                                                                                        GradeChange | None]:
    """CUS-50 numeric criteria as of local day ``on`` (default today): the best tier whose criterion
    holds over the trailing ``cus.tiers.period``. A change is written (automatic, with its decision);
    the same tier, no tier, or a tier set manually since is left alone."""
    on = on or local_today()
    at = min(_local_end(on) - dt.timedelta(microseconds=1), utcnow())
    view = cus_policy(on)
    settings = view.values["tiers"]
    tiers.scheme_tiers(settings, scheme)
    first, last = key_accounts.trailing_window(on, settings["period"])
    sums = transaction_sums(first, last, customer_id)
    row = current(customer_id, scheme)
    evaluation = tiers.numeric_tier(settings, scheme, customer_id, sums, previous=row.tier if row else None,
                                    period=format_duration(settings["period"]))
    if not evaluation.changed:
        return evaluation, None
    return evaluation, _apply(customer_id, evaluation, scheme=scheme, tier=evaluation.tier,
                              previous=evaluation.previous, kind="automatic", at=at, policy=view)


# --------------------------------------------------------------------------------------------------
# CUS-51 · key accounts
# --------------------------------------------------------------------------------------------------

def key_account(customer_id: int) -> KeyAccount | None:
    return db.session.scalars(select(KeyAccount).where(KeyAccount.customer_id == customer_id)).first()


def ka_figures(customer_id: int, on: dt.date, ka: dict, *, company: dict | None = None) -> key_accounts.KaFigures:
    first, last = key_accounts.trailing_window(on, ka["period"])
    mine = transaction_sums(first, last, customer_id)
    company = company if company is not None else transaction_sums(first, last)
    row = key_account(customer_id)
    potential = row.reason if (row is not None and row.status == "potential") else None
    return key_accounts.KaFigures(mine["net_purchases"], mine["gross_profit"], company["gross_profit"], first, last,
                                  potential_reason=potential)


def ka_evaluation(customer_id: int, on: dt.date | None = None) -> key_accounts.KaQualification:
    """CUS-51 as of local day ``on`` (default today), without writing anything."""
    on = on or local_today()
    ka = cus_policy(on).values["ka"]
    return key_accounts.qualify(ka, customer_id, ka_figures(customer_id, on, ka))


def _mark(customer_id: int, *, status: str, basis: str, reason: str | None, by: int | None, decision) -> KeyAccount:
    row = key_account(customer_id)
    if row is None:
        row = KeyAccount(customer_id=customer_id)
        db.session.add(row)
    row.status, row.basis, row.reason, row.marked_by = status, basis, reason, by
    row.since, row.decision_id = utcnow(), decision.id
    db.session.flush()
    return row


def flag_potential(customer_id: int, *, reason: str | None, by: int) -> KeyAccount:
    """CUS-51: the manual "potential key account" flag, with a mandatory reason (422 without)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a potential key account needs a reason", fields={"reason": ["required (CUS-51)"]},
                           rule_id="CUS-51")
    row = key_account(customer_id)
    if row is not None and row.status == "key_account":
        raise InvalidInput("the customer is already a key account",
                           fields={"status": ["already a key account; a potential flag adds nothing"]},
                           rule_id="CUS-51")
    view = cus_policy()
    supersedes = decisions.get(row.decision_id) if row is not None else None
    decision = decisions.record(
        "CUS-51", "customer", customer_id, outcome={"key_account": True, "basis": ["potential"]},
        facts={"reason": reason}, policy=view, decided_by=by, supersedes=supersedes,
        reason_zh=f"客户#{customer_id}被人工标记为潜力大客户。理由：{reason}。依据CUS-51。",
        reason_en=f"Customer #{customer_id} flagged manually as a potential key account. Reason: {reason}. "
                  f"Under CUS-51.")
    return _mark(customer_id, status="potential", basis="potential", reason=reason, by=by, decision=decision)


def unflag_potential(customer_id: int, *, reason: str | None, by: int) -> None:
    """Withdraw a manual potential flag (reason mandatory); a key account qualified by the thresholds
    is not withdrawn by hand (409): the thresholds decide it."""
    from core.errors import Conflict

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("withdrawing a flag needs a reason", fields={"reason": ["required (CUS-51)"]},
                           rule_id="CUS-51")
    row = key_account(customer_id)
    if row is None:
        raise NotFound("the customer is not flagged")
    if row.status != "potential":
        raise Conflict("a key account qualified by the thresholds is not withdrawn by hand", rule_id="CUS-51")
    decisions.record("CUS-51", "customer", customer_id, outcome={"key_account": False, "basis": []},
                     facts={"reason": reason}, policy=cus_policy(), decided_by=by,
                     supersedes=decisions.get(row.decision_id),
                     reason_zh=f"撤销客户#{customer_id}的潜力大客户标记。理由：{reason}。依据CUS-51。",
                     reason_en=f"Potential key-account flag of customer #{customer_id} withdrawn. Reason: {reason}. "
                               f"Under CUS-51.")
    db.session.delete(row)
    db.session.flush()


def review_key_accounts(on: dt.date, progress=None) -> dict:
    """CUS-51, the body of job ``cus.ka_review``: every customer with transactions in the trailing
    window that qualifies by the thresholds and is not marked yet is marked key account, with one
    decision. Re-running it marks nobody twice (the mark is the natural key)."""
    view = cus_policy(on)
    ka = view.values["ka"]
    first, last = key_accounts.trailing_window(on, ka["period"])
    company = transaction_sums(first, last)
    marked = {cid for cid, status in db.session.execute(select(KeyAccount.customer_id, KeyAccount.status))
              if status == "key_account"}
    candidates = sorted(set(db.session.scalars(
        select(CustomerTransaction.customer_id).distinct().where(
            CustomerTransaction.at >= local_midnight(first), CustomerTransaction.at < _local_end(last)))) - marked)
    flagged = []
    for i, customer_id in enumerate(candidates):
        if progress:
            progress(i, len(candidates))
        outcome = key_accounts.qualify(ka, customer_id, ka_figures(customer_id, on, ka, company=company))
        numeric = [b for b in outcome.basis if b != "potential"]
        if not numeric:
            continue
        row = key_account(customer_id)
        decision = decisions.record(**outcome.record_kwargs(), policy=view,
                                    supersedes=decisions.get(row.decision_id) if row else None)
        _mark(customer_id, status="key_account", basis=",".join(numeric), reason=None, by=None, decision=decision)
        flagged.append(customer_id)
    if progress:
        progress(len(candidates), len(candidates))
    return {"on": on.isoformat(), "checked": len(candidates), "flagged": flagged}


# --------------------------------------------------------------------------------------------------
# CUS-52 · regrading cycles
# --------------------------------------------------------------------------------------------------

def cooperation_since(customer_ids: Iterable[int] | None = None) -> dict[int, dt.date]:
    """``{customer_id: local day of the first purchase or shipment}``: when cooperation began."""
    stmt = (select(CustomerTransaction.customer_id, func.min(CustomerTransaction.at))
            .where(CustomerTransaction.kind.in_(("purchase", "shipment")))
            .group_by(CustomerTransaction.customer_id))
    if customer_ids is not None:
        stmt = stmt.where(CustomerTransaction.customer_id.in_(list(customer_ids)))
    tz = ZoneInfo(tenant_tz())
    return {cid: first.astimezone(tz).date() for cid, first in db.session.execute(stmt)}


def _task(customer_id: int, *, scheme: str, kind: str, cycle: str) -> GradingTask | None:
    return db.session.scalars(select(GradingTask).where(
        GradingTask.customer_id == customer_id, GradingTask.scheme == scheme, GradingTask.kind == kind,
        GradingTask.cycle == cycle)).first()


def _graded_between(customer_id: int, scheme: str, start: dt.datetime, end: dt.datetime | None = None) -> int | None:
    stmt = select(GradeChange.id).where(GradeChange.customer_id == customer_id, GradeChange.scheme == scheme,
                                        GradeChange.temporary.is_(False), GradeChange.at >= start)
    if end is not None:
        stmt = stmt.where(GradeChange.at < end)
    return db.session.scalars(stmt.order_by(GradeChange.at).limit(1)).first()


def open_grading_tasks(on: dt.date, progress=None) -> dict:
    """CUS-52, the body of job ``cus.grading_cycle`` as of local day ``on``:

    - a formal-grading task for every customer that began cooperating (due ``new_customer_after``
      later), done by a non-temporary grade decision from cooperation on;
    - on and after the first day of the year's annual window, an annual task for every customer
      with a tier in the scheme or cooperation before the window (due at its close);
    - after the close, every customer still without a grade decision in the window is listed as
      ungraded (one CUS-52 decision each).
    Natural keys (customer, scheme, kind, cycle) make re-runs harmless."""
    view = cus_policy(on)
    grading = view.values["grading"]
    scheme = grading["scheme"]
    tz = tenant_tz()
    now = _local_end(on) - dt.timedelta(microseconds=1)
    since = cooperation_since()
    opened, listed = [], []
    for customer_id, first_day in sorted(since.items()):
        if first_day > on or _task(customer_id, scheme=scheme, kind="formal", cycle="formal"):
            continue
        due = cycles.formal_grading_due(first_day, grading["new_customer_after"], tz)
        after = format_duration(grading["new_customer_after"])
        decision = decisions.record(
            "CUS-52", "customer", customer_id, policy=view,
            outcome={"task": "formal", "scheme": scheme, "due_through": due.through},
            facts={"cooperation_since": first_day, "new_customer_after": after},
            reason_zh=f"客户#{customer_id}自{first_day.isoformat()}开始合作，应在{after}后即{due.through.isoformat()}"
                      f"前完成正式评级。依据CUS-52。",
            reason_en=f"Customer #{customer_id} has cooperated since {first_day.isoformat()}: its formal grade is "
                      f"due {after} later, through {due.through.isoformat()}. Under CUS-52.")
        task = GradingTask(customer_id=customer_id, scheme=scheme, kind="formal", cycle="formal",
                           opens_at=local_midnight(first_day), due_at=due.at, due_through=due.through,
                           decision_id=decision.id)
        done = _graded_between(customer_id, scheme, local_midnight(first_day))
        if done:
            task.status, task.change_id = "done", done
        db.session.add(task)
        opened.append(customer_id)
    window = cycles.annual_window(on.year, grading["annual_window"], tz)
    state = window.state(now)
    if state != "before":
        subjects = set(db.session.scalars(select(CustomerGrade.customer_id).where(CustomerGrade.scheme == scheme)))
        subjects |= {cid for cid, first_day in since.items() if local_midnight(first_day) < window.opens}
        cycle = str(on.year)
        todo = sorted(subjects)
        for i, customer_id in enumerate(todo):
            if progress:
                progress(i, len(todo))
            task = _task(customer_id, scheme=scheme, kind="annual", cycle=cycle)
            if task is None:
                decision = decisions.record(
                    "CUS-52", "customer", customer_id, policy=view,
                    outcome={"task": "annual", "scheme": scheme, "cycle": cycle, "due_through": window.last_day},
                    facts={"annual_window": grading["annual_window"], "with_credit": grading["with_credit"]},
                    reason_zh=f"{cycle}年度评级窗口{window.first_day.isoformat()}至{window.last_day.isoformat()}，"
                              f"客户#{customer_id}需重新评级。依据CUS-52。",
                    reason_en=f"The {cycle} regrading window runs {window.first_day.isoformat()} through "
                              f"{window.last_day.isoformat()}: customer #{customer_id} is to be regraded. Under CUS-52.")
                task = GradingTask(customer_id=customer_id, scheme=scheme, kind="annual", cycle=cycle,
                                   opens_at=window.opens, due_at=window.closes, due_through=window.last_day,
                                   decision_id=decision.id)
                done = _graded_between(customer_id, scheme, window.opens, window.closes)
                if done:
                    task.status, task.change_id = "done", done
                db.session.add(task)
                db.session.flush()
                opened.append(customer_id)
            if state == "closed" and task.status == "open" and task.overdue_decision_id is None:
                decision = decisions.record(
                    "CUS-52", "customer", customer_id, policy=view,
                    outcome={"ungraded": True, "scheme": scheme, "cycle": cycle},
                    facts={"window": {"opens": window.opens, "closes": window.closes}, "task_id": task.id},
                    reason_zh=f"客户#{customer_id}在{cycle}年度评级窗口（至{window.last_day.isoformat()}24:00）内"
                              f"未完成评级，列入未评级名单。依据CUS-52。",
                    reason_en=f"Customer #{customer_id} was not graded in the {cycle} window (closed "
                              f"{window.last_day.isoformat()} 24:00): listed as ungraded. Under CUS-52.")
                task.overdue_decision_id = decision.id
                listed.append(customer_id)
    db.session.flush()
    return {"on": on.isoformat(), "window": state, "opened": opened, "listed_ungraded": listed}


def grading_tasks(*, kind: str | None = None, cycle: str | None = None, status: str | None = None,
                  customer_id: int | None = None):
    stmt = select(GradingTask).order_by(GradingTask.due_at, GradingTask.id)
    for column, value in ((GradingTask.kind, kind), (GradingTask.cycle, cycle), (GradingTask.status, status),
                          (GradingTask.customer_id, customer_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def ungraded_after_window(year: int) -> list[int]:
    """CUS-52: the customers listed as ungraded after ``year``'s window (by the job)."""
    return list(db.session.scalars(select(GradingTask.customer_id).where(
        GradingTask.kind == "annual", GradingTask.cycle == str(year), GradingTask.status == "open",
        GradingTask.overdue_decision_id.is_not(None)).order_by(GradingTask.customer_id)))
